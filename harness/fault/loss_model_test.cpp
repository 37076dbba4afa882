#include "harness/fault/loss_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "harness/fault/drop.h"
#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

constexpr std::size_t kDecisions = 100'000;

Probability percent(double value) {
  return Probability::from_parts_per_million(static_cast<std::uint32_t>(value * 10'000));
}

std::vector<bool> decide(const LossSettings& settings, std::uint64_t seed,
                         std::size_t n = kDecisions) {
  LossChain chain(settings);
  Rng rng(seed);
  std::vector<bool> lost(n);
  for (std::size_t i = 0; i < n; ++i)
    lost[i] = chain.lose(rng);
  return lost;
}

double mean(const std::vector<bool>& lost) {
  double sum = 0;
  for (bool l : lost)
    sum += l ? 1 : 0;
  return sum / static_cast<double>(lost.size());
}

// lag1: the sample correlation between successive decisions.
double lag1(const std::vector<bool>& lost) {
  const double m = mean(lost);
  double num = 0;
  double den = 0;
  for (std::size_t i = 0; i < lost.size(); ++i) {
    const double x = (lost[i] ? 1.0 : 0.0) - m;
    den += x * x;
    if (i + 1 < lost.size()) num += x * ((lost[i + 1] ? 1.0 : 0.0) - m);
  }
  return num / den;
}

// bursts: the lengths of the runs of consecutive losses.
std::vector<std::size_t> bursts(const std::vector<bool>& lost) {
  std::vector<std::size_t> runs;
  std::size_t run = 0;
  for (bool l : lost) {
    if (l) {
      ++run;
    } else if (run > 0) {
      runs.push_back(run);
      run = 0;
    }
  }
  return runs;
}

// mean_tolerance: 4 standard deviations of the mean of n decisions of a
// two-state chain with stationary loss `pi` and eigenvalue `lambda`
// (1 - p - r): var = pi (1 - pi) / n * (1 + lambda) / (1 - lambda).
double mean_tolerance(double pi, double lambda, std::size_t n = kDecisions) {
  return 4 * std::sqrt(pi * (1 - pi) / static_cast<double>(n) * (1 + lambda) / (1 - lambda));
}

TEST(LossModelTest, GilbertLosesAtTheStationaryRateInBurstsOfMeanLengthOneOverR) {
  LossSettings s{.model = LossModelKind::gilbert, .p = percent(1), .r = percent(25)};
  const double pi = 0.01 / 0.26;
  EXPECT_NEAR(s.stationary_loss(), pi, 1e-12);
  const auto lost = decide(s, 14);
  const double loss = mean(lost);
  EXPECT_NEAR(loss, pi, mean_tolerance(pi, 1 - 0.01 - 0.25)) << "loss " << loss;
  // Burst lengths are geometric with mean 1/r = 4 and variance (1-r)/r^2 = 12.
  const auto runs = bursts(lost);
  double total = 0;
  for (auto run : runs)
    total += static_cast<double>(run);
  const double burst = total / static_cast<double>(runs.size());
  EXPECT_NEAR(burst, 4.0, 4 * std::sqrt(12.0 / static_cast<double>(runs.size())))
      << runs.size() << " bursts";
  std::printf("gilbert p=1%% r=25%%: loss %.4f (expected %.4f), %zu bursts, mean burst %.3f "
              "(expected 4)\n",
              loss, pi, runs.size(), burst);
}

TEST(LossModelTest, GilbertWithHAndKMixesTheStatesLosses) {
  // Bad state lets 30% through, good state loses 1%.
  LossSettings s{.model = LossModelKind::gilbert,
                 .p = percent(5),
                 .r = percent(20),
                 .h = percent(30),
                 .k = percent(99)};
  const double expected = (0.05 * 0.7 + 0.20 * 0.01) / 0.25;
  EXPECT_NEAR(s.stationary_loss(), expected, 1e-12);
  const double loss = mean(decide(s, 15));
  // The indicator's variance is at most 1/4; the same eigenvalue bound.
  EXPECT_NEAR(loss, expected, 4 * std::sqrt(0.25 / kDecisions * (1.75 / 0.25)));
}

TEST(LossModelTest, GilbertStartsGoodAndRZeroNeverLeavesTheBadState) {
  LossSettings s{.model = LossModelKind::gilbert, .p = Probability::always(), .r = {}};
  const auto lost = decide(s, 3, 100);
  EXPECT_FALSE(lost[0]);  // the first decision is made in the good state
  for (std::size_t i = 1; i < lost.size(); ++i)
    EXPECT_TRUE(lost[i]) << i;
}

struct CorrelationCase {
  double rate;
  double correlation;
};

class CorrelatedLossTest : public ::testing::TestWithParam<CorrelationCase> {};

TEST_P(CorrelatedLossTest, KeepsTheMeanAndGivesTheLagOneCorrelation) {
  const auto c = GetParam();
  LossSettings s{.rate = percent(c.rate), .correlation = percent(c.correlation)};
  const auto lost = decide(s, 21);
  const double m = mean(lost);
  const double rho = lag1(lost);
  const double target = c.correlation / 100;
  EXPECT_NEAR(m, c.rate / 100, mean_tolerance(c.rate / 100, target)) << "mean " << m;
  // The sample lag-1 correlation of n decisions has a standard deviation
  // near sqrt((1 - rho^2) / n) (0.003 at n = 100k); 0.02 is over 6 of them.
  EXPECT_NEAR(rho, target, 0.02) << "lag-1 correlation " << rho;
  std::printf("rate=%g%% correlation=%g%%: loss %.4f, lag-1 correlation %.4f\n", c.rate,
              c.correlation, m, rho);
}

INSTANTIATE_TEST_SUITE_P(Cases, CorrelatedLossTest,
                         ::testing::Values(CorrelationCase{10, 50}, CorrelationCase{10, 0.01},
                                           CorrelationCase{30, 80}, CorrelationCase{2, 25}));

TEST(LossModelTest, IndependentLossHasNoLagOneCorrelation) {
  LossSettings s{.rate = percent(10)};
  const auto lost = decide(s, 22);
  EXPECT_NEAR(mean(lost), 0.1, mean_tolerance(0.1, 0));
  EXPECT_NEAR(lag1(lost), 0.0, 0.02);
}

TEST(LossModelTest, IndependentLossDrawsExactlyAsBefore) {
  // drop rate= without a model makes one chance() per datagram, so a seed
  // drops the same datagrams it did before the models existed.
  DropSettings settings;
  settings.loss.rate = Probability::percent(30);
  DropStage stage(settings, testing::context(9, Transport::datagram));
  Rng reference(9);
  for (int i = 0; i < 1000; ++i) {
    Output out;
    stage.on_chunk(Chunk{"x", Time{i}}, Time{i}, out);
    EXPECT_EQ(out.chunks.empty(), reference.chance(settings.loss.rate)) << i;
  }
}

TEST(LossModelTest, GilbertDropStageFiresADropEventPerLostDatagram) {
  DropSettings settings;
  settings.loss = LossSettings{.model = LossModelKind::gilbert, .p = percent(10), .r = percent(50)};
  DropStage stage(settings, testing::context(4, Transport::datagram));
  std::vector<testing::Arrival> arrivals;
  for (int i = 0; i < 2000; ++i)
    arrivals.push_back({std::to_string(i), std::chrono::milliseconds(i)});
  auto out = testing::feed(stage, arrivals);
  const auto dropped = testing::count_events(out, "drop");
  EXPECT_EQ(out.chunks.size() + dropped, arrivals.size());
  EXPECT_GT(dropped, 0u);
}

}  // namespace
}  // namespace faultline::fault
