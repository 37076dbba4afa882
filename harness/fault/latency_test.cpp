#include "harness/fault/latency.h"

#include <gtest/gtest.h>

#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;
using testing::Arrival;

TEST(LatencyFaultTest, AddsExactlyTheDelayWithoutJitter) {
  LatencySettings settings{.delay = 100ms};
  LatencyStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{"a", 0ms}, {"b", 5ms}, {"c", 300ms}}, testing::close_at(400ms));
  ASSERT_EQ(out.chunks.size(), 3u);
  EXPECT_EQ(out.chunks[0].release, 100ms);
  EXPECT_EQ(out.chunks[1].release, 105ms);
  EXPECT_EQ(out.chunks[2].release, 400ms);
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->at, 500ms);  // the FIN travels with the same delay
}

struct JitterCase {
  Time delay;
  Time jitter;
  Time spacing;  // between arrivals: small spacing makes order-keeping matter
};

void PrintTo(const JitterCase& c, std::ostream* os) {
  *os << "delay=" << c.delay.count() << "ns jitter=" << c.jitter.count()
      << "ns spacing=" << c.spacing.count() << "ns";
}

class LatencyJitterFaultTest : public ::testing::TestWithParam<JitterCase> {};

TEST_P(LatencyJitterFaultTest, DelayStaysWithinJitterAndOrderIsKeptOnStreams) {
  const auto c = GetParam();
  LatencySettings settings{.delay = c.delay, .jitter = c.jitter};
  bool saw_low = false;
  bool saw_high = false;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    LatencyStage stage(settings, testing::context(seed));
    std::vector<Arrival> arrivals;
    for (int i = 0; i < 200; ++i)
      arrivals.push_back({std::string(1, 'x'), c.spacing * i});
    auto out = testing::feed(stage, arrivals);
    ASSERT_EQ(out.chunks.size(), arrivals.size());
    ASSERT_TRUE(testing::releases_non_decreasing(out.chunks)) << "seed " << seed;
    for (std::size_t i = 0; i < arrivals.size(); ++i) {
      const Time added = out.chunks[i].release - arrivals[i].at;
      ASSERT_GE(added, c.delay - c.jitter) << "seed " << seed << " chunk " << i;
      ASSERT_LE(added, c.delay + c.jitter) << "seed " << seed << " chunk " << i;
      saw_low = saw_low || added < c.delay;
      saw_high = saw_high || added > c.delay;
    }
  }
  EXPECT_TRUE(saw_low && saw_high) << "jitter should go both ways";
}

INSTANTIATE_TEST_SUITE_P(Cases, LatencyJitterFaultTest,
                         ::testing::Values(JitterCase{100ms, 20ms, 1ms},
                                           JitterCase{100ms, 20ms, 50ms},
                                           JitterCase{10ms, 10ms, 1us},
                                           JitterCase{1s, 999ms, 3ms}));

TEST(LatencyFaultTest, DatagramsAreDelayedOneByOneSoJitterMayReorderThem) {
  LatencySettings settings{.delay = 50ms, .jitter = 40ms};
  LatencyStage stage(settings, testing::context(3, Transport::datagram));
  std::vector<Arrival> arrivals;
  for (int i = 0; i < 100; ++i)
    arrivals.push_back({std::to_string(i), 1ms * i});
  auto out = testing::feed(stage, arrivals);
  EXPECT_FALSE(testing::releases_non_decreasing(out.chunks));
  for (std::size_t i = 0; i < arrivals.size(); ++i) {
    const Time added = out.chunks[i].release - arrivals[i].at;
    EXPECT_GE(added, 10ms);
    EXPECT_LE(added, 90ms);
  }
}

TEST(LatencyFaultTest, CountsFromAnEarlierStagesReleaseAndKeepsHeldChunksHeld) {
  LatencySettings settings{.delay = 10ms};
  LatencyStage stage(settings, testing::context(1));
  Output out;
  stage.on_chunk(Chunk{"late", 500ms}, 0ms, out);
  stage.on_chunk(Chunk{"held", kNever}, 1ms, out);
  ASSERT_EQ(out.chunks.size(), 2u);
  EXPECT_EQ(out.chunks[0].release, 510ms);
  EXPECT_EQ(out.chunks[1].release, kNever);
}

TEST(LatencyFaultTest, ParsesAndRejectsJitterLargerThanDelay) {
  SpecSource source;
  std::vector<Param> params{{"delay", "10ms", {1, 9}, {1, 15}},
                            {"jitter", "20ms", {1, 20}, {1, 27}}};
  ParamReader reader(source, "latency", {1, 1}, params);
  auto settings = LatencySettings::parse(reader);
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().message.find("column 27"), std::string::npos)
      << settings.error().message;
  EXPECT_NE(settings.error().message.find("jitter must not exceed delay"), std::string::npos);
}

}  // namespace
}  // namespace faultline::fault
