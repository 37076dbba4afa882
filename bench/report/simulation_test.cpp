// bench/report/simulation_test.cpp: the verdicts' error rates, measured on
// thousands of synthetic comparisons.
//
//   A/A: both sides from one distribution -> regressed/improved at most alpha
//   shift: new 10% slower, 20 repetitions a side, threshold 5% -> regressed
//          at least 95% of the time
//
// Samples are lognormal around a base value (benchmark noise is
// multiplicative and skewed). The generator is std::mt19937_64 with a
// hand-written Box-Muller, so the streams are the same on every standard
// library; each test prints its seed and rates (and records them as test
// properties), so any failure replays.
//
// Why 3% noise for the power tests: to call a 10% shift "regressed" the
// whole 95% interval must clear 1.05, so the estimate must land about two
// standard errors above 1.05. With 20 vs 20 repetitions the Hodges-Lehmann
// log-shift has a standard error near sigma * sqrt(2/20 * pi/3): 1.0% at 3%
// noise (power ~99.8%) but 1.6% at 5% noise (power ~82%, measured below).
// That limit belongs to the design, not to these statistics.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bench/report/comparison.h"

namespace faultline::bench {
namespace {

// Noise: standard normal deviates from a seeded generator (Box-Muller).
class Noise {
 public:
  explicit Noise(std::uint64_t seed) : generator_(seed) {}

  double normal() {
    const double u1 = uniform_open();
    const double u2 = uniform_open();
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
  }

 private:
  // uniform_open: (0, 1], from the top 53 bits.
  double uniform_open() { return (static_cast<double>(generator_() >> 11) + 1) * 0x1.0p-53; }

