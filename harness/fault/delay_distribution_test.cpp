#include "harness/fault/delay_distribution.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "harness/fault/latency.h"
#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kDraws = 100'000;

struct Sample {
  std::vector<double> x;  // (delay_drawn - delay) / jitter
  double mean = 0;
  double stddev = 0;

  double share_above(double threshold) const {
    std::size_t n = 0;
    for (double v : x)
      n += v > threshold ? 1 : 0;
    return static_cast<double>(n) / static_cast<double>(x.size());
  }
};

Sample draw(DelayDistribution distribution, Time delay, Time jitter, std::uint64_t seed) {
  Rng rng(seed);
  Sample s;
  s.x.reserve(kDraws);
  for (std::size_t i = 0; i < kDraws; ++i) {
    const Time t = draw_delay(distribution, delay, jitter, rng);
    s.x.push_back(static_cast<double>((t - delay).count()) / static_cast<double>(jitter.count()));
  }
  for (double v : s.x)
    s.mean += v;
  s.mean /= kDraws;
  for (double v : s.x)
    s.stddev += (v - s.mean) * (v - s.mean);
  s.stddev = std::sqrt(s.stddev / (kDraws - 1));
  return s;
}

// share_tolerance: 4 standard deviations of a share `q` measured over kDraws.
double share_tolerance(double q) {
  return 4 * std::sqrt(q * (1 - q) / kDraws);
}

TEST(DelayDistributionTest, NormalQuantileMatchesKnownValues) {
  EXPECT_NEAR(standard_normal_quantile(0.5), 0.0, 1e-9);
  EXPECT_NEAR(standard_normal_quantile(0.975), 1.959963985, 1e-8);
  EXPECT_NEAR(standard_normal_quantile(0.001), -3.090232306, 1e-8);
  EXPECT_NEAR(standard_normal_quantile(0.8413447461), 1.0, 1e-8);
  EXPECT_NEAR(standard_normal_quantile(1e-12), -7.034483825, 1e-6);
}

TEST(DelayDistributionTest, NormalHasTheDelayAsMeanTheJitterAsStddevAndNormalTails) {
  const auto s = draw(DelayDistribution::normal, 100ms, 20ms, 5);
  // Mean of n standard normals: stddev 1/sqrt(n); sample stddev: 1/sqrt(2n).
  EXPECT_NEAR(s.mean, 0.0, 4 / std::sqrt(kDraws));
  EXPECT_NEAR(s.stddev, 1.0, 4 / std::sqrt(2.0 * kDraws));
  EXPECT_NEAR(s.share_above(2), 0.0227501, share_tolerance(0.0227501));
  EXPECT_NEAR(s.share_above(-1), 0.8413447, share_tolerance(0.8413447));
  std::printf("normal delay=100ms jitter=20ms: mean %+.4f jitters, stddev %.4f, P(>2) %.5f\n",
              s.mean, s.stddev, s.share_above(2));
}

TEST(DelayDistributionTest, ParetoHasTheDelayAsMeanAFloorAndAPowerLawTail) {
  const auto s = draw(DelayDistribution::pareto, 100ms, 10ms, 6);
  // X = (V^-1/3 - 1.5) * 4/3: mean 0, variance 4/3, X >= -2/3,
  // P(X > x) = (1.5 + 0.75 x)^-3.
  EXPECT_NEAR(s.mean, 0.0, 4 * std::sqrt(4.0 / 3.0 / kDraws));
  double lowest = 0;
  for (double v : s.x)
    lowest = std::min(lowest, v);
  EXPECT_GE(lowest, -2.0 / 3.0 - 1e-6);
  EXPECT_LT(lowest, -2.0 / 3.0 + 0.01);
  for (double x : {0.0, 2.0, 6.0, 20.0}) {
    const double q = std::pow(1.5 + 0.75 * x, -3.0);
    EXPECT_NEAR(s.share_above(x), q, share_tolerance(q)) << "P(X > " << x << ")";
  }
  std::printf("pareto delay=100ms jitter=10ms: mean %+.4f jitters, min %.4f, P(>2) %.5f "
              "(expected %.5f), P(>20) %.6f (expected %.6f)\n",
              s.mean, lowest, s.share_above(2), std::pow(3.0, -3.0), s.share_above(20),
              std::pow(16.5, -3.0));
}

TEST(DelayDistributionTest, ParetoNormalIsAQuarterNormalThreeQuartersParetoAtOneQuantile) {
  for (double u : {0.001, 0.1, 0.5, 0.9, 0.999}) {
    EXPECT_NEAR(paretonormal_deviate(u),
                0.25 * standard_normal_quantile(u) + 0.75 * pareto_deviate(u), 1e-12);
  }
  const auto s = draw(DelayDistribution::paretonormal, 1s, 100ms, 7);
  // Mean 0; stddev at most 0.25 + 2/sqrt(3) * 0.75 < 1.12.
  EXPECT_NEAR(s.mean, 0.0, 4 * 1.12 / std::sqrt(kDraws));
  const double q = std::pow(1.5 + 0.75 * 2, -3.0);
  EXPECT_GT(s.share_above(2), 0.5 * q);  // the heavy tail is still there
}

TEST(DelayDistributionTest, DrawsBelowZeroAreClampedToZero) {
  Rng rng(8);
  for (int i = 0; i < 10'000; ++i) {
    EXPECT_GE(draw_delay(DelayDistribution::normal, 1ms, 1ms, rng), Time{0});
    EXPECT_LE(draw_delay(DelayDistribution::pareto, 1h, 24h, rng), kMaxDrawnDelay);
  }
}

TEST(DelayDistributionTest, UniformIsTheDefaultAndDrawsExactlyAsBefore) {
  // Toxiproxy-compatible latency: uniform in [delay - jitter, delay + jitter]
  // from one between() per chunk, so existing seeds give the same delays.
  LatencySettings settings{.delay = 100ms, .jitter = 20ms};
  EXPECT_EQ(settings.distribution, DelayDistribution::uniform);
  LatencyStage stage(settings, testing::context(11, Transport::datagram));
  Rng reference(11);
  for (int i = 0; i < 1000; ++i) {
    Output out;
    stage.on_chunk(Chunk{"x", Time{0}}, Time{0}, out);
    const Time expected = 80ms + Time(static_cast<std::int64_t>(
                                     reference.between(0, 2 * 20ms / std::chrono::nanoseconds(1))));
    ASSERT_EQ(out.chunks.at(0).release, expected) << i;
  }
}

TEST(DelayDistributionTest, StreamsKeepTheirOrderUnderAHeavyTail) {
  LatencySettings settings{
      .delay = 10ms, .jitter = 10ms, .distribution = DelayDistribution::pareto};
  LatencyStage stage(settings, testing::context(12));
  std::vector<testing::Arrival> arrivals;
  for (int i = 0; i < 5000; ++i)
    arrivals.push_back({"x", 1ms * i});
  auto out = testing::feed(stage, arrivals);
  EXPECT_TRUE(testing::releases_non_decreasing(out.chunks));
}

}  // namespace
}  // namespace faultline::fault
