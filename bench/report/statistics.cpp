// bench/report/statistics.cpp: the statistics behind every verdict (see
// statistics.h for the methods and why they were chosen).
#include "bench/report/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <random>

#include <fmt/format.h>

namespace faultline::bench {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Above these sizes the exact distributions give way to the normal
// approximation (the counting tables grow with n1 * n2 * U).
constexpr std::size_t kExactMannWhitneyMax = 50;
constexpr std::size_t kExactSignedRankMax = 30;

bool all_finite(std::span<const double> values) {
  return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

bool all_positive_finite(std::span<const double> values) {
  return std::all_of(values.begin(), values.end(),
                     [](double v) { return std::isfinite(v) && v > 0; });
}

bool valid_level(double level) {
  return level > 0 && level < 1;
}

std::string percent(double confidence) {
  return fmt::format("{:g}%", confidence * 100);
}

// median_of_sorted: the middle of an already sorted range.
double median_of_sorted(std::span<const double> sorted) {
  const std::size_t n = sorted.size();
  if (n == 0) return kNaN;
  if (n % 2 == 1) return sorted[n / 2];
  return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

// binomial_coefficient: C(n, k) as a double (inf beyond ~1e308).
double binomial_coefficient(std::size_t n, std::size_t k) {
  if (k > n) return 0;
  k = std::min(k, n - k);
  double result = 1;
  for (std::size_t i = 1; i <= k; ++i) {
    result = result * static_cast<double>(n - k + i) / static_cast<double>(i);
  }
  return result;
}

// binomial_half_cdf: P(B <= j) for B ~ binomial(n, 1/2), in log space so any
// n works.
double binomial_half_cdf(std::size_t j, std::size_t n) {
  if (j >= n) return 1;
  const double log_half_n = static_cast<double>(n) * std::log(0.5);
  const double log_n_factorial = std::lgamma(static_cast<double>(n) + 1);
  double sum = 0;
  for (std::size_t i = 0; i <= j; ++i) {
    sum += std::exp(log_n_factorial - std::lgamma(static_cast<double>(i) + 1) -
                    std::lgamma(static_cast<double>(n - i) + 1) + log_half_n);
  }
  return std::min(sum, 1.0);
}

double normal_upper_tail(double z) {
  return 0.5 * std::erfc(z / std::numbers::sqrt2);
}

// Ranks: midranks of a sample (1-based) and the tie term sum(t^3 - t) over
// groups of t tied values.
struct Ranks {
  std::vector<double> rank;
  double tie_term = 0;
};

Ranks midranks(std::span<const double> values) {
  const std::size_t n = values.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  Ranks ranks;
  ranks.rank.assign(n, 0);
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i + 1;
    while (j < n && values[order[j]] == values[order[i]])
      ++j;
    const double shared = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k)
      ranks.rank[order[k]] = shared;
    const double t = static_cast<double>(j - i);
    ranks.tie_term += t * t * t - t;
    i = j;
  }
  return ranks;
}

// mann_whitney_counts: counts[u], u <= u_max, is the number of orderings of
// n1 + n2 distinct values in which U (pairs with the first sample's value
// above the second's) equals u: the coefficients of the Gaussian binomial
//   [n1 + n2 choose n1]_q = prod_{i=1..k} (1 - q^(m+i)) / (1 - q^i),
// k = min(n1, n2), m = max(n1, n2), built one factor at a time (multiply,
// then divide by (1 - q^i) as a running sum). Every partial product is itself
// a Gaussian binomial with non-negative coefficients no larger than the final
// ones at the same index, so the small tail counts stay accurate; and nothing
// above u_max ever reaches below it, so truncating there is exact.
// Cost 2 k u_max (the textbook recurrence over both sizes costs n1 n2 u_max).
std::vector<double> mann_whitney_counts(std::size_t n1, std::size_t n2, std::size_t u_max) {
  const std::size_t k = std::min(n1, n2);
  const std::size_t m = std::max(n1, n2);
  std::vector<double> counts(u_max + 1, 0.0);
  counts[0] = 1;
  double* c = counts.data();
  for (std::size_t i = 1; i <= k; ++i) {
    const std::size_t step = m + i;
    for (std::size_t u = u_max; u >= step && u <= u_max; --u)
      c[u] -= c[u - step];
    for (std::size_t u = i; u <= u_max; ++u)
      c[u] += c[u - i];
  }
  return counts;
}

// signed_rank_counts: counts[w], w <= w_max, is the number of subsets of
// {1..n} summing to w (the null distribution of W+ times 2^n).
std::vector<double> signed_rank_counts(std::size_t n, std::size_t w_max) {
  std::vector<double> counts(w_max + 1, 0.0);
  counts[0] = 1;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t w = w_max; w >= i && w <= w_max; --w)
      counts[w] += counts[w - i];
  }
  return counts;
}

