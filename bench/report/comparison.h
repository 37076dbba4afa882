// bench/report/comparison.h: comparing two benchmark reports: one row per
// benchmark and metric, a verdict per row, and the summary across rows.
//
//   bench::CompareOptions options;                 // alpha 0.05, threshold 5%
//   auto old_report = bench::read_reports({"old.json"});
//   auto new_report = bench::read_reports({"new.json"});
//   bench::ComparisonReport r = bench::compare_reports(*old_report, *new_report, options);
//   if (r.count(bench::Verdict::regressed) > 0) ...
//
// Verdicts, exactly four:
//   regressed / improved: the (Holm-adjusted) p < alpha AND the ratio's whole
//       interval lies beyond the threshold in the worse / better direction;
//   unchanged: the ratio's whole interval lies inside the threshold;
//   inconclusive: anything else, including too few samples (said in words).
// The threshold band is [1/(1+t), 1+t] on the ratio new/old (symmetric on the
// log scale); t is max(--threshold, the benchmark's noise floor).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "bench/report/benchmark_data.h"
#include "bench/report/statistics.h"

namespace faultline::bench {

enum class Verdict { regressed, improved, unchanged, inconclusive };

std::string_view verdict_name(Verdict verdict);

// SeriesOptions: how one pair of samples is judged.
struct SeriesOptions {
  double alpha = 0.05;
  double threshold = 0.05;  // relative, already max(threshold, noise floor)
  double confidence = 0.95;
  Direction direction = Direction::lower_is_better;
  std::uint64_t seed = 1;
  int resamples = 2000;
  bool paired = false;  // old[i] and new[i] are one round: signed-rank test
};

// Comparison: one benchmark, one metric.
struct Comparison {
  std::string name;
  std::string metric;
  std::string unit;
  Direction direction = Direction::lower_is_better;
  std::vector<double> old_values;
  std::vector<double> new_values;
  double old_median = 0;
  double new_median = 0;
  Interval old_median_interval;
  Interval new_median_interval;
  double ratio = 1;  // new / old (Hodges-Lehmann), NaN when it cannot be computed
  double ci_low = 0;
  double ci_high = 0;
  bool ci_available = false;
  double p_value = 1;     // raw, two-sided
  double p_adjusted = 1;  // after Holm across the report's rows
  std::string test;       // "mann-whitney exact", "wilcoxon signed-rank", ...
  bool paired = false;
  double threshold = 0.05;
  double noise_floor = 0;  // from --noise-floor, 0 when none
  bool gated = true;       // false: shown, but never fails the run (config)
  Verdict verdict = Verdict::inconclusive;
  std::string note;  // why inconclusive, in words; warnings about this row
};

// analyse_series fills every field of a Comparison from two samples except
// name/metric/unit/noise_floor/gated, with p_adjusted = p_value and the
// verdict decided on that; a report then adjusts p and decides again.
Comparison analyse_series(std::span<const double> old_values, std::span<const double> new_values,
                          const SeriesOptions& options);

// decide: the verdict from p_adjusted, the interval and the threshold; sets
// `note` when the samples are too few to reach alpha ("2 vs 2 repetitions:
// the smallest possible p is 0.33; need at least 4 per side for alpha 0.05").
Verdict decide(Comparison& row, double alpha);

// MetricRule: a config file's per-glob override.
struct MetricRule {
  std::string glob;  // over benchmark names, `*` and `?`
  std::optional<Direction> direction;
  std::optional<double> threshold;
  std::optional<bool> gated;
};

// CompareOptions: everything `faultline bench compare` takes.
struct CompareOptions {
  std::vector<std::string> metrics{"real_time"};  // real_time, cpu_time or a counter name
  double alpha = 0.05;
  double threshold = 0.05;
  double confidence = 0.95;
  std::uint64_t seed = 1;
  int resamples = 2000;
  std::optional<std::regex> filter;  // benchmarks whose name matches (search)
  std::string filter_text;
  std::vector<MetricRule> rules;                           // first match wins
  std::map<std::string, double, std::less<>> noise_floor;  // benchmark name -> relative spread
  bool paired = false;  // pair by round where both sides have rounds
  // rounds_as_units: where both sides recorded rounds (bench run), each
  // round's median is one sample, not each repetition (time metrics).
  bool rounds_as_units = true;
  bool holm = true;
};

// GeomeanSummary: across matched rows of one metric.
struct GeomeanSummary {
  std::string metric;
  std::size_t count = 0;
  Estimate ratio;
};

// ContextDifference: a field that differs between the sides ("host_name").
struct ContextDifference {
  std::string field;
  std::string old_value;
  std::string new_value;
};

// ComparisonReport: the whole comparison, what every output renders.
struct ComparisonReport {
  static constexpr int kVersion = 1;
  std::string old_label;  // what the user passed ("old.json", "a1b2c3d")
  std::string new_label;
  std::string mode = "reports";  // "reports", "filters" (two benchmarks of one report), "ab"
  double alpha = 0.05;
  double threshold = 0.05;
  double confidence = 0.95;
  std::string multiple_comparisons = "holm";  // or "none"
  std::vector<Comparison> rows;
  std::vector<std::string> added;    // on the new side only
  std::vector<std::string> removed;  // on the old side only
  std::vector<GeomeanSummary> geomeans;
  std::vector<ContextDifference> context_differences;
  std::vector<std::string> notes;  // e.g. the libbenchmark build type, Holm stated
  std::vector<std::string> warnings;
  RunContext old_context;  // the first file's, for the header
  RunContext new_context;

  std::size_t count(Verdict verdict) const;
  // gated_regressions: rows that regressed and are gated.
  std::size_t gated_regressions() const;
};

// compare_reports: see the file comment. Benchmarks are matched by name;
// `added`/`removed` list the rest.
ComparisonReport compare_reports(const Report& old_report, const Report& new_report,
                                 const CompareOptions& options);

// compare_filters: compare.py's "filters" mode: benchmarks of one report
// matching `old_filter` against those matching `new_filter`, matched by the
// name with the matching part removed (BM_Parse_Raw/16 vs BM_Parse_Wrapper/16
// -> "BM_Parse_[Raw vs Wrapper]/16").
ComparisonReport compare_filters(const Report& report, const std::regex& old_filter,
                                 const std::regex& new_filter, const CompareOptions& options);

// context_differences: host, CPU count, build type, CPU scaling, library
// build type; empty when they agree.
std::vector<ContextDifference> context_differences(const Report& old_report,
                                                   const Report& new_report);

// glob_match: `*` any run, `?` one character.
bool glob_match(std::string_view glob, std::string_view text);

}  // namespace faultline::bench
