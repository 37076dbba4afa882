// Loopback tests of the WebSocket echo server and client, and of each
// against raw-socket peers that break the protocol or go silent.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "targets/net/socket.h"
#include "targets/net/stream.h"
#include "targets/net/wait_until.h"
#include "targets/ws/client.h"
#include "targets/ws/echo_server.h"

namespace faultline::ws {
namespace {

using namespace std::chrono_literals;

using net::wait_until;

std::string pattern(std::size_t size, unsigned seed) {
  std::string out(size, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& c : out) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

// RawPeer: a TCP connection that speaks WebSocket by hand, to break rules.
struct RawPeer {
  net::Fd fd;
  Connection reader{ConnectionOptions{.role = Role::client, .auto_pong = false}};
  std::string leftover;
  bool eof = false;

  static RawPeer connect_and_upgrade(const net::Address& address) {
    RawPeer peer;
    auto fd = net::connect_tcp(address, net::Deadline::after(5s));
    EXPECT_TRUE(fd) << fd.error().to_string();
    peer.fd = std::move(*fd);
    ClientHandshake handshake({.host = address.to_string(), .target = "/"});
    EXPECT_TRUE(net::send_all(peer.fd.get(), handshake.request(), net::Deadline::after(5s)));
    char buffer[4096];
    for (int i = 0; i < 100; ++i) {
      auto n = net::recv_some(peer.fd.get(), buffer, sizeof(buffer), net::Deadline::after(5s));
      EXPECT_TRUE(n && *n > 0);
      if (!n || *n == 0) break;
      auto step = handshake.feed(std::string_view(buffer, *n));
      EXPECT_TRUE(step) << step.error().to_string();
      if (step && *step == HandshakeStep::accepted) break;
    }
    (void)peer.reader.receive(handshake.take_leftover());
    return peer;
  }
  void send(std::string_view bytes) {
    ASSERT_TRUE(net::send_all(fd.get(), bytes, net::Deadline::after(5s)));
  }
  // next: the next event from the server, or nullopt at EOF or timeout.
  std::optional<Event> next(net::Duration limit = 5s) {
    auto deadline = net::Deadline::after(limit);
    char buffer[4096];
    while (true) {
      if (auto event = reader.next_event()) return event;
      if (eof) return std::nullopt;
      auto n = net::recv_some(fd.get(), buffer, sizeof(buffer), deadline);
      if (!n || *n == 0) {
        eof = true;
        continue;
      }
      (void)reader.receive(std::string_view(buffer, *n));
    }
  }
  // wait_eof: the server closed its side within the limit.
  bool wait_eof(net::Duration limit = 5s) {
    auto deadline = net::Deadline::after(limit);
    char buffer[4096];
    while (!eof) {
      auto n = net::recv_some(fd.get(), buffer, sizeof(buffer), deadline);
      if (!n) return n.error().kind != net::ErrorKind::timeout;  // a reset ends it too
      if (*n == 0) eof = true;
    }
    return true;
  }
};

std::string masked(Opcode opcode, std::string_view payload, bool fin = true) {
  return encode_frame({.fin = fin, .opcode = opcode, .masked = true, .mask = 0x0badf00d}, payload);
}

class WsEchoTest : public testing::Test {
 protected:
  void start(WsServerOptions options = {}) {
    options.listen = net::Address::loopback(0);
    server_ = std::make_unique<WsEchoServer>(options);
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().to_string();
    url_ = WsUrl::parse("ws://" + server_->address().to_string() + "/echo").value();
  }
  std::unique_ptr<Client> connect(ClientOptions options = {}) {
    auto client = Client::connect(dialer_, url_, options);
    EXPECT_TRUE(client) << client.error().to_string();
    return client ? std::move(*client) : nullptr;
  }
  net::TcpDialer dialer_;
  std::unique_ptr<WsEchoServer> server_;
  WsUrl url_;
};

TEST_F(WsEchoTest, EchoesTextAsTextAndBinaryAsBinaryThenClosesCleanly) {
  start();
  auto client = connect();
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send(Opcode::text, "안녕하세요!"));
  auto text = client->receive();
  ASSERT_TRUE(text) << text.error().to_string();
  EXPECT_EQ(text->opcode, Opcode::text);
  EXPECT_EQ(text->payload, "안녕하세요!");
  const std::string bytes("\0\x01\xff\xfe", 4);
  ASSERT_TRUE(client->send(Opcode::binary, bytes));
  auto binary = client->receive();
  ASSERT_TRUE(binary);
  EXPECT_EQ(binary->opcode, Opcode::binary);
  EXPECT_EQ(binary->payload, bytes);
  ASSERT_TRUE(client->ping("are you there"));
  auto closed = client->close(close_code::kNormal, "done");
  ASSERT_TRUE(closed) << closed.error().to_string();
  EXPECT_EQ(closed->peer_code, close_code::kNormal);
  EXPECT_TRUE(closed->clean);
  EXPECT_TRUE(wait_until([&] { return server_->counters().active == 0; }));
  EXPECT_EQ(server_->counters().clean_closes, 1u);
  EXPECT_EQ(server_->counters().messages, 2u);
}

TEST_F(WsEchoTest, FragmentedMessagesSplitInsideCharactersComeBackWhole) {
  start();
  auto client = connect();
  ASSERT_TRUE(client);
  const std::string korean = "안녕하세요! 안녕하세요! 안녕하세요!";
  for (std::size_t fragment : {1, 2, 4, 7}) {
    ASSERT_TRUE(client->send(Opcode::text, korean, fragment));
    auto reply = client->receive();
    ASSERT_TRUE(reply) << reply.error().to_string();
    EXPECT_EQ(reply->payload, korean) << "fragment " << fragment;
  }
  const std::string large = pattern(3 << 20, 7);
  ASSERT_TRUE(client->send(Opcode::binary, large, 64 * 1024));
  auto reply = client->receive();
  ASSERT_TRUE(reply) << reply.error().to_string();
  EXPECT_EQ(reply->payload, large);
  EXPECT_TRUE(client->close());
}

TEST_F(WsEchoTest, ManyClientsAtOnce) {
  start();
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      net::TcpDialer dialer;
      auto client = Client::connect(dialer, url_, {.seed = static_cast<std::uint64_t>(t)});
      if (!client) return;
      for (int i = 0; i < 50; ++i) {
        std::string message = pattern(100 + i, t * 100 + i);
        if (!(*client)->send(Opcode::binary, message)) return;
        auto reply = (*client)->receive();
        if (!reply || reply->payload != message) return;
      }
      if ((*client)->close()) ++good;
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(good.load(), 8);
}

struct ViolationCase {
  std::string name;
  std::string bytes;
  std::uint16_t code;
};

class WsServerViolationTest : public WsEchoTest,
                              public testing::WithParamInterface<ViolationCase> {};

TEST_P(WsServerViolationTest, AnswersWithTheCloseCodeThenCloses) {
  start({.limits = {.max_frame_bytes = 1024, .max_message_bytes = 4096}});
  auto peer = RawPeer::connect_and_upgrade(server_->address());
  peer.send(GetParam().bytes);
  auto event = peer.next();
  ASSERT_TRUE(event) << "no close frame";
  ASSERT_EQ(event->kind, EventKind::close);
  EXPECT_EQ(event->close_code, GetParam().code) << event->close_reason;
  EXPECT_TRUE(peer.wait_eof());
  EXPECT_TRUE(wait_until([&] { return server_->counters().protocol_errors == 1; }));
}

INSTANTIATE_TEST_SUITE_P(
    Table, WsServerViolationTest,
    testing::Values(
        ViolationCase{"unmasked", encode_frame({.opcode = Opcode::text}, "hi"), 1002},
        ViolationCase{"fragmented_ping", masked(Opcode::ping, "p", false), 1002},
        ViolationCase{"reserved_opcode", std::string("\x83\x80\0\0\0\0", 6), 1002},
        ViolationCase{"rsv1", std::string("\xC1\x80\0\0\0\0", 6), 1002},
        ViolationCase{"invalid_utf8_across_frames",
                      masked(Opcode::text, "\xCE", false) + masked(Opcode::continuation, "\xFF"),
                      1007},
        ViolationCase{"oversize_frame", masked(Opcode::binary, std::string(2000, 'x')), 1009},
        ViolationCase{"invalid_close_code", masked(Opcode::close, "\x03\xED"), 1002}),
    [](const auto& info) { return info.param.name; });

TEST_F(WsEchoTest, PeerCloseIsAnsweredWithTheSameCode) {
  start();
  auto peer = RawPeer::connect_and_upgrade(server_->address());
  peer.send(masked(Opcode::close, encode_close_payload(3000, "bye")));
  auto event = peer.next();
  ASSERT_TRUE(event);
  EXPECT_EQ(event->kind, EventKind::close);
  EXPECT_EQ(event->close_code, 3000);
  EXPECT_TRUE(peer.wait_eof());
}

TEST_F(WsEchoTest, PeerThatNeverAnswersAPingIsDropped) {
  start({.ping_interval = 50ms, .pong_timeout = 100ms});
  auto peer = RawPeer::connect_and_upgrade(server_->address());
  auto ping = peer.next();
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->kind, EventKind::ping);
  auto close = peer.next();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->kind, EventKind::close);
  EXPECT_EQ(close->close_code, close_code::kGoingAway);
  EXPECT_TRUE(peer.wait_eof());
  EXPECT_TRUE(wait_until([&] { return server_->counters().pong_timeouts == 1; }));
}