// lower_tail_critical: the largest c with counts[0..c] / total < alpha / 2,
// or -1.
long lower_tail_critical(const std::vector<double>& counts, double total, double alpha) {
  long critical = -1;
  double cumulative = 0;
  for (std::size_t u = 0; u < counts.size(); ++u) {
    cumulative += counts[u];
    if (cumulative / total < alpha / 2) {
      critical = static_cast<long>(u);
    } else {
      break;
    }
  }
  return critical;
}

// normal_critical: the largest integer c with
// Phi((c + 0.5 - mean) / sd) < alpha / 2, or -1.
long normal_critical(double mean, double sd, double alpha) {
  const double z = normal_quantile(1 - alpha / 2);
  const double bound = mean - z * sd - 0.5;
  const double critical = std::ceil(bound) - 1;
  return critical < 0 ? -1 : static_cast<long>(critical);
}

// PairValues: the values over every index pair (pairwise differences or
// Walsh averages), or a seeded random kMaxPairs of them when there are more;
// `total` is the full count, for mapping order statistics onto the subset.
// Order statistics are selected (nth_element), never fully sorted.
struct PairValues {
  std::vector<double> values;
  std::size_t total = 0;
};

// select: the value at `index` (0-based) had `values` been sorted.
double select(std::vector<double>& values, std::size_t index) {
  const auto nth = values.begin() + static_cast<std::ptrdiff_t>(index);
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

// order_statistic: the k-th smallest (1-based) of all `total` pair values,
// read off the (possibly subsampled) values.
double order_statistic(PairValues& pairs, std::size_t k) {
  const std::size_t m = pairs.values.size();
  if (m == pairs.total) return select(pairs.values, k - 1);
  const double fraction = (static_cast<double>(k) - 0.5) / static_cast<double>(pairs.total);
  return select(pairs.values,
                std::min(static_cast<std::size_t>(fraction * static_cast<double>(m)), m - 1));
}

// median_of_pairs: the median of the (possibly subsampled) values.
double median_of_pairs(PairValues& pairs) {
  const std::size_t m = pairs.values.size();
  if (m == 0) return kNaN;
  const double upper = select(pairs.values, m / 2);
  if (m % 2 == 1) return upper;
  // After selecting the upper middle, the lower middle is the largest below it.
  const auto middle = pairs.values.begin() + static_cast<std::ptrdiff_t>(m / 2);
  return (*std::max_element(pairs.values.begin(), middle) + upper) / 2;
}

// log_order_interval: [D(k), D(total+1-k)] with k = critical + 1, exponentiated.
Interval log_order_interval(PairValues& pairs, long critical) {
  Interval interval;
  const auto k = static_cast<std::size_t>(critical + 1);
  interval.low = std::exp(order_statistic(pairs, k));
  interval.high = std::exp(order_statistic(pairs, pairs.total + 1 - k));
  interval.available = true;
  return interval;
}

std::vector<double> logs(std::span<const double> values) {
  std::vector<double> out(values.size());
  std::transform(values.begin(), values.end(), out.begin(), [](double v) { return std::log(v); });
  return out;
}

// uniform_index: a value in [0, n) from the generator (bias < n / 2^64).
std::size_t uniform_index(std::mt19937_64& generator, std::size_t n) {
  return static_cast<std::size_t>(generator() % n);
}

// positive_values_problem: why a ratio cannot be formed from these samples,
// or "" when it can.
std::string positive_values_problem(std::span<const double> old_values,
                                    std::span<const double> new_values) {
  if (old_values.empty() || new_values.empty()) {
    return fmt::format("no ratio without samples on both sides ({} vs {})", old_values.size(),
                       new_values.size());
  }
  for (const auto& [side, values] : {std::pair{"old", old_values}, std::pair{"new", new_values}}) {
    if (!all_positive_finite(values)) {
      return fmt::format(
          "the ratio is computed on the log scale and needs positive finite values; the {} side "
          "has a zero, negative or non-finite value",
          side);
    }
  }
  return "";
}

}  // namespace

