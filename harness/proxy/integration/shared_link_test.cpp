// `bandwidth scope=proxy` through the real TCP proxy: several connections
// upload at once through one shared link. The verdicts hold on a loaded
// machine: the aggregate is bounded from above by the link (bytes and time,
// which load can only make slower), and fairness is a share of bytes
// (Jain's index), which does not depend on speed.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "harness/proxy/tcp_proxy.h"
#include "targets/net/fd.h"
#include "targets/net/socket.h"

namespace faultline::proxy {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kConnections = 4;
constexpr std::uint64_t kRate = 256 * 1024;   // bytes per second, the whole link
constexpr std::uint64_t kWarmup = 64 * 1024;  // bytes in before the window opens
constexpr std::uint64_t kWindow = 512 * 1024; // bytes the fairness window spans

// Sink: an upstream that reads every connection and counts its bytes. It
// snapshots the per-connection counts when the total first reaches each mark.
class Sink {
 public:
  explicit Sink(std::vector<std::uint64_t> marks) : marks_(std::move(marks)) {
    auto listener = net::listen_bound(net::Address::loopback(0));
    EXPECT_TRUE(listener);
    listener_ = std::move(listener->fd);
    address_ = listener->address;
    thread_ = std::thread([this] { run(); });
  }
  ~Sink() {
    stop_ = true;
    thread_.join();
  }
  net::Address address() const { return address_; }
  // wait_for_marks: every mark reached, or false at the deadline.
  bool wait_for_marks(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return reached_.wait_until(lock, deadline, [&] { return snapshots_.size() == marks_.size(); });
  }
  std::vector<std::vector<std::uint64_t>> snapshots() {
    std::lock_guard lock(mutex_);
    return snapshots_;
  }
  std::vector<Clock::time_point> times() {
    std::lock_guard lock(mutex_);
    return times_;
  }

 private:
  void run() {
    std::vector<net::Fd> connections;
    std::vector<std::uint64_t> counts;
    std::uint64_t total = 0;
    char buffer[64 * 1024];
    const auto deadline = Clock::now() + 60s;
    while (!stop_ && Clock::now() < deadline) {
      std::vector<pollfd> fds{{listener_.get(), POLLIN, 0}};
      for (const auto& fd : connections)
        fds.push_back({fd.get(), POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        net::Fd accepted(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (accepted) {
          connections.push_back(std::move(accepted));
          counts.push_back(0);
        }
      }
      for (std::size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = ::recv(fds[i].fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n <= 0) continue;
        counts[i - 1] += static_cast<std::uint64_t>(n);
        total += static_cast<std::uint64_t>(n);
        std::lock_guard lock(mutex_);
        while (snapshots_.size() < marks_.size() && total >= marks_[snapshots_.size()]) {
          snapshots_.push_back(counts);
          times_.push_back(Clock::now());
          reached_.notify_all();
        }
      }
    }
  }

  std::vector<std::uint64_t> marks_;
  net::Fd listener_;
  net::Address address_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable reached_;
  std::vector<std::vector<std::uint64_t>> snapshots_;
  std::vector<Clock::time_point> times_;
};

TEST(SharedLinkProxyTest, ConcurrentUploadsShareOneLinkFairlyAndNeverExceedIt) {
  Sink sink({kWarmup, kWarmup + kWindow});
  ProxyOptions options;
  options.upstream = sink.address();
  options.seed = 14;
  TcpProxy proxy(options, fault::parse_profile("bandwidth rate=256KiB/s scope=proxy dir=up").value());
  ASSERT_TRUE(proxy.start());

  // Every client connects first; then all start sending together.
  std::vector<net::Fd> clients;
  for (int i = 0; i < kConnections; ++i) {
    net::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(fd);
    ASSERT_EQ(::connect(fd.get(), proxy.address().sockaddr_ptr(), proxy.address().length()), 0);
    clients.push_back(std::move(fd));
  }
  // Connected to the proxy is not yet through it: wait until the proxy has
  // every connection open (accepted; the upstream connect is loopback-quick).
  const auto connect_deadline = Clock::now() + 10s;
  while (proxy.counters().active < kConnections && Clock::now() < connect_deadline)
    std::this_thread::yield();
  ASSERT_EQ(proxy.counters().active, static_cast<std::uint64_t>(kConnections));

  const auto start = Clock::now();
  std::atomic<bool> done{false};
  std::vector<std::thread> senders;
  for (auto& client : clients) {
    senders.emplace_back([&done, fd = client.get()] {
      const std::string block(16 * 1024, 'x');
      // Bounded: at most 8MiB each, far more than the window needs.
      for (int i = 0; i < 512 && !done; ++i) {
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        if (::send(fd, block.data(), block.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
            errno != EAGAIN) {
          return;
        }
      }
    });
  }
  const bool reached = sink.wait_for_marks(Clock::now() + 60s);
  done = true;
  for (auto& sender : senders)
    sender.join();
  // Fault coverage: the clause was active on each connection's up direction.
  const auto tally = proxy.fault_tally();
  ASSERT_EQ(tally.size(), 1u);
  EXPECT_EQ(tally[0].active, static_cast<std::uint64_t>(kConnections));
  EXPECT_TRUE(tally[0].fired());
  proxy.stop();
  ASSERT_TRUE(reached) << "the sink never received " << kWarmup + kWindow << " bytes";

  const auto snapshots = sink.snapshots();
  const auto times = sink.times();
  ASSERT_EQ(snapshots.size(), 2u);
  ASSERT_EQ(snapshots[1].size(), static_cast<std::size_t>(kConnections));
  std::uint64_t total = 0;
  for (auto bytes : snapshots[1])
    total += bytes;
  const double elapsed = std::chrono::duration<double>(times[1] - start).count();
  // Upper bound: the link grants at most rate * time + one turn (quantum).
  const double bound = static_cast<double>(kRate) * elapsed + static_cast<double>(kRate / 100);
  EXPECT_LE(static_cast<double>(total), bound)
      << total << " bytes in " << elapsed << "s through a " << kRate << " B/s link";

  // Fairness over the window, when every connection was backlogged.
  std::vector<double> shares;
  for (int i = 0; i < kConnections; ++i) {
    shares.push_back(static_cast<double>(snapshots[1][i]) - static_cast<double>(snapshots[0][i]));
  }
  const double index = fault::jain_index(shares);
  EXPECT_GE(index, 0.9);
  std::printf("shared link 256KiB/s, %d uploads: %llu bytes in %.3fs = %.0f B/s (bound %.0f B/s "
              "+ one turn); window shares",
              kConnections, static_cast<unsigned long long>(total), elapsed,
              static_cast<double>(total) / elapsed, static_cast<double>(kRate));
  for (double share : shares)
    std::printf(" %.0f", share);
  std::printf("; Jain index %.4f\n", index);
}

}  // namespace
}  // namespace faultline::proxy