  std::mt19937_64 generator_;
};

struct Scenario {
  std::string name;
  std::uint64_t seed = 0;
  int comparisons = 1000;
  std::size_t repetitions = 20;  // per side
  double base = 100;             // ns, or items/s for higher-is-better
  double noise = 0.05;           // lognormal sigma
  double shift = 1.0;            // new = old distribution times this
  double round_noise = 0;        // paired: a per-round factor shared by both sides
  SeriesOptions options;
};

struct Rates {
  double regressed = 0;
  double improved = 0;
  double unchanged = 0;
  double significant = 0;   // raw p < alpha
  double covers_shift = 0;  // the interval holds the true ratio
  double microseconds = 0;  // per analyse_series call
};

std::string hex(std::uint64_t value) {
  std::ostringstream out;
  out << "0x" << std::hex << value;
  return out.str();
}

Rates simulate(const Scenario& scenario) {
  Noise noise(scenario.seed);
  int regressed = 0;
  int improved = 0;
  int unchanged = 0;
  int significant = 0;
  int covers = 0;
  std::vector<double> old_values(scenario.repetitions);
  std::vector<double> new_values(scenario.repetitions);
  std::chrono::nanoseconds spent{0};
  for (int i = 0; i < scenario.comparisons; ++i) {
    for (std::size_t r = 0; r < scenario.repetitions; ++r) {
      const double round = std::exp(scenario.round_noise * noise.normal());
      old_values[r] = scenario.base * round * std::exp(scenario.noise * noise.normal());
      new_values[r] =
          scenario.base * scenario.shift * round * std::exp(scenario.noise * noise.normal());
    }
    const auto start = std::chrono::steady_clock::now();
    const Comparison row = analyse_series(old_values, new_values, scenario.options);
    spent += std::chrono::steady_clock::now() - start;
    regressed += row.verdict == Verdict::regressed;
    improved += row.verdict == Verdict::improved;
    unchanged += row.verdict == Verdict::unchanged;
    significant += row.p_value < scenario.options.alpha;
    covers += row.ci_available && row.ci_low <= scenario.shift && scenario.shift <= row.ci_high;
  }
  const double n = scenario.comparisons;
  Rates rates{regressed / n, improved / n,
              unchanged / n, significant / n,
              covers / n,    std::chrono::duration<double, std::micro>(spent).count() / n};
  std::cout << "[ simulation ] " << scenario.name << ": seed 0x" << std::hex << scenario.seed
            << std::dec << ", " << scenario.comparisons << " comparisons of "
            << scenario.repetitions << " vs " << scenario.repetitions << ", noise "
            << scenario.noise * 100 << "%, shift " << scenario.shift << ", threshold "
            << scenario.options.threshold * 100 << "%: regressed " << rates.regressed
            << ", improved " << rates.improved << ", unchanged " << rates.unchanged
            << ", p < alpha " << rates.significant << ", interval covers the true ratio "
            << rates.covers_shift << ", " << rates.microseconds << " us per analyse_series\n";
  testing::Test::RecordProperty("seed", hex(scenario.seed));
  testing::Test::RecordProperty("regressed_rate", std::to_string(rates.regressed));
  testing::Test::RecordProperty("improved_rate", std::to_string(rates.improved));
  testing::Test::RecordProperty("p_below_alpha_rate", std::to_string(rates.significant));
  testing::Test::RecordProperty("coverage", std::to_string(rates.covers_shift));
  return rates;
}

Scenario aa(std::string name, std::uint64_t seed, Direction direction, double base) {
  Scenario s;
  s.name = std::move(name);
  s.seed = seed;
  s.base = base;
  s.options.direction = direction;
  return s;
}

Scenario shifted(std::string name, std::uint64_t seed, Direction direction, double base,
                 double shift, double noise) {
  Scenario s = aa(std::move(name), seed, direction, base);
  s.shift = shift;
  s.noise = noise;
  return s;
}

// A/A: with 1,000 comparisons the binomial standard error of a 5% rate is
// 0.7%; the bounds on the raw p rate and the coverage are three of those.
void expect_aa_calibrated(const Rates& rates) {
  EXPECT_LE(rates.regressed + rates.improved, 0.05);
  EXPECT_GE(rates.significant, 0.05 - 0.021);  // the test is not dead...
  EXPECT_LE(rates.significant, 0.05 + 0.021);  // ...nor liberal
  EXPECT_GE(rates.covers_shift, 0.95 - 0.021);
}

TEST(SimulationAA, TimesFalsePositiveRateIsAtMostAlpha) {
  expect_aa_calibrated(
      simulate(aa("A/A lower-is-better", 0x5eed0001, Direction::lower_is_better, 100)));
}

TEST(SimulationAA, ThroughputFalsePositiveRateIsAtMostAlpha) {
  expect_aa_calibrated(
      simulate(aa("A/A higher-is-better", 0x5eed0002, Direction::higher_is_better, 2.5e7)));
}

TEST(SimulationAA, PairedFalsePositiveRateIsAtMostAlpha) {
  Scenario s = aa("A/A paired, 5% round drift", 0x5eed0003, Direction::lower_is_better, 100);
  s.round_noise = 0.05;
  s.options.paired = true;
  expect_aa_calibrated(simulate(s));
}

TEST(SimulationPower, TenPercentSlowerIsRegressedAtLeast95Percent) {
  const Rates rates = simulate(
      shifted("10% slower, 3% noise", 0x5eed0011, Direction::lower_is_better, 100, 1.10, 0.03));
  EXPECT_GE(rates.regressed, 0.95);
  EXPECT_EQ(rates.improved, 0);
  EXPECT_GE(rates.covers_shift, 0.95 - 0.021);
}

TEST(SimulationPower, TenPercentLessThroughputIsRegressedAtLeast95Percent) {
  const Rates rates = simulate(shifted("10% less throughput, 3% noise", 0x5eed0012,
                                       Direction::higher_is_better, 2.5e7, 1 / 1.10, 0.03));
  EXPECT_GE(rates.regressed, 0.95);
  EXPECT_EQ(rates.improved, 0);
}

TEST(SimulationPower, TenPercentFasterIsImprovedAtLeast95Percent) {
  const Rates rates = simulate(
      shifted("10% faster, 3% noise", 0x5eed0013, Direction::lower_is_better, 100, 1 / 1.10, 0.03));
  EXPECT_GE(rates.improved, 0.95);
  EXPECT_EQ(rates.regressed, 0);
}

TEST(SimulationPower, PairedTenPercentSlowerIsRegressedAtLeast95Percent) {
  // Round drift the size of the shift would swamp an unpaired test; pairing
  // cancels it.
  Scenario s = shifted("paired 10% slower, 3% noise, 10% round drift", 0x5eed0014,
                       Direction::lower_is_better, 100, 1.10, 0.03);
  s.round_noise = 0.10;
  s.options.paired = true;
  EXPECT_GE(simulate(s).regressed, 0.95);
}

TEST(SimulationPower, AtFivePercentNoiseTenPercentSlowerIsRegressedAboutFourTimesInFive) {
  // The design's limit, see the file comment: about 82% expected.
  const Rates rates = simulate(
      shifted("10% slower, 5% noise", 0x5eed0015, Direction::lower_is_better, 100, 1.10, 0.05));
  EXPECT_GE(rates.regressed, 0.70);
  EXPECT_LE(rates.regressed, 0.92);
  EXPECT_EQ(rates.improved, 0);
}

TEST(SimulationPower, TwoPercentShiftInsideThe5PercentBandIsUnchangedOrInconclusive) {
  const Rates rates = simulate(
      shifted("2% slower, 3% noise", 0x5eed0016, Direction::lower_is_better, 100, 1.02, 0.03));
  EXPECT_LE(rates.regressed, 0.05);
  EXPECT_EQ(rates.improved, 0);
  EXPECT_GE(rates.unchanged, 0.5);
}

}  // namespace
}  // namespace faultline::bench
