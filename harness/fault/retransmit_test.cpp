#include "harness/fault/retransmit.h"

#include <gtest/gtest.h>

#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;
using testing::Arrival;

std::vector<Arrival> numbered_chunks(int n, Time spacing) {
  std::vector<Arrival> arrivals;
  for (int i = 0; i < n; ++i)
    arrivals.push_back({std::to_string(i) + ",", spacing * i});
  return arrivals;
}

TEST(RetransmitFaultTest, DelaysWithoutLosingOrReorderingABytes) {
  RetransmitSettings settings{.rate = Probability::percent(30)};
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    RetransmitStage stage(settings, testing::context(seed));
    auto arrivals = numbered_chunks(500, 10ms);
    std::string input;
    for (const auto& a : arrivals)
      input += a.bytes;
    auto out = testing::feed(stage, arrivals, testing::close_at(5s));
    EXPECT_EQ(testing::joined(out.chunks), input);
    EXPECT_TRUE(testing::releases_non_decreasing(out.chunks));
    for (std::size_t i = 0; i < arrivals.size(); ++i) {
      ASSERT_GE(out.chunks[i].release, arrivals[i].at);
    }
    ASSERT_TRUE(out.end);
    EXPECT_GE(out.end->at, out.chunks.back().release);
  }
}

TEST(RetransmitFaultTest, ConsecutiveLossesDoubleTheBackoffUpToMax) {
  RetransmitSettings settings{.rate = Probability::always(), .rto = 200ms, .max = 1s};
  RetransmitStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, numbered_chunks(6, 0ms));
  ASSERT_EQ(out.events.size(), 6u);
  const Time backoffs[] = {200ms, 400ms, 800ms, 1s, 1s, 1s};
  Time release{0};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(Time(static_cast<std::int64_t>(out.events[i].value)), backoffs[i]) << i;
    release += backoffs[i];
    EXPECT_EQ(out.chunks[i].release, release) << i;  // head-of-line: each waits behind the last
  }
}

TEST(RetransmitFaultTest, BackoffGoesBackToRtoAfterAChunkGetsThrough) {
  RetransmitSettings settings{.rate = Probability::percent(50), .rto = 100ms, .max = 10s};
  RetransmitStage stage(settings, testing::context(5));
  auto arrivals = numbered_chunks(2000, 0ms);
  auto out = testing::feed(stage, arrivals);
  // Replay the draws: a chunk was lost iff its release moved past the previous one.
  Time previous{0};
  Time expected_backoff = 100ms;
  std::size_t event = 0;
  for (const auto& chunk : out.chunks) {
    if (chunk.release > previous) {
      ASSERT_LT(event, out.events.size());
      EXPECT_EQ(Time(static_cast<std::int64_t>(out.events[event].value)), expected_backoff);
      EXPECT_EQ(chunk.release - previous, expected_backoff);
      expected_backoff = std::min<Time>(expected_backoff * 2, 10s);
      ++event;
    } else {
      expected_backoff = 100ms;
    }
    previous = chunk.release;
  }
  EXPECT_EQ(event, out.events.size());
  EXPECT_NEAR(static_cast<double>(out.events.size()), 1000.0, 80.0);
}

TEST(RetransmitFaultTest, ZeroRateChangesNothing) {
  RetransmitSettings settings{.rate = Probability::never()};
  RetransmitStage stage(settings, testing::context(1));
  auto arrivals = numbered_chunks(100, 1ms);
  auto out = testing::feed(stage, arrivals);
  for (std::size_t i = 0; i < arrivals.size(); ++i) {
    EXPECT_EQ(out.chunks[i].release, arrivals[i].at);
  }
  EXPECT_TRUE(out.events.empty());
}

}  // namespace
}  // namespace faultline::fault