double median(std::span<const double> values) {
  if (values.empty()) return kNaN;
  if (std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); })) {
    return kNaN;
  }
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  return median_of_sorted(sorted);
}

Interval median_interval(std::span<const double> values, double confidence) {
  Interval interval;
  if (!valid_level(confidence)) {
    interval.why_not = fmt::format("confidence must be between 0 and 1 (got {:g})", confidence);
    return interval;
  }
  if (!all_finite(values)) {
    interval.why_not = "no median interval: the samples hold a non-finite value";
    return interval;
  }
  // The widest interval [x(1), x(n)] covers with 1 - 2 / 2^n.
  const std::size_t n = values.size();
  std::size_t needed = 1;
  while (needed < 1100 && 1 - std::ldexp(1.0, 1 - static_cast<int>(needed)) < confidence) {
    ++needed;
  }
  if (n < needed) {
    interval.why_not = fmt::format("need >= {} samples for a {} interval (have {})", needed,
                                   percent(confidence), n);
    return interval;
  }
  std::size_t k = 1;
  while (k + 1 <= (n + 1) / 2 && 1 - 2 * binomial_half_cdf(k, n) >= confidence)
    ++k;
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  interval.low = sorted[k - 1];
  interval.high = sorted[n - k];
  interval.available = true;
  return interval;
}

double smallest_possible_p_mann_whitney(std::size_t n1, std::size_t n2) {
  return std::min(1.0, 2 / binomial_coefficient(n1 + n2, n1));
}

double smallest_possible_p_signed_rank(std::size_t n) {
  return std::min(1.0, std::ldexp(1.0, 1 - static_cast<int>(std::min<std::size_t>(n, 4000))));
}

std::size_t minimum_samples_per_side(double alpha, bool paired) {
  if (!(alpha > 0)) return 0;
  for (std::size_t n = 1;; ++n) {
    const double p =
        paired ? smallest_possible_p_signed_rank(n) : smallest_possible_p_mann_whitney(n, n);
    if (p < alpha) return n;
  }
}

long mann_whitney_critical_value(std::size_t n1, std::size_t n2, double alpha) {
  if (n1 == 0 || n2 == 0 || !valid_level(alpha)) return -1;
  const double product = static_cast<double>(n1) * static_cast<double>(n2);
  if (n1 > kExactMannWhitneyMax || n2 > kExactMannWhitneyMax) {
    const double sd = std::sqrt(product * static_cast<double>(n1 + n2 + 1) / 12);
    return normal_critical(product / 2, sd, alpha);
  }
  const std::vector<double> counts = mann_whitney_counts(n1, n2, n1 * n2 / 2);
  return lower_tail_critical(counts, binomial_coefficient(n1 + n2, n1), alpha);
}

