// cli/campaign/page.cpp: the campaign's page: one self-contained HTML file
// (inline CSS and SVG, no script, nothing fetched), verdicts first.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "bench/report/output.h"
#include "cli/campaign/campaign.h"

namespace faultline::campaign {
namespace {

using Json = nlohmann::json;
using bench::xml_escape;

std::string status_class(const std::string& status) {
  if (status == "passed") return "ok";
  if (status == "no_baseline" || status == "skipped") return "note";
  return "bad";
}

std::string status_words(const std::string& status) {
  if (status == "passed") return "passed";
  if (status == "failed") return "FAILED";
  if (status == "regressed") return "REGRESSED";
  if (status == "timed_out") return "TIMED OUT";
  if (status == "crashed") return "CRASHED";
  if (status == "error") return "DID NOT RUN";
  if (status == "no_baseline") return "no baseline";
  return status;
}

// sparkline: `values` as a small line plot, the last point marked.
std::string sparkline(const std::vector<double>& values, const std::string& label) {
  constexpr double kWidth = 160;
  constexpr double kHeight = 36;
  if (values.empty()) return "";
  const auto [low_it, high_it] = std::minmax_element(values.begin(), values.end());
  const double low = *low_it;
  const double span = *high_it - low > 0 ? *high_it - low : 1;
  std::string points;
  double x = 0;
  double y = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    x = values.size() == 1 ? kWidth / 2 : 4 + (kWidth - 8) * i / (values.size() - 1.0);
    y = kHeight - 4 - (kHeight - 8) * (values[i] - low) / span;
    points += fmt::format("{:.1f},{:.1f} ", x, y);
  }
  return fmt::format(
      "<svg class=\"spark\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" "
      "aria-label=\"{}\"><polyline fill=\"none\" stroke=\"#3366aa\" stroke-width=\"1.5\" "
      "points=\"{}\"/><circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"#3366aa\"/></svg>",
      kWidth, kHeight, kWidth, kHeight, xml_escape(label), points, x, y);
}

// forest: each benchmark's ratio new/old with its interval, on a log scale,
// the threshold band shaded and 1.0 marked.
std::string forest(const Json& rows, double threshold) {
  std::vector<const Json*> shown;
  double low = 1 / (1 + threshold);
  double high = 1 + threshold;
  for (const auto& row : rows) {
    if (!row.contains("ratio") || !row["ratio"].is_number()) continue;
    shown.push_back(&row);
    for (const char* key : {"ratio", "ci_low", "ci_high"}) {
      if (row.contains(key) && row[key].is_number() && row[key].get<double>() > 0) {
        low = std::min(low, row[key].get<double>());
        high = std::max(high, row[key].get<double>());
      }
    }
  }
  if (shown.empty()) return "";
  constexpr double kLabel = 300;
  constexpr double kPlot = 420;
  constexpr double kRow = 18;
  const double height = 24 + kRow * shown.size();
  const double log_low = std::log(low / 1.05);
  const double log_high = std::log(high * 1.05);
  auto x_of = [&](double ratio) {
    return kLabel + kPlot * (std::log(ratio) - log_low) / (log_high - log_low);
  };
  std::string svg = fmt::format(
      "<svg class=\"forest\" width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"ratio new/old "
      "per benchmark\">",
      kLabel + kPlot + 10, height);
  svg += fmt::format(
      "<rect x=\"{:.1f}\" y=\"0\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#eeeeee\"/>",
      x_of(1 / (1 + threshold)), x_of(1 + threshold) - x_of(1 / (1 + threshold)), height - 16);
  svg += fmt::format(
      "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"0\" y2=\"{1:.1f}\" stroke=\"#888\"/>"
      "<text x=\"{0:.1f}\" y=\"{2:.1f}\" font-size=\"11\" text-anchor=\"middle\">1.0</text>",
      x_of(1), height - 16, height - 4);
  // The axis and its ends, so a point far from 1.0 reads against a scale.
  const double axis_low = low / 1.05;
  const double axis_high = high * 1.05;
  svg += fmt::format(
      "<line x1=\"{0:.1f}\" x2=\"{1:.1f}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#bbb\"/>"
      "<text x=\"{0:.1f}\" y=\"{3:.1f}\" font-size=\"11\" text-anchor=\"start\">{4:.3g}</text>"
      "<text x=\"{1:.1f}\" y=\"{3:.1f}\" font-size=\"11\" text-anchor=\"end\">{5:.3g}</text>",
      x_of(axis_low), x_of(axis_high), height - 16, height - 4, axis_low, axis_high);
  for (std::size_t i = 0; i < shown.size(); ++i) {
    const Json& row = *shown[i];
    const double y = 12 + kRow * i;
    const std::string verdict = row.value("verdict", "");
    const std::string colour = verdict == "regressed"  ? "#b00020"
                               : verdict == "improved" ? "#1b7f3b"
                                                       : "#333333";
    svg += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" text-anchor=\"end\">{}"
        "</text>",
        kLabel - 6, y + 4, xml_escape(row.value("name", "")));
    if (row.contains("ci_low") && row["ci_low"].is_number() && row.contains("ci_high") &&
        row["ci_high"].is_number()) {
      svg += fmt::format(
          "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
          "stroke-width=\"2\"/>",
          x_of(row["ci_low"].get<double>()), x_of(row["ci_high"].get<double>()), y, y, colour);
    }
    svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"/>",
                       x_of(row["ratio"].get<double>()), y, colour);
  }
  return svg + "</svg>";
}

