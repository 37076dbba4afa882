// The TCP proxy under a flood: 1,000 concurrent connections through slicer +
// latency, every byte echoed, memory bounded per connection, and afterwards
// the process back to its baseline descriptor count. Loopback only; label long.
#include <fcntl.h>
#include <poll.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness/proxy/tcp_proxy.h"
#include "targets/echo/echo_server.h"
#include "targets/net/fd.h"
#include "targets/net/socket.h"

namespace faultline::proxy {
namespace {

using namespace std::chrono_literals;

std::size_t open_fd_count() {
  std::size_t count = 0;
  for (int fd = 0; fd < 20000; ++fd)
    count += ::fcntl(fd, F_GETFD) != -1 ? 1 : 0;
  return count;
}

// resident_kib: VmRSS of this process.
std::size_t resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  for (int i = 0; i < 200 && std::getline(status, line); ++i) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6));
  }
  return 0;
}

// wait_until polls `done` every 10ms until it holds or the deadline passes.
template <typename Predicate>
bool wait_until(Predicate done, net::Deadline deadline) {
  while (!done()) {
    if (deadline.expired()) return false;
    ::poll(nullptr, 0, 10);
  }
  return true;
}

TEST(ProxyFloodTest, AThousandConcurrentConnectionsUnderSlicerAndLatency) {
  constexpr int kConnections = 1000;
  constexpr std::size_t kMessage = 2048;
  auto server = echo::make_echo_server(echo::ServerModel::epoll, echo::EchoServerOptions{});
  ASSERT_TRUE(server->start());
  ProxyOptions options;
  options.upstream = server->address();
  options.max_connections = 2 * kConnections;
  TcpProxy proxy(options, fault::parse_profile("slicer min=1B max=64B; latency delay=2ms "
                                               "jitter=1ms")
                              .value());
  ASSERT_TRUE(proxy.start());
  const std::size_t baseline_fds = open_fd_count();
  const std::size_t baseline_kib = resident_kib();

  std::vector<net::Fd> clients;
  std::vector<std::string> messages;
  clients.reserve(kConnections);
  for (int i = 0; i < kConnections; ++i) {
    auto client = net::connect_tcp(proxy.address(), net::Deadline::after(10s));
    ASSERT_TRUE(client) << "connection " << i << ": " << client.error().to_string();
    clients.push_back(std::move(*client));
    std::string message(kMessage, '\0');
    for (std::size_t b = 0; b < kMessage; ++b)
      message[b] = static_cast<char>((i * 131 + b * 7) & 0xff);
    messages.push_back(std::move(message));
  }
  // Every connection open at once, every message in flight.
  for (int i = 0; i < kConnections; ++i) {
    ASSERT_TRUE(net::send_all(clients[i].get(), messages[i], net::Deadline::after(10s)));
  }
  ASSERT_TRUE(wait_until([&] { return proxy.counters().active == kConnections; },
                         net::Deadline::after(30s)));
  const std::size_t peak_kib = resident_kib();

  std::string reply(kMessage, '\0');
  for (int i = 0; i < kConnections; ++i) {
    auto received =
        net::recv_exact(clients[i].get(), reply.data(), kMessage, net::Deadline::after(30s));
    ASSERT_TRUE(received) << "connection " << i << ": " << received.error().to_string();
    ASSERT_EQ(reply, messages[i]) << "connection " << i;
  }
  const double per_connection_kib =
      static_cast<double>(peak_kib > baseline_kib ? peak_kib - baseline_kib : 0) / kConnections;
  std::printf(
      "[ figures ] proxy flood: %d concurrent connections, RSS %zu KiB -> %zu KiB, %.1f KiB per "
      "connection (proxy, echo server and clients in one process)\n",
      kConnections, baseline_kib, peak_kib, per_connection_kib);
  EXPECT_LT(per_connection_kib, 256.0);

  clients.clear();
  ASSERT_TRUE(wait_until([&] { return proxy.counters().active == 0; }, net::Deadline::after(30s)))
      << proxy.counters().active << " still active";
  std::size_t fds_after = 0;
  EXPECT_TRUE(wait_until(
      [&] {
        fds_after = open_fd_count();
        return fds_after <= baseline_fds;
      },
      net::Deadline::after(30s)))
      << "fds " << baseline_fds << " before, " << fds_after << " after";
  std::printf("[ figures ] proxy flood: fds %zu before, %zu after\n", baseline_fds, fds_after);
  EXPECT_EQ(proxy.counters().accepted, static_cast<std::uint64_t>(kConnections));
  proxy.stop();
  server->stop();
}

}  // namespace
}  // namespace faultline::proxy
