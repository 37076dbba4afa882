// bench/report/output_markdown.cpp: the comparison as GitHub-flavoured
// Markdown for a review comment. The first line is the whole story
// ("**1 regressed** (gated), 0 improved, 12 unchanged, 2 inconclusive: ..."),
// then the geomeans, context differences and warnings, the table, and the
// notes and settings folded in <details>.
//
// Names are escaped for Markdown (`|`, `*`, `_`, backslash...) and for the
// HTML GitHub accepts inside Markdown (`<`, `>`, `&`), so a benchmark called
// "<script>" or "a|b" neither runs nor breaks the table.
#include <fmt/format.h>

#include <cmath>
#include <string>

#include "bench/report/output.h"
#include "bench/report/output_format.h"

namespace faultline::bench {
namespace {

std::string markdown_escape(std::string_view text) {
  std::string out;
  for (char c : output::printable(text)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '|':
      case '\\':
      case '*':
      case '_':
      case '`':
      case '[':
      case ']':
      case '~':
      case '#':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string verdict_marker(const Comparison& row) {
  const std::string_view word = verdict_name(row.verdict);
  switch (row.verdict) {
    case Verdict::regressed:
      return row.gated ? fmt::format("**{}**", word) : fmt::format("**{}** (not gated)", word);
    case Verdict::improved:
      return fmt::format("**{}**", word);
    case Verdict::inconclusive:
      return fmt::format("_{}_", word);
    case Verdict::unchanged:
      break;
  }
  return std::string(word);
}

std::string summary_line(const ComparisonReport& report) {
  std::string counts;
  for (Verdict verdict : output::kVerdicts) {
    if (!counts.empty()) counts += ", ";
    const std::size_t n = report.count(verdict);
    std::string text = fmt::format("{} {}", n, verdict_name(verdict));
    if (n > 0 && (verdict == Verdict::regressed || verdict == Verdict::improved)) {
      text = "**" + text + "**";
    }
    if (verdict == Verdict::regressed && n > 0) {
      const std::size_t gated = report.gated_regressions();
      text += gated == n ? " (gated)" : fmt::format(" ({} gated)", gated);
    }
    counts += text;
  }
  return fmt::format("{}: {} vs {} ({}; {})", counts, markdown_escape(report.new_label),
                     markdown_escape(report.old_label),
                     markdown_escape(output::metrics_sentence(report)),
                     output::settings_sentence(report));
}

}  // namespace

std::string render_markdown(const ComparisonReport& report) {
  std::string out = summary_line(report) + "\n\n";

  for (const GeomeanSummary& geomean : report.geomeans) {
    out += "- " + markdown_escape(output::geomean_sentence(geomean)) + "\n";
  }
  out += "- " + output::gate_sentence(report) + "\n\n";

  for (const std::string& warning : report.warnings) {
    out += "> **Warning:** " + markdown_escape(warning) + "\n>\n";
  }
  if (!report.warnings.empty()) {
    out.resize(out.size() - 2);  // the last ">\n"
    out += "\n";
  }

  if (!report.context_differences.empty()) {
    out += "Context differences:\n\n| Field | Old | New |\n|---|---|---|\n";
    for (const ContextDifference& difference : report.context_differences) {
      out +=
          fmt::format("| {} | {} | {} |\n", markdown_escape(difference.field),
                      markdown_escape(difference.old_value), markdown_escape(difference.new_value));
    }
    out += "\n";
  }

  if (report.rows.empty()) {
    out += "No benchmarks compared.\n\n";
  } else {
    out +=
        "| Benchmark | Metric | Old | New | Change [CI] | p (adj.) | n old/new | Verdict |\n"
        "|---|---|--:|--:|--:|--:|--:|---|\n";
    for (const Comparison& row : report.rows) {
      out += fmt::format("| {} | {} | {} | {} | {} | {} ({}) | {} | {} |\n",
                         markdown_escape(row.name), markdown_escape(row.metric),
                         markdown_escape(output::format_median(
                             row.old_median, row.old_median_interval, row.unit, row.metric)),
                         markdown_escape(output::format_median(
                             row.new_median, row.new_median_interval, row.unit, row.metric)),
                         output::format_ratio_interval(row), output::format_p(row.p_value),
                         output::format_p(row.p_adjusted), output::sample_counts(row),
                         verdict_marker(row));
    }
    out += "\n";
  }

  if (!report.added.empty()) {
    out += fmt::format("Added (new only, {}): ", report.added.size());
    for (std::size_t i = 0; i < report.added.size(); ++i) {
      out += (i > 0 ? ", " : "") + markdown_escape(report.added[i]);
    }
    out += "\n\n";
  }
  if (!report.removed.empty()) {
    out += fmt::format("Removed (old only, {}): ", report.removed.size());
    for (std::size_t i = 0; i < report.removed.size(); ++i) {
      out += (i > 0 ? ", " : "") + markdown_escape(report.removed[i]);
    }
    out += "\n\n";
  }

  std::string row_notes;
  std::size_t note_count = 0;
  for (const Comparison& row : report.rows) {
    for (const std::string& note : output::row_notes(row, report)) {
      row_notes += fmt::format("- {} ({}): {}\n", markdown_escape(row.name),
                               markdown_escape(row.metric), markdown_escape(note));
      ++note_count;
    }
  }
  if (note_count > 0) {
    out += fmt::format("<details><summary>Notes on {} row{}</summary>\n\n{}\n</details>\n\n",
                       note_count, note_count == 1 ? "" : "s", row_notes);
  }

  out += "<details><summary>Settings and notes</summary>\n\n";
  out += fmt::format("- {}\n", output::settings_sentence(report));
  out += fmt::format("- {}\n", output::multiple_comparisons_sentence(report));
  out += fmt::format(
      "- Verdicts: regressed/improved when the adjusted p < alpha and the whole "
      "interval of new/old lies beyond the threshold; unchanged when it lies "
      "inside; inconclusive otherwise\n");
  for (const std::string& note : report.notes)
    out += "- " + markdown_escape(note) + "\n";
  out += "\n</details>\n";
  return out;
}

}  // namespace faultline::bench
