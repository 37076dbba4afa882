// The reference HTTP server keeps serving normal clients while 500 slowloris
// connections trickle header bytes, and while one client floods pipelined
// requests. Reports request latency percentiles with and without the flood
// (as a ratio). Loopback only; label long.
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "targets/http/server/server.h"
#include "targets/net/fd.h"
#include "targets/net/socket.h"

namespace faultline::http {
namespace {

using namespace std::chrono_literals;

constexpr char kRequest[] = "GET /get HTTP/1.1\r\nHost: flood.test\r\n\r\n";

// one_request sends GET /get on a keep-alive connection and reads the whole
// response (head, then Content-Length bytes); returns its latency in ms, or
// a negative number on failure.
double one_request(int fd) {
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = net::Deadline::after(10s);
  if (!net::send_all(fd, kRequest, deadline)) return -1;
  std::string received;
  char buffer[8192];
  std::size_t needed = std::string::npos;
  for (int i = 0; i < 1000; ++i) {
    auto n = net::recv_some(fd, buffer, sizeof buffer, deadline);
    if (!n || *n == 0) return -1;
    received.append(buffer, *n);
    const auto head_end = received.find("\r\n\r\n");
    if (head_end != std::string::npos && needed == std::string::npos) {
      const auto length_at = received.find("Content-Length: ");
      if (length_at == std::string::npos || length_at > head_end) return -1;
      needed = head_end + 4 + std::stoul(received.substr(length_at + 16));
    }
    if (needed != std::string::npos && received.size() >= needed) break;
  }
  if (received.rfind("HTTP/1.1 200", 0) != 0) return -1;
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
      .count();
}

struct Percentiles {
  double p50 = 0;
  double p99 = 0;
  int failures = 0;
};

// measure: kRequests requests, each on the one keep-alive connection.
Percentiles measure(const net::Address& address) {
  constexpr int kRequests = 300;
  Percentiles out;
  auto fd = net::connect_tcp(address, net::Deadline::after(10s));
  if (!fd) {
    out.failures = kRequests;
    return out;
  }
  std::vector<double> latencies;
  for (int i = 0; i < kRequests; ++i) {
    const double ms = one_request(fd->get());
    if (ms < 0) {
      ++out.failures;
      fd = net::connect_tcp(address, net::Deadline::after(10s));
      if (!fd) return out;
      continue;
    }
    latencies.push_back(ms);
  }
  if (latencies.empty()) return out;
  std::sort(latencies.begin(), latencies.end());
  out.p50 = latencies[latencies.size() / 2];
  out.p99 = latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)];
  return out;
}

class ServerFloodTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions options;
    options.max_connections = 1024;
    server_ = std::make_unique<HttpServer>(options);
    ASSERT_TRUE(server_->start());
    baseline_ = measure(server_->address());
    ASSERT_EQ(baseline_.failures, 0);
  }
  void TearDown() override { server_->stop(); }
  void report(const char* what, const Percentiles& loaded) {
    std::printf(
        "[ figures ] http %s: p50 %.3f ms -> %.3f ms (x%.2f), p99 %.3f ms -> %.3f ms (x%.2f), "
        "%d failed\n",
        what, baseline_.p50, loaded.p50, loaded.p50 / baseline_.p50, baseline_.p99, loaded.p99,
        loaded.p99 / baseline_.p99, loaded.failures);
  }
  std::unique_ptr<HttpServer> server_;
  Percentiles baseline_;
};

TEST_F(ServerFloodTest, ServesNormalClientsWhileFiveHundredSlowlorisConnectionsTrickle) {
  constexpr int kSlow = 500;
  std::vector<net::Fd> slow;
  for (int i = 0; i < kSlow; ++i) {
    auto fd = net::connect_tcp(server_->address(), net::Deadline::after(10s));
    ASSERT_TRUE(fd) << i << ": " << fd.error().to_string();
    slow.push_back(std::move(*fd));
  }
  // One thread trickles a header byte to each slow connection in turn, for
  // as long as the measurement runs (bounded by rounds).
  std::atomic<bool> done{false};
  std::atomic<int> rounds{0};
  std::thread trickler([&] {
    const std::string header = "GET /get HTTP/1.1\r\nX-Slow: ";
    for (std::size_t round = 0; round < 10000 && !done; ++round) {
      for (auto& fd : slow) {
        const char byte = round < header.size() ? header[round] : 'a';
        (void)::send(fd.get(), &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      }
      ++rounds;
      ::poll(nullptr, 0, 20);  // the trickle's pace, not a synchronisation
    }
  });
  // Measure once every slow connection is mid-header.
  const auto trickling = net::Deadline::after(30s);
  while (rounds < 5 && !trickling.expired())
    ::poll(nullptr, 0, 10);
  EXPECT_GE(rounds.load(), 5);
  const Percentiles loaded = measure(server_->address());
  const int rounds_during = rounds;
  done = true;
  trickler.join();
  report("under 500 slowloris connections", loaded);
  std::printf("[ figures ] http slowloris: %d trickle rounds of 500 bytes by the end\n",
              rounds_during);
  EXPECT_EQ(loaded.failures, 0);
  EXPECT_LT(loaded.p99, 1000.0);
}

TEST_F(ServerFloodTest, ServesNormalClientsWhileOneClientFloodsPipelinedRequests) {
  std::atomic<bool> done{false};
  std::atomic<long> flooded{0};
  std::thread flooder([&] {
    auto fd = net::connect_tcp(server_->address(), net::Deadline::after(10s));
    if (!fd) return;
    std::string batch;
    for (int i = 0; i < 64; ++i)
      batch += kRequest;
    char sink[65536];
    for (int round = 0; round < 1'000'000 && !done; ++round) {
      pollfd entry{fd->get(), POLLIN | POLLOUT, 0};
      if (::poll(&entry, 1, 100) <= 0) continue;
      if (entry.revents & POLLIN) {
        ssize_t n = ::recv(fd->get(), sink, sizeof sink, MSG_DONTWAIT);
        if (n == 0) return;
      }
      if (entry.revents & POLLOUT) {
        ssize_t n = ::send(fd->get(), batch.data(), batch.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) flooded += n;
      }
      if (entry.revents & (POLLHUP | POLLERR)) return;
    }
  });
  const Percentiles loaded = measure(server_->address());
  done = true;
  flooder.join();
  report("beside a pipelining flood", loaded);
  std::printf("[ figures ] http pipelining flood: %ld request bytes sent\n", flooded.load());
  EXPECT_EQ(loaded.failures, 0);
  // Before requests were handled in bounded turns, one event of the flooder's
  // took ~100 ms (p50 65-95 ms here); now a turn is at most 32 requests.
  EXPECT_LT(loaded.p50, 50.0);
  EXPECT_LT(loaded.p99, 1000.0);
}

}  // namespace
}  // namespace faultline::http