TEST_F(WsEchoTest, PeerThatAnswersPingsStays) {
  start({.ping_interval = 20ms, .pong_timeout = 500ms});
  auto client = connect({.io_timeout = 300ms});
  ASSERT_TRUE(client);
  // Idle: receive() waits for a message that never comes, answering the
  // server's keepalive pings meanwhile, until its own deadline.
  auto nothing = client->receive();
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().kind, net::ErrorKind::timeout) << nothing.error().to_string();
  EXPECT_GE(server_->counters().pings_sent, 3u);
  EXPECT_EQ(server_->counters().pong_timeouts, 0u);
  ASSERT_TRUE(client->send(Opcode::text, "still here"));
  auto reply = client->receive();
  ASSERT_TRUE(reply) << reply.error().to_string();
  EXPECT_EQ(reply->payload, "still here");
}

TEST_F(WsEchoTest, StopClosesWith1001AndAPeerThatNeverAnswersTimesOut) {
  start({.close_timeout = 200ms});
  auto peer = RawPeer::connect_and_upgrade(server_->address());
  auto started = net::MonotonicClock::now();
  std::thread stopper([&] { server_->stop(); });
  auto close = peer.next();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->close_code, close_code::kGoingAway);
  EXPECT_TRUE(peer.wait_eof());
  stopper.join();
  EXPECT_LT(net::MonotonicClock::now() - started, 3s);
  EXPECT_EQ(server_->counters().close_timeouts, 1u);
}

