// bench/report/verdict_test.cpp: decide() over a table of rows (each verdict,
// both directions, the band's edges, too few samples, a missing interval) and
// analyse_series() end to end on samples whose statistics are pinned in
// statistics_test.cpp.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bench/report/comparison.h"

namespace faultline::bench {
namespace {

constexpr Direction kLower = Direction::lower_is_better;
constexpr Direction kHigher = Direction::higher_is_better;

// row_with builds a row as analyse_series would leave it: `count` values per
// side (decide only looks at the counts), an interval, a p.
Comparison row_with(Direction direction, double p, double low, double high, std::size_t count = 20,
                    double threshold = 0.05) {
  Comparison row;
  row.direction = direction;
  row.old_values.assign(count, 100.0);
  row.new_values.assign(count, 100.0);
  row.ratio = std::sqrt(low * high);
  row.ci_low = low;
  row.ci_high = high;
  row.ci_available = true;
  row.p_value = p;
  row.p_adjusted = p;
  row.threshold = threshold;
  return row;
}

struct DecideCase {
  const char* name;
  Direction direction;
  double p;
  double low;
  double high;
  double threshold;
  Verdict expected;
};

TEST(VerdictDecide, TableOfVerdicts) {
  const double edge = 1 / 1.05;
  const DecideCase cases[] = {
      // lower is better (times): a ratio above the band is slower.
      {"slower beyond the band", kLower, 0.001, 1.08, 1.12, 0.05, Verdict::regressed},
      {"faster beyond the band", kLower, 0.001, 0.85, 0.90, 0.05, Verdict::improved},
      {"inside the band, not significant", kLower, 0.30, 0.98, 1.03, 0.05, Verdict::unchanged},
      {"inside the band, significant", kLower, 0.001, 0.97, 1.02, 0.05, Verdict::unchanged},
      {"band edges are inside", kLower, 0.5, edge, 1.05, 0.05, Verdict::unchanged},
      {"crosses the upper edge", kLower, 0.001, 1.02, 1.09, 0.05, Verdict::inconclusive},
      {"crosses the lower edge", kLower, 0.001, 0.90, 0.99, 0.05, Verdict::inconclusive},
      {"starts on the upper edge", kLower, 0.001, 1.05, 1.10, 0.05, Verdict::inconclusive},
      {"beyond but not significant", kLower, 0.20, 1.06, 1.10, 0.05, Verdict::inconclusive},
      {"wider than the band", kLower, 0.60, 0.80, 1.25, 0.05, Verdict::inconclusive},
      {"zero threshold, point at one", kLower, 1.0, 1.0, 1.0, 0.0, Verdict::unchanged},
      {"zero threshold, just above", kLower, 0.001, 1.001, 1.01, 0.0, Verdict::regressed},
      {"negative threshold read as zero", kLower, 0.001, 1.001, 1.01, -0.2, Verdict::regressed},
      // higher is better (throughput): a ratio above the band is faster.
      {"more throughput beyond the band", kHigher, 0.001, 1.08, 1.12, 0.05, Verdict::improved},
      {"less throughput beyond the band", kHigher, 0.001, 0.85, 0.90, 0.05, Verdict::regressed},
      {"throughput inside the band", kHigher, 0.40, 0.97, 1.04, 0.05, Verdict::unchanged},
      {"throughput crosses an edge", kHigher, 0.01, 0.92, 0.99, 0.05, Verdict::inconclusive},
      {"throughput beyond, not significant", kHigher, 0.07, 0.80, 0.90, 0.05,
       Verdict::inconclusive},
      {"NaN p is not significant", kLower, std::nan(""), 1.2, 1.3, 0.05, Verdict::inconclusive},
  };
  for (const DecideCase& c : cases) {
    Comparison row = row_with(c.direction, c.p, c.low, c.high, 20, c.threshold);
    EXPECT_EQ(verdict_name(decide(row, 0.05)), verdict_name(c.expected)) << c.name;
    EXPECT_EQ(row.verdict, c.expected) << c.name;
    EXPECT_TRUE(row.note.empty()) << c.name << ": " << row.note;
  }
}

struct TooFewCase {
  std::size_t old_count;
  std::size_t new_count;
  bool paired;
  double alpha;
  const char* note;
};

TEST(VerdictDecide, TooFewSamplesAreInconclusiveAndSaySoInWords) {
  const TooFewCase cases[] = {
      {2, 2, false, 0.05,
       "2 vs 2 repetitions: the smallest possible p is 0.33; need at least 4 per side for alpha "
       "0.05"},
      {3, 3, false, 0.05,
       "3 vs 3 repetitions: the smallest possible p is 0.1; need at least 4 per side for alpha "
       "0.05"},
      {1, 9, false, 0.05,
       "1 vs 9 repetitions: the smallest possible p is 0.2; need at least 4 per side for alpha "
       "0.05"},
      {4, 4, false, 0.01,
       "4 vs 4 repetitions: the smallest possible p is 0.029; need at least 5 per side for alpha "
       "0.01"},
      // Paired: the signed-rank floor 2 / 2^n.
      {5, 5, true, 0.05,
       "5 vs 5 repetitions: the smallest possible p is 0.062; need at least 6 per side for alpha "
       "0.05"},
      {0, 0, false, 0.05,
       "0 vs 0 repetitions: the smallest possible p is 1; need at least 4 per side for alpha "
       "0.05"},
  };
  for (const TooFewCase& c : cases) {
    Comparison row = row_with(kLower, 0.001, 1.5, 1.6);
    row.old_values.assign(c.old_count, 100.0);
    row.new_values.assign(c.new_count, 150.0);
    row.paired = c.paired;
    EXPECT_EQ(decide(row, c.alpha), Verdict::inconclusive) << c.note;
    EXPECT_EQ(row.note, c.note);
  }
}

TEST(VerdictDecide, EnoughSamplesForAlphaLeaveNoNote) {
  Comparison unpaired = row_with(kLower, 0.001, 1.5, 1.6, 4);
  EXPECT_EQ(decide(unpaired, 0.05), Verdict::regressed);
  EXPECT_TRUE(unpaired.note.empty());
  Comparison paired = row_with(kLower, 0.001, 1.5, 1.6, 6);
  paired.paired = true;
  EXPECT_EQ(decide(paired, 0.05), Verdict::regressed);
}

TEST(VerdictDecide, MissingIntervalIsInconclusiveWithANote) {
  Comparison row = row_with(kLower, 0.001, 1.5, 1.6);
  row.ci_available = false;
  EXPECT_EQ(decide(row, 0.05), Verdict::inconclusive);
  EXPECT_EQ(row.note, "no confidence interval for the ratio, so no verdict");

  Comparison nan_ratio = row_with(kLower, 0.001, 1.5, 1.6);
  nan_ratio.ratio = std::nan("");
  EXPECT_EQ(decide(nan_ratio, 0.05), Verdict::inconclusive);
}

TEST(VerdictDecide, DecidingAgainDoesNotRepeatTheNote) {
  Comparison row = row_with(kLower, 0.001, 1.5, 1.6, 2);
  decide(row, 0.05);
  const std::string once = row.note;
  decide(row, 0.05);
  EXPECT_EQ(row.note, once);
}

TEST(VerdictDecide, HolmAdjustedPIsWhatCounts) {
  Comparison row = row_with(kLower, 0.01, 1.08, 1.12);
  EXPECT_EQ(decide(row, 0.05), Verdict::regressed);
  row.p_adjusted = 0.08;  // after Holm across the report
  EXPECT_EQ(decide(row, 0.05), Verdict::inconclusive);
}

TEST(VerdictName, NamesEveryVerdict) {
  EXPECT_EQ(verdict_name(Verdict::regressed), "regressed");
  EXPECT_EQ(verdict_name(Verdict::improved), "improved");
  EXPECT_EQ(verdict_name(Verdict::unchanged), "unchanged");
  EXPECT_EQ(verdict_name(Verdict::inconclusive), "inconclusive");
}

// The 20 vs 20 samples of statistics_test.cpp: ratio 1.0532 in
// [1.02456, 1.07741], exact Mann-Whitney p 0.000419.
const std::vector<double> kOld20 = {98.008,  98.632,  102.138, 107.535, 101.55, 101.421, 97.633,
                                    99.693,  100.26,  101.728, 100.106, 95.425, 101.273, 96.058,
                                    101.341, 104.884, 96.521,  96.343,  96.316, 95.408};
const std::vector<double> kNew20 = {97.536,  106.749, 99.897,  100.471, 105.179, 107.33,  111.099,
                                    106.428, 100.496, 102.141, 107.488, 102.56,  104.272, 107.409,
                                    108.091, 99.88,   98.588,  108.71,  108.735, 109.411};

TEST(VerdictAnalyseSeries, FillsEveryStatisticalField) {
  SeriesOptions options;
  const Comparison row = analyse_series(kOld20, kNew20, options);
  EXPECT_EQ(row.old_values, kOld20);
  EXPECT_EQ(row.new_values, kNew20);
  EXPECT_NEAR(row.old_median, 99.8995, 1e-9);
  EXPECT_TRUE(row.old_median_interval.available);
  EXPECT_TRUE(row.new_median_interval.available);
  EXPECT_NEAR(row.ratio, 1.0532350316638972, 1e-12);
  ASSERT_TRUE(row.ci_available);
  EXPECT_NEAR(row.ci_low, 1.024555385032049, 1e-12);
  EXPECT_NEAR(row.ci_high, 1.0774101427868044, 1e-12);
  EXPECT_NEAR(row.p_value, 0.0004194381715298675, 1e-15);
  EXPECT_EQ(row.p_adjusted, row.p_value);
  EXPECT_EQ(row.test, "mann-whitney exact");
  EXPECT_FALSE(row.paired);
  EXPECT_EQ(row.threshold, 0.05);
  EXPECT_EQ(row.direction, kLower);
  // 1.0246 < 1.05 < 1.0774: the interval crosses the band's edge.
  EXPECT_EQ(row.verdict, Verdict::inconclusive);
}

TEST(VerdictAnalyseSeries, DirectionAndThresholdDecide) {
  SeriesOptions options;
  options.threshold = 0.02;  // 1.0246 > 1.02: beyond the band
  EXPECT_EQ(analyse_series(kOld20, kNew20, options).verdict, Verdict::regressed);
  EXPECT_EQ(analyse_series(kNew20, kOld20, options).verdict, Verdict::improved);
  options.direction = kHigher;
  EXPECT_EQ(analyse_series(kOld20, kNew20, options).verdict, Verdict::improved);
  EXPECT_EQ(analyse_series(kNew20, kOld20, options).verdict, Verdict::regressed);
  options.threshold = 0.10;  // [1.0246, 1.0774] inside [1/1.1, 1.1]
  EXPECT_EQ(analyse_series(kOld20, kNew20, options).verdict, Verdict::unchanged);
}

TEST(VerdictAnalyseSeries, PairedUsesTheSignedRankTest) {
  const std::vector<double> old_values = {100.0, 102.0, 98.5, 101.3, 99.2,
                                          100.8, 103.1, 97.9, 100.2, 101.7};
  const std::vector<double> new_values = {104.1, 105.3, 101.9, 104.6, 103.8,
                                          104.0, 106.9, 101.1, 104.4, 105.2};
  SeriesOptions options;
  options.paired = true;
  options.threshold = 0.02;
  const Comparison row = analyse_series(old_values, new_values, options);
  EXPECT_TRUE(row.paired);
  EXPECT_EQ(row.test, "wilcoxon signed-rank exact");
  EXPECT_NEAR(row.p_value, 0.001953125, 1e-15);  // pinned in statistics_test.cpp
  EXPECT_NEAR(row.ratio, 1.0363626870201472, 1e-12);
  EXPECT_EQ(row.verdict, Verdict::regressed);  // [1.0326, 1.0404] beyond 1.02
}

TEST(VerdictAnalyseSeries, PairingUnequalCountsFallsBackToUnpaired) {
  SeriesOptions options;
  options.paired = true;
  std::vector<double> shorter(kNew20.begin(), kNew20.end() - 1);
  const Comparison row = analyse_series(kOld20, shorter, options);
  EXPECT_FALSE(row.paired);
  EXPECT_EQ(row.test, "mann-whitney exact");
  EXPECT_EQ(row.note, "pairing needs equal counts (20 vs 19): compared unpaired");
}

TEST(VerdictAnalyseSeries, IdenticalSamplesAreUnchanged) {
  const std::vector<double> same(10, 250.0);
  const Comparison row = analyse_series(same, same, SeriesOptions{});
  EXPECT_EQ(row.p_value, 1);
  EXPECT_EQ(row.ratio, 1);
  EXPECT_EQ(row.verdict, Verdict::unchanged);
}

TEST(VerdictAnalyseSeries, NonPositiveValuesAreInconclusiveAndSayWhy) {
  std::vector<double> with_zero = kOld20;
  with_zero[3] = 0;
  const Comparison row = analyse_series(with_zero, kNew20, SeriesOptions{});
  EXPECT_TRUE(std::isnan(row.ratio));
  EXPECT_FALSE(row.ci_available);
  EXPECT_EQ(row.verdict, Verdict::inconclusive);
  EXPECT_NE(row.note.find("positive"), std::string::npos) << row.note;
  EXPECT_NE(row.note.find("no confidence interval"), std::string::npos) << row.note;
}

TEST(VerdictAnalyseSeries, TooFewOrNoSamplesDoNotCrash) {
  const Comparison two =
      analyse_series(std::vector<double>{10, 11}, std::vector<double>{20, 21}, SeriesOptions{});
  EXPECT_EQ(two.verdict, Verdict::inconclusive);
  EXPECT_EQ(two.note,
            "2 vs 2 repetitions: the smallest possible p is 0.33; need at least 4 per side for "
            "alpha 0.05");
  const Comparison none =
      analyse_series(std::vector<double>{}, std::vector<double>{}, SeriesOptions{});
  EXPECT_EQ(none.verdict, Verdict::inconclusive);
  EXPECT_TRUE(std::isnan(none.ratio));
  EXPECT_EQ(none.p_value, 1);
}

}  // namespace
}  // namespace faultline::bench
