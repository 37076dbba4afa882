// The TCP fault proxy between the echo client and the echo server, on loopback.
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "harness/proxy/tcp_proxy.h"
#include "targets/echo/echo_client.h"
#include "targets/echo/echo_server.h"
#include "targets/net/socket.h"

namespace faultline::proxy {
namespace {

using namespace std::chrono_literals;

fault::Profile profile_of(const std::string& text) {
  auto profile = fault::parse_profile(text);
  EXPECT_TRUE(profile) << text << ": " << profile.error().to_string();
  return profile ? *profile : fault::Profile{};
}

std::string pattern(std::size_t size, std::uint32_t seed) {
  std::string out(size, '\0');
  std::uint32_t x = seed * 2654435761u + 12345;
  for (auto& c : out) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

class TcpProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = echo::make_echo_server(echo::ServerModel::epoll, echo::EchoServerOptions{});
    ASSERT_TRUE(server_->start());
  }
  void start_proxy(const std::string& profile, std::uint64_t seed = 1) {
    ProxyOptions options;
    options.upstream = server_->address();
    options.seed = seed;
    proxy_ = std::make_unique<TcpProxy>(options, profile_of(profile));
    proxy_->set_event_sink([this](const std::string& line) {
      std::lock_guard lock(log_mutex_);
      log_.push_back(line);
    });
    auto started = proxy_->start();
    ASSERT_TRUE(started) << started.error().to_string();
  }
  echo::EchoTimeouts short_timeouts() {
    echo::EchoTimeouts timeouts;
    timeouts.operation = 300ms;
    timeouts.overall = 10s;
    return timeouts;
  }
  void TearDown() override {
    if (proxy_) proxy_->stop();
    server_->stop();
  }
  std::unique_ptr<echo::EchoServer> server_;
  std::unique_ptr<TcpProxy> proxy_;
  std::mutex log_mutex_;
  std::vector<std::string> log_;
};

TEST_F(TcpProxyTest, PassesBytesThroughUnchangedWithNoFaults) {
  start_proxy("");
  auto client = echo::TcpEchoClient::connect(proxy_->address(), echo::EchoTimeouts{});
  ASSERT_TRUE(client) << client.error().to_string();
  auto message = pattern(1 << 20, 1);
  auto echoed = client->exchange(message);
  ASSERT_TRUE(echoed) << echoed.error().to_string();
  EXPECT_TRUE(*echoed == message);
  EXPECT_GE(proxy_->counters().bytes_up, message.size());
}

TEST_F(TcpProxyTest, KeepsIntegrityAcrossAThousandConnectionsUnderSlicerAndLatency) {
  start_proxy("slicer min=1B max=64B; latency delay=1ms jitter=1ms");
  constexpr int kThreads = 8;
  constexpr int kPerThread = 125;
  std::atomic<int> good{0};
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto client = echo::TcpEchoClient::connect(proxy_->address(), echo::EchoTimeouts{});
        if (!client) {
          failures[t] = client.error().to_string();
          return;
        }
        auto message = pattern(static_cast<std::size_t>(1 + (t * 7919 + i * 104729) % 6000),
                               static_cast<std::uint32_t>(t * 1000 + i));
        auto echoed = client->exchange(message);
        if (!echoed || *echoed != message) {
          failures[t] = echoed ? "bytes differ" : echoed.error().to_string();
          return;
        }
        ++good;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(failures[t], "") << "thread " << t;
  EXPECT_EQ(good.load(), kThreads * kPerThread);
  EXPECT_EQ(proxy_->counters().accepted, static_cast<std::uint64_t>(kThreads * kPerThread));
}

TEST_F(TcpProxyTest, ResetFaultGivesTheClientConnectionReset) {
  start_proxy("reset after=0B dir=down");
  auto client = echo::TcpEchoClient::connect(proxy_->address(), short_timeouts());
  ASSERT_TRUE(client);
  auto echoed = client->exchange("hello");
  ASSERT_FALSE(echoed);
  EXPECT_EQ(echoed.error().kind, net::ErrorKind::reset) << echoed.error().to_string();
  EXPECT_EQ(proxy_->counters().resets_sent, 1u);
}

// limit_data while the client is still sending: the proxy drains what the
// client sends after the FIN, so the client sees an orderly close, never an
// RST (closing a socket with unread bytes would send one). Repeated, because
// without the drain this is a race the scheduler decides.
TEST_F(TcpProxyTest, LimitDataWhileTheClientStillSendsIsAlwaysAClose) {
  start_proxy("limit_data after=1KiB dir=down");
  const std::string big = pattern(1 << 20, 3);
  for (int i = 0; i < 10; ++i) {
    auto client = echo::TcpEchoClient::connect(proxy_->address(), short_timeouts());
    ASSERT_TRUE(client);
    auto echoed = client->exchange(big);
    ASSERT_FALSE(echoed);
    EXPECT_EQ(echoed.error().kind, net::ErrorKind::closed)
        << "run " << i << ": " << echoed.error().to_string();
  }
  EXPECT_EQ(proxy_->counters().resets_sent, 0u);
}

// A peer that never stops sending cannot hold a drained connection open: the
// proxy closes it after drain_timeout.
TEST_F(TcpProxyTest, DrainIsBoundedInTime) {
  ProxyOptions options;
  options.upstream = server_->address();
  options.drain_timeout = 200ms;
  proxy_ = std::make_unique<TcpProxy>(options, profile_of("limit_data after=10B dir=down"));
  ASSERT_TRUE(proxy_->start());
  auto fd = net::connect_tcp(proxy_->address(), net::Deadline::after(2s));
  ASSERT_TRUE(fd);
  const std::string chunk(16 * 1024, 'x');
  // Keep sending until the proxy gives up on the drain (send fails), bounded.
  auto deadline = net::Deadline::after(10s);
  bool ended = false;
  while (!deadline.expired() && !ended) {
    ended = !net::send_all(fd->get(), chunk, net::Deadline::after(1s));
  }
  EXPECT_TRUE(ended) << "the drained connection was never closed";
  EXPECT_EQ(proxy_->counters().drain_timeouts, 1u);
}

TEST_F(TcpProxyTest, StallFaultGivesTheClientATimeout) {
  start_proxy("stall dir=down");
  auto client = echo::TcpEchoClient::connect(proxy_->address(), short_timeouts());
  ASSERT_TRUE(client);
  auto echoed = client->exchange("hello");
  ASSERT_FALSE(echoed);
  EXPECT_EQ(echoed.error().kind, net::ErrorKind::timeout) << echoed.error().to_string();
}

TEST_F(TcpProxyTest, LimitDataClosesAfterExactlyTheLimit) {
  start_proxy("limit_data after=10B dir=down");
  auto client = echo::TcpEchoClient::connect(proxy_->address(), short_timeouts());
  ASSERT_TRUE(client);
  ASSERT_TRUE(net::send_all(client->fd(), "0123456789abcdef", net::Deadline::after(2s)));
  auto rest = client->read_to_end(1024);
  ASSERT_TRUE(rest) << rest.error().to_string();
  EXPECT_EQ(*rest, "0123456789");
}

TEST_F(TcpProxyTest, HalfClosePassesThroughAndOwedBytesArrive) {
  start_proxy("latency delay=2ms");
  auto client = echo::TcpEchoClient::connect(proxy_->address(), echo::EchoTimeouts{});
  ASSERT_TRUE(client);
  auto message = pattern(300 * 1024, 5);
  ASSERT_TRUE(net::send_all(client->fd(), message, net::Deadline::after(5s)));
  ASSERT_TRUE(client->close_write());
  auto rest = client->read_to_end(1 << 20);
  ASSERT_TRUE(rest) << rest.error().to_string();
  EXPECT_TRUE(*rest == message) << rest->size() << " of " << message.size();
}

TEST_F(TcpProxyTest, StalledDirectionAppliesBackpressureInsteadOfBuffering) {
  start_proxy("stall dir=up");
  auto client = echo::TcpEchoClient::connect(proxy_->address(), echo::EchoTimeouts{});
  ASSERT_TRUE(client);
  (void)net::set_buffer_sizes(client->fd(), 64 * 1024, 64 * 1024);
  auto flood = pattern(64 << 20, 9);
  auto sent = net::send_all(client->fd(), flood, net::Deadline::after(1s), "flood");
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().kind, net::ErrorKind::timeout);
  EXPECT_EQ(proxy_->counters().bytes_up, 0u);
}