TEST_F(WsEchoTest, PeerThatKeepsTcpOpenAfterTheCloseIsDroppedAfterTheTimeout) {
  start({.close_timeout = 100ms});
  auto peer = RawPeer::connect_and_upgrade(server_->address());
  peer.send(masked(Opcode::close, encode_close_payload(1000, "")));
  auto close = peer.next();
  ASSERT_TRUE(close);
  EXPECT_TRUE(peer.wait_eof());  // the server's FIN comes at once
  EXPECT_TRUE(wait_until([&] { return server_->counters().active == 0; }));
  EXPECT_EQ(server_->counters().close_timeouts, 1u);  // our FIN never came
}

TEST_F(WsEchoTest, BadHandshakeGetsAStatusNamingTheProblem) {
  start();
  auto fd = net::connect_tcp(server_->address(), net::Deadline::after(5s));
  ASSERT_TRUE(fd);
  ASSERT_TRUE(net::send_all(fd->get(),
                            "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: "
                            "Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
                            net::Deadline::after(5s)));
  std::string response;
  char buffer[4096];
  for (int i = 0; i < 100; ++i) {
    auto n = net::recv_some(fd->get(), buffer, sizeof(buffer), net::Deadline::after(5s));
    if (!n || *n == 0) break;
    response.append(buffer, *n);
  }
  EXPECT_EQ(response.rfind("HTTP/1.1 400", 0), 0u) << response;
  EXPECT_NE(response.find("Sec-WebSocket-Key"), std::string::npos) << response;
}

