// `bandwidth scope=proxy` through the real UDP proxy: several clients send
// through one shared link to the real UDP echo server, with every core kept
// busy by a CPU burner. The verdicts hold on a loaded machine: the aggregate
// is bounded from above by the link (bytes and time, which load can only make
// slower), fairness is a share of bytes (Jain's index), and a datagram's
// integrity does not depend on speed.
#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "harness/proxy/udp_proxy.h"
#include "harness/suites/cpu_burner.h"
#include "targets/echo/udp_echo_server.h"
#include "targets/net/fd.h"
#include "targets/net/socket.h"

namespace faultline::proxy {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// datagram: `size` bytes naming its client and sequence number, then a
// pattern of both, so a reply that was split, cut, corrupted or misdelivered
// does not compare equal.
std::string datagram(std::uint32_t client, std::uint32_t sequence, std::size_t size) {
  std::string bytes(size, '\0');
  std::memcpy(bytes.data(), &client, sizeof client);
  std::memcpy(bytes.data() + 4, &sequence, sizeof sequence);
  for (std::size_t i = 8; i < size; ++i)
    bytes[i] = static_cast<char>((i * 131 + client * 17 + sequence * 7) % 251);
  return bytes;
}

net::Fd client_socket(const net::Address& proxy) {
  auto fd = net::udp_socket(proxy);
  EXPECT_TRUE(fd);
  if (!fd) return {};
  EXPECT_EQ(::connect(fd->get(), proxy.sockaddr_ptr(), proxy.length()), 0);
  return std::move(*fd);
}

// receive: one reply, or "" after `timeout`.
std::string receive(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return "";
  std::string buffer(65536, '\0');
  const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
  buffer.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return buffer;
}

class UdpSharedLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(burner_.start());
    ASSERT_TRUE(server_.start());
  }
  void start_proxy(const std::string& text, std::size_t max_queued = 1024) {
    auto profile = fault::parse_profile(text);
    ASSERT_TRUE(profile) << profile.error().to_string();
    ASSERT_TRUE(profile->validate_for(fault::Transport::datagram));
    UdpProxyOptions options;
    options.upstream = server_.address();
    options.seed = 14;
    options.max_queued_datagrams = max_queued;
    proxy_ = std::make_unique<UdpProxy>(options, *profile);
    ASSERT_TRUE(proxy_->start());
  }
  void TearDown() override {
    if (proxy_) proxy_->stop();
    server_.stop();
    EXPECT_TRUE(burner_.running()) << "the CPU burners died: the load this test needs was gone";
    burner_.stop();
  }
  suites::CpuBurner burner_{suites::CpuBurner::cores(), std::chrono::minutes(3)};
  echo::UdpEchoServer server_{net::Address::loopback(0)};
  std::unique_ptr<UdpProxy> proxy_;
};

