// bench/report/verdict.cpp: one series' statistics (analyse_series) and its
// verdict (decide), as described in comparison.h.
//
//   ratio new/old, band [1/(1+t), 1+t] (lower is better):
//
//        improved      |        unchanged        |      regressed
//   ---[=======]-------|-----[=============]-----|-------[======]---
//                  1/(1+t)         1           1+t
//   an interval that crosses a band edge is inconclusive.
#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "bench/report/comparison.h"

namespace faultline::bench {
namespace {

// append_note adds `text` to a row's note unless it is already there, so
// deciding a row again (after Holm) does not repeat itself.
void append_note(std::string& note, const std::string& text) {
  if (text.empty() || note.find(text) != std::string::npos) return;
  if (!note.empty()) note += "; ";
  note += text;
}

bool paired_sizes(std::span<const double> old_values, std::span<const double> new_values) {
  return !old_values.empty() && old_values.size() == new_values.size();
}

}  // namespace

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::regressed:
      return "regressed";
    case Verdict::improved:
      return "improved";
    case Verdict::unchanged:
      return "unchanged";
    case Verdict::inconclusive:
      return "inconclusive";
  }
  return "inconclusive";
}

Comparison analyse_series(std::span<const double> old_values, std::span<const double> new_values,
                          const SeriesOptions& options) {
  Comparison row;
  row.direction = options.direction;
  row.threshold = options.threshold;
  row.old_values.assign(old_values.begin(), old_values.end());
  row.new_values.assign(new_values.begin(), new_values.end());
  row.old_median = median(old_values);
  row.new_median = median(new_values);
  row.old_median_interval = median_interval(old_values, options.confidence);
  row.new_median_interval = median_interval(new_values, options.confidence);

  row.paired = options.paired && paired_sizes(old_values, new_values);
  if (options.paired && !row.paired) {
    append_note(row.note, fmt::format("pairing needs equal counts ({} vs {}): compared unpaired",
                                      old_values.size(), new_values.size()));
  }

  Estimate ratio;
  TestResult test;
  if (row.paired) {
    ratio = paired_ratio_estimate(old_values, new_values, options.confidence, options.seed,
                                  options.resamples);
    // The test runs on the scale of the estimate (log ratios) when it can.
    const bool logs_defined =
        std::all_of(old_values.begin(), old_values.end(), [](double v) { return v > 0; }) &&
        std::all_of(new_values.begin(), new_values.end(), [](double v) { return v > 0; });
    std::vector<double> differences(old_values.size());
    for (std::size_t i = 0; i < differences.size(); ++i) {
      differences[i] = logs_defined ? std::log(new_values[i]) - std::log(old_values[i])
                                    : new_values[i] - old_values[i];
    }
    test = wilcoxon_signed_rank(differences);
  } else {
    ratio =
        ratio_estimate(old_values, new_values, options.confidence, options.seed, options.resamples);
    test = mann_whitney(old_values, new_values);
  }
  row.ratio = ratio.value;
  row.ci_available = ratio.interval.available;
  row.ci_low = ratio.interval.available ? ratio.interval.low : 0;
  row.ci_high = ratio.interval.available ? ratio.interval.high : 0;
  row.p_value = test.p_value;
  row.p_adjusted = test.p_value;
  row.test = test.method;

  // A reason other than too few samples (decide words that one) is worth keeping.
  const std::size_t needed = minimum_samples_per_side(1 - options.confidence, row.paired);
  const bool enough = old_values.size() >= needed && new_values.size() >= needed;
  if (!ratio.interval.available && (enough || std::isnan(ratio.value))) {
    append_note(row.note, ratio.interval.why_not);
  }
  row.verdict = decide(row, options.alpha);
  return row;
}

Verdict decide(Comparison& row, double alpha) {
  const std::size_t old_count = row.old_values.size();
  const std::size_t new_count = row.new_values.size();
  const bool paired = row.paired && old_count == new_count;
  const double smallest_p = paired ? smallest_possible_p_signed_rank(old_count)
                                   : smallest_possible_p_mann_whitney(old_count, new_count);
  if (!(smallest_p < alpha)) {
    const std::size_t needed = minimum_samples_per_side(alpha, paired);
    append_note(row.note,
                needed == 0
                    ? fmt::format("{} vs {} repetitions: alpha {:g} can never be reached",
                                  old_count, new_count, alpha)
                    : fmt::format("{} vs {} repetitions: the smallest possible p is {:.2g}; need "
                                  "at least {} per side for alpha {:g}",
                                  old_count, new_count, smallest_p, needed, alpha));
    row.verdict = Verdict::inconclusive;
    return row.verdict;
  }
  if (!row.ci_available || !std::isfinite(row.ci_low) || !std::isfinite(row.ci_high) ||
      !std::isfinite(row.ratio)) {
    append_note(row.note, "no confidence interval for the ratio, so no verdict");
    row.verdict = Verdict::inconclusive;
    return row.verdict;
  }

  const double t = std::max(0.0, std::isfinite(row.threshold) ? row.threshold : 0.0);
  const double upper = 1 + t;
  const double lower = 1 / (1 + t);
  const bool significant = row.p_adjusted < alpha;  // false for NaN
  const bool above = row.ci_low > upper;            // new is larger, beyond the band
  const bool below = row.ci_high < lower;           // new is smaller, beyond the band
  const bool lower_is_better = row.direction == Direction::lower_is_better;

  if (significant && above) {
    row.verdict = lower_is_better ? Verdict::regressed : Verdict::improved;
  } else if (significant && below) {
    row.verdict = lower_is_better ? Verdict::improved : Verdict::regressed;
  } else if (row.ci_low >= lower && row.ci_high <= upper) {
    row.verdict = Verdict::unchanged;
  } else {
    row.verdict = Verdict::inconclusive;
  }
  return row.verdict;
}

}  // namespace faultline::bench