TEST_F(WsEchoTest, SilentConnectionIsDroppedAfterTheHandshakeTimeout) {
  start({.handshake_timeout = 100ms});
  auto fd = net::connect_tcp(server_->address(), net::Deadline::after(5s));
  ASSERT_TRUE(fd);
  char buffer[16];
  auto n = net::recv_some(fd->get(), buffer, sizeof(buffer), net::Deadline::after(5s));
  ASSERT_TRUE(n) << n.error().to_string();
  EXPECT_EQ(*n, 0u);
  EXPECT_EQ(server_->counters().handshake_timeouts, 1u);
}

TEST_F(WsEchoTest, ClientFailsOnAMaskedFrameFromTheServerAndSays1002) {
  // A raw server: answers the handshake, then sends a masked frame.
  auto listener = net::listen_bound(net::Address::loopback(0)).value();
  std::thread server([&] {
    auto fd = net::Fd();
    for (int i = 0; i < 1000 && !fd; ++i) {
      if (!net::wait_for(listener.fd.get(), net::Readiness::readable, net::Deadline::after(5s),
                         "accept"))
        return;
      auto accepted = net::accept_connection(listener.fd.get());
      if (accepted) fd = std::move(*accepted);
    }
    ServerHandshake handshake;
    char buffer[4096];
    for (int i = 0; i < 100; ++i) {
      auto n = net::recv_some(fd.get(), buffer, sizeof(buffer), net::Deadline::after(5s));
      if (!n || *n == 0) return;
      auto step = handshake.feed(std::string_view(buffer, *n));
      if (*step != HandshakeStep::need_more) break;
    }
    (void)net::send_all(fd.get(), handshake.take_output() + masked(Opcode::text, "x"),
                        net::Deadline::after(5s));
    Connection reader({.role = Role::server});
    for (int i = 0; i < 100; ++i) {
      auto n = net::recv_some(fd.get(), buffer, sizeof(buffer), net::Deadline::after(5s));
      if (!n || *n == 0) return;
      (void)reader.receive(std::string_view(buffer, *n));
      if (reader.close_received()) break;
    }
    EXPECT_EQ(reader.peer_close_code(), 1002);
  });
  auto url = WsUrl::parse("ws://" + listener.address.to_string() + "/").value();
  net::TcpDialer dialer;
  auto client = Client::connect(dialer, url, {});
  ASSERT_TRUE(client) << client.error().to_string();
  auto message = (*client)->receive();
  ASSERT_FALSE(message);
  EXPECT_EQ(message.error().kind, net::ErrorKind::bad_data);
  EXPECT_NE(message.error().message.find("masked frame from a server"), std::string::npos)
      << message.error().message;
  server.join();
}

TEST(WsClient, RefusedAndBadUrlsAreClearErrors) {
  net::TcpDialer dialer;
  auto listener = net::listen_bound(net::Address::loopback(0)).value();
  auto port = listener.address.port();
  listener.fd.reset();
  auto refused =
      Client::connect(dialer, WsUrl::parse("ws://127.0.0.1:" + std::to_string(port) + "/").value());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, net::ErrorKind::refused);
  for (std::string bad :
       {"http://x/", "ws//x", "ws://", "ws://host:99999/", "ws://x/#frag", "ws://a b/"}) {
    auto url = WsUrl::parse(bad);
    ASSERT_FALSE(url) << bad;
    EXPECT_EQ(url.error().kind, net::ErrorKind::invalid_argument);
    EXPECT_NE(url.error().message.find("websocket URL"), std::string::npos) << url.error().message;
  }
  auto good = WsUrl::parse("WS://[::1]:9000/chat?room=1").value();
  EXPECT_EQ(good.host, "::1");
  EXPECT_EQ(good.port, 9000);
  EXPECT_EQ(good.target, "/chat?room=1");
  EXPECT_EQ(good.to_string(), "ws://[::1]:9000/chat?room=1");
  EXPECT_EQ(WsUrl::parse("ws://example.com").value().port, 80);
}

}  // namespace
}  // namespace faultline::ws
