// Integration tests of both TCP echo server models over loopback, each test
// run against the epoll model (one loop, and three loops sharing the
// listener) and the threads model.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "targets/echo/echo_client.h"
#include "targets/echo/echo_server.h"
#include "targets/net/socket.h"

namespace faultline::echo {

void PrintTo(ServerModel model, std::ostream* out) {
  *out << model_name(model);
}

namespace {

// Variant: a server model and, for epoll, how many loops.
struct Variant {
  ServerModel model;
  std::size_t loops = 1;
};

std::string variant_name(const Variant& variant) {
  std::string name(model_name(variant.model));
  if (variant.loops > 1) name += "_loops" + std::to_string(variant.loops);
  return name;
}

void PrintTo(const Variant& variant, std::ostream* out) {
  *out << variant_name(variant);
}

using namespace std::chrono_literals;

const std::string kKoreanHello = "안녕하세요!";

std::string pattern(std::size_t size, unsigned seed) {
  std::string out(size, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& c : out) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

// wait_until polls a condition until it holds or the deadline passes.
template <typename Predicate>
bool wait_until(Predicate predicate, net::Duration limit = 5s) {
  auto deadline = net::Deadline::after(limit);
  while (!predicate()) {
    if (deadline.expired()) return false;
    std::this_thread::yield();
  }
  return true;
}

class EchoServerTest : public ::testing::TestWithParam<Variant> {
 protected:
  void start(EchoServerOptions options = {}) {
    options.listen = net::Address::loopback(0);
    options.loops = GetParam().loops;
    server_ = make_echo_server(GetParam().model, options);
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().to_string();
  }
  TcpEchoClient connect(EchoTimeouts timeouts = {}) {
    auto client = TcpEchoClient::connect(server_->address(), timeouts);
    EXPECT_TRUE(client) << client.error().to_string();
    return std::move(*client);
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  std::unique_ptr<EchoServer> server_;
};

TEST_P(EchoServerTest, EchoesTheKoreanGreeting) {
  start();
  auto client = connect();
  auto echoed = client.exchange(kKoreanHello);
  ASSERT_TRUE(echoed) << echoed.error().to_string();
  EXPECT_EQ(*echoed, kKoreanHello);
}

TEST_P(EchoServerTest, EchoesAMultibyteMessageSplitAtEveryByteBoundary) {
  start();
  for (std::size_t split = 1; split < kKoreanHello.size(); ++split) {
    auto client = connect();
    // Send the first part and read its echo before sending the rest, so the
    // server sees the message in two reads split exactly here.
    auto first = client.exchange(std::string_view(kKoreanHello).substr(0, split));
    ASSERT_TRUE(first) << first.error().to_string();
    auto second = client.exchange(std::string_view(kKoreanHello).substr(split));
    ASSERT_TRUE(second) << second.error().to_string();
    EXPECT_EQ(*first + *second, kKoreanHello) << "split at byte " << split;
  }
}

TEST_P(EchoServerTest, ServesManyConcurrentClients) {
  start();
  constexpr int kClients = 64;
  constexpr int kMessages = 20;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  std::vector<std::string> failures(kClients);
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      auto client = TcpEchoClient::connect(server_->address(), EchoTimeouts{});
      if (!client) {
        failures[i] = client.error().to_string();
        return;
      }
      for (int m = 0; m < kMessages; ++m) {
        auto message =
            pattern(static_cast<std::size_t>(1 + (i * 131 + m * 17) % 4000), i * 100 + m);
        auto echoed = client->exchange(message);
        if (!echoed || *echoed != message) {
          failures[i] = echoed ? "mismatch" : echoed.error().to_string();
          return;
        }
      }
      ++good;
    });
  }
  for (auto& t : threads)
    t.join();
  for (int i = 0; i < kClients; ++i)
    EXPECT_EQ(failures[i], "") << "client " << i;
  EXPECT_EQ(good.load(), kClients);
  EXPECT_TRUE(wait_until([&] { return server_->counters().accepted == kClients; }));
}

TEST_P(EchoServerTest, EchoesSeveralMebibytesThroughPartialWrites) {
  EchoServerOptions options;
  options.max_owed_bytes = 64 * 1024;  // forces backpressure many times over
  start(options);
  auto client = connect();
  (void)net::set_buffer_sizes(client.fd(), 16 * 1024, 16 * 1024);  // small buffers: partial writes
  auto message = pattern(8 << 20, 7);
  auto echoed = client.exchange(message);
  ASSERT_TRUE(echoed) << echoed.error().to_string();
  EXPECT_TRUE(*echoed == message);
}

TEST_P(EchoServerTest, BackpressureBoundsWhatTheServerBuffers) {
  EchoServerOptions options;
  options.max_owed_bytes = 256 * 1024;
  start(options);
  auto client = connect();
  (void)net::set_buffer_sizes(client.fd(), 64 * 1024, 64 * 1024);
  // Send without ever reading: the server must stop reading instead of
  // buffering without bound, so this send stalls and times out.
  auto flood = pattern(64 << 20, 3);
  auto sent = net::send_all(client.fd(), flood, net::Deadline::after(1500ms), "flood");
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().kind, net::ErrorKind::timeout);
  auto counters = server_->counters();
  EXPECT_LE(counters.bytes_received - counters.bytes_sent, options.max_owed_bytes + 64 * 1024)
      << "received " << counters.bytes_received << ", sent " << counters.bytes_sent;
}

TEST_P(EchoServerTest, HalfCloseStillDeliversEveryOwedByte) {
  start();
  auto client = connect();
  auto message = pattern(1 << 20, 11);
  ASSERT_TRUE(net::send_all(client.fd(), message, net::Deadline::after(10s)));
  ASSERT_TRUE(client.close_write());
  auto rest = client.read_to_end(2 << 20);
  ASSERT_TRUE(rest) << rest.error().to_string();
  EXPECT_TRUE(*rest == message) << "got " << rest->size() << " of " << message.size();
}

