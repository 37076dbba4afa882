// UDP echo server and client over loopback, including a scripted peer that
// loses, duplicates and mislabels replies.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>
#include <thread>

#include "targets/echo/echo_client.h"
#include "targets/echo/udp_echo_server.h"
#include "targets/net/socket.h"

namespace faultline::echo {
namespace {

using namespace std::chrono_literals;

TEST(UdpEchoTest, EchoesTheKoreanGreeting) {
  UdpEchoServer server(net::Address::loopback(0));
  ASSERT_TRUE(server.start());
  auto client = UdpEchoClient::open(server.address(), UdpOptions{});
  ASSERT_TRUE(client);
  auto exchange = client->exchange("안녕하세요!");
  ASSERT_TRUE(exchange) << exchange.error().to_string();
  EXPECT_EQ(exchange->reply, "안녕하세요!");
  EXPECT_EQ(exchange->attempts, 1);
  EXPECT_EQ(server.counters().datagrams, 1u);
}

TEST(UdpEchoTest, EchoesManyDatagramsInOrderOfRequest) {
  UdpEchoServer server(net::Address::loopback(0));
  ASSERT_TRUE(server.start());
  auto client = UdpEchoClient::open(server.address(), UdpOptions{});
  ASSERT_TRUE(client);
  for (int i = 0; i < 200; ++i) {
    std::string message(static_cast<std::size_t>(i * 37 % 1400 + 1), static_cast<char>(i));
    auto exchange = client->exchange(message);
    ASSERT_TRUE(exchange) << exchange.error().to_string();
    EXPECT_EQ(exchange->reply, message);
  }
}

// A scripted peer: receives on a bound socket and runs `script` for each datagram.
class ScriptedPeer {
 public:
  ScriptedPeer() {
    socket_ = std::move(net::bind_udp(net::Address::loopback(0)).value());
    address_ = net::local_address(socket_.get()).value();
  }
  net::Address address() const { return address_; }
  // serve handles `count` datagrams, each with `reply(index, datagram, send)`.
  template <typename Reply>
  std::thread serve(int count, Reply reply) {
    return std::thread([this, count, reply] {
      for (int i = 0; i < count; ++i) {
        sockaddr_storage peer{};
        socklen_t length = sizeof(peer);
        char buffer[2048];
        if (!net::wait_for(socket_.get(), net::Readiness::readable, net::Deadline::after(5s),
                           "peer")) {
          return;
        }
        ssize_t n = ::recvfrom(socket_.get(), buffer, sizeof(buffer), 0,
                               reinterpret_cast<sockaddr*>(&peer), &length);
        if (n < 0) return;
        auto send = [&](const std::string& bytes) {
          ::sendto(socket_.get(), bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&peer),
                   length);
        };
        reply(i, std::string(buffer, static_cast<std::size_t>(n)), send);
      }
    });
  }

 private:
  net::Fd socket_;
  net::Address address_;
};

TEST(UdpEchoTest, RetriesALostDatagram) {
  ScriptedPeer peer;
  auto thread = peer.serve(2, [](int index, const std::string& datagram, auto send) {
    if (index == 1) send(datagram);  // the first is "lost"
  });
  UdpOptions options;
  options.timeout = 100ms;
  auto client = UdpEchoClient::open(peer.address(), options);
  ASSERT_TRUE(client);
  auto exchange = client->exchange("ping");
  thread.join();
  ASSERT_TRUE(exchange) << exchange.error().to_string();
  EXPECT_EQ(exchange->reply, "ping");
  EXPECT_EQ(exchange->attempts, 2);
}

TEST(UdpEchoTest, DiscardsRepliesThatDoNotMatchTheRequest) {
  ScriptedPeer peer;
  auto thread = peer.serve(1, [](int, const std::string& datagram, auto send) {
    std::string stale = datagram;
    stale[7] = static_cast<char>(stale[7] ^ 0x55);  // another request's tag
    send(stale);
    send("x");  // too short to carry a tag
    send(datagram);
    send(datagram);  // a duplicate, left for the next exchange to discard
  });
  auto client = UdpEchoClient::open(peer.address(), UdpOptions{});
  ASSERT_TRUE(client);
  auto exchange = client->exchange("match me");
  thread.join();
  ASSERT_TRUE(exchange) << exchange.error().to_string();
  EXPECT_EQ(exchange->reply, "match me");
  EXPECT_EQ(exchange->discarded, 2u);
}

TEST(UdpEchoTest, SilentPeerEndsInATimeoutAfterBoundedRetries) {
  ScriptedPeer peer;
  auto thread = peer.serve(3, [](int, const std::string&, auto) {});
  UdpOptions options;
  options.timeout = 50ms;
  options.retries = 2;
  auto client = UdpEchoClient::open(peer.address(), options);
  ASSERT_TRUE(client);
  auto exchange = client->exchange("anyone?");
  thread.join();
  ASSERT_FALSE(exchange);
  EXPECT_EQ(exchange.error().kind, net::ErrorKind::timeout);
  EXPECT_NE(exchange.error().message.find("3 attempts"), std::string::npos)
      << exchange.error().message;
}

TEST(UdpEchoTest, ClosedPortIsRefused) {
  std::uint16_t port;
  {
    auto socket = net::bind_udp(net::Address::loopback(0));
    ASSERT_TRUE(socket);
    port = net::local_address(socket->get())->port();
  }
  UdpOptions options;
  options.timeout = 200ms;
  auto client = UdpEchoClient::open(net::Address::loopback(port), options);
  ASSERT_TRUE(client);
  auto exchange = client->exchange("hello");
  ASSERT_FALSE(exchange);
  EXPECT_EQ(exchange.error().kind, net::ErrorKind::refused) << exchange.error().to_string();
}

TEST(UdpEchoTest, OversizedMessageIsRejectedBeforeSending) {
  auto client = UdpEchoClient::open(net::Address::loopback(9), UdpOptions{});
  ASSERT_TRUE(client);
  auto exchange = client->exchange(std::string(70000, 'x'));
  ASSERT_FALSE(exchange);
  EXPECT_EQ(exchange.error().kind, net::ErrorKind::too_large);
}

}  // namespace
}  // namespace faultline::echo
