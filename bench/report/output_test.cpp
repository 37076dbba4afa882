// bench/report/output_test.cpp: every output of a comparison, on reports
// built by hand (no statistics involved): the words, the escaping, the
// structure each consumer relies on, and format_value's scaling.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <regex>
#include <string>
#include <vector>

#include "bench/report/output.h"
#include "bench/report/output_format.h"
#include "bench/report/svg_plot.h"

namespace faultline::bench {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::string_view kHostileName = "BM_<script>alert(\"x\")</script>&'\x1b[31m\x01|*_";

Comparison make_row(std::string name, Verdict verdict, double ratio, double low, double high) {
  Comparison row;
  row.name = std::move(name);
  row.metric = "real_time";
  row.unit = "ns";
  row.old_values = {100, 101, 99, 100.5, 102, 98.5, 100.2, 99.8};
  for (double value : row.old_values)
    row.new_values.push_back(value * ratio);
  row.old_median = 100.1;
  row.new_median = 100.1 * ratio;
  row.old_median_interval = {99, 101, true, ""};
  row.new_median_interval = {99 * ratio, 101 * ratio, true, ""};
  row.ratio = ratio;
  row.ci_low = low;
  row.ci_high = high;
  row.ci_available = true;
  row.p_value = 0.0012;
  row.p_adjusted = 0.0048;
  row.test = "mann-whitney exact";
  row.verdict = verdict;
  return row;
}

ComparisonReport sample_report() {
  ComparisonReport report;
  report.old_label = "old.json";
  report.new_label = "new.json";
  report.rows.push_back(make_row("BM_Parse/16", Verdict::regressed, 1.123, 1.098, 1.141));
  report.rows.push_back(make_row("BM_Parse/4096", Verdict::improved, 0.82, 0.79, 0.85));
  report.rows.push_back(make_row("BM_Echo/1", Verdict::unchanged, 1.004, 0.99, 1.02));
  Comparison few = make_row("BM_Connect", Verdict::inconclusive, 1.3, 0.9, 1.8);
  few.old_values = {1e6, 1.1e6};
  few.new_values = {1.3e6, 1.4e6};
  few.p_value = few.p_adjusted = 0.33;
  few.note =
      "2 vs 2 repetitions: the smallest possible p is 0.33; need at least 4 per side for alpha "
      "0.05";
  report.rows.push_back(few);
  Comparison ungated = make_row("BM_Flaky", Verdict::regressed, 1.5, 1.3, 1.7);
  ungated.gated = false;
  report.rows.push_back(ungated);
  report.added = {"BM_New"};
  report.removed = {"BM_Old"};
  report.geomeans.push_back({"real_time", 5, {1.02, {0.99, 1.05, true, ""}}});
  report.context_differences.push_back({"host_name", "alpha", "beta"});
  report.warnings.push_back(
      "libbenchmark reports library_build_type: debug (Debian's 1.7.1 package): its own overhead "
      "is in every figure");
  report.notes.push_back("p-values adjusted for 5 comparisons (Holm)");
  return report;
}

std::size_t count_of(std::string_view text, std::string_view needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

// xml_problem: "" when `xml` is well-formed as far as these outputs need
// (balanced tags, quoted attributes, entities only, no control bytes),
// otherwise what is wrong.
std::string xml_problem(std::string_view xml) {
  std::vector<std::string> open;
  auto bad_text = [](std::string_view text) -> std::string {
    for (std::size_t i = 0; i < text.size(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') return "control byte";
      if (c == '<') return "raw <";
      if (c == '&') {
        static const std::regex entity(R"(^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)");
        if (!std::regex_search(std::string(text.substr(i, 12)), entity)) return "raw &";
      }
    }
    return "";
  };
  std::size_t i = 0;
  while (i < xml.size()) {
    const std::size_t lt = xml.find('<', i);
    if (std::string problem =
            bad_text(xml.substr(i, lt == std::string_view::npos ? xml.npos : lt - i));
        !problem.empty()) {
      return problem + " in text near " + std::string(xml.substr(i, 40));
    }
    if (lt == std::string_view::npos) break;
    if (xml.substr(lt, 2) == "<?") {
      i = xml.find("?>", lt) + 2;
      continue;
    }
    std::size_t gt = lt + 1;
    char quote = 0;
    for (; gt < xml.size(); ++gt) {
      if (quote != 0) {
        if (xml[gt] == quote)
          quote = 0;
        else if (xml[gt] == '<')
          return "< inside an attribute";
      } else if (xml[gt] == '"' || xml[gt] == '\'') {
        quote = xml[gt];
      } else if (xml[gt] == '>') {
        break;
      }
    }
    if (gt >= xml.size()) return "unterminated tag";
    std::string_view tag = xml.substr(lt + 1, gt - lt - 1);
    if (std::string problem = bad_text(tag); !problem.empty() && problem != "raw <") {
      return problem + " in tag " + std::string(tag.substr(0, 40));
    }
    const bool closing = tag.starts_with("/");
    const bool self_closing = tag.ends_with("/");
    std::string name(tag.substr(closing ? 1 : 0,
                                tag.find_first_of(" \n/", closing ? 1 : 0) - (closing ? 1 : 0)));
    if (closing) {
      if (open.empty() || open.back() != name) return "unbalanced </" + name + ">";
      open.pop_back();
    } else if (!self_closing) {
      open.push_back(name);
    }
    i = gt + 1;
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return "";
}

std::vector<std::string> svg_blocks(const std::string& html) {
  std::vector<std::string> blocks;
  for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
    const auto end = html.find("</svg>", at);
    blocks.push_back(html.substr(at, end + 6 - at));
  }
  return blocks;
}

// format_value ---------------------------------------------------------------

struct ValueCase {
  double value;
  std::string_view unit;
  std::string_view metric;
  std::string_view expected;
};

TEST(OutputFormatValue, ScalesEachKindOfMetricForReading) {
  const ValueCase cases[] = {
      {0.5, "ns", "real_time", "0.500 ns"},
      {12.345, "ns", "real_time", "12.3 ns"},
      {999.4, "ns", "cpu_time", "999 ns"},
      {999.7, "ns", "cpu_time", "1.00 us"},
      {1234, "ns", "real_time", "1.23 us"},
      {4.56e7, "ns", "real_time", "45.6 ms"},
      {2.5e9, "ns", "real_time", "2.50 s"},
      {4.56e6, "", "items_per_second", "4.56 M/s"},
      {12, "", "items_per_second", "12.0/s"},
      {3.2e9, "", "bytes_per_second", "3.20 GB/s"},
      {512, "", "bytes_per_second", "512 B/s"},
      {789, "instructions", "instructions", "789 instr"},
      {1.5e6, "instructions", "instructions", "1.50 M instr"},
      {2500, "", "allocations", "2.50 k"},
      {5, "", "allocations", "5.00"},
      {0, "ns", "real_time", "0 ns"},
      {-1500, "ns", "real_time", "-1.50 us"},
      {kNaN, "ns", "real_time", "n/a"},
  };
  for (const ValueCase& c : cases) {
    EXPECT_EQ(format_value(c.value, c.unit, c.metric), c.expected)
        << c.value << " " << c.unit << " " << c.metric;
  }
}

TEST(OutputFormatValue, RatioChangeIsSignedWithOneDecimal) {
  EXPECT_EQ(format_ratio_change(1.031), "+3.1%");
  EXPECT_EQ(format_ratio_change(0.88), "-12.0%");
  EXPECT_EQ(format_ratio_change(1.0), "+0.0%");
  EXPECT_EQ(format_ratio_change(0.99999), "+0.0%");
  EXPECT_EQ(format_ratio_change(kNaN), "n/a");
}

TEST(OutputFormatValue, RatioIntervalReadsChangeThenBrackets) {
  const Comparison row = make_row("BM", Verdict::regressed, 1.123, 1.098, 1.141);
  EXPECT_EQ(output::format_ratio_interval(row), "+12.3% [+9.8%, +14.1%]");
}

TEST(OutputFormatValue, PrintableShowsControlBytesAndBadUtf8Escaped) {
  EXPECT_EQ(output::printable("a\x1b[0m\n"), "a\\x1b[0m\\x0a");
  EXPECT_EQ(output::printable("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(output::printable("bad\xff"), "bad\\xff");
  EXPECT_EQ(output::printable("\xe2\x80\xae"), "\\u202e");  // right-to-left override
}

TEST(OutputFormatValue, TruncateMiddleKeepsBothEnds) {
  EXPECT_EQ(output::truncate_middle("BM_abcdefghij/128", 9), "BM_a\u2026/128");
  EXPECT_EQ(output::display_width(output::truncate_middle("BM_abcdefghij/128", 9)), 9u);
  EXPECT_EQ(output::truncate_middle("short", 9), "short");
}

TEST(OutputFormatValue, MultipleComparisonsAreStatedInWords) {
  ComparisonReport report = sample_report();
  EXPECT_EQ(output::multiple_comparisons_sentence(report),
            "p-values adjusted for 5 comparisons (Holm)");
  report.multiple_comparisons = "none";
  EXPECT_EQ(output::multiple_comparisons_sentence(report),
            "p-values not adjusted for multiple comparisons (5 comparisons)");
}

// text -------------------------------------------------------------------------

TEST(OutputText, HasNoAnsiEscapesWithoutColor) {
  ComparisonReport report = sample_report();
  report.rows[0].name = "BM_\x1b[31mred";
  const std::string text = render_text(report, {.color = false});
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("BM_\\x1b[31mred"), std::string::npos);
}

TEST(OutputText, ColoursVerdictsWhenAsked) {
  const std::string text = render_text(sample_report(), {.color = true});
  EXPECT_NE(text.find("\x1b[1;31mregressed\x1b[0m"), std::string::npos);
  EXPECT_NE(text.find("\x1b[1;32mimproved\x1b[0m"), std::string::npos);
  EXPECT_NE(text.find("\x1b[33minconclusive\x1b[0m"), std::string::npos);
}

TEST(OutputText, StatesHeaderRowsAndSummary) {
  const std::string text = render_text(sample_report());
  for (std::string_view expected : {"old.json vs new.json",
                                    "real_time (lower is better)",
                                    "alpha 0.05",
                                    "threshold 5%",
                                    "95% confidence",
                                    "p-values adjusted for 5 comparisons (Holm)",
                                    "host_name: alpha vs beta",
                                    "library_build_type: debug",
                                    "+12.3%",
                                    "[+9.8%, +14.1%]",
                                    "0.0012",
                                    "0.0048",
                                    "8/8",
                                    "100 ns \u00b11.0",
                                    "need at least 4 per side",
                                    "not gated",
                                    "BM_New",
                                    "BM_Old",
                                    "real_time geomean over 5 benchmarks: +2.0% [-1.0%, +5.0%]",
                                    "2 regressed, 1 improved, 1 unchanged, 1 inconclusive",
                                    "1 gated regression"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
}

TEST(OutputText, LongNamesAreCutInTheMiddleAndColumnsStayAligned) {
  ComparisonReport report = sample_report();
  report.rows[1].name = "BM_" + std::string(200, 'x') + "/end";
  const std::string text = render_text(report);
  EXPECT_NE(text.find("\u2026"), std::string::npos);
  EXPECT_NE(text.find("x/end"), std::string::npos);
  // Every row's metric column starts at the same display column.
  std::vector<std::size_t> columns;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    if (line.starts_with("BM_")) {
      columns.push_back(output::display_width(line.substr(0, line.find("real_time"))));
    }
    start = end + 1;
  }
  ASSERT_EQ(columns.size(), report.rows.size());
  for (std::size_t column : columns)
    EXPECT_EQ(column, columns.front());
}

TEST(OutputText, EmptyReportSaysSo) {
  const std::string text = render_text(ComparisonReport{});
  EXPECT_NE(text.find("no benchmarks compared"), std::string::npos);
  EXPECT_NE(text.find("0 regressed, 0 improved, 0 unchanged, 0 inconclusive"), std::string::npos);
}

// markdown -------------------------------------------------------------------

TEST(OutputMarkdown, FirstLineSummarisesTheVerdicts) {
  const std::string markdown = render_markdown(sample_report());
  const std::string first = markdown.substr(0, markdown.find('\n'));
  EXPECT_NE(first.find("**2 regressed** (1 gated)"), std::string::npos) << first;
  EXPECT_NE(first.find("**1 improved**"), std::string::npos) << first;
  EXPECT_NE(first.find("1 unchanged, 1 inconclusive"), std::string::npos) << first;
  EXPECT_NE(first.find("new.json vs old.json"), std::string::npos) << first;
}

TEST(OutputMarkdown, TableHasTheColumnsAndOneLinePerRow) {
  const std::string markdown = render_markdown(sample_report());
  EXPECT_NE(markdown.find("| Benchmark | Metric | Old | New | Change [CI] | p (adj.) | n old/new | "
                          "Verdict |\n|---|---|--:|--:|--:|--:|--:|---|\n"),
            std::string::npos);
  EXPECT_NE(markdown.find("| BM\\_Parse/16 | real\\_time |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| +12.3% [+9.8%, +14.1%] | 0.0012 (0.0048) | 8/8 | **regressed** |"),
            std::string::npos);
  EXPECT_NE(markdown.find("| _inconclusive_ |"), std::string::npos);
  EXPECT_NE(markdown.find("**regressed** (not gated)"), std::string::npos);
  EXPECT_EQ(count_of(markdown, "\n| BM"), 5u);
}

TEST(OutputMarkdown, NotesAreFoldedInDetails) {
  const std::string markdown = render_markdown(sample_report());
  const auto details = markdown.find("<details><summary>Notes on");
  ASSERT_NE(details, std::string::npos);
  EXPECT_GT(markdown.find("need at least 4 per side"), details);
  EXPECT_NE(markdown.find("> **Warning:** libbenchmark reports library\\_build\\_type"),
            std::string::npos);
}

TEST(OutputMarkdown, HostileNamesNeitherBreakTheTableNorInjectHtml) {
  ComparisonReport report = sample_report();
  report.rows[0].name = std::string(kHostileName);
  const std::string markdown = render_markdown(report);
  EXPECT_EQ(markdown.find("<script"), std::string::npos);
  EXPECT_EQ(markdown.find('\x1b'), std::string::npos);
  const std::string line = markdown.substr(markdown.find("| BM\\_&lt;script"));
  // 9 unescaped pipes: the borders of the 8 cells, none from the name.
  const std::string row = line.substr(0, line.find('\n'));
  EXPECT_EQ(count_of(row, "|") - count_of(row, "\\|"), 9u) << row;
}

// json -------------------------------------------------------------------------

TEST(OutputJson, ParsesAndHasTheRequiredFields) {
  const auto json = nlohmann::json::parse(render_json(sample_report()));
  EXPECT_EQ(json["version"], 1);
  EXPECT_EQ(json["old"], "old.json");
  EXPECT_EQ(json["new"], "new.json");
  EXPECT_EQ(json["multiple_comparisons"], "holm");
  for (std::string_view key : {"alpha", "threshold", "confidence", "context_differences", "added",
                               "removed", "geomean", "counts", "warnings", "notes"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  ASSERT_EQ(json["benchmarks"].size(), 5u);
  const auto& first = json["benchmarks"][0];
  for (std::string_view key :
       {"name",       "metric",     "unit",       "direction",  "verdict",   "ratio",
        "ci_low",     "ci_high",    "p_value",    "p_adjusted", "n_old",     "n_new",
        "old_median", "new_median", "old_ci",     "new_ci",     "threshold", "gated",
        "test",       "note",       "old_values", "new_values"}) {
    EXPECT_TRUE(first.contains(key)) << key;
  }
  EXPECT_EQ(first["verdict"], "regressed");
  EXPECT_DOUBLE_EQ(first["ratio"].get<double>(), 1.123);
  EXPECT_EQ(first["n_old"], 8);
  EXPECT_EQ(first["old_ci"].size(), 2u);
  EXPECT_EQ(json["counts"]["regressed"], 2);
  EXPECT_EQ(json["counts"]["inconclusive"], 1);
  EXPECT_EQ(json["geomean"][0]["count"], 5);
  EXPECT_EQ(json["context_differences"][0]["field"], "host_name");
  EXPECT_EQ(json["benchmarks"][4]["gated"], false);
}

TEST(OutputJson, NanAndInfinityAreNull) {
  ComparisonReport report = sample_report();
  report.rows[0].ratio = kNaN;
  report.rows[0].p_value = std::numeric_limits<double>::infinity();
  report.rows[0].ci_available = false;
  report.rows[0].old_median_interval.available = false;
  report.rows[0].new_values[0] = kNaN;
  report.geomeans[0].ratio.value = kNaN;
  const std::string text = render_json(report);
  EXPECT_EQ(text.find("NaN"), std::string::npos);
  EXPECT_EQ(text.find("nan"), std::string::npos);
  EXPECT_EQ(text.find("inf"), std::string::npos);
  const auto json = nlohmann::json::parse(text);
  const auto& row = json["benchmarks"][0];
  EXPECT_TRUE(row["ratio"].is_null());
  EXPECT_TRUE(row["p_value"].is_null());
  EXPECT_TRUE(row["ci_low"].is_null());
  EXPECT_TRUE(row["old_ci"].is_null());
  EXPECT_TRUE(row["new_values"][0].is_null());
  EXPECT_TRUE(json["geomean"][0]["ratio"].is_null());
}

TEST(OutputJson, InvalidUtf8AndControlBytesStillParse) {
  ComparisonReport report = sample_report();
  report.rows[0].name = "BM_\xff\xfe\x1b";
  const auto json = nlohmann::json::parse(render_json(report));
  EXPECT_EQ(json["benchmarks"][0]["name"], "BM_\xef\xbf\xbd\xef\xbf\xbd\x1b");
}

// junit ----------------------------------------------------------------------

TEST(OutputJunit, IsWellFormedWithOneTestcasePerRow) {
  const std::string xml = render_junit(sample_report());
  EXPECT_EQ(xml_problem(xml), "") << xml;
  EXPECT_EQ(count_of(xml, "<testcase "), 5u);
  EXPECT_NE(xml.find("<testsuite name=\"faultline bench compare\" tests=\"5\" failures=\"1\""),
            std::string::npos);
  EXPECT_NE(xml.find("<testcase classname=\"real_time\" name=\"BM_Parse/16\""), std::string::npos);
}

TEST(OutputJunit, OnlyGatedRegressionsAreFailures) {
  const std::string xml = render_junit(sample_report());
  EXPECT_EQ(count_of(xml, "<failure "), 1u);
  EXPECT_NE(xml.find("<failure message=\"regressed: +12.3% [+9.8%, +14.1%]\""), std::string::npos);
  EXPECT_NE(xml.find("regressed: +50.0% [+30.0%, +70.0%] (not gated: does not fail the run)"),
            std::string::npos);
  EXPECT_NE(xml.find("need at least 4 per side"), std::string::npos);
}

TEST(OutputJunit, HostileNamesAreEscaped) {
  ComparisonReport report = sample_report();
  report.rows[0].name = std::string(kHostileName);
  report.rows[0].metric = "a\"b<c>";
  report.added = {"x\x02<y>"};
  const std::string xml = render_junit(report);
  EXPECT_EQ(xml_problem(xml), "") << xml;
  EXPECT_EQ(xml.find("<script"), std::string::npos);
  EXPECT_NE(xml.find("name=\"BM_&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"
                     "\\x1b[31m\\x01|*_\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("classname=\"a&quot;b&lt;c&gt;\""), std::string::npos);
}

TEST(OutputJunit, EmptyReportIsAnEmptySuite) {
  const std::string xml = render_junit(ComparisonReport{});
  EXPECT_EQ(xml_problem(xml), "");
  EXPECT_NE(xml.find("tests=\"0\" failures=\"0\""), std::string::npos);
}

// html -------------------------------------------------------------------------

TEST(OutputHtml, ForestPlotHasOneMarkerPerRow) {
  const std::string html = render_html(sample_report());
  const std::vector<std::string> svgs = svg_blocks(html);
  ASSERT_EQ(svgs.size(), 1u + 5u);  // the forest plot and one strip plot per row
  const std::string& forest = svgs[0];
  EXPECT_NE(forest.find("class=\"forest-plot\""), std::string::npos);
  EXPECT_EQ(count_of(forest, "class=\"marker"), 5u);
  EXPECT_EQ(count_of(forest, "class=\"threshold-band\""), 1u);
  for (const std::string& svg : svgs)
    EXPECT_EQ(xml_problem(svg), "") << svg;
}

TEST(OutputHtml, IsSelfContained) {
  const std::string html = render_html(sample_report());
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("http://", html.find("</style>")), html.find("http://www.w3.org/2000/svg"));
}

TEST(OutputHtml, HostileNamesAreEscaped) {
  ComparisonReport report = sample_report();
  report.rows[0].name = std::string(kHostileName);
  report.old_label = "<img src=x onerror=alert(1)>";
  report.warnings.push_back("<b>bold</b>");
  const std::string html = render_html(report);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>bold"), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_EQ(html.find('\x01'), std::string::npos);
  EXPECT_NE(html.find("BM_&lt;script&gt;alert(&quot;x&quot;)"), std::string::npos);
  for (const std::string& svg : svg_blocks(html))
    EXPECT_EQ(xml_problem(svg), "") << svg;
}

TEST(OutputHtml, RowsWithoutEstimateOrIntervalAreDrawnAsTheyCan) {
  ComparisonReport report = sample_report();
  report.rows[3].ratio = kNaN;  // too few samples: no estimate at all
  report.rows[3].ci_available = false;
  report.rows[2].ci_available = false;  // an estimate without an interval
  const std::string html = render_html(report);
  const std::string forest = svg_blocks(html)[0];
  EXPECT_EQ(count_of(forest, "class=\"marker"), 4u);
  EXPECT_NE(forest.find("no estimate"), std::string::npos);
  EXPECT_NE(html.find("1 row without an estimate"), std::string::npos);
  EXPECT_EQ(html.find("nan"), std::string::npos);
  EXPECT_EQ(xml_problem(forest), "");
}

TEST(OutputHtml, ExtremeRatiosAreClampedWithAnArrow) {
  ComparisonReport report = sample_report();
  report.rows[0] = make_row("BM_Huge", Verdict::regressed, 250, 200, 300);
  report.rows[1] = make_row("BM_Tiny", Verdict::improved, 0.001, 0.0005, 0.002);
  const std::string forest = svg_blocks(render_html(report))[0];
  EXPECT_EQ(count_of(forest, "class=\"marker clamped\""), 2u);
  EXPECT_EQ(count_of(forest, "class=\"marker"), 5u);
  EXPECT_NE(forest.find("+900%"), std::string::npos);  // the axis ends at 10x
  EXPECT_EQ(xml_problem(forest), "");
}

TEST(OutputHtml, ZeroRowsStillRender) {
  const std::string html = render_html(ComparisonReport{});
  EXPECT_NE(html.find("No benchmarks compared"), std::string::npos);
  EXPECT_EQ(html.find("<svg"), std::string::npos);
  EXPECT_TRUE(html.ends_with("</html>\n"));
}

TEST(OutputHtml, HundredsOfRowsGrowThePlot) {
  ComparisonReport report;
  for (int i = 0; i < 300; ++i) {
    const double ratio = 0.8 + 0.001 * i;
    report.rows.push_back(make_row(fmt::format("BM_Case/{}", i), Verdict::unchanged, ratio,
                                   ratio * 0.98, ratio * 1.02));
  }
  const std::string html = render_html(report);
  const std::vector<std::string> svgs = svg_blocks(html);
  ASSERT_EQ(svgs.size(), 301u);
  EXPECT_EQ(count_of(svgs[0], "class=\"marker"), 300u);
  const std::smatch height = [&] {
    std::smatch match;
    std::regex_search(svgs[0], match, std::regex("height=\"([0-9.]+)\""));
    return match;
  }();
  EXPECT_GT(std::stod(height[1]), 300 * 20.0);
  EXPECT_EQ(xml_problem(svgs[0]), "");
}

TEST(OutputHtml, StripPlotDrawsEverySampleAndBothMedians) {
  const Comparison row = make_row("BM_Parse/16", Verdict::regressed, 1.123, 1.098, 1.141);
  const std::string svg = strip_plot_svg(row);
  EXPECT_EQ(count_of(svg, "<circle "), row.old_values.size() + row.new_values.size());
  EXPECT_EQ(count_of(svg, "class=\"median\""), 2u);
  EXPECT_EQ(svg, strip_plot_svg(row));  // deterministic jitter
  EXPECT_EQ(xml_problem(svg), "");
}

TEST(OutputHtml, StripPlotThinsLargeSamples) {
  Comparison row = make_row("BM", Verdict::unchanged, 1, 0.99, 1.01);
  row.old_values.assign(5000, 100);
  for (int i = 0; i < 5000; ++i)
    row.old_values[i] += i % 7;
  const std::string svg = strip_plot_svg(row, {.max_points = 400});
  EXPECT_EQ(count_of(svg, "<circle "), 400u + row.new_values.size());
  EXPECT_NE(svg.find("(400 shown)"), std::string::npos);
}

TEST(OutputHtml, LogAxisTicksIncludeOneAndStayApart) {
  const std::vector<double> ticks = log_axis_ticks(0.5, 2, 600);
  EXPECT_NE(std::find(ticks.begin(), ticks.end(), 1.0), ticks.end());
  EXPECT_NE(std::find(ticks.begin(), ticks.end(), 0.5), ticks.end());
  EXPECT_NE(std::find(ticks.begin(), ticks.end(), 2.0), ticks.end());
  for (std::size_t i = 1; i < ticks.size(); ++i) {
    EXPECT_GE(std::log(ticks[i] / ticks[i - 1]) / std::log(4.0) * 600, 46 - 1e-9);
  }
}

}  // namespace
}  // namespace faultline::bench
