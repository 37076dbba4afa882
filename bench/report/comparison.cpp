// bench/report/comparison.cpp: matching two reports' benchmarks, one row per
// benchmark and metric, Holm across rows, geomeans, context differences.
#include "bench/report/comparison.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/core.h>

namespace faultline::bench {
namespace {

// stable_hash: FNV-1a, so a row's bootstrap seed depends on its name and
// metric, not on where it sits in the report.
std::uint64_t stable_hash(std::string_view text, std::uint64_t seed) {
  std::uint64_t hash = 1469598103934665603ULL ^ seed;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

const MetricRule* rule_for(const CompareOptions& options, std::string_view name) {
  for (const MetricRule& rule : options.rules) {
    if (glob_match(rule.glob, name)) return &rule;
  }
  return nullptr;
}

// RoundSamples: a series folded to one value per round (the round's median).
std::map<int, double> per_round_medians(const MetricSeries& series) {
  std::map<int, std::vector<double>> by_round;
  for (std::size_t i = 0; i < series.values.size() && i < series.rounds.size(); ++i) {
    by_round[series.rounds[i]].push_back(series.values[i]);
  }
  std::map<int, double> medians;
  for (auto& [round, values] : by_round)
    medians[round] = median(values);
  return medians;
}

bool has_rounds(const MetricSeries& series) {
  return !series.rounds.empty() && series.rounds.size() == series.values.size();
}

// RowInput: what one row compares, before the statistics.
struct RowInput {
  std::string name;
  std::string metric;
  const MetricSeries* old_series = nullptr;
  const MetricSeries* new_series = nullptr;
};

Comparison compare_row(const RowInput& input, const CompareOptions& options) {
  const MetricRule* rule = rule_for(options, input.name);
  SeriesOptions series;
  series.alpha = options.alpha;
  series.confidence = options.confidence;
  series.direction = default_direction(input.metric);
  if (rule != nullptr && rule->direction) series.direction = *rule->direction;
  double threshold = options.threshold;
  if (rule != nullptr && rule->threshold) threshold = *rule->threshold;
  double noise_floor = 0;
  if (auto found = options.noise_floor.find(input.name); found != options.noise_floor.end()) {
    noise_floor = found->second;
  }
  series.threshold = std::max(threshold, noise_floor);
  series.seed = stable_hash(input.name + "\n" + input.metric, options.seed);
  series.resamples = options.resamples;

  std::vector<double> old_values = input.old_series->values;
  std::vector<double> new_values = input.new_series->values;
  std::string pairing_note;
  if (options.paired) {
    if (has_rounds(*input.old_series) && has_rounds(*input.new_series)) {
      const auto old_rounds = per_round_medians(*input.old_series);
      const auto new_rounds = per_round_medians(*input.new_series);
      std::vector<double> paired_old;
      std::vector<double> paired_new;
      for (const auto& [round, value] : old_rounds) {
        if (auto other = new_rounds.find(round); other != new_rounds.end()) {
          paired_old.push_back(value);
          paired_new.push_back(other->second);
        }
      }
      if (paired_old.size() >= 2) {
        old_values = std::move(paired_old);
        new_values = std::move(paired_new);
        series.paired = true;
      } else {
        pairing_note =
            fmt::format("{} round(s) on both sides: compared unpaired", paired_old.size());
      }
    } else {
      pairing_note = "no rounds recorded on both sides: compared unpaired";
    }
  }

  // Repetitions inside one process share its memory layout, clock and
  // neighbours: they are not independent samples of what varies from one
  // process to the next. When both sides recorded rounds (one process each),
  // each round's median is one sample. Instruction counts do not vary
  // between processes, so their repetitions stay the samples.
  bool per_round = false;
  if (!series.paired && options.rounds_as_units && input.metric != "instructions" &&
      has_rounds(*input.old_series) && has_rounds(*input.new_series)) {
    const auto old_rounds = per_round_medians(*input.old_series);
    const auto new_rounds = per_round_medians(*input.new_series);
    if (old_rounds.size() < old_values.size() || new_rounds.size() < new_values.size()) {
      old_values.clear();
      new_values.clear();
      for (const auto& [round, value] : old_rounds)
        old_values.push_back(value);
      for (const auto& [round, value] : new_rounds)
        new_values.push_back(value);
      per_round = true;
      pairing_note = fmt::format(
          "{} vs {} rounds compared: each round's median is one sample (repetitions inside one "
          "process are not independent; more rounds, not more repetitions, narrow this)",
          old_values.size(), new_values.size());
    }
  }

  Comparison row = analyse_series(old_values, new_values, series);
  row.name = input.name;
  row.metric = input.metric;
  row.unit = input.new_series->unit.empty() ? input.old_series->unit : input.new_series->unit;
  row.noise_floor = noise_floor;
  if (rule != nullptr && rule->gated) row.gated = *rule->gated;
  if (series.paired || per_round) {
    // Plots and medians show every sample; the test ran on the round medians.
    row.old_values = input.old_series->values;
    row.new_values = input.new_series->values;
  }
  auto add_note = [&row](const std::string& text) {
    if (text.empty()) return;
    row.note = row.note.empty() ? text : row.note + "; " + text;
  };
  add_note(pairing_note);
  if (input.old_series->from_aggregates || input.new_series->from_aggregates) {
    add_note("aggregates only on one side: each value is a mean of repetitions");
  }
  return row;
}

// apply_holm adjusts every row's p and decides its verdict again.
void adjust_and_decide(ComparisonReport& report, const CompareOptions& options) {
  std::vector<double> p_values;
  p_values.reserve(report.rows.size());
  for (const Comparison& row : report.rows)
    p_values.push_back(row.p_value);
  std::vector<double> adjusted = options.holm ? holm(p_values) : p_values;
  for (std::size_t i = 0; i < report.rows.size(); ++i) {
    Comparison& row = report.rows[i];
    row.p_adjusted = adjusted[i];
    row.verdict = decide(row, options.alpha);
    // Significant alone, not after the adjustment: say what would settle it.
    const std::size_t m = report.rows.size();
    if (row.verdict == Verdict::inconclusive && row.p_value < options.alpha &&
        row.p_adjusted >= options.alpha && !row.paired &&
        smallest_possible_p_mann_whitney(row.old_values.size(), row.new_values.size()) *
                static_cast<double>(m) >=
            options.alpha) {
      std::size_t n = 2;
      while (n < 60 &&
             smallest_possible_p_mann_whitney(n, n) * static_cast<double>(m) >= options.alpha) {
        ++n;
      }
      const std::string text = fmt::format(
          "p {:.2g} alone (the smallest {} vs {} repetitions allow is {:.2g}), {:.2g} after Holm "
          "across {} comparisons; {} per side can reach alpha {:g}",
          row.p_value, row.old_values.size(), row.new_values.size(),
          smallest_possible_p_mann_whitney(row.old_values.size(), row.new_values.size()),
          row.p_adjusted, m, n, options.alpha);
      row.note = row.note.empty() ? text : row.note + "; " + text;
    }
  }
  // The outputs state the adjustment (multiple_comparisons) in their header.
}

void summarise(ComparisonReport& report) {
  std::map<std::string, std::vector<Estimate>> by_metric;
  for (const Comparison& row : report.rows) {
    if (!std::isfinite(row.ratio) || row.ratio <= 0) continue;
    Estimate estimate;
    estimate.value = row.ratio;
    estimate.interval.available = row.ci_available;
    estimate.interval.low = row.ci_low;
    estimate.interval.high = row.ci_high;
    by_metric[row.metric].push_back(estimate);
  }
  for (auto& [metric, estimates] : by_metric) {
    GeomeanSummary summary;
    summary.metric = metric;
    summary.count = estimates.size();
    summary.ratio = geomean_ratio(estimates, report.confidence);
    report.geomeans.push_back(std::move(summary));
  }
}

void add_context_notes(ComparisonReport& report, const Report& old_report,
                       const Report& new_report) {
  bool debug_library = false;
  for (const Report* side : {&old_report, &new_report}) {
    for (const RunContext& context : side->contexts) {
      if (context.library_build_type == "debug") debug_library = true;
    }
  }
  if (debug_library) {
    report.notes.push_back(
        "libbenchmark reports library_build_type: debug (Debian's libbenchmark 1.7.1 is built "
        "that way, and without perf counters): its own per-iteration overhead is in every "
        "figure, the same on both sides");
  }
  for (const Report* side : {&old_report, &new_report}) {
    for (const RunContext& context : side->contexts) {
      if (context.dirty.value_or(false)) {
        report.warnings.push_back(fmt::format("{}: measured on a dirty tree (commit {})",
                                              context.source, context.commit));
      }
      if (context.cpu_scaling_enabled.value_or(false)) {
        report.warnings.push_back(fmt::format(
            "{}: CPU frequency scaling was enabled: timings are noisier", context.source));
      }
    }
  }
  report.warnings.insert(report.warnings.end(), old_report.warnings.begin(),
                         old_report.warnings.end());
  report.warnings.insert(report.warnings.end(), new_report.warnings.begin(),
                         new_report.warnings.end());
}

bool selected(const CompareOptions& options, std::string_view name) {
  if (!options.filter) return true;
  return std::regex_search(name.begin(), name.end(), *options.filter);
}

// add_rows compares the metrics both sides of a matched pair have.
void add_rows(ComparisonReport& report, const std::string& name, const Benchmark& old_benchmark,
              const Benchmark& new_benchmark, const CompareOptions& options) {
  for (const std::string& metric : options.metrics) {
    auto old_metric = old_benchmark.metrics.find(metric);
    auto new_metric = new_benchmark.metrics.find(metric);
    const bool on_old = old_metric != old_benchmark.metrics.end();
    const bool on_new = new_metric != new_benchmark.metrics.end();
    if (!on_old && !on_new) continue;
    if (on_old != on_new) {
      report.warnings.push_back(
          fmt::format("{}: metric '{}' only on the {} side", name, metric, on_old ? "old" : "new"));
      continue;
    }
    if (old_metric->second.values.empty() || new_metric->second.values.empty()) {
      report.warnings.push_back(fmt::format("{}: no usable '{}' values on the {} side", name,
                                            metric,
                                            old_metric->second.values.empty() ? "old" : "new"));
      continue;
    }
    report.rows.push_back(
        compare_row({name, metric, &old_metric->second, &new_metric->second}, options));
  }
}

void warn_unknown_metrics(ComparisonReport& report, const Report& old_report,
                          const Report& new_report, const CompareOptions& options) {
  for (const std::string& metric : options.metrics) {
    bool found = false;
    std::set<std::string> available;
    for (const Report* side : {&old_report, &new_report}) {
      for (const Benchmark& benchmark : side->benchmarks) {
        for (const auto& [name, series] : benchmark.metrics) {
          available.insert(name);
          if (name == metric) found = true;
        }
      }
    }
    if (!found) {
      std::string list;
      for (const std::string& name : available)
        list += (list.empty() ? "" : ", ") + name;
      report.warnings.push_back(fmt::format("no benchmark has the metric '{}' (available: {})",
                                            metric, list.empty() ? "none" : list));
    }
  }
}

ComparisonReport empty_report(const CompareOptions& options) {
  ComparisonReport report;
  report.alpha = options.alpha;
  report.threshold = options.threshold;
  report.confidence = options.confidence;
  report.multiple_comparisons = options.holm ? "holm" : "none";
  return report;
}

}  // namespace

std::size_t ComparisonReport::count(Verdict verdict) const {
  return static_cast<std::size_t>(
      std::count_if(rows.begin(), rows.end(),
                    [verdict](const Comparison& row) { return row.verdict == verdict; }));
}

std::size_t ComparisonReport::gated_regressions() const {
  return static_cast<std::size_t>(std::count_if(
      rows.begin(), rows.end(),
      [](const Comparison& row) { return row.gated && row.verdict == Verdict::regressed; }));
}

bool glob_match(std::string_view glob, std::string_view text) {
  // Iterative matcher with one backtrack point: linear in practice, no recursion.
  std::size_t g = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t star_text = 0;
  while (t < text.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == text[t])) {
      ++g;
      ++t;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      star_text = t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*')
    ++g;
  return g == glob.size();
}

std::vector<ContextDifference> context_differences(const Report& old_report,
                                                   const Report& new_report) {
  std::vector<ContextDifference> differences;
  if (old_report.contexts.empty() || new_report.contexts.empty()) return differences;
  const RunContext& a = old_report.contexts.front();
  const RunContext& b = new_report.contexts.front();
  auto check = [&differences](const char* field, const std::string& x, const std::string& y) {
    if (!x.empty() && !y.empty() && x != y) differences.push_back({field, x, y});
  };
  auto optional_bool = [](const std::optional<bool>& value) -> std::string {
    if (!value) return {};
    return *value ? "true" : "false";
  };
  check("host_name", a.host_name, b.host_name);
  check("num_cpus", a.num_cpus > 0 ? std::to_string(a.num_cpus) : "",
        b.num_cpus > 0 ? std::to_string(b.num_cpus) : "");
  check("build_type", a.build_type, b.build_type);
  check("library_build_type", a.library_build_type, b.library_build_type);
  check("cpu_scaling_enabled", optional_bool(a.cpu_scaling_enabled),
        optional_bool(b.cpu_scaling_enabled));
  if (a.mhz_per_cpu > 0 && b.mhz_per_cpu > 0 &&
      std::abs(a.mhz_per_cpu - b.mhz_per_cpu) > 0.1 * std::max(a.mhz_per_cpu, b.mhz_per_cpu)) {
    differences.push_back(
        {"mhz_per_cpu", fmt::format("{:g}", a.mhz_per_cpu), fmt::format("{:g}", b.mhz_per_cpu)});
  }
  return differences;
}

ComparisonReport compare_reports(const Report& old_report, const Report& new_report,
                                 const CompareOptions& options) {
  ComparisonReport report = empty_report(options);
  report.mode = options.paired ? "ab" : "reports";
  if (!old_report.contexts.empty()) report.old_context = old_report.contexts.front();
  if (!new_report.contexts.empty()) report.new_context = new_report.contexts.front();
  report.context_differences = context_differences(old_report, new_report);
  add_context_notes(report, old_report, new_report);
  warn_unknown_metrics(report, old_report, new_report, options);

  for (const Benchmark& old_benchmark : old_report.benchmarks) {
    if (!selected(options, old_benchmark.name)) continue;
    const Benchmark* new_benchmark = new_report.find(old_benchmark.name);
    if (new_benchmark == nullptr) {
      report.removed.push_back(old_benchmark.name);
      continue;
    }
    if (!old_benchmark.error.empty() || !new_benchmark->error.empty()) {
      report.warnings.push_back(
          fmt::format("{}: not compared: errored on the {} side: {}", old_benchmark.name,
                      old_benchmark.error.empty() ? "new" : "old",
                      old_benchmark.error.empty() ? new_benchmark->error : old_benchmark.error));
      continue;
    }
    add_rows(report, old_benchmark.name, old_benchmark, *new_benchmark, options);
  }
  for (const Benchmark& new_benchmark : new_report.benchmarks) {
    if (!selected(options, new_benchmark.name)) continue;
    if (old_report.find(new_benchmark.name) == nullptr) report.added.push_back(new_benchmark.name);
  }
  adjust_and_decide(report, options);
  summarise(report);
  return report;
}

ComparisonReport compare_filters(const Report& report_in, const std::regex& old_filter,
                                 const std::regex& new_filter, const CompareOptions& options) {
  ComparisonReport report = empty_report(options);
  report.mode = "filters";
  if (!report_in.contexts.empty()) {
    report.old_context = report_in.contexts.front();
    report.new_context = report_in.contexts.front();
  }
  add_context_notes(report, report_in, Report{});
  warn_unknown_metrics(report, report_in, Report{}, options);

  // key: the name with the filter's first match removed; both sides must
  // produce the same key for a pair.
  struct Side {
    const Benchmark* benchmark;
    std::string matched;
  };
  auto index = [&](const std::regex& filter) {
    std::map<std::string, Side> sides;
    std::vector<std::string> order;
    for (const Benchmark& benchmark : report_in.benchmarks) {
      if (!selected(options, benchmark.name)) continue;
      std::smatch match;
      if (!std::regex_search(benchmark.name, match, filter) || match.length(0) == 0) continue;
      std::string key = match.prefix().str() + "\x1f" + match.suffix().str();
      if (sides.emplace(key, Side{&benchmark, match.str(0)}).second) order.push_back(key);
    }
    return std::pair{sides, order};
  };
  auto [old_sides, old_order] = index(old_filter);
  auto [new_sides, new_order] = index(new_filter);
  for (const std::string& key : old_order) {
    const Side& old_side = old_sides.at(key);
    auto found = new_sides.find(key);
    if (found == new_sides.end()) {
      report.removed.push_back(old_side.benchmark->name);
      continue;
    }
    const Side& new_side = found->second;
    if (old_side.benchmark == new_side.benchmark) continue;  // both filters match one name
    const std::size_t split = key.find('\x1f');
    const std::string name = key.substr(0, split) + "[" + old_side.matched + " vs " +
                             new_side.matched + "]" + key.substr(split + 1);
    add_rows(report, name, *old_side.benchmark, *new_side.benchmark, options);
  }
  for (const std::string& key : new_order) {
    if (old_sides.find(key) == old_sides.end()) {
      report.added.push_back(new_sides.at(key).benchmark->name);
    }
  }
  adjust_and_decide(report, options);
  summarise(report);
  return report;
}

}  // namespace faultline::bench
