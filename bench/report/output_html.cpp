// bench/report/output_html.cpp: the comparison as ONE self-contained HTML
// page (inline CSS and SVG, no script, nothing fetched): the summary, the
// context differences and warnings, a forest plot of every row's change, the
// table, and one strip plot of old vs new samples per row.
//
//   +--------------------------------------------------------------+
//   | faultline bench compare: new vs old   [2 regressed] [1 ...]  |
//   | settings, Holm sentence, geomeans, context differences       |
//   | forest plot (svg_plot.h)                                     |
//   | table: name metric old new change p n verdict note           |
//   | cards: one strip plot per row                                |
//   +--------------------------------------------------------------+
//
// Every text from the report goes through xml_escape (HTML-safe).
#include <fmt/format.h>

#include <string>

#include "bench/report/output.h"
#include "bench/report/output_format.h"
#include "bench/report/svg_plot.h"

namespace faultline::bench {
namespace {

constexpr std::string_view kStyle = R"css(
:root { --ink: #1f2933; --muted: #5f6b7a; --line: #e1e5ea; --bg: #f5f6f8;
  --regressed: #c62828; --improved: #2e7d32; --unchanged: #3d6a9e; --inconclusive: #c27c0e; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1320px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h1 .vs { color: var(--muted); font-weight: 400; }
h2 { font-size: 16px; margin: 0 0 12px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px;
  padding: 16px 20px; margin: 16px 0; overflow-x: auto; }
.settings { color: var(--muted); margin: 4px 0 0; }
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 14px 0 6px; }
.count { border-radius: 999px; padding: 4px 14px; font-weight: 600; border: 1.5px solid; }
.count.zero { opacity: .45; }
.gate { font-weight: 600; margin: 8px 0 0; }
.gate.fail { color: var(--regressed); }
.geomean { margin: 4px 0 0; font-variant-numeric: tabular-nums; }
.warning { background: #fff7e6; border: 1px solid #f3d19c; border-radius: 8px;
  padding: 8px 12px; margin: 8px 0; }
ul.notes { margin: 6px 0 0; padding-left: 20px; color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
td.num { text-align: right; white-space: nowrap; }
td.name { overflow-wrap: anywhere; min-width: 15em; }
tr.note-row td { color: var(--muted); font-size: 12.5px; padding-top: 0; padding-left: 28px; }
tr.has-note td { border-bottom: none; }
.verdict { display: inline-block; border-radius: 4px; padding: 1px 8px; font-weight: 600;
  color: #fff; white-space: nowrap; }
.verdict.regressed { background: var(--regressed); }
.verdict.improved { background: var(--improved); }
.verdict.unchanged { background: var(--unchanged); }
.verdict.inconclusive { background: var(--inconclusive); }
tr.regressed td { background: #fdf1f1; }
tr.improved td { background: #f0f8f1; }
a { color: inherit; text-decoration: none; }
a:hover { text-decoration: underline; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(580px, 1fr)); gap: 14px; }
.card { border: 1px solid var(--line); border-left: 5px solid var(--unchanged);
  border-radius: 8px; padding: 10px 12px 4px; background: #fff; }
.card.regressed { border-left-color: var(--regressed); }
.card.improved { border-left-color: var(--improved); }
.card.inconclusive { border-left-color: var(--inconclusive); }
.card h3 { font-size: 14px; margin: 0; overflow-wrap: anywhere; }
.card .facts { color: var(--muted); font-size: 12.5px; margin: 2px 0 4px;
  font-variant-numeric: tabular-nums; }
.card .note { color: var(--muted); font-size: 12.5px; margin: 0 0 6px; }
svg { max-width: 100%; height: auto; display: block; }
svg text { font-family: inherit; }
.empty { color: var(--muted); font-style: italic; }
)css";

std::string escape(std::string_view text) {
  return output::xml_escape(text);
}

std::string verdict_badge(Verdict verdict) {
  return fmt::format("<span class=\"verdict {0}\">{0}</span>", verdict_name(verdict));
}

std::string median_cell(double median, const Interval& interval, const Comparison& row) {
  std::string title;
  if (interval.available) {
    title = fmt::format(" title=\"median interval [{}, {}]\"",
                        escape(format_value(interval.low, row.unit, row.metric)),
                        escape(format_value(interval.high, row.unit, row.metric)));
  } else if (!interval.why_not.empty()) {
    title = fmt::format(" title=\"no interval: {}\"", escape(interval.why_not));
  }
  return fmt::format("<td class=\"num\"{}>{}</td>", title,
                     escape(output::format_median(median, interval, row.unit, row.metric)));
}

std::string notes_html(const Comparison& row, const ComparisonReport& report) {
  std::string html;
  for (const std::string& note : output::row_notes(row, report)) {
    if (!html.empty()) html += "<br>";
    html += escape(note);
  }
  return html;
}

void header(std::string& out, const ComparisonReport& report) {
  out += fmt::format(
      "<section>\n<h1>faultline bench compare: {} <span class=\"vs\">vs</span> {}</h1>\n",
      escape(report.new_label), escape(report.old_label));
  out += fmt::format("<p class=\"settings\">new = {}, old = {}; metric {}; {}; {}</p>\n",
                     escape(report.new_label), escape(report.old_label),
                     escape(output::metrics_sentence(report)),
                     escape(output::settings_sentence(report)),
                     escape(output::multiple_comparisons_sentence(report)));
  out += "<div class=\"counts\">";
  for (Verdict verdict : output::kVerdicts) {
    const std::size_t n = report.count(verdict);
    out +=
        fmt::format("<span class=\"count{0}\" style=\"color:{1};border-color:{1}\">{2} {3}</span>",
                    n == 0 ? " zero" : "", verdict_color(verdict), n, verdict_name(verdict));
  }
  out += "</div>\n";
  out += fmt::format("<p class=\"gate{}\">{}</p>\n", report.gated_regressions() > 0 ? " fail" : "",
                     escape(output::gate_sentence(report)));
  for (const GeomeanSummary& geomean : report.geomeans) {
    out += fmt::format("<p class=\"geomean\">{}</p>\n", escape(output::geomean_sentence(geomean)));
  }
  for (const std::string& warning : report.warnings) {
    out +=
        fmt::format("<div class=\"warning\"><strong>Warning:</strong> {}</div>\n", escape(warning));
  }
  if (!report.context_differences.empty()) {
    out +=
        "<h2 style=\"margin-top:14px\">Context differences</h2>\n"
        "<table><tr><th>Field</th><th>Old</th><th>New</th></tr>\n";
    for (const ContextDifference& difference : report.context_differences) {
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", escape(difference.field),
                         escape(difference.old_value), escape(difference.new_value));
    }
    out += "</table>\n";
  }
  if (!report.notes.empty()) {
    out += "<ul class=\"notes\">";
    for (const std::string& note : report.notes)
      out += "<li>" + escape(note) + "</li>";
    out += "</ul>\n";
  }
  out += "</section>\n";
}

void table(std::string& out, const ComparisonReport& report) {
  out += "<section>\n<h2>Results</h2>\n";
  if (report.rows.empty()) {
    out += "<p class=\"empty\">No benchmarks compared.</p>\n";
  } else {
    out +=
        "<table>\n<tr><th>Benchmark</th><th>Metric</th><th>Old</th><th>New</th>"
        "<th>Change [CI]</th><th>p (adj.)</th><th>n</th><th>Verdict</th></tr>\n";
    for (std::size_t i = 0; i < report.rows.size(); ++i) {
      const Comparison& row = report.rows[i];
      const std::string notes = notes_html(row, report);
      out += fmt::format(
          "<tr class=\"{}{}\"><td class=\"name\"><a href=\"#row-{}\">{}</a></td><td>{}</td>{}{}"
          "<td class=\"num\">{}</td><td class=\"num\">{} ({})</td><td class=\"num\">{}</td>"
          "<td>{}</td></tr>\n",
          verdict_name(row.verdict), notes.empty() ? "" : " has-note", i, escape(row.name),
          escape(row.metric), median_cell(row.old_median, row.old_median_interval, row),
          median_cell(row.new_median, row.new_median_interval, row),
          escape(output::format_ratio_interval(row)), output::format_p(row.p_value),
          output::format_p(row.p_adjusted), output::sample_counts(row), verdict_badge(row.verdict));
      if (!notes.empty()) {
        out += fmt::format("<tr class=\"note-row {}\"><td colspan=\"8\">{}</td></tr>\n",
                           verdict_name(row.verdict), notes);
      }
    }
    out += "</table>\n";
  }
  if (!report.added.empty() || !report.removed.empty()) {
    for (auto [title, names] : {std::pair{"Added (new only)", &report.added},
                                std::pair{"Removed (old only)", &report.removed}}) {
      if (names->empty()) continue;
      out += fmt::format("<p><strong>{} ({}):</strong> ", title, names->size());
      for (std::size_t i = 0; i < names->size(); ++i) {
        out += (i > 0 ? ", " : "") + escape((*names)[i]);
      }
      out += "</p>\n";
    }
  }
  out += "</section>\n";
}

void sample_cards(std::string& out, const ComparisonReport& report) {
  if (report.rows.empty()) return;
  out += "<section>\n<h2>Samples: old vs new</h2>\n<div class=\"cards\">\n";
  for (std::size_t i = 0; i < report.rows.size(); ++i) {
    const Comparison& row = report.rows[i];
    out += fmt::format(
        "<div class=\"card {}\" id=\"row-{}\"><h3>{} <span "
        "style=\"font-weight:400;color:var(--muted)\">"
        "{}</span> {}</h3>\n",
        verdict_name(row.verdict), i, escape(row.name), escape(row.metric),
        verdict_badge(row.verdict));
    out += fmt::format(
        "<p class=\"facts\">old {} &#8594; new {} &#183; change {} &#183; p {} (adj. {}) &#183; "
        "{}</p>\n",
        escape(
            output::format_median(row.old_median, row.old_median_interval, row.unit, row.metric)),
        escape(
            output::format_median(row.new_median, row.new_median_interval, row.unit, row.metric)),
        escape(output::format_ratio_interval(row)), output::format_p(row.p_value),
        output::format_p(row.p_adjusted),
        row.test.empty() ? std::string("no test") : escape(row.test));
    const std::string notes = notes_html(row, report);
    if (!notes.empty()) out += fmt::format("<p class=\"note\">{}</p>\n", notes);
    out += strip_plot_svg(row);
    out += "</div>\n";
  }
  out += "</div>\n</section>\n";
}

}  // namespace

std::string render_html(const ComparisonReport& report) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<title>faultline bench compare: {} vs {}</title>\n", escape(report.new_label),
                     escape(report.old_label));
  out += fmt::format("<style>{}</style>\n</head>\n<body>\n<main>\n", kStyle);
  header(out, report);

  out += "<section>\n<h2>Change per benchmark</h2>\n";
  const bool several_metrics = output::metrics_of(report).size() > 1;
  std::size_t without_estimate = 0;
  for (const Comparison& row : report.rows) {
    if (!std::isfinite(row.ratio) || row.ratio <= 0) ++without_estimate;
  }
  if (report.rows.empty()) {
    out += "<p class=\"empty\">No benchmarks compared: nothing to plot.</p>\n";
  } else {
    out += forest_plot_svg(
        report.rows,
        {.threshold = report.threshold, .show_metric = several_metrics, .link_prefix = "row-"});
    out += fmt::format(
        "<p class=\"settings\">Each row: the change new/old (Hodges-Lehmann) with its {} "
        "interval; shaded: the &#177;{} threshold band; an arrow: beyond the axis.{}</p>\n",
        escape(output::format_percent(report.confidence)),
        escape(output::format_percent(report.threshold)),
        without_estimate > 0
            ? fmt::format(" {} row{} without an estimate (too few samples) are listed but not "
                          "drawn.",
                          without_estimate, without_estimate == 1 ? "" : "s")
            : "");
  }
  out += "</section>\n";

  table(out, report);
  sample_cards(out, report);
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace faultline::bench