TEST_F(UdpSharedLinkTest, ClientsShareOneLinkFairlyAndNeverExceedIt) {
  constexpr std::uint32_t kClients = 4;
  constexpr std::size_t kSize = 1000;       // bytes a datagram
  constexpr std::uint32_t kInFlight = 8;    // per client: keeps each one waiting for the link
  constexpr std::uint64_t kRate = 256 * 1024;
  constexpr std::uint64_t kWarmup = 64 * 1024;  // bytes echoed before the window opens
  constexpr std::uint64_t kWindow = 512 * 1024;  // bytes the fairness window spans
  start_proxy("bandwidth rate=256KiB/s scope=proxy dir=up");

  std::vector<net::Fd> clients;
  for (std::uint32_t i = 0; i < kClients; ++i)
    clients.push_back(client_socket(proxy_->address()));
  std::vector<std::uint32_t> sent(kClients, 0);
  std::vector<std::uint32_t> echoed(kClients, 0);
  std::vector<std::uint64_t> bytes(kClients, 0);
  std::uint64_t total = 0;
  std::size_t bad_replies = 0;
  std::vector<std::uint64_t> at_warmup;
  Clock::time_point warmup_at;
  Clock::time_point end_at;

  const auto start = Clock::now();
  for (std::uint32_t i = 0; i < kClients; ++i) {
    for (; sent[i] < kInFlight; ++sent[i]) {
      const std::string bytes_out = datagram(i, sent[i], kSize);
      ASSERT_EQ(::send(clients[i].get(), bytes_out.data(), bytes_out.size(), 0),
                static_cast<ssize_t>(kSize));
    }
  }
  // Closed loop: each echoed datagram is replaced by the next. Bounded by
  // the deadline and by a count far above what the window needs.
  const auto deadline = start + 60s;
  std::vector<pollfd> fds;
  for (const auto& client : clients)
    fds.push_back({client.get(), POLLIN, 0});
  std::string buffer(65536, '\0');
  for (int round = 0; round < 1'000'000 && total < kWarmup + kWindow && Clock::now() < deadline;
       ++round) {
    if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
    for (std::uint32_t i = 0; i < kClients; ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      const ssize_t n = ::recv(fds[i].fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (n <= 0) continue;
      const std::string reply(buffer.data(), static_cast<std::size_t>(n));
      if (reply != datagram(i, echoed[i], kSize)) ++bad_replies;  // split, corrupt or reordered
      ++echoed[i];
      bytes[i] += static_cast<std::uint64_t>(n);
      total += static_cast<std::uint64_t>(n);
      if (at_warmup.empty() && total >= kWarmup) {
        at_warmup = bytes;
        warmup_at = Clock::now();
      }
      const std::string next = datagram(i, sent[i]++, kSize);
      ASSERT_EQ(::send(fds[i].fd, next.data(), next.size(), 0), static_cast<ssize_t>(kSize));
    }
  }
  end_at = Clock::now();
  ASSERT_GE(total, kWarmup + kWindow) << "only " << total << " bytes echoed within 60s";
  EXPECT_EQ(bad_replies, 0u);
  EXPECT_EQ(proxy_->counters().queue_drops, 0u);  // the window stays far below the bound

  // Upper bound: the link grants at most rate * time + one turn.
  const double elapsed = std::chrono::duration<double>(end_at - start).count();
  const double bound = static_cast<double>(kRate) * elapsed + static_cast<double>(kRate / 100);
  EXPECT_LE(static_cast<double>(total), bound)
      << total << " bytes in " << elapsed << "s through a " << kRate << " B/s link";
  // Fairness over the window, every client backlogged.
  std::vector<double> shares;
  for (std::uint32_t i = 0; i < kClients; ++i)
    shares.push_back(static_cast<double>(bytes[i] - at_warmup[i]));
  const double index = fault::jain_index(shares);
  EXPECT_GE(index, 0.9);
  const double window = std::chrono::duration<double>(end_at - warmup_at).count();
  std::printf("udp shared link 256KiB/s, %u clients under load: %llu bytes in %.3fs = %.0f B/s "
              "(bound %.0f B/s + one turn); window %.0f B/s, shares",
              kClients, static_cast<unsigned long long>(total), elapsed,
              static_cast<double>(total) / elapsed, static_cast<double>(kRate),
              (shares[0] + shares[1] + shares[2] + shares[3]) / window);
  for (double share : shares)
    std::printf(" %.0f", share);
  std::printf("; Jain index %.4f\n", index);
}

TEST_F(UdpSharedLinkTest, ADatagramLargerThanATurnPassesWholeAfterEnoughTurns) {
  // 64KiB/s: a turn is 655 bytes; each datagram needs seven turns.
  constexpr std::size_t kSize = 4000;
  constexpr int kDatagrams = 3;
  start_proxy("bandwidth rate=64KiB/s scope=proxy dir=up");
  net::Fd client = client_socket(proxy_->address());
  const auto start = Clock::now();
  for (int i = 0; i < kDatagrams; ++i) {
    const std::string out = datagram(0, static_cast<std::uint32_t>(i), kSize);
    ASSERT_EQ(::send(client.get(), out.data(), out.size(), 0), static_cast<ssize_t>(kSize));
  }
  for (int i = 0; i < kDatagrams; ++i) {
    const std::string reply = receive(client.get(), 10s);
    ASSERT_EQ(reply.size(), kSize) << "reply " << i;  // whole: never split
    EXPECT_TRUE(reply == datagram(0, static_cast<std::uint32_t>(i), kSize)) << "reply " << i;
  }
  // The link paced them: 12000 bytes at 64KiB/s, less the turn granted at once.
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_GE(elapsed, (kDatagrams * kSize - 655.0) / (64 * 1024)) << elapsed << "s";
  EXPECT_EQ(proxy_->counters().queue_drops, 0u);
}

TEST_F(UdpSharedLinkTest, DatagramsOverTheQueueBoundAreTailDroppedAndCounted) {
  // 1KiB/s and 1000-byte datagrams: about one a second leaves; four may wait.
  constexpr std::size_t kSize = 1000;
  constexpr int kDatagrams = 12;
  constexpr std::size_t kQueued = 4;
  start_proxy("bandwidth rate=1KiB/s scope=proxy dir=up", kQueued);
  net::Fd client = client_socket(proxy_->address());
  const auto start = Clock::now();
  for (int i = 0; i < kDatagrams; ++i) {
    const std::string out = datagram(0, static_cast<std::uint32_t>(i), kSize);
    ASSERT_EQ(::send(client.get(), out.data(), out.size(), 0), static_cast<ssize_t>(kSize));
  }
  const auto received_deadline = Clock::now() + 10s;
  while (proxy_->counters().datagrams_in < kDatagrams && Clock::now() < received_deadline)
    std::this_thread::yield();
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  ASSERT_EQ(proxy_->counters().datagrams_in, static_cast<std::uint64_t>(kDatagrams));
  // In `took` the link could pass at most rate * took + one turn of bytes,
  // so that many whole datagrams; the rest beyond the bound were dropped.
  const auto could_leave = static_cast<std::uint64_t>((1024.0 * took + 10.0) / kSize);
  const std::uint64_t drops = proxy_->counters().queue_drops;
  EXPECT_GE(drops + could_leave, kDatagrams - kQueued) << "in " << took << "s";
  EXPECT_LE(drops, kDatagrams - kQueued);  // the first four always fit
  // The queue is FIFO: the first reply is the first datagram, whole.
  const std::string first = receive(client.get(), 10s);
  EXPECT_TRUE(first == datagram(0, 0, kSize)) << first.size() << " bytes";
}

}  // namespace
}  // namespace faultline::proxy