TEST_P(EchoServerTest, ClosesIdleConnections) {
  EchoServerOptions options;
  options.idle_timeout = 100ms;
  start(options);
  auto client = connect();
  auto rest = client.read_to_end(1024);  // returns when the server closes
  ASSERT_TRUE(rest) << rest.error().to_string();
  EXPECT_EQ(*rest, "");
  EXPECT_TRUE(wait_until([&] { return server_->counters().idle_closed == 1; }));
}

TEST_P(EchoServerTest, RefusesConnectionsBeyondTheLimitCleanly) {
  EchoServerOptions options;
  options.max_connections = 2;
  start(options);
  auto first = connect();
  auto second = connect();
  ASSERT_TRUE(first.exchange("one"));
  ASSERT_TRUE(second.exchange("two"));
  auto third = connect();
  auto echoed = third.exchange("three");
  ASSERT_FALSE(echoed);
  EXPECT_TRUE(echoed.error().kind == net::ErrorKind::closed ||
              echoed.error().kind == net::ErrorKind::reset)
      << echoed.error().to_string();
  EXPECT_TRUE(wait_until([&] { return server_->counters().rejected == 1; }));
  // The admitted clients are unaffected.
  EXPECT_TRUE(first.exchange("still here"));
}

TEST_P(EchoServerTest, StopClosesConnectedClients) {
  start();
  auto client = connect();
  ASSERT_TRUE(client.exchange("hello"));
  server_->stop();
  auto rest = client.read_to_end(1024);
  ASSERT_TRUE(rest) << rest.error().to_string();
  EXPECT_EQ(*rest, "");
}

TEST_P(EchoServerTest, CountsConnectionsAndBytes) {
  start();
  {
    auto client = connect();
    ASSERT_TRUE(client.exchange(std::string(1000, 'x')));
  }
  EXPECT_TRUE(wait_until([&] {
    auto c = server_->counters();
    return c.accepted == 1 && c.active == 0 && c.bytes_received == 1000 && c.bytes_sent == 1000;
  }));
}

// The limit holds across loops: each admitted connection takes its place
// before it is kept, whichever loop accepted it.
TEST_P(EchoServerTest, TheConnectionLimitHoldsAcrossLoops) {
  EchoServerOptions options;
  options.max_connections = 3;
  start(options);
  std::vector<TcpEchoClient> clients;
  for (int i = 0; i < 8; ++i)
    clients.push_back(connect());
  ASSERT_TRUE(wait_until([&] {
    auto c = server_->counters();
    return c.accepted + c.rejected == 8;
  })) << "accepted " << server_->counters().accepted << ", rejected "
      << server_->counters().rejected;
  int served = 0;
  for (auto& client : clients) {
    if (client.exchange("x")) ++served;
  }
  EXPECT_EQ(served, 3);
  EXPECT_EQ(server_->counters().accepted, 3u);
  EXPECT_EQ(server_->counters().rejected, 5u);
}

INSTANTIATE_TEST_SUITE_P(Models, EchoServerTest,
                         ::testing::Values(Variant{ServerModel::epoll},
                                           Variant{ServerModel::threads},
                                           Variant{ServerModel::epoll, 3}),
                         [](const auto& info) { return variant_name(info.param); });

TEST(EchoServerLoopsTest, StartRefusesZeroLoops) {
  EchoServerOptions options;
  options.listen = net::Address::loopback(0);
  options.loops = 0;
  auto server = make_echo_server(ServerModel::epoll, options);
  auto started = server->start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().to_string().find("loops must be from 1 to 256, got 0"),
            std::string::npos)
      << started.error().to_string();
}

TEST(EchoClientTest, ConnectToAClosedPortIsRefusedWithTheAddress) {
  std::uint16_t port;
  {
    auto listener = net::listen_tcp(net::Address::loopback(0));
    ASSERT_TRUE(listener);
    port = net::local_address(listener->get())->port();
  }
  auto client = TcpEchoClient::connect(net::Address::loopback(port), EchoTimeouts{});
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().kind, net::ErrorKind::refused);
  EXPECT_NE(client.error().message.find(std::to_string(port)), std::string::npos);
}

TEST(EchoClientTest, SilentServerEndsInATimeout) {
  auto listener =
      net::listen_tcp(net::Address::loopback(0));  // accepts in the kernel, never replies
  ASSERT_TRUE(listener);
  EchoTimeouts timeouts;
  timeouts.operation = 100ms;
  auto client = TcpEchoClient::connect(net::local_address(listener->get()).value(), timeouts);
  ASSERT_TRUE(client);
  auto echoed = client->exchange("hello?");
  ASSERT_FALSE(echoed);
  EXPECT_EQ(echoed.error().kind, net::ErrorKind::timeout);
}

TEST(EchoServerModelTest, ParsesModelNames) {
  EXPECT_EQ(parse_server_model("epoll").value(), ServerModel::epoll);
  EXPECT_EQ(parse_server_model("threads").value(), ServerModel::threads);
  auto bad = parse_server_model("fibers");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("fibers"), std::string::npos);
}

TEST(EchoServerStartTest, BindingABusyPortFailsWithAddressInUse) {
  auto listener = net::listen_tcp(net::Address::loopback(0), net::ListenOptions{16, false});
  ASSERT_TRUE(listener);
  EchoServerOptions options;
  options.listen = net::local_address(listener->get()).value();
  auto server = make_echo_server(ServerModel::epoll, options);
  auto started = server->start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().kind, net::ErrorKind::address_in_use);
}

}  // namespace
}  // namespace faultline::echo
