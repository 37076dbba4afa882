// `drop model=gilbert` through the real UDP proxy: numbered datagrams go out
// through the proxy to the echo server and back; the numbers that never come
// back are the losses. Which datagrams the model drops depends only on the
// seed and the order they reach the proxy (one flow, one chain), never on
// timing, so the figures are the same on a loaded machine.
#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "harness/proxy/udp_proxy.h"
#include "targets/echo/udp_echo_server.h"
#include "targets/net/fd.h"

namespace faultline::proxy {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::uint64_t drops(const UdpProxy& proxy) {
  const auto tally = proxy.fault_tally();
  if (tally.empty()) return 0;
  auto it = tally[0].by_event.find("drop");
  return it == tally[0].by_event.end() ? 0 : it->second;
}

TEST(UdpLossModelTest, GilbertLossThroughTheProxyHasTheModelsRateAndBurstLength) {
  echo::UdpEchoServer server{net::Address::loopback(0)};
  ASSERT_TRUE(server.start());
  UdpProxyOptions options;
  options.upstream = server.address();
  options.seed = 14;
  UdpProxy proxy(options, fault::parse_profile("drop model=gilbert p=5% r=25% dir=up").value());
  ASSERT_TRUE(proxy.start());

  net::Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(fd);
  ASSERT_EQ(::connect(fd.get(), proxy.address().sockaddr_ptr(), proxy.address().length()), 0);

  constexpr int kDatagrams = 20'000;
  constexpr int kBatch = 32;  // small enough that no socket buffer overflows
  std::vector<bool> received(kDatagrams, false);
  int received_count = 0;
  char buffer[64];
  for (int sent = 0; sent < kDatagrams;) {
    for (int i = 0; i < kBatch && sent < kDatagrams; ++i, ++sent) {
      const std::string message = std::to_string(sent);
      ASSERT_EQ(::send(fd.get(), message.data(), message.size(), 0),
                static_cast<ssize_t>(message.size()));
    }
    // Every datagram sent is either echoed back or counted as dropped.
    const auto deadline = Clock::now() + 10s;
    while (received_count + static_cast<int>(drops(proxy)) < sent) {
      ASSERT_LT(Clock::now(), deadline) << "datagrams neither echoed nor dropped";
      pollfd p{fd.get(), POLLIN, 0};
      if (::poll(&p, 1, 10) <= 0) continue;
      const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, MSG_DONTWAIT);
      if (n <= 0) continue;
      const int number = std::stoi(std::string(buffer, static_cast<std::size_t>(n)));
      ASSERT_GE(number, 0);
      ASSERT_LT(number, kDatagrams);
      if (!received[number]) ++received_count;
      received[number] = true;
    }
  }
  proxy.stop();
  server.stop();

  // Loss rate: stationary p / (p + r) = 1/6; the mean of n decisions of this
  // chain has variance pi (1 - pi) / n * (1 + lambda) / (1 - lambda), lambda = 1 - p - r.
  const double pi = 0.05 / 0.30;
  const double lambda = 1 - 0.05 - 0.25;
  const double loss = 1 - static_cast<double>(received_count) / kDatagrams;
  const double tolerance = 4 * std::sqrt(pi * (1 - pi) / kDatagrams * (1 + lambda) / (1 - lambda));
  EXPECT_NEAR(loss, pi, tolerance);
  EXPECT_EQ(static_cast<std::uint64_t>(kDatagrams - received_count), drops(proxy));
  // Bursts of consecutive losses: geometric, mean 1/r = 4, variance 12.
  std::vector<int> bursts;
  int run = 0;
  for (bool got : received) {
    if (!got) {
      ++run;
    } else if (run > 0) {
      bursts.push_back(run);
      run = 0;
    }
  }
  double total = 0;
  for (int b : bursts)
    total += b;
  const double burst = total / static_cast<double>(bursts.size());
  EXPECT_NEAR(burst, 4.0, 4 * std::sqrt(12.0 / static_cast<double>(bursts.size())));
  // Independent loss at the same rate would give bursts of 1 / (1 - pi) = 1.2.
  std::printf("gilbert p=5%% r=25%% through the UDP proxy: %d datagrams, loss %.4f (model %.4f "
              "+- %.4f), %zu bursts, mean burst %.3f (model 4)\n",
              kDatagrams, loss, pi, tolerance, bursts.size(), burst);
}

}  // namespace
}  // namespace faultline::proxy