long signed_rank_critical_value(std::size_t n, double alpha) {
  if (n == 0 || !valid_level(alpha)) return -1;
  const std::size_t total_rank = n * (n + 1) / 2;
  if (n > kExactSignedRankMax) {
    const double nd = static_cast<double>(n);
    const double sd = std::sqrt(nd * (nd + 1) * (2 * nd + 1) / 24);
    return normal_critical(static_cast<double>(total_rank) / 2, sd, alpha);
  }
  const std::vector<double> counts = signed_rank_counts(n, total_rank / 2);
  return lower_tail_critical(counts, std::ldexp(1.0, static_cast<int>(n)), alpha);
}

double normal_quantile(double p) {
  if (std::isnan(p) || p < 0 || p > 1) return kNaN;
  if (p == 0) return -std::numeric_limits<double>::infinity();
  if (p == 1) return std::numeric_limits<double>::infinity();
  // Acklam's rational approximations, central region and tails.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  double x = 0;
  if (p < kLow) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - kLow) {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // One Halley step against erfc brings it to full double precision.
  const double error = 0.5 * std::erfc(-x / std::numbers::sqrt2) - p;
  const double u = error * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

TestResult mann_whitney(std::span<const double> old_values, std::span<const double> new_values) {
  TestResult result;
  const std::size_t n1 = old_values.size();
  const std::size_t n2 = new_values.size();
  result.smallest_possible_p = smallest_possible_p_mann_whitney(n1, n2);
  if (n1 == 0 || n2 == 0) {
    result.method = "mann-whitney: no test without samples on both sides";
    return result;
  }
  if (!all_finite(old_values) || !all_finite(new_values)) {
    result.method = "mann-whitney: no test with non-finite values";
    return result;
  }
  std::vector<double> combined(old_values.begin(), old_values.end());
  combined.insert(combined.end(), new_values.begin(), new_values.end());
  const Ranks ranks = midranks(combined);
  const double old_rank_sum = std::accumulate(ranks.rank.begin(), ranks.rank.begin() + n1, 0.0);
  const double n1d = static_cast<double>(n1);
  const double product = n1d * static_cast<double>(n2);
  const double u = old_rank_sum - n1d * (n1d + 1) / 2;
  result.statistic = u;
  if (ranks.tie_term == 0 && n1 <= kExactMannWhitneyMax && n2 <= kExactMannWhitneyMax) {
    // Without ties U is an integer; the two tails are mirror images.
    const auto lower = static_cast<std::size_t>(std::llround(std::min(u, product - u)));
    const std::vector<double> counts = mann_whitney_counts(n1, n2, lower);
    const double tail = std::accumulate(counts.begin(), counts.end(), 0.0);
    result.p_value = std::min(1.0, 2 * tail / binomial_coefficient(n1 + n2, n1));
    result.exact = true;
    result.method = "mann-whitney exact";
    return result;
  }
  const double n = static_cast<double>(n1 + n2);
  const double variance = product / 12 * ((n + 1) - ranks.tie_term / (n * (n - 1)));
  result.method = "mann-whitney normal";
  if (!(variance > 0)) return result;  // every value equal: no evidence either way
  const double z = (std::abs(u - product / 2) - 0.5) / std::sqrt(variance);
  result.p_value = std::min(1.0, 2 * normal_upper_tail(z));
  return result;
}

TestResult wilcoxon_signed_rank(std::span<const double> differences) {
  TestResult result;
  if (!all_finite(differences)) {
    result.method = "wilcoxon signed-rank: no test with non-finite differences";
    return result;
  }
  std::vector<double> nonzero;
  std::vector<double> magnitudes;
  for (double d : differences) {
    if (d == 0) continue;
    nonzero.push_back(d);
    magnitudes.push_back(std::abs(d));
  }
  const std::size_t n = nonzero.size();
  result.smallest_possible_p = smallest_possible_p_signed_rank(n);
  if (n == 0) {
    result.method = "wilcoxon signed-rank: no nonzero differences";
    return result;
  }
  const Ranks ranks = midranks(magnitudes);
  double positive_rank_sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (nonzero[i] > 0) positive_rank_sum += ranks.rank[i];
  }
  result.statistic = positive_rank_sum;
  const double nd = static_cast<double>(n);
  const double total_rank = nd * (nd + 1) / 2;
  if (ranks.tie_term == 0 && n <= kExactSignedRankMax) {
    const auto lower = static_cast<std::size_t>(
        std::llround(std::min(positive_rank_sum, total_rank - positive_rank_sum)));
    const std::vector<double> counts = signed_rank_counts(n, lower);
    const double tail = std::accumulate(counts.begin(), counts.end(), 0.0);
    result.p_value = std::min(1.0, 2 * tail / std::ldexp(1.0, static_cast<int>(n)));
    result.exact = true;
    result.method = "wilcoxon signed-rank exact";
    return result;
  }
  const double variance = nd * (nd + 1) * (2 * nd + 1) / 24 - ranks.tie_term / 48;
  result.method = "wilcoxon signed-rank normal";
  if (!(variance > 0)) return result;
  const double z = (std::abs(positive_rank_sum - total_rank / 2) - 0.5) / std::sqrt(variance);
  result.p_value = std::min(1.0, 2 * normal_upper_tail(z));
  return result;
}