std::string suites_section(const Json& job) {
  const Json& data = job.contains("data") ? job["data"] : Json::object();
  std::vector<Json> rows;
  for (const auto& r : data.value("results", Json::array()))
    rows.push_back(r);
  // Failures first, then the catalog order.
  std::stable_sort(rows.begin(), rows.end(), [](const Json& a, const Json& b) {
    return !a.value("passed", false) && b.value("passed", false);
  });
  std::string html =
      "<table><tr><th>scenario</th><th>target</th><th>verdict</th><th>what "
      "happened</th><th>replay</th></tr>\n";
  for (const auto& r : rows) {
    const bool passed = r.value("passed", false);
    html += fmt::format(
        "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        passed ? "ok" : "bad", xml_escape(r.value("scenario", "")),
        xml_escape(r.value("target", "")),
        passed ? "pass" : "FAIL " + xml_escape(r.value("invariant", "")),
        xml_escape(r.value("detail", "")),
        passed ? "" : "<code>" + xml_escape(r.value("replay", "")) + "</code>");
  }
  return html + "</table>\n";
}

std::string fuzz_section(const Json& job) {
  const Json& data = job.contains("data") ? job["data"] : Json::object();
  std::string html =
      "<table><tr><th>fuzzer</th><th>execs</th><th>exec/s</th><th>coverage</th><th>coverage "
      "over time</th><th>new units</th><th>crashes</th></tr>\n";
  std::string crashes;
  for (const auto& t : data.value("targets", Json::array())) {
    std::vector<double> coverage;
    for (const auto& s : t.value("samples", Json::array()))
      coverage.push_back(s.value("coverage", 0.0));
    const auto& list = t.value("crashes", Json::array());
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        xml_escape(t.value("name", "")), t.value("execs", 0), t.value("exec_per_sec", 0),
        t.value("coverage", 0), sparkline(coverage, t.value("name", "") + " coverage"),
        t.value("new_units", 0), list.size());
    for (const auto& crash : list) {
      crashes += fmt::format(
          "<li class=\"{}\">{} <b>{}</b> {}<br><code>{}</code></li>\n",
          crash.value("is_new", false) ? "bad" : "note",
          crash.value("is_new", false) ? "NEW" : "known", xml_escape(crash.value("kind", "")),
          xml_escape(crash.value("summary", "")), xml_escape(crash.value("reproduce", "")));
    }
  }
  html += "</table>\n";
  if (!crashes.empty()) html += "<h3>Crashes (deduplicated)</h3><ul>" + crashes + "</ul>\n";
  return html;
}

std::string bench_section(const Json& job) {
  const Json& data = job.contains("data") ? job["data"] : Json::object();
  const auto rows = data.value("benchmarks", Json::array());
  if (rows.empty()) return "";
  std::string html = forest(rows, data.value("threshold", 0.05));
  html +=
      "<table><tr><th>benchmark</th><th>metric</th><th>verdict</th><th>ratio new/old</th>"
      "<th>interval</th><th>p (adjusted)</th><th>note</th></tr>\n";
  auto number = [](const Json& row, const char* key) {
    return row.contains(key) && row[key].is_number() ? fmt::format("{:.4g}", row[key].get<double>())
                                                     : std::string("-");
  };
  for (const auto& row : rows) {
    const std::string verdict = row.value("verdict", "");
    html += fmt::format(
        "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>[{}, {}]</td><td>{}</td>"
        "<td>{}</td></tr>\n",
        verdict == "regressed"  ? "bad"
        : verdict == "improved" ? "ok"
                                : "",
        xml_escape(row.value("name", "")), xml_escape(row.value("metric", "")), xml_escape(verdict),
        number(row, "ratio"), number(row, "ci_low"), number(row, "ci_high"),
        number(row, "p_adjusted"), xml_escape(row.value("note", "")));
  }
  html += "</table>\n";
  if (data.contains("context")) {
    html += "<h3>Context of both sides</h3><pre>" +
            xml_escape(data["context"].dump(2, ' ', false, Json::error_handler_t::replace)) +
            "</pre>\n";
  }
  return html;
}

