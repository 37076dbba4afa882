// bench/report/statistics.h: the statistics behind every verdict. Pure
// functions over samples: no I/O, no global state; every random choice comes
// from the seed passed in, so a comparison replays exactly.
//
//   double m = bench::median(samples);
//   bench::Interval ci = bench::median_interval(samples, 0.95);   // order statistics
//   bench::TestResult t = bench::mann_whitney(old_samples, new_samples);  // two-sided
//   bench::Estimate r = bench::ratio_estimate(old_samples, new_samples, 0.95, seed);
//
// Methods (the choices, and why):
// - median_interval: distribution-free, from the binomial(n, 1/2) order
//   statistics [x(k), x(n+1-k)] with the largest k whose coverage
//   1 - 2 P(B <= k-1) reaches the level; unavailable (with the reason) when n is
//   too small for the level (as benchstat: n >= 6 for 95%).
// - mann_whitney: U statistic of the old sample, two-sided p; exact (the
//   permutation distribution of U, counted by dynamic programming) when there
//   are no ties and n1, n2 <= 50; otherwise the normal approximation with tie
//   correction and continuity correction (scipy's mannwhitneyu, R's wilcox.test).
// - ratio_estimate: Hodges-Lehmann shift of log(new) - log(old) (the median
//   of all pairwise differences), exponentiated. Its interval is the Moses
//   interval, the test inverted as R's wilcox.test(conf.int = TRUE) does: the
//   order statistics [D(k), D(N+1-k)] of the N = n1 n2 sorted differences with
//   k - 1 the Mann-Whitney critical value. The critical value is exact for
//   n1, n2 <= 50 and from the normal approximation beyond. Deterministic and
//   cheap, and consistent with the test: the interval excludes 1 when the exact
//   p < 1 - confidence. Ties do not make it unreliable: the closed interval
//   stays conservative for discrete data (Noether 1967, JASA 62:184), so no
//   bootstrap is needed; `resamples` is unused and kept for the contract. Above
//   kMaxPairs differences a seeded random subset of pairs stands in for all of
//   them (`seed` chooses it), which keeps memory bounded.
// - wilcoxon_signed_rank and paired_ratio_estimate: the paired versions, for
//   runs paired by round (bench ab's ABBA order): Walsh averages of the log
//   ratios, interval from the signed-rank critical value (exact for n <= 30).
// - holm: Holm-Bonferroni adjusted p-values.
// - geomean_ratio: geometric mean of ratios with an interval from the
//   individual intervals (delta method on the log scale).
// Degenerate input never crashes: empty samples, one value, all-identical
// values (p = 1) and non-positive or non-finite values (no ratio: NaN, and the
// interval's why_not says so).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace faultline::bench {

// median: the middle value (the mean of the middle two for an even count);
// NaN for no values or a NaN among them.
double median(std::span<const double> values);

// Interval: a confidence interval, or why there is none.
struct Interval {
  double low = 0;
  double high = 0;
  bool available = false;
  std::string why_not;  // "need >= 6 samples for a 95% interval (have 4)"
};

// median_interval: see the file comment.
Interval median_interval(std::span<const double> values, double confidence);

// TestResult: a two-sided test's outcome.
struct TestResult {
  double statistic = 0;  // U (of the first sample) or W+
  double p_value = 1;
  bool exact = false;
  double smallest_possible_p = 1;  // the best p these sample sizes can give
  std::string method;              // "mann-whitney exact", "mann-whitney normal", ...
};

TestResult mann_whitney(std::span<const double> old_values, std::span<const double> new_values);

// smallest_possible_p_mann_whitney: 2 / C(n1 + n2, n1), capped at 1.
double smallest_possible_p_mann_whitney(std::size_t n1, std::size_t n2);

// smallest_possible_p_signed_rank: 2 / 2^n, capped at 1.
double smallest_possible_p_signed_rank(std::size_t n);

// minimum_samples_per_side: the least equal n per side whose smallest
// possible two-sided p is below alpha (Mann-Whitney: 4 for 0.05; signed-rank
// pairs: 6 for 0.05); 0 when alpha <= 0 can never be reached.
std::size_t minimum_samples_per_side(double alpha, bool paired);

// mann_whitney_critical_value: the largest c with P(U <= c) < alpha / 2, the
// two-sided critical value of published tables (n1 = n2 = 10, alpha 0.05: 23);
// -1 when there is none (too few samples). Exact for n1, n2 <= 50, normal
// approximation with continuity correction beyond.
long mann_whitney_critical_value(std::size_t n1, std::size_t n2, double alpha);

// signed_rank_critical_value: the same for the signed-rank statistic W+ of n
// pairs (n = 10, alpha 0.05: 8); exact for n <= 30.
long signed_rank_critical_value(std::size_t n, double alpha);

// normal_quantile: the standard normal quantile function (Acklam's
// approximation refined by one Halley step; |error| < 1e-13).
double normal_quantile(double p);

// wilcoxon_signed_rank: two-sided test that the differences are centred on 0
// (zeros dropped, exact for n <= 30 without ties, normal approximation otherwise).
TestResult wilcoxon_signed_rank(std::span<const double> differences);

// Estimate: a point estimate with its interval.
struct Estimate {
  double value = 1;
  Interval interval;
};

// kMaxPairs: the most pairwise differences (or Walsh averages) an estimate
// holds in memory; beyond it a seeded random subset of this size stands in.
inline constexpr std::size_t kMaxPairs = std::size_t{1} << 18;

// ratio_estimate: new/old, see the file comment. `seed` picks the pairs
// when there are more than kMaxPairs; `resamples` is unused (see above).
Estimate ratio_estimate(std::span<const double> old_values, std::span<const double> new_values,
                        double confidence, std::uint64_t seed, int resamples = 2000);

// paired_ratio_estimate: pairs (old[i], new[i]); the ratio is exp of the
// Hodges-Lehmann estimate (median of Walsh averages) of log(new[i]/old[i]),
// its interval from the signed-rank critical value; unavailable when the
// pairs are too few for the level (6 for 95%) or the counts differ.
Estimate paired_ratio_estimate(std::span<const double> old_values,
                               std::span<const double> new_values, double confidence,
                               std::uint64_t seed, int resamples = 2000);

// holm: Holm-Bonferroni adjusted p-values, same order as the input.
std::vector<double> holm(std::span<const double> p_values);

// geomean_ratio: the geometric mean of ratios, and an interval combining the
// individual intervals (log-scale standard errors from each interval's width,
// as if normal). Unavailable interval if any input interval is unavailable.
Estimate geomean_ratio(std::span<const Estimate> ratios, double confidence);

// relative_spread: the median absolute deviation over the median
// (a robust coefficient of variation, unscaled), for noise floors; 0 when it
// is undefined (no values, a zero or non-finite median).
double relative_spread(std::span<const double> values);

}  // namespace faultline::bench