TEST_F(TcpProxyTest, DownRefuseRefusesNewConnectionsUntilCleared) {
  start_proxy("");
  proxy_->set_profile(profile_of("down mode=refuse"));
  auto deadline = net::Deadline::after(5s);
  net::Result<echo::TcpEchoClient> client = net::make_error(net::ErrorKind::io, "not tried");
  // The change is applied on the proxy's thread: wait for it to show. A
  // connect racing with the listener's close may be reset instead.
  do {
    client = echo::TcpEchoClient::connect(proxy_->address(), short_timeouts());
  } while ((client || client.error().kind == net::ErrorKind::reset) && !deadline.expired());
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().kind, net::ErrorKind::refused);
  EXPECT_EQ(proxy_->counters().refuse_windows, 1u);
  EXPECT_EQ(proxy_->counters().upstream_failed, 0u) << "a refusal is not an upstream failure";
  proxy_->set_profile(profile_of(""));
  do {
    client = echo::TcpEchoClient::connect(proxy_->address(), short_timeouts());
  } while (!client && !deadline.expired());
  ASSERT_TRUE(client) << client.error().to_string();
  EXPECT_TRUE(client->exchange("back"));
}

TEST_F(TcpProxyTest, UnreachableUpstreamClosesTheClient) {
  std::uint16_t dead_port;
  {
    auto listener = net::listen_tcp(net::Address::loopback(0));
    dead_port = net::local_address(listener->get())->port();
  }
  ProxyOptions options;
  options.upstream = net::Address::loopback(dead_port);
  TcpProxy proxy(options, fault::Profile{});
  ASSERT_TRUE(proxy.start());
  auto client = echo::TcpEchoClient::connect(proxy.address(), short_timeouts());
  ASSERT_TRUE(client);
  auto echoed = client->exchange("anyone?");
  ASSERT_FALSE(echoed);
  EXPECT_TRUE(echoed.error().kind == net::ErrorKind::closed ||
              echoed.error().kind == net::ErrorKind::reset)
      << echoed.error().to_string();
  proxy.stop();
  EXPECT_EQ(proxy.counters().upstream_failed, 1u);
}