std::string trends_section(const std::vector<Json>& history) {
  if (history.size() < 2) return "<p>Trends appear from the second campaign on.</p>\n";
  std::string html = "<table><tr><th>series</th><th>last campaigns</th><th>now</th></tr>\n";
  auto row = [&](const std::string& label, const std::vector<double>& values) {
    if (values.size() < 2) return;
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{:.4g}</td></tr>\n", xml_escape(label),
                        sparkline(values, label), values.back());
  };
  std::vector<double> pass_rate;
  for (const auto& record : history)
    if (record.contains("suite_pass_rate")) pass_rate.push_back(record["suite_pass_rate"]);
  row("suite pass rate", pass_rate);
  for (const char* family : {"fuzz_coverage", "bench_median"}) {
    std::vector<std::string> names;
    const Json latest = history.back().value(family, Json::object());
    for (const auto& [name, value] : latest.items())
      names.push_back(name);
    for (const auto& name : names) {
      std::vector<double> values;
      for (const auto& record : history) {
        const auto series = record.value(family, Json::object());
        if (series.contains(name) && series[name].is_number()) values.push_back(series[name]);
      }
      row(std::string(family == std::string("fuzz_coverage") ? "coverage " : "median ") + name,
          values);
    }
  }
  return html + "</table>\n";
}

}  // namespace

std::string to_html(const nlohmann::json& summary, const std::vector<nlohmann::json>& history) {
  const Json environment = summary.value("environment", Json::object());
  std::string cards;
  std::string sections;
  for (const auto& job : summary.value("jobs", Json::array())) {
    const std::string name = job.value("name", "");
    const std::string status = job.value("status", "");
    cards += fmt::format(
        "<div class=\"card {}\"><div class=\"job\">{}</div><div class=\"verdict\">{}</div>"
        "<div>{}</div><div class=\"small\">{:.0f} s</div></div>\n",
        status_class(status), xml_escape(name), status_words(status),
        xml_escape(job.value("detail", "")), job.value("seconds", 0.0));
    std::string body = name == "suites"  ? suites_section(job)
                       : name == "fuzz"  ? fuzz_section(job)
                       : name == "bench" ? bench_section(job)
                                         : "";
    sections += fmt::format(
        "<h2 id=\"{0}\">{0}: {1}</h2>\n<p>{2} <span class=\"small\">(log: "
        "{3})</span></p>\n{4}",
        xml_escape(name), status_words(status), xml_escape(job.value("detail", "")),
        xml_escape(job.value("log", "")), body);
  }
  std::string load;
  for (const auto& value : environment.value("load_avg", Json::array()))
    load += fmt::format("{}{:.2f}", load.empty() ? "" : " ", value.get<double>());
  const bool passed = summary.value("exit_code", 1) == 0;
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>faultline campaign: {0}</title>\n<style>\n"
      "body{{font-family:sans-serif;margin:2em;max-width:1200px;color:#222}}"
      "table{{border-collapse:collapse;margin:.5em 0}}td,th{{border:1px solid #ccc;padding:3px "
      "6px;font-size:13px;vertical-align:top;text-align:left}}"
      "tr.bad td{{background:#fdecee}}tr.ok td{{}}code{{font-size:12px}}"
      ".cards{{display:flex;gap:1em;flex-wrap:wrap}}.card{{border-radius:6px;padding:.8em;"
      "min-width:220px;max-width:360px;border:2px solid}}.card.ok{{border-color:#1b7f3b;"
      "background:#eef8f0}}.card.bad{{border-color:#b00020;background:#fdecee}}"
      ".card.note{{border-color:#b8860b;background:#fff8e6}}.job{{font-weight:bold}}"
      ".verdict{{font-size:1.4em;margin:.2em 0}}.small{{color:#666;font-size:12px}}"
      "li.bad{{color:#b00020}}\n</style></head><body>\n"
      "<h1>faultline campaign: {0}</h1>\n<div class=\"cards\">\n{1}</div>\n{2}"
      "<h2 id=\"trends\">trends</h2>\n{3}"
      "<h2 id=\"environment\">environment</h2>\n<table>"
      "<tr><th>commit</th><td>{4}{5}</td></tr><tr><th>host</th><td>{6} ({7} "
      "CPUs{8})</td></tr><tr><th>load average</th><td>{9}</td></tr><tr><th>started</th><td>{10}"
      "</td></tr><tr><th>finished</th><td>{11}</td></tr><tr><th>config</th><td><code>{12}"
      "</code></td></tr></table>\n</body></html>\n",
      passed ? "passed" : "FAILED", cards, sections, trends_section(history),
      xml_escape(environment.value("commit", "")),
      environment.value("dirty", false) ? " (dirty tree)" : "",
      xml_escape(environment.value("host", "")), environment.value("cpu_count", 0),
      environment.value("cpu_governor", "").empty()
          ? ""
          : ", governor " + xml_escape(environment.value("cpu_governor", "")),
      load, xml_escape(environment.value("started", "")), xml_escape(summary.value("finished", "")),
      xml_escape(summary.value("config", Json::object()).dump()));
}

}  // namespace faultline::campaign
