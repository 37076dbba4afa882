#include "harness/shrink/shrink.h"

#include <gtest/gtest.h>

namespace faultline::shrink {
namespace {

fault::Profile profile(std::string_view text) {
  auto parsed = fault::parse_profile(text);
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().to_string());
  return parsed.value_or(fault::Profile::empty());
}

// A stand-in for a run: it "fails" when a reset clause acts within the first
// 700 bytes on at least 20% of connections; everything else is noise.
Verdict resets_early(const fault::Profile& candidate) {
  for (const auto& clause : candidate.clauses()) {
    if (clause.name() != "reset") continue;
    const auto& reset = std::get<fault::ResetSettings>(clause.settings);
    if (reset.after <= 700 && clause.toxicity.parts_per_million() >= 200'000) {
      return {true, "reset early"};
    }
  }
  return {false, "no early reset"};
}

const char* kNoisy =
    "latency delay=20ms jitter=5ms; slicer max=64B delay=1ms; reset after=600B p=50% dir=down; "
    "bandwidth rate=1MiB/s; slow_close delay=300ms";

TEST(ShrinkProfile, KeepsOnlyTheEssentialClauseNarrowedToItsLeastFailingValues) {
  std::vector<Step> steps;
  auto result = shrink_profile(profile(kNoisy), resets_early, Options{},
                               [&](const Step& step) { steps.push_back(step); });
  EXPECT_EQ(result.smallest.to_string(), "reset p=20%");
  EXPECT_TRUE(resets_early(result.smallest).still_fails);
  EXPECT_FALSE(result.out_of_budget);
  EXPECT_EQ(result.attempts, static_cast<int>(steps.size()));
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.front().attempt, 1);
}

// A run that fails while a latency is over 8031ns. Exact narrowing finds
// the unit; with precision 25% it stops at a value within a quarter of the
// threshold, in fewer attempts.
Verdict slow_over_8031ns(const fault::Profile& candidate) {
  for (const auto& clause : candidate.clauses()) {
    if (clause.name() != "latency") continue;
    const auto& latency = std::get<fault::LatencySettings>(clause.settings);
    if (latency.delay > std::chrono::nanoseconds(8031)) return {true, "slow"};
  }
  return {false, "fast"};
}

TEST(ShrinkProfile, PrecisionStopsNarrowingOnceTheValueIsCloseEnough) {
  Options exact;
  exact.narrow_steps = 40;
  auto precise = shrink_profile(profile("latency delay=1ms"), slow_over_8031ns, exact);
  EXPECT_EQ(precise.smallest.to_string(), "latency delay=8032ns");

  Options coarse = exact;
  coarse.precision = 0.25;
  auto rough = shrink_profile(profile("latency delay=1ms"), slow_over_8031ns, coarse);
  const auto& latency = std::get<fault::LatencySettings>(rough.smallest.clauses().at(0).settings);
  EXPECT_GT(latency.delay, std::chrono::nanoseconds(8031));
  EXPECT_LE(latency.delay.count(), 8031 * 4 / 3 + 1) << rough.smallest.to_string();
  EXPECT_LT(rough.attempts, precise.attempts);
}

TEST(ShrinkProfile, GivesTheSameStepsForTheSameInput) {
  auto run = [] {
    std::vector<std::string> lines;
    auto result = shrink_profile(profile(kNoisy), resets_early, Options{}, [&](const Step& step) {
      lines.push_back(step.action + " " + step.profile);
    });
    lines.push_back(result.smallest.to_string());
    return lines;
  };
  EXPECT_EQ(run(), run());
}

TEST(ShrinkProfile, StopsAtTheAttemptBoundWithAProfileThatStillFails) {
  Options options;
  options.max_attempts = 3;
  auto result = shrink_profile(profile(kNoisy), resets_early, options);
  EXPECT_EQ(result.attempts, 3);
  EXPECT_TRUE(result.out_of_budget);
  EXPECT_EQ(result.stopped_by, "attempts");
  EXPECT_TRUE(resets_early(result.smallest).still_fails);
}

// A clock that moves one second per reading: the time bound stops a search
// without any real waiting.
class TickingClock final : public net::Clock {
 public:
  net::TimePoint now() const override { return ticks_ += std::chrono::seconds(1); }
  void sleep_until(net::TimePoint) override {}

 private:
  mutable net::TimePoint ticks_{0};
};

TEST(ShrinkProfile, StopsAtTheTimeBound) {
  TickingClock clock;
  Options options;
  options.clock = &clock;
  options.time_budget = std::chrono::seconds(6);
  auto result = shrink_profile(profile(kNoisy), resets_early, options);
  EXPECT_EQ(result.stopped_by, "time");
  EXPECT_LT(result.attempts, 6);
  EXPECT_TRUE(resets_early(result.smallest).still_fails);
}

TEST(ShrinkProfile, LeavesAProfileWhoseEveryPartMattersAsItIs) {
  auto both = [](const fault::Profile& p) {
    return Verdict{p.to_string() == "latency delay=1ms; reset", ""};
  };
  auto result = shrink_profile(profile("latency delay=1ms; reset"), both, Options{});
  EXPECT_EQ(result.smallest.to_string(), "latency delay=1ms; reset");
}

}  // namespace
}  // namespace faultline::shrink
