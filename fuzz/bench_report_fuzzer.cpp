// fuzz/bench_report_fuzzer.cpp: Google Benchmark JSON through bench compare's reader and outputs.
//
// Input: the text of a results file, read by bench::parse_report with small
// limits. A report that parses is cut down (a few benchmarks, metrics and
// values, so an exec stays fast) and compared with itself and with a scaled
// copy (times x 1.25, rates / 1.25; paired by round when the input's length
// is odd), and every comparison is rendered in every format. Properties:
//  - a parse error is bad_data or too_large, with a message naming the file;
//  - a parsed report has one context, no rounds, unique names, and per
//    benchmark metrics or an error; every value is finite and > 0;
//  - merge_into a copy of itself doubles every series and keeps the names;
//    merged into a report of its last benchmark, the rest append in order;
//  - every verdict is one of the four; comparing a report with itself never
//    gives regressed or improved;
//  - the ratio is finite when both medians are positive;
//  - render_json re-parses as a JSON object with a "benchmarks" array.
// Dictionary: corpus/dict/json.dict
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/report/comparison.h"
#include "bench/report/gbench_json.h"
#include "bench/report/output.h"
#include "fuzz/fuzz_support.h"

namespace {

namespace fuzz = faultline::fuzz;
namespace bench = faultline::bench;
namespace net = faultline::net;

constexpr std::string_view kSource = "fuzz.json";
constexpr std::size_t kMaxInput = 1 << 16;
constexpr std::size_t kMaxBenchmarks = 6;
constexpr std::size_t kMaxMetrics = 3;
constexpr std::size_t kMaxValues = 16;
constexpr double kScale = 1.25;

void fail(std::string_view text, std::string_view property, const std::string& detail = {}) {
  fuzz::property_failed("bench_report_fuzzer", property,
                        "input \"" + fuzz::escape(text) + "\"\n" + detail);
}

bench::ReadLimits fuzz_limits() {
  bench::ReadLimits limits;
  limits.max_file_bytes = kMaxInput;
  limits.max_rows = 512;
  limits.max_values = 8192;
  limits.max_depth = 32;
  limits.max_row_values = 256;
  limits.max_warnings = 64;
  return limits;
}

void check_report(std::string_view text, const bench::Report& report) {
  if (report.contexts.size() != 1 || report.contexts[0].source != kSource) {
    fail(text, "a parsed report without exactly one context naming the file");
  }
  std::set<std::string, std::less<>> names;
  for (const bench::Benchmark& benchmark : report.benchmarks) {
    if (!names.insert(benchmark.name).second) {
      fail(text, "a benchmark name twice in one report", benchmark.name);
    }
    if (benchmark.metrics.empty() == benchmark.error.empty()) {
      fail(text, "a benchmark needs metrics or an error, not both or neither", benchmark.name);
    }
    for (const auto& [metric, series] : benchmark.metrics) {
      if (series.values.empty()) fail(text, "an empty series", benchmark.name + " " + metric);
      if (!series.rounds.empty()) fail(text, "rounds from parse_report", metric);
      if (bench::is_time_metric(metric) && series.unit != "ns") fail(text, "a time not in ns");
      for (double value : series.values) {
        if (!std::isfinite(value) || value <= 0) {
          fail(text, "a value that is not finite and > 0",
               benchmark.name + " " + metric + " " + std::to_string(value));
        }
      }
    }
  }
  for (const std::string& warning : report.warnings) {
    if (!warning.starts_with(kSource)) fail(text, "a warning that does not name the file", warning);
  }
}

void check_merge(std::string_view text, const bench::Report& report) {
  bench::Report doubled = report;
  bench::merge_into(doubled, report);
  if (doubled.benchmarks.size() != report.benchmarks.size() ||
      doubled.contexts.size() != 2 * report.contexts.size()) {
    fail(text, "merge_into a copy of itself changed the benchmarks");
  }
  // Into a report holding only the last benchmark: the others are appended
  // after it, in order, and only it doubles.
  if (!report.benchmarks.empty()) {
    bench::Report last;
    last.benchmarks.push_back(report.benchmarks.back());
    bench::merge_into(last, report);
    if (last.benchmarks.size() != report.benchmarks.size() ||
        last.benchmarks[0].name != report.benchmarks.back().name) {
      fail(text, "merge_into lost or reordered benchmarks");
    }
    for (std::size_t i = 1; i < last.benchmarks.size(); ++i) {
      if (last.benchmarks[i].name != report.benchmarks[i - 1].name) {
        fail(text, "merge_into appended new benchmarks out of order");
      }
    }
  }
  for (std::size_t i = 0; i < report.benchmarks.size(); ++i) {
    const bench::Benchmark& one = report.benchmarks[i];
    const bench::Benchmark& two = doubled.benchmarks[i];
    if (one.name != two.name) fail(text, "merge_into reordered benchmarks");
    for (const auto& [metric, series] : one.metrics) {
      if (two.metrics.at(metric).values.size() != 2 * series.values.size()) {
        fail(text, "merge_into a copy of itself did not double a series", metric);
      }
    }
  }
}

// trimmed: a few benchmarks, metrics and values of `report`, so the
// statistics (exact tests, bootstrap) stay fast; rounds 0..n-1 when `rounds`.
bench::Report trimmed(const bench::Report& report, bool rounds) {
  bench::Report out;
  out.contexts = report.contexts;
  for (const bench::Benchmark& benchmark : report.benchmarks) {
    if (out.benchmarks.size() == kMaxBenchmarks) break;
    bench::Benchmark copy;
    copy.name = benchmark.name;
    copy.error = benchmark.error;
    for (const auto& [metric, series] : benchmark.metrics) {
      if (copy.metrics.size() == kMaxMetrics) break;
      bench::MetricSeries cut = series;
      if (cut.values.size() > kMaxValues) cut.values.resize(kMaxValues);
      cut.rounds.clear();
      if (rounds) {
        for (std::size_t i = 0; i < cut.values.size(); ++i)
          cut.rounds.push_back(static_cast<int>(i));
      }
      copy.metrics.emplace(metric, std::move(cut));
    }
    out.benchmarks.push_back(std::move(copy));
  }
  return out;
}

bench::Report scaled(bench::Report report) {
  for (bench::Benchmark& benchmark : report.benchmarks) {
    for (auto& [metric, series] : benchmark.metrics) {
      const bool higher = bench::default_direction(metric) == bench::Direction::higher_is_better;
      for (double& value : series.values)
        value = higher ? value / kScale : value * kScale;
    }
  }
  return report;
}

bench::CompareOptions options_for(const bench::Report& report, bool paired) {
  bench::CompareOptions options;
  options.metrics.clear();
  for (const bench::Benchmark& benchmark : report.benchmarks) {
    for (const auto& [metric, series] : benchmark.metrics) {
      if (options.metrics.size() < kMaxMetrics &&
          std::find(options.metrics.begin(), options.metrics.end(), metric) ==
              options.metrics.end()) {
        options.metrics.push_back(metric);
      }
    }
  }
  if (options.metrics.empty()) options.metrics.push_back("real_time");
  options.resamples = 64;
  options.paired = paired;
  return options;
}

bool is_verdict(bench::Verdict verdict) {
  switch (verdict) {
    case bench::Verdict::regressed:
    case bench::Verdict::improved:
    case bench::Verdict::unchanged:
    case bench::Verdict::inconclusive:
      return true;
  }
  return false;
}

void check_comparison(std::string_view text, const bench::ComparisonReport& comparison,
                      bool with_itself) {
  for (const bench::Comparison& row : comparison.rows) {
    const std::string which = row.name + " " + row.metric;
    if (!is_verdict(row.verdict)) fail(text, "a verdict that is not one of the four", which);
    if (with_itself &&
        (row.verdict == bench::Verdict::regressed || row.verdict == bench::Verdict::improved)) {
      fail(text, "a report compared with itself regressed or improved",
           which + " " + std::string(bench::verdict_name(row.verdict)));
    }
    if (row.old_median > 0 && row.new_median > 0 && !row.old_values.empty() &&
        !row.new_values.empty() && !std::isfinite(row.ratio)) {
      fail(text, "a ratio that is not finite with positive medians",
           which + " ratio " + std::to_string(row.ratio));
    }
  }

  (void)bench::render_text(comparison, {.color = false});
  (void)bench::render_text(comparison, {.color = true});
  (void)bench::render_markdown(comparison);
  (void)bench::render_junit(comparison);
  (void)bench::render_html(comparison);
  const std::string rendered = bench::render_json(comparison);
  const nlohmann::json parsed = nlohmann::json::parse(rendered, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("benchmarks") ||
      !parsed["benchmarks"].is_array()) {
    fail(text, "render_json is not a JSON object with a \"benchmarks\" array",
         fuzz::escape(rendered, 2048));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return 0;
  fuzz::FuzzInput input(data, size);
  const std::string_view text = input.rest();

  const net::Result<bench::Report> report =
      bench::parse_report(text, std::string(kSource), fuzz_limits());
  if (!report) {
    const net::Error& error = report.error();
    if ((error.kind != net::ErrorKind::bad_data && error.kind != net::ErrorKind::too_large) ||
        !error.message.starts_with(std::string(kSource) + ": ") ||
        error.message.size() <= kSource.size() + 2) {
      fail(text, "an unclear parse error", error.to_string());
    }
    return 0;
  }
  check_report(text, *report);
  check_merge(text, *report);

  const bool paired = size % 2 == 1;
  const bench::Report old_side = trimmed(*report, paired);
  const bench::Report new_side = scaled(old_side);
  const bench::CompareOptions options = options_for(old_side, paired);
  check_comparison(text, bench::compare_reports(old_side, old_side, options), true);
  check_comparison(text, bench::compare_reports(old_side, new_side, options), false);
  return 0;
}