Estimate ratio_estimate(std::span<const double> old_values, std::span<const double> new_values,
                        double confidence, std::uint64_t seed, int /*resamples*/) {
  Estimate estimate;
  estimate.value = kNaN;
  if (std::string problem = positive_values_problem(old_values, new_values); !problem.empty()) {
    estimate.interval.why_not = std::move(problem);
    return estimate;
  }
  const std::vector<double> old_logs = logs(old_values);
  const std::vector<double> new_logs = logs(new_values);
  const std::size_t n1 = old_logs.size();
  const std::size_t n2 = new_logs.size();
  PairValues differences;
  differences.total = n1 * n2;
  if (differences.total <= kMaxPairs) {
    differences.values.reserve(differences.total);
    for (double o : old_logs) {
      for (double n : new_logs)
        differences.values.push_back(n - o);
    }
  } else {
    std::mt19937_64 generator(seed);
    differences.values.resize(kMaxPairs);
    for (double& d : differences.values) {
      d = new_logs[uniform_index(generator, n2)] - old_logs[uniform_index(generator, n1)];
    }
  }
  estimate.value = std::exp(median_of_pairs(differences));

  if (!valid_level(confidence)) {
    estimate.interval.why_not =
        fmt::format("confidence must be between 0 and 1 (got {:g})", confidence);
    return estimate;
  }
  const long critical = mann_whitney_critical_value(n1, n2, 1 - confidence);
  if (critical < 0) {
    estimate.interval.why_not =
        fmt::format("{} vs {} samples are too few for a {} interval; need >= {} per side", n1, n2,
                    percent(confidence), minimum_samples_per_side(1 - confidence, false));
    return estimate;
  }
  estimate.interval = log_order_interval(differences, critical);
  return estimate;
}

