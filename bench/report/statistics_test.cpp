// bench/report/statistics_test.cpp: the statistics pinned to reference
// values. Every number below was computed offline with Debian's SciPy 1.10.1
// and NumPy 1.24.2 (/usr/bin/python3); the comment above each names the call.
// Critical values are also checked against the published tables of the
// Mann-Whitney U and Wilcoxon signed-rank tests (two-tailed).
//
// Moses intervals follow R's wilcox.test(conf.int = TRUE) rule, computed with
// SciPy's exact U distribution (scipy.stats._mannwhitneyu._mwu_state.cdf,
// checked against brute-force enumeration of all C(11, 5) orderings):
//   d  = np.sort((np.log(new)[None, :] - np.log(old)[:, None]).ravel())
//   qu = smallest q with _mwu_state.cdf(q, n1, n2) >= alpha / 2   # R's qwilcox
//   ratio = exp(median(d)); interval = exp(d[qu - 1]), exp(d[n1 * n2 - qu])
// and the paired version the same way over the sorted Walsh averages of the
// log ratios with scipy.stats._morestats._get_wilcoxon_distr (R's qsignrank).
#include "bench/report/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

namespace faultline::bench {
namespace {

// Relative tolerance for values that are sums of exact counts or a single
// erfc: far below any difference that would matter, far above rounding.
void expect_close(double actual, double expected, double relative = 1e-12) {
  EXPECT_NEAR(actual, expected, std::abs(expected) * relative) << "expected " << expected;
}

// rng = np.random.default_rng(20240602)
// old20 = np.round(100 * np.exp(rng.normal(0, 0.03, 20)), 3)
// new20 = np.round(104 * np.exp(rng.normal(0, 0.03, 20)), 3)    # no ties
const std::vector<double> kOld20 = {98.008,  98.632,  102.138, 107.535, 101.55, 101.421, 97.633,
                                    99.693,  100.26,  101.728, 100.106, 95.425, 101.273, 96.058,
                                    101.341, 104.884, 96.521,  96.343,  96.316, 95.408};
const std::vector<double> kNew20 = {97.536,  106.749, 99.897,  100.471, 105.179, 107.33,  111.099,
                                    106.428, 100.496, 102.141, 107.488, 102.56,  104.272, 107.409,
                                    108.091, 99.88,   98.588,  108.71,  108.735, 109.411};

const std::vector<double> kOld6 = {101.2, 99.8, 100.5, 102.3, 98.9, 100.1};
const std::vector<double> kNew6 = {104.5, 103.2, 105.8, 102.9, 106.1, 103.7};

const std::vector<double> kOld7 = {12.1, 14.3, 11.8, 13.5, 15.2, 12.9, 13.1};
const std::vector<double> kNew12 = {13.8, 15.9, 14.7, 16.2, 12.4, 15.5,
                                    17.1, 14.1, 16.8, 15.0, 13.3, 16.5};

std::vector<double> first(const std::vector<double>& values, std::size_t n) {
  return {values.begin(), values.begin() + static_cast<std::ptrdiff_t>(n)};
}

// ---- median and its interval ----------------------------------------------

TEST(StatisticsMedian, OddCountIsTheMiddleValue) {
  EXPECT_EQ(median(std::vector<double>{5, 1, 3}), 3);
}

TEST(StatisticsMedian, EvenCountAveragesTheMiddlePair) {
  // np.median(old20)
  expect_close(median(kOld20), 99.89949999999999);
}

TEST(StatisticsMedian, EmptyOrNaNGivesNaN) {
  EXPECT_TRUE(std::isnan(median(std::vector<double>{})));
  EXPECT_TRUE(std::isnan(median(std::vector<double>{1, std::nan(""), 3})));
  EXPECT_EQ(median(std::vector<double>{7}), 7);
}

struct MedianIntervalCase {
  std::size_t n;
  double confidence;
  double low;
  double high;
};

TEST(StatisticsMedianInterval, MatchesBinomialOrderStatistics) {
  // Largest k with 1 - 2 * scipy.stats.binom.cdf(k - 1, n, 0.5) >= confidence,
  // interval [x(k), x(n+1-k)] of np.sort(old20[:n]):
  //   n=6 k=1 (coverage 0.96875), n=10 k=2 (0.978515625),
  //   n=20 k=6 (0.9586105346679688), n=20 at 0.99: k=4 (0.9974231719970703)
  const MedianIntervalCase cases[] = {
      {6, 0.95, 98.008, 107.535},
      {10, 0.95, 98.008, 102.138},
      {20, 0.95, 96.521, 101.421},
      {20, 0.99, 96.316, 101.728},
  };
  for (const MedianIntervalCase& c : cases) {
    const Interval interval = median_interval(first(kOld20, c.n), c.confidence);
    ASSERT_TRUE(interval.available) << "n=" << c.n << " " << interval.why_not;
    EXPECT_EQ(interval.low, c.low) << "n=" << c.n;
    EXPECT_EQ(interval.high, c.high) << "n=" << c.n;
  }
}

TEST(StatisticsMedianInterval, RefusesBelowSixSamplesAt95Percent) {
  // 1 - 2 / 2^5 = 0.9375 < 0.95: benchstat's "need >= 6 samples".
  const Interval interval = median_interval(first(kOld20, 5), 0.95);
  EXPECT_FALSE(interval.available);
  EXPECT_EQ(interval.why_not, "need >= 6 samples for a 95% interval (have 5)");
  EXPECT_FALSE(median_interval(std::vector<double>{}, 0.95).available);
}

TEST(StatisticsMedianInterval, RefusesAnInvalidLevel) {
  const Interval interval = median_interval(kOld20, 1.5);
  EXPECT_FALSE(interval.available);
  EXPECT_NE(interval.why_not.find("between 0 and 1"), std::string::npos);
}

// ---- Mann-Whitney ---------------------------------------------------------

struct MannWhitneyCase {
  const char* name;
  std::vector<double> old_values;
  std::vector<double> new_values;
  double u;
  double p;
  bool exact;
};

TEST(StatisticsMannWhitney, MatchesScipy) {
  const MannWhitneyCase cases[] = {
      // scipy 1.10 mannwhitneyu(old, new, alternative='two-sided', method='exact')
      {"6 vs 6", kOld6, kNew6, 0, 0.0021645021645021645, true},
      {"7 vs 12", kOld7, kNew12, 14, 0.01706755576724617, true},
      {"20 vs 20", kOld20, kNew20, 74, 0.0004194381715298675, true},
      {"5 vs 5 separated", {1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}, 0, 0.007936507936507936, true},
      // rng = np.random.default_rng(31); a = np.round(rng.normal(10, 1, 30), 4);
      // b = np.round(rng.normal(10.6, 1, 40), 4); mannwhitneyu(a, b, method='exact')
      {"30 vs 40",
       {9.6047,  10.2639, 10.6071, 9.0278,  10.7677, 10.2551, 10.783,  10.2724, 11.162,  9.0622,
        11.7761, 11.2024, 9.4,     10.6602, 10.4448, 8.2542,  10.5952, 9.4146,  9.75,    9.3976,
        9.5719,  10.0717, 10.0967, 8.4408,  9.7313,  8.6552,  8.7292,  9.653,   10.8553, 10.6309},
       {9.9953,  9.8896,  9.7726,  10.7427, 11.5367, 10.618,  11.2928, 10.9154, 12.1042, 8.5933,
        8.469,   10.4016, 11.2365, 10.1895, 11.0258, 9.4265,  9.3406,  9.8834,  11.4413, 11.2964,
        9.8867,  10.7811, 9.9524,  10.6201, 9.4857,  10.5534, 9.8642,  10.5556, 9.948,   9.7783,
        10.7134, 10.2622, 10.6217, 10.1809, 11.2137, 9.7843,  11.3688, 11.932,  10.3311, 12.3452},
       419,
       0.03155648519176806,
       true},
      // scipy 1.10 mannwhitneyu(old, new, alternative='two-sided', method='asymptotic',
      //                         use_continuity=True): ties, so the normal approximation.
      {"ties",
       {1, 2, 2, 3, 3, 3, 4, 5},
       {3, 4, 4, 5, 5, 6, 7, 7, 8},
       7.5,
       0.006373133838085873,
       false},
  };
  for (const MannWhitneyCase& c : cases) {
    const TestResult result = mann_whitney(c.old_values, c.new_values);
    EXPECT_EQ(result.statistic, c.u) << c.name;
    expect_close(result.p_value, c.p, 1e-10);
    EXPECT_EQ(result.exact, c.exact) << c.name;
    EXPECT_EQ(result.method, c.exact ? "mann-whitney exact" : "mann-whitney normal") << c.name;
  }
}

TEST(StatisticsMannWhitney, ExactAtTheLargestExactSizes) {
  // scipy 1.10 mannwhitneyu(np.arange(1, 51) * 1.0, np.arange(1, 51) + 20.5,
  //                         alternative='two-sided', method='exact')
  std::vector<double> old_values;
  std::vector<double> new_values;
  for (int i = 1; i <= 50; ++i) {
    old_values.push_back(i);
    new_values.push_back(i + 20.5);
  }
  const TestResult result = mann_whitney(old_values, new_values);
  EXPECT_TRUE(result.exact);
  EXPECT_EQ(result.statistic, 435);
  expect_close(result.p_value, 3.355337501288909e-09, 1e-9);
}

TEST(StatisticsMannWhitney, NormalApproximationAboveFiftyPerSide) {
  // rng = np.random.default_rng(8); big_o = np.round(rng.normal(50, 5, 60), 4);
  // big_n = np.round(rng.normal(52, 5, 60), 4); scipy 1.10 mannwhitneyu(big_o, big_n,
  //   alternative='two-sided', method='asymptotic', use_continuity=True)
  const std::vector<double> old_values = {
      41.3087, 43.3168, 43.1945, 48.2419, 38.4371, 49.0555, 45.2139, 54.468,  54.7842, 56.9613,
      53.8374, 49.7349, 54.299,  57.5274, 46.732,  53.0518, 49.7866, 57.2001, 45.8155, 48.4923,
      51.8117, 51.2906, 41.8028, 51.8008, 49.4075, 48.8013, 49.2235, 51.0949, 40.918,  57.7623,
      45.6928, 38.7932, 49.5901, 57.2874, 47.407,  57.7564, 57.7847, 45.6863, 37.6744, 43.8241,
      55.9372, 45.9161, 42.4466, 43.3115, 50.0009, 49.8695, 54.3602, 54.9452, 45.3388, 49.2162,
      44.3303, 50.3595, 44.247,  43.9987, 60.6171, 50.1619, 53.2159, 62.6905, 53.9292, 49.4293};
  const std::vector<double> new_values = {
      52.2729, 48.2775, 57.4717, 50.3486, 60.8137, 50.2762, 50.2319, 49.9031, 55.1285, 52.9347,
      58.8572, 49.2333, 53.4512, 61.6898, 50.7981, 54.6631, 59.8594, 54.7672, 48.8275, 41.6882,
      63.9658, 54.1516, 58.3026, 49.6184, 61.0924, 54.5977, 52.249,  47.4909, 53.8409, 49.5673,
      50.8862, 43.8874, 49.5472, 52.7994, 45.746,  52.3695, 55.3165, 50.4662, 48.8961, 48.8994,
      56.7057, 44.3275, 50.4977, 49.903,  52.72,   51.6521, 46.4625, 62.2004, 52.8881, 45.2898,
      47.5428, 52.4879, 55.0648, 45.2892, 55.5567, 45.1335, 48.0281, 56.2655, 60.505,  51.5765};
  const TestResult result = mann_whitney(old_values, new_values);
  EXPECT_FALSE(result.exact);
  EXPECT_EQ(result.statistic, 1316);
  expect_close(result.p_value, 0.011157821379223278, 1e-10);
}

TEST(StatisticsMannWhitney, IdenticalValuesGivePOne) {
  // scipy: mannwhitneyu([5]*6, [5]*6, method='asymptotic') -> 1.0 (sigma = 0)
  const TestResult result = mann_whitney(std::vector<double>(6, 5.0), std::vector<double>(6, 5.0));
  EXPECT_EQ(result.p_value, 1);
  EXPECT_FALSE(std::isnan(result.p_value));
}

TEST(StatisticsMannWhitney, EmptyOrNonFiniteSamplesGivePOne) {
  EXPECT_EQ(mann_whitney(std::vector<double>{}, kNew6).p_value, 1);
  EXPECT_EQ(mann_whitney(std::vector<double>{}, std::vector<double>{}).p_value, 1);
  const std::vector<double> with_nan = {1, std::nan(""), 3, 4};
  EXPECT_EQ(mann_whitney(with_nan, kNew6).p_value, 1);
  const TestResult one_each = mann_whitney(std::vector<double>{1}, std::vector<double>{2});
  EXPECT_EQ(one_each.p_value, 1);
  EXPECT_EQ(one_each.smallest_possible_p, 1);
}

TEST(StatisticsMannWhitney, SmallestPossiblePIsTwoOverTheOrderingCount) {
  EXPECT_DOUBLE_EQ(smallest_possible_p_mann_whitney(2, 2), 2.0 / 6);
  EXPECT_DOUBLE_EQ(smallest_possible_p_mann_whitney(4, 4), 2.0 / 70);
  EXPECT_DOUBLE_EQ(smallest_possible_p_mann_whitney(20, 20), 2.0 / 137846528820.0);
  EXPECT_EQ(smallest_possible_p_mann_whitney(1, 1), 1);
  EXPECT_EQ(smallest_possible_p_mann_whitney(0, 9), 1);
  // The exact test reaches it when the samples are fully separated.
  const TestResult separated =
      mann_whitney(std::vector<double>{1, 2, 3, 4}, std::vector<double>{5, 6, 7, 8});
  EXPECT_DOUBLE_EQ(separated.p_value, separated.smallest_possible_p);
}

struct CriticalValueCase {
  std::size_t n1;
  std::size_t n2;
  double alpha;
  long critical;
};

TEST(StatisticsMannWhitney, CriticalValuesMatchPublishedTables) {
  // Two-tailed critical values of U (reject when U <= c), as in the published
  // Mann-Whitney tables; the same from scipy: largest c with
  // _mwu_state.cdf(c, n1, n2) < alpha / 2. -1: no critical value exists.
  const CriticalValueCase cases[] = {
      {3, 3, 0.05, -1},   {4, 4, 0.05, 0},  {3, 5, 0.05, 0},     {4, 5, 0.05, 1},
      {5, 5, 0.05, 2},    {6, 6, 0.05, 5},  {7, 7, 0.05, 8},     {8, 8, 0.05, 13},
      {10, 10, 0.05, 23}, {5, 10, 0.05, 8}, {20, 20, 0.05, 127}, {10, 10, 0.01, 16},
  };
  for (const CriticalValueCase& c : cases) {
    EXPECT_EQ(mann_whitney_critical_value(c.n1, c.n2, c.alpha), c.critical)
        << c.n1 << " vs " << c.n2 << " alpha " << c.alpha;
  }
}

TEST(StatisticsMannWhitney, NormalCriticalValueAgreesWithExactAtTwenty) {
  // Above 50 per side the normal approximation takes over; at 20 vs 20 it
  // already lands on the exact 127, so the switch is seamless.
  const double product = 400;
  const double sd = std::sqrt(product * 41 / 12);
  EXPECT_EQ(static_cast<long>(std::ceil(product / 2 - normal_quantile(0.975) * sd - 0.5) - 1), 127);
  EXPECT_GT(mann_whitney_critical_value(60, 60, 0.05), 0);
}

TEST(StatisticsMannWhitney, MinimumSamplesPerSide) {
  EXPECT_EQ(minimum_samples_per_side(0.05, false), 4u);  // 2 / C(8, 4) = 0.029
  EXPECT_EQ(minimum_samples_per_side(0.01, false), 5u);  // 2 / C(10, 5) = 0.0079
  EXPECT_EQ(minimum_samples_per_side(0.05, true), 6u);   // 2 / 2^6 = 0.031
  EXPECT_EQ(minimum_samples_per_side(0, false), 0u);
}

// ---- Wilcoxon signed-rank -------------------------------------------------

TEST(StatisticsWilcoxon, ExactMatchesScipy) {
  // scipy 1.10 wilcoxon(d, mode='exact'): statistic min(W+, W-) = 24, p below.
  const std::vector<double> d15 = {6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75};
  const TestResult r15 = wilcoxon_signed_rank(d15);
  EXPECT_TRUE(r15.exact);
  EXPECT_EQ(r15.statistic, 96);  // W+ = 120 - 24
  expect_close(r15.p_value, 0.041259765625);
  EXPECT_EQ(r15.method, "wilcoxon signed-rank exact");

  // scipy 1.10 wilcoxon(d8, mode='exact') -> statistic 3.0, p 0.0390625
  const std::vector<double> d8 = {0.031, -0.012, 0.044, 0.027, 0.052, -0.006, 0.019, 0.038};
  const TestResult r8 = wilcoxon_signed_rank(d8);
  EXPECT_EQ(r8.statistic, 33);
  expect_close(r8.p_value, 0.0390625);
}

TEST(StatisticsWilcoxon, NormalApproximationWithTiesMatchesScipy) {
  // scipy 1.10 wilcoxon(dt, mode='approx', correction=True) -> statistic 6.5
  const std::vector<double> dt = {1.5, -0.5, 2.0, 2.0, -1.0, 3.0, 1.5, 2.5, -0.5, 4.0, 1.0, 2.0};
  const TestResult result = wilcoxon_signed_rank(dt);
  EXPECT_FALSE(result.exact);
  EXPECT_EQ(result.statistic, 78 - 6.5);
  expect_close(result.p_value, 0.011833450653831368, 1e-10);
}

TEST(StatisticsWilcoxon, NormalApproximationAboveThirtyMatchesScipy) {
  // rng = np.random.default_rng(12); d40 = np.round(rng.normal(0.3, 1, 40), 4)
  // scipy 1.10 wilcoxon(d40, mode='approx', correction=True) -> statistic 273.0
  const std::vector<double> d40 = {
      0.2932, 1.3461,  1.0416,  1.024,   1.9188,  -0.9056, -0.327, -1.0207, 0.1922, 1.2988,
      0.2781, 0.7959,  -1.6108, 0.4471,  -0.6069, 2.0754,  1.1868, 1.2493,  0.2421, 0.9129,
      0.9579, -0.0444, -0.1974, 0.1852,  -0.3055, -0.2943, 0.0166, -0.4284, 1.0663, -1.2961,
      1.1236, -0.3256, -0.2459, -1.0508, 0.1558,  0.0523,  0.4915, -0.2338, 0.3938, 2.1197};
  const TestResult result = wilcoxon_signed_rank(d40);
  EXPECT_FALSE(result.exact);
  EXPECT_EQ(std::min(result.statistic, 820 - result.statistic), 273);
  expect_close(result.p_value, 0.06654465496858146, 1e-10);
}

TEST(StatisticsWilcoxon, ZerosAreDropped) {
  // Zeros dropped (scipy's zero_method='wilcox'), then exact on the 9 left:
  // scipy 1.10 wilcoxon([1.2, -0.4, 2.2, 3.1, 1.7, -0.9, 2.6, 1.1, 0.5], mode='exact')
  const std::vector<double> dz = {0.0, 1.2, -0.4, 2.2, 0.0, 3.1, 1.7, -0.9, 2.6, 1.1, 0.5};
  const TestResult result = wilcoxon_signed_rank(dz);
  EXPECT_EQ(result.statistic, 41);
  expect_close(result.p_value, 0.02734375);
  EXPECT_DOUBLE_EQ(result.smallest_possible_p, 2.0 / 512);
}

TEST(StatisticsWilcoxon, AllZeroOrEmptyDifferencesGivePOne) {
  EXPECT_EQ(wilcoxon_signed_rank(std::vector<double>{0, 0, 0}).p_value, 1);
  EXPECT_EQ(wilcoxon_signed_rank(std::vector<double>{}).p_value, 1);
  EXPECT_EQ(wilcoxon_signed_rank(std::vector<double>{std::nan("")}).p_value, 1);
}

TEST(StatisticsWilcoxon, CriticalValuesMatchPublishedTables) {
  // Two-tailed alpha 0.05 critical values of the signed-rank statistic from
  // the published tables; scipy: largest c with
  // np.cumsum(_get_wilcoxon_distr(n))[c] < 0.025.
  const std::pair<std::size_t, long> cases[] = {{5, -1}, {6, 0},   {7, 2},   {8, 3},   {9, 5},
                                                {10, 8}, {15, 25}, {20, 52}, {25, 89}, {30, 137}};
  for (const auto& [n, critical] : cases) {
    EXPECT_EQ(signed_rank_critical_value(n, 0.05), critical) << "n=" << n;
  }
  EXPECT_DOUBLE_EQ(smallest_possible_p_signed_rank(5), 0.0625);
}

// ---- ratio estimates ------------------------------------------------------

// hodges_lehmann_by_definition: exp(median of every log(new_j) - log(old_i)),
// written the obvious way.
double hodges_lehmann_by_definition(const std::vector<double>& old_values,
                                    const std::vector<double>& new_values) {
  std::vector<double> differences;
  for (double o : old_values) {
    for (double n : new_values)
      differences.push_back(std::log(n) - std::log(o));
  }
  std::sort(differences.begin(), differences.end());
  const std::size_t m = differences.size();
  const double middle =
      m % 2 ? differences[m / 2] : (differences[m / 2 - 1] + differences[m / 2]) / 2;
  return std::exp(middle);
}

struct RatioCase {
  const char* name;
  std::vector<double> old_values;
  std::vector<double> new_values;
  double confidence;
  double ratio;
  double low;
  double high;
};

TEST(StatisticsRatio, HodgesLehmannAndMosesIntervalMatchReference) {
  // R's wilcox.test(new, old, conf.int=TRUE) rule on the logs, computed with
  // scipy as the file comment says (qu = 6, 19, 128, 3 and 139).
  const RatioCase cases[] = {
      {"6 vs 6", kOld6, kNew6, 0.95, 1.038111453496418, 1.0215053763440864, 1.0569430569430571},
      {"7 vs 12", kOld7, kNew12, 0.95, 1.142764760994875, 1.0279720279720281, 1.266666666666667},
      {"20 vs 20", kOld20, kNew20, 0.95, 1.0532350316638972, 1.024555385032049, 1.0774101427868044},
      {"20 vs 20 at 90%", kOld20, kNew20, 0.90, 1.0532350316638972, 1.0293241014820813,
       1.0729615851432295},
      {"5 vs 5 separated",
       {1, 2, 3, 4, 5},
       {6, 7, 8, 9, 10},
       0.95,
       2.6666666666666665,
       1.5,
       7.999999999999999},
  };
  for (const RatioCase& c : cases) {
    const Estimate estimate = ratio_estimate(c.old_values, c.new_values, c.confidence, 1);
    SCOPED_TRACE(c.name);
    expect_close(estimate.value, c.ratio);
    expect_close(estimate.value, hodges_lehmann_by_definition(c.old_values, c.new_values));
    ASSERT_TRUE(estimate.interval.available) << estimate.interval.why_not;
    expect_close(estimate.interval.low, c.low);
    expect_close(estimate.interval.high, c.high);
  }
}

TEST(StatisticsRatio, IntervalIsDeterministicWhateverTheSeed) {
  const Estimate a = ratio_estimate(kOld20, kNew20, 0.95, 1);
  const Estimate b = ratio_estimate(kOld20, kNew20, 0.95, 987654321);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.interval.low, b.interval.low);
  EXPECT_EQ(a.interval.high, b.interval.high);
}

TEST(StatisticsRatio, TooFewSamplesLeaveTheIntervalUnavailable) {
  const Estimate estimate =
      ratio_estimate(std::vector<double>{1, 2, 3}, std::vector<double>{4, 5, 6}, 0.95, 1);
  expect_close(estimate.value, hodges_lehmann_by_definition({1, 2, 3}, {4, 5, 6}));
  EXPECT_FALSE(estimate.interval.available);
  EXPECT_EQ(estimate.interval.why_not,
            "3 vs 3 samples are too few for a 95% interval; need >= 4 per side");
}

TEST(StatisticsRatio, IdenticalSamplesGiveRatioOneAndAPointInterval) {
  const std::vector<double> same(10, 42.0);
  const Estimate estimate = ratio_estimate(same, same, 0.95, 1);
  EXPECT_EQ(estimate.value, 1);
  ASSERT_TRUE(estimate.interval.available);
  EXPECT_EQ(estimate.interval.low, 1);
  EXPECT_EQ(estimate.interval.high, 1);
}

TEST(StatisticsRatio, NonPositiveOrEmptyValuesGiveNaNAndSaySo) {
  const std::vector<double> with_zero = {100, 0, 101, 99, 100};
  const Estimate zero = ratio_estimate(with_zero, first(kNew20, 5), 0.95, 1);
  EXPECT_TRUE(std::isnan(zero.value));
  EXPECT_FALSE(zero.interval.available);
  EXPECT_NE(zero.interval.why_not.find("positive"), std::string::npos) << zero.interval.why_not;
  EXPECT_NE(zero.interval.why_not.find("old side"), std::string::npos) << zero.interval.why_not;

  const std::vector<double> negative = {-1, 2, 3, 4, 5};
  EXPECT_TRUE(std::isnan(ratio_estimate(first(kOld20, 5), negative, 0.95, 1).value));
  const std::vector<double> infinite = {1, 2, std::numeric_limits<double>::infinity(), 4};
  EXPECT_TRUE(std::isnan(ratio_estimate(infinite, infinite, 0.95, 1).value));
  const Estimate empty = ratio_estimate(std::vector<double>{}, kNew6, 0.95, 1);
  EXPECT_TRUE(std::isnan(empty.value));
  EXPECT_EQ(empty.interval.why_not, "no ratio without samples on both sides (0 vs 6)");
}

TEST(StatisticsRatio, LargeSamplesUseSeededPairSubsetNearTheFullAnswer) {
  // 600 x 600 pairs > kMaxPairs: a seeded subset of the differences stands in.
  std::vector<double> old_values;
  std::vector<double> new_values;
  for (int i = 0; i < 600; ++i) {
    old_values.push_back(100 + (i * 37 % 600) / 60.0);
    new_values.push_back(110 + (i * 53 % 600) / 60.0);
  }
  ASSERT_GT(old_values.size() * new_values.size(), kMaxPairs);
  const Estimate a = ratio_estimate(old_values, new_values, 0.95, 5);
  const Estimate b = ratio_estimate(old_values, new_values, 0.95, 5);
  EXPECT_EQ(a.value, b.value);  // replays exactly with the same seed
  ASSERT_TRUE(a.interval.available);
  EXPECT_NEAR(a.value, hodges_lehmann_by_definition(old_values, new_values), 2e-3);
  EXPECT_LT(a.interval.low, a.value);
  EXPECT_GT(a.interval.high, a.value);
}

TEST(StatisticsPairedRatio, WalshAverageEstimateAndIntervalMatchReference) {
  // Walsh averages of log(new/old), R's rule with qsignrank (qu = 9):
  // ratio 1.0363626870201472, interval [1.032631458606863, 1.0403757821135464]
  const std::vector<double> old_values = {100.0, 102.0, 98.5, 101.3, 99.2,
                                          100.8, 103.1, 97.9, 100.2, 101.7};
  const std::vector<double> new_values = {104.1, 105.3, 101.9, 104.6, 103.8,
                                          104.0, 106.9, 101.1, 104.4, 105.2};
  const Estimate estimate = paired_ratio_estimate(old_values, new_values, 0.95, 1);
  expect_close(estimate.value, 1.0363626870201472);
  ASSERT_TRUE(estimate.interval.available) << estimate.interval.why_not;
  expect_close(estimate.interval.low, 1.032631458606863);
  expect_close(estimate.interval.high, 1.0403757821135464);
  // scipy 1.10 wilcoxon(np.log(new) - np.log(old), mode='exact') -> T 0, p 2/1024
  std::vector<double> log_ratios;
  for (std::size_t i = 0; i < old_values.size(); ++i) {
    log_ratios.push_back(std::log(new_values[i] / old_values[i]));
  }
  expect_close(wilcoxon_signed_rank(log_ratios).p_value, 0.001953125);
}

TEST(StatisticsPairedRatio, UnequalCountsOrTooFewPairsLeaveNoInterval) {
  const Estimate unequal = paired_ratio_estimate(kOld6, first(kNew20, 5), 0.95, 1);
  EXPECT_TRUE(std::isnan(unequal.value));
  EXPECT_EQ(unequal.interval.why_not, "a paired estimate needs equal counts (have 6 and 5)");
  const Estimate few = paired_ratio_estimate(first(kOld6, 5), first(kNew6, 5), 0.95, 1);
  EXPECT_FALSE(few.interval.available);
  EXPECT_EQ(few.interval.why_not, "5 pairs are too few for a 95% interval; need >= 6");
}

// ---- Holm, geometric mean, spread, normal quantile ------------------------

TEST(StatisticsHolm, AdjustsInInputOrderMonotoneAndCapped) {
  // Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04,
  // then the running maximum: 0.02, 0.03, 0.06, 0.06.
  const std::vector<double> adjusted = holm(std::vector<double>{0.01, 0.04, 0.03, 0.005});
  ASSERT_EQ(adjusted.size(), 4u);
  EXPECT_DOUBLE_EQ(adjusted[0], 0.03);
  EXPECT_DOUBLE_EQ(adjusted[1], 0.06);
  EXPECT_DOUBLE_EQ(adjusted[2], 0.06);
  EXPECT_DOUBLE_EQ(adjusted[3], 0.02);
  const std::vector<double> capped = holm(std::vector<double>{0.6, 0.5});
  EXPECT_EQ(capped[0], 1);
  EXPECT_EQ(capped[1], 1);
  EXPECT_TRUE(holm(std::vector<double>{}).empty());
  EXPECT_EQ(holm(std::vector<double>{std::nan("")})[0], 1);
}

TEST(StatisticsGeomean, DeltaMethodOnTheLogScale) {
  // z = norm.ppf(0.975); se_i = (log(high) - log(low)) / (2 z);
  // se = sqrt(sum se_i^2) / k; exp(mean(log r) -+ z se)
  const std::vector<Estimate> ratios = {
      {1.1, {1.05, 1.15, true, ""}}, {0.9, {0.85, 0.95, true, ""}}, {1.02, {1.0, 1.04, true, ""}}};
  const Estimate g = geomean_ratio(ratios, 0.95);
  expect_close(g.value, 1.003256053276959);
  ASSERT_TRUE(g.interval.available);
  expect_close(g.interval.low, 0.9786572784765146, 1e-10);
  expect_close(g.interval.high, 1.028473123914967, 1e-10);
}

TEST(StatisticsGeomean, AnyUnavailableIntervalMakesItUnavailable) {
  const std::vector<Estimate> ratios = {{1.1, {1.05, 1.15, true, ""}},
                                        {0.9, {0, 0, false, "too few"}}};
  const Estimate g = geomean_ratio(ratios, 0.95);
  expect_close(g.value, std::sqrt(1.1 * 0.9));
  EXPECT_FALSE(g.interval.available);
  EXPECT_TRUE(std::isnan(geomean_ratio(std::vector<Estimate>{}, 0.95).value));
  const std::vector<Estimate> missing = {{std::nan(""), {}}};
  EXPECT_TRUE(std::isnan(geomean_ratio(missing, 0.95).value));
}

TEST(StatisticsSpread, MedianAbsoluteDeviationOverMedian) {
  // median 3, |x - 3| = 2 1 0 1 97, their median 1
  EXPECT_DOUBLE_EQ(relative_spread(std::vector<double>{1, 2, 3, 4, 100}), 1.0 / 3);
  EXPECT_EQ(relative_spread(std::vector<double>{5, 5, 5}), 0);
  EXPECT_EQ(relative_spread(std::vector<double>{}), 0);
  EXPECT_EQ(relative_spread(std::vector<double>{-1, 0, 1}), 0);  // median 0: undefined
}

TEST(StatisticsNormalQuantile, MatchesScipyNormPpf) {
  // scipy 1.10 norm.ppf(p)
  expect_close(normal_quantile(0.975), 1.959963984540054, 1e-13);
  expect_close(normal_quantile(0.995), 2.5758293035489004, 1e-13);
  expect_close(normal_quantile(0.001), -3.090232306167813, 1e-13);
  expect_close(normal_quantile(1e-10), -6.361340902404056, 1e-12);
  EXPECT_EQ(normal_quantile(0.5), 0);
  EXPECT_TRUE(std::isnan(normal_quantile(2)));
}

}  // namespace
}  // namespace faultline::bench