TEST_F(TcpProxyTest, WritesAnEventLog) {
  start_proxy("");
  {
    auto client = echo::TcpEchoClient::connect(proxy_->address(), echo::EchoTimeouts{});
    ASSERT_TRUE(client);
    ASSERT_TRUE(client->exchange("logged"));
  }
  proxy_->stop();
  std::lock_guard lock(log_mutex_);
  ASSERT_GE(log_.size(), 3u);
  EXPECT_NE(log_[0].find("\"event\":\"open\""), std::string::npos) << log_[0];
  EXPECT_NE(log_[1].find("\"event\":\"connected\""), std::string::npos) << log_[1];
  EXPECT_NE(log_.back().find("\"event\":\"close\""), std::string::npos) << log_.back();
}

TEST_F(TcpProxyTest, AProfileChangeIsLoggedWithoutAConnection) {
  start_proxy("");
  proxy_->set_profile(profile_of("latency delay=1ms"));
  proxy_->stop();  // the change was posted to the loop before the stop
  std::lock_guard lock(log_mutex_);
  ASSERT_FALSE(log_.empty());
  const std::string& line = log_.back();
  EXPECT_NE(line.find("\"event\":\"profile\""), std::string::npos) << line;
  EXPECT_EQ(line.find("\"conn\""), std::string::npos) << line;
}

TEST(TcpProxyHalfCloseTest, AnUpstreamFinWithAClientThatNeverClosesEndsAfterTheTimeout) {
  // An upstream that closes at once (FIN) and a client that never closes:
  // the proxy's upstream socket would sit in CLOSE-WAIT for ever.
  auto upstream = net::listen_bound(net::Address::loopback(0));
  ASSERT_TRUE(upstream);
  ProxyOptions options;
  options.upstream = upstream->address;
  options.half_close_timeout = 200ms;
  options.drain_timeout = 200ms;
  TcpProxy proxy(options, fault::Profile{});
  ASSERT_TRUE(proxy.start());
  auto client = net::connect_tcp(proxy.address(), net::Deadline::after(5s));
  ASSERT_TRUE(client);
  ASSERT_TRUE(net::wait_for(upstream->fd.get(), net::Readiness::readable, net::Deadline::after(5s),
                            "accept"));
  auto accepted = net::accept_connection(upstream->fd.get());
  ASSERT_TRUE(accepted);
  accepted->reset();  // the upstream's FIN
  char byte = 0;
  auto eof = net::recv_some(client->get(), &byte, 1, net::Deadline::after(5s));
  ASSERT_TRUE(eof) << eof.error().to_string();
  EXPECT_EQ(*eof, 0u);  // the FIN passed through; the client keeps its side open
  const auto deadline = net::Deadline::after(10s);
  while (proxy.counters().active != 0 && !deadline.expired())
    ::poll(nullptr, 0, 10);
  EXPECT_EQ(proxy.counters().active, 0u) << "the half-closed connection was never ended";
  proxy.stop();
}

// SelfForwarding: a listen address and an upstream that are the same socket.
struct SelfForwarding {
  const char* listen;
  const char* upstream;
};

class SelfForwardingTest : public ::testing::TestWithParam<SelfForwarding> {};

TEST_P(SelfForwardingTest, AProxyThatWouldForwardToItselfIsRefusedAtStart) {
  ProxyOptions options;
  options.listen = net::Address::parse(GetParam().listen).value();
  options.upstream = net::Address::parse(GetParam().upstream).value();
  TcpProxy proxy(options, fault::Profile{});
  auto started = proxy.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().kind, net::ErrorKind::invalid_argument);
  EXPECT_NE(started.error().message.find("would forward to itself"), std::string::npos)
      << started.error().message;
}

INSTANTIATE_TEST_SUITE_P(Table, SelfForwardingTest,
                         ::testing::Values(SelfForwarding{"127.0.0.1:47011", "127.0.0.1:47011"},
                                           SelfForwarding{"0.0.0.0:47011", "127.0.0.1:47011"},
                                           SelfForwarding{"127.0.0.1:47011", "0.0.0.0:47011"},
                                           SelfForwarding{"127.0.0.2:47011", "127.0.0.1:47011"},
                                           SelfForwarding{"[::]:47011", "[::1]:47011"}));

TEST(SelfForwardingTest, DifferentPortsOrHostsAreFine) {
  ProxyOptions options;
  options.upstream = net::Address::parse("127.0.0.1:47011").value();
  TcpProxy proxy(options, fault::Profile{});  // listen 127.0.0.1:0
  ASSERT_TRUE(proxy.start());
  proxy.stop();
}

}  // namespace
}  // namespace faultline::proxy
