#include "harness/fault/bandwidth.h"

#include <gtest/gtest.h>

#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;
using testing::Arrival;

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * 1024;

TEST(BandwidthFaultTest, OneMebibyteAt64KiBPerSecondFinishesAtSixteenSeconds) {
  BandwidthSettings settings{.bytes_per_second = 64 * kKiB};
  BandwidthStage stage(settings, testing::context(1));
  const std::string input = testing::pattern(kMiB);
  auto out = testing::feed(stage, {{input, 0s}}, testing::close_at(0s));
  EXPECT_EQ(testing::joined(out.chunks), input);
  ASSERT_FALSE(out.chunks.empty());
  EXPECT_EQ(out.chunks.back().release, 16s);
  EXPECT_TRUE(testing::releases_non_decreasing(out.chunks));
  // Delivered smoothly: pieces of about 10ms of traffic, not one burst at 16s.
  for (const auto& chunk : out.chunks)
    EXPECT_LE(chunk.bytes.size(), settings.piece_size());
  EXPECT_GT(out.chunks.size(), 1000u);
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->at, 16s);
}

TEST(BandwidthFaultTest, HoldsItsRateWhenFedManySmallChunksInVirtualTime) {
  BandwidthSettings settings{.bytes_per_second = 64 * kKiB};
  BandwidthStage stage(settings, testing::context(1));
  std::vector<Arrival> arrivals;
  // 1MiB written as fast as the sender can (1000-byte writes every 1ms: 1MB/s).
  std::uint64_t sent = 0;
  for (int i = 0; sent < kMiB; ++i) {
    const std::uint64_t n = std::min<std::uint64_t>(1000, kMiB - sent);
    arrivals.push_back({testing::pattern(n, i), 1ms * i});
    sent += n;
  }
  auto out = testing::feed(stage, arrivals);
  const Time one_chunk = std::chrono::nanoseconds(1000 * 1'000'000'000LL / (64 * 1024));
  EXPECT_NEAR(static_cast<double>(out.chunks.back().release.count()),
              static_cast<double>(Time(16s).count()), static_cast<double>(one_chunk.count()));
  EXPECT_TRUE(testing::releases_non_decreasing(out.chunks));
}

TEST(BandwidthFaultTest, AnIdleLinkBanksNoCredit) {
  BandwidthSettings settings{.bytes_per_second = kKiB};
  BandwidthStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{std::string(kKiB, 'a'), 0s}, {std::string(kKiB, 'b'), 10s}});
  EXPECT_EQ(out.chunks.back().release, 11s);
}

TEST(BandwidthFaultTest, ABusyLinkQueuesTheNextChunkBehindThePrevious) {
  BandwidthSettings settings{.bytes_per_second = 100};
  BandwidthStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{std::string(100, 'a'), 0s}, {std::string(50, 'b'), 100ms}});
  EXPECT_EQ(out.chunks.back().release, 1500ms);
  EXPECT_EQ(testing::joined(out.chunks), std::string(100, 'a') + std::string(50, 'b'));
}

TEST(BandwidthFaultTest, DatagramsAreNeverSplit) {
  BandwidthSettings settings{.bytes_per_second = 1000};
  BandwidthStage stage(settings, testing::context(1, Transport::datagram));
  auto out =
      testing::feed(stage, {{std::string(500, 'a'), 0s}, {std::string(500, 'b'), 0s}, {"", 0s}});
  ASSERT_EQ(out.chunks.size(), 3u);
  EXPECT_EQ(out.chunks[0].bytes.size(), 500u);
  EXPECT_EQ(out.chunks[0].release, 500ms);
  EXPECT_EQ(out.chunks[1].release, 1s);
  EXPECT_EQ(out.chunks[2].release, 1s);  // an empty datagram takes no link time
}

TEST(BandwidthFaultTest, SubNanosecondRemaindersAddUpExactly) {
  BandwidthSettings settings{.bytes_per_second = 3};  // 1 byte = 333333333.33ns
  BandwidthStage stage(settings, testing::context(1));
  std::vector<Arrival> arrivals(9, Arrival{"x", 0s});
  auto out = testing::feed(stage, arrivals);
  EXPECT_EQ(out.chunks.back().release, 3s);
}

}  // namespace
}  // namespace faultline::fault
