// bench/report/output_junit.cpp: the comparison as JUnit XML, for CI systems
// that show test results. One testcase per row (classname = metric, name =
// benchmark); a gated regression is a <failure>, everything else passes with
// its result in <system-out> (an ungated regression says it is not gated).
//
//   <testsuites name="faultline bench compare" tests="3" failures="1" errors="0">
//     <testsuite name="faultline bench compare" tests="3" failures="1" ...>
//       <testcase classname="real_time" name="BM_Parse/16" time="0">
//         <failure message="regressed: +12.3% [+9.8%, +14.1%]" type="regressed">...</failure>
//
// All text goes through xml_escape: valid XML 1.0 whatever the names hold.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "bench/report/output.h"
#include "bench/report/output_format.h"

namespace faultline::bench {
namespace {

constexpr std::string_view kSuiteName = "faultline bench compare";

std::string result_line(const Comparison& row) {
  return fmt::format("{}: {}", verdict_name(row.verdict), output::format_ratio_interval(row));
}

std::string details(const Comparison& row, const ComparisonReport& report) {
  std::string text = fmt::format(
      "{} {}: old {} -> new {} ({}), p {} (adjusted {}), n {}, test {}",
      output::printable(row.name), output::printable(row.metric),
      output::format_median(row.old_median, row.old_median_interval, row.unit, row.metric),
      output::format_median(row.new_median, row.new_median_interval, row.unit, row.metric),
      output::format_ratio_interval(row), output::format_p(row.p_value),
      output::format_p(row.p_adjusted), output::sample_counts(row),
      row.test.empty() ? "n/a" : output::printable(row.test));
  for (const std::string& note : output::row_notes(row, report))
    text += "\nnote: " + note;
  return text;
}

void property(std::string& out, std::string_view name, std::string_view value) {
  out += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", output::xml_escape(name),
                     output::xml_escape(value));
}

}  // namespace

std::string render_junit(const ComparisonReport& report) {
  const std::size_t tests = report.rows.size();
  const std::size_t failures = report.gated_regressions();
  const std::string counts =
      fmt::format("tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\"", tests, failures);

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"{}\" {}>\n", kSuiteName, counts);
  out += fmt::format("  <testsuite name=\"{}\" {} time=\"0\">\n", kSuiteName, counts);

  out += "    <properties>\n";
  property(out, "old", report.old_label);
  property(out, "new", report.new_label);
  property(out, "metrics", output::metrics_sentence(report));
  property(out, "alpha", fmt::format("{:g}", report.alpha));
  property(out, "threshold", fmt::format("{:g}", report.threshold));
  property(out, "confidence", fmt::format("{:g}", report.confidence));
  property(out, "multiple_comparisons", output::multiple_comparisons_sentence(report));
  for (const ContextDifference& difference : report.context_differences) {
    property(out, "context_difference." + difference.field,
             fmt::format("{} vs {}", difference.old_value, difference.new_value));
  }
  out += "    </properties>\n";

  for (const Comparison& row : report.rows) {
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\">\n",
                       output::xml_escape(row.metric), output::xml_escape(row.name));
    const std::string result = result_line(row);
    const std::string text = details(row, report);
    if (row.verdict == Verdict::regressed && row.gated) {
      out += fmt::format("      <failure message=\"{}\" type=\"regressed\">{}</failure>\n",
                         output::xml_escape(result), output::xml_escape_lines(text));
    } else {
      std::string said = result;
      if (row.verdict == Verdict::regressed) said += " (not gated: does not fail the run)";
      out += fmt::format("      <system-out>{}\n{}</system-out>\n", output::xml_escape(said),
                         output::xml_escape_lines(text));
    }
    out += "    </testcase>\n";
  }

  std::string summary = output::verdict_counts_sentence(report) + "\n" +
                        output::multiple_comparisons_sentence(report) + "\n";
  for (const GeomeanSummary& geomean : report.geomeans) {
    summary += output::geomean_sentence(geomean) + "\n";
  }
  auto add_lines = [&](std::string_view prefix, const std::vector<std::string>& lines) {
    for (const std::string& line : lines) {
      summary += fmt::format("{}{}\n", prefix, output::printable(line));
    }
  };
  add_lines("added (new only): ", report.added);
  add_lines("removed (old only): ", report.removed);
  add_lines("warning: ", report.warnings);
  add_lines("note: ", report.notes);
  out += fmt::format("    <system-out>{}</system-out>\n", output::xml_escape_lines(summary));
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

std::string xml_escape(std::string_view text) {
  return output::xml_escape(text);
}

}  // namespace faultline::bench
