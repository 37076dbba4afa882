// bench/report/output_json.cpp: the comparison as JSON for tools (version 1).
//
//   {"version": 1, "old": "old.json", "new": "new.json", "alpha": 0.05, ...,
//    "benchmarks": [{"name": "BM_Parse/16", "metric": "real_time", "verdict": "regressed",
//                    "ratio": 1.123, "ci_low": 1.098, "ci_high": 1.141, ...}],
//    "added": [], "removed": [], "geomean": [...], "counts": {"regressed": 1, ...}}
//
// Numbers are raw (times in ns, ratios new/old, p-values unrounded); a value
// that is NaN or infinite is null, never an invalid token. Text that is not
// UTF-8 is kept with the bad bytes replaced (U+FFFD), never a throw.
#include <nlohmann/json.hpp>

#include <cmath>
#include <span>
#include <string>

#include "bench/report/output.h"
#include "bench/report/output_format.h"

namespace faultline::bench {
namespace {

using Json = nlohmann::ordered_json;

Json number(double value) {
  return std::isfinite(value) ? Json(value) : Json(nullptr);
}

Json numbers(std::span<const double> values) {
  Json array = Json::array();
  for (double value : values)
    array.push_back(number(value));
  return array;
}

Json interval(const Interval& interval) {
  if (!interval.available) return nullptr;
  return Json::array({number(interval.low), number(interval.high)});
}

Json context(const RunContext& context) {
  Json object = {
      {"source", context.source},
      {"host_name", context.host_name},
      {"executable", context.executable},
      {"date", context.date},
      {"library_build_type", context.library_build_type},
      {"num_cpus", context.num_cpus},
      {"mhz_per_cpu", number(context.mhz_per_cpu)},
      {"cpu_scaling_enabled",
       context.cpu_scaling_enabled ? Json(*context.cpu_scaling_enabled) : Json(nullptr)},
      {"load_avg", numbers(context.load_avg)},
      {"commit", context.commit},
      {"dirty", context.dirty ? Json(*context.dirty) : Json(nullptr)},
      {"build_type", context.build_type},
  };
  return object;
}

Json benchmark(const Comparison& row) {
  return {
      {"name", row.name},
      {"metric", row.metric},
      {"unit", row.unit},
      {"direction", direction_name(row.direction)},
      {"verdict", verdict_name(row.verdict)},
      {"ratio", number(row.ratio)},
      {"ci_low", row.ci_available ? number(row.ci_low) : Json(nullptr)},
      {"ci_high", row.ci_available ? number(row.ci_high) : Json(nullptr)},
      {"p_value", number(row.p_value)},
      {"p_adjusted", number(row.p_adjusted)},
      {"n_old", row.old_values.size()},
      {"n_new", row.new_values.size()},
      {"old_median", number(row.old_median)},
      {"new_median", number(row.new_median)},
      {"old_ci", interval(row.old_median_interval)},
      {"new_ci", interval(row.new_median_interval)},
      {"threshold", number(row.threshold)},
      {"noise_floor", number(row.noise_floor)},
      {"gated", row.gated},
      {"test", row.test},
      {"paired", row.paired},
      {"note", row.note},
      {"old_values", numbers(row.old_values)},
      {"new_values", numbers(row.new_values)},
  };
}

}  // namespace

std::string render_json(const ComparisonReport& report) {
  Json root;
  root["version"] = ComparisonReport::kVersion;
  root["old"] = report.old_label;
  root["new"] = report.new_label;
  root["mode"] = report.mode;
  root["alpha"] = number(report.alpha);
  root["threshold"] = number(report.threshold);
  root["confidence"] = number(report.confidence);
  root["multiple_comparisons"] = report.multiple_comparisons;
  root["comparisons"] = report.rows.size();

  Json differences = Json::array();
  for (const ContextDifference& difference : report.context_differences) {
    differences.push_back({{"field", difference.field},
                           {"old", difference.old_value},
                           {"new", difference.new_value}});
  }
  root["context_differences"] = std::move(differences);
  root["old_context"] = context(report.old_context);
  root["new_context"] = context(report.new_context);

  Json rows = Json::array();
  for (const Comparison& row : report.rows)
    rows.push_back(benchmark(row));
  root["benchmarks"] = std::move(rows);
  root["added"] = report.added;
  root["removed"] = report.removed;

  Json geomeans = Json::array();
  for (const GeomeanSummary& geomean : report.geomeans) {
    const Interval& ci = geomean.ratio.interval;
    geomeans.push_back({
        {"metric", geomean.metric},
        {"ratio", number(geomean.ratio.value)},
        {"ci_low", ci.available ? number(ci.low) : Json(nullptr)},
        {"ci_high", ci.available ? number(ci.high) : Json(nullptr)},
        {"count", geomean.count},
    });
  }
  root["geomean"] = std::move(geomeans);

  Json counts = Json::object();
  for (Verdict verdict : output::kVerdicts) {
    counts[std::string(verdict_name(verdict))] = report.count(verdict);
  }
  root["counts"] = std::move(counts);
  root["gated_regressions"] = report.gated_regressions();
  root["warnings"] = report.warnings;
  root["notes"] = report.notes;
  return root.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace faultline::bench