Estimate paired_ratio_estimate(std::span<const double> old_values,
                               std::span<const double> new_values, double confidence,
                               std::uint64_t seed, int /*resamples*/) {
  Estimate estimate;
  estimate.value = kNaN;
  if (old_values.size() != new_values.size()) {
    estimate.interval.why_not = fmt::format("a paired estimate needs equal counts (have {} and {})",
                                            old_values.size(), new_values.size());
    return estimate;
  }
  if (std::string problem = positive_values_problem(old_values, new_values); !problem.empty()) {
    estimate.interval.why_not = std::move(problem);
    return estimate;
  }
  const std::size_t n = old_values.size();
  std::vector<double> log_ratios(n);
  for (std::size_t i = 0; i < n; ++i) {
    log_ratios[i] = std::log(new_values[i]) - std::log(old_values[i]);
  }
  // Walsh averages (d[i] + d[j]) / 2 over i <= j.
  PairValues averages;
  averages.total = n * (n + 1) / 2;
  if (averages.total <= kMaxPairs) {
    averages.values.reserve(averages.total);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = i; j < n; ++j)
        averages.values.push_back((log_ratios[i] + log_ratios[j]) / 2);
    }
  } else {
    std::mt19937_64 generator(seed);
    averages.values.resize(kMaxPairs);
    for (double& a : averages.values) {
      std::size_t i = uniform_index(generator, n);
      std::size_t j = uniform_index(generator, n);
      a = (log_ratios[i] + log_ratios[j]) / 2;
    }
  }
  estimate.value = std::exp(median_of_pairs(averages));

  if (!valid_level(confidence)) {
    estimate.interval.why_not =
        fmt::format("confidence must be between 0 and 1 (got {:g})", confidence);
    return estimate;
  }
  const long critical = signed_rank_critical_value(n, 1 - confidence);
  if (critical < 0) {
    estimate.interval.why_not =
        fmt::format("{} pairs are too few for a {} interval; need >= {}", n, percent(confidence),
                    minimum_samples_per_side(1 - confidence, true));
    return estimate;
  }
  estimate.interval = log_order_interval(averages, critical);
  return estimate;
}

std::vector<double> holm(std::span<const double> p_values) {
  const std::size_t m = p_values.size();
  std::vector<double> p(p_values.begin(), p_values.end());
  for (double& value : p) {
    if (std::isnan(value)) value = 1;
    value = std::clamp(value, 0.0, 1.0);
  }
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  std::vector<double> adjusted(m, 1.0);
  double running = 0;
  for (std::size_t rank = 0; rank < m; ++rank) {
    const double scaled = std::min(1.0, static_cast<double>(m - rank) * p[order[rank]]);
    running = std::max(running, scaled);
    adjusted[order[rank]] = running;
  }
  return adjusted;
}

Estimate geomean_ratio(std::span<const Estimate> ratios, double confidence) {
  Estimate estimate;
  estimate.value = kNaN;
  if (ratios.empty()) {
    estimate.interval.why_not = "no ratios to combine";
    return estimate;
  }
  double log_sum = 0;
  for (const Estimate& r : ratios) {
    if (!(std::isfinite(r.value) && r.value > 0)) {
      estimate.interval.why_not = "a ratio is missing or not positive";
      return estimate;
    }
    log_sum += std::log(r.value);
  }
  const double count = static_cast<double>(ratios.size());
  const double log_mean = log_sum / count;
  estimate.value = std::exp(log_mean);
  if (!valid_level(confidence)) {
    estimate.interval.why_not =
        fmt::format("confidence must be between 0 and 1 (got {:g})", confidence);
    return estimate;
  }
  // Each interval read as log ratio +- z * se; the mean's se combines them.
  const double z = normal_quantile(0.5 + confidence / 2);
  double variance_sum = 0;
  for (const Estimate& r : ratios) {
    const Interval& i = r.interval;
    if (!i.available || !(i.low > 0) || !(i.high >= i.low) || !std::isfinite(i.high)) {
      estimate.interval.why_not = "an input interval is unavailable";
      return estimate;
    }
    const double se = (std::log(i.high) - std::log(i.low)) / (2 * z);
    variance_sum += se * se;
  }
  const double se_mean = std::sqrt(variance_sum) / count;
  estimate.interval.low = std::exp(log_mean - z * se_mean);
  estimate.interval.high = std::exp(log_mean + z * se_mean);
  estimate.interval.available = true;
  return estimate;
}

double relative_spread(std::span<const double> values) {
  const double center = median(values);
  if (!std::isfinite(center) || center == 0) return 0;
  std::vector<double> deviations(values.size());
  std::transform(values.begin(), values.end(), deviations.begin(),
                 [center](double v) { return std::abs(v - center); });
  const double mad = median(deviations);
  return std::isfinite(mad) ? mad / std::abs(center) : 0;
}

}  // namespace faultline::bench
