// bench/report/output.h: a ComparisonReport rendered for people and tools.
//
//   std::cout << bench::render_text(report, {.color = isatty(1)});
//   write(file, bench::render_markdown(report));   // for review comments
//   bench::render_json(report)    // {"version":1,"benchmarks":[{name,metric,verdict,ratio,...}]}
//   bench::render_junit(report)   // one testcase per row; regressed = <failure>
//   bench::render_html(report)    // self-contained page, SVG sample and forest plots
//
// Pure functions: no I/O, deterministic output for a given report.
#pragma once

#include <string>
#include <string_view>

#include "bench/report/comparison.h"
#include "targets/net/error.h"

namespace faultline::bench {

struct TextOptions {
  bool color = false;
};

std::string render_text(const ComparisonReport& report, const TextOptions& options = {});
std::string render_markdown(const ComparisonReport& report);
std::string render_json(const ComparisonReport& report);
std::string render_junit(const ComparisonReport& report);
std::string render_html(const ComparisonReport& report);

// render_format: the renderer a --format flag names: text, md (markdown),
// json, junit or html; anything else is invalid_argument naming the flag.
net::Result<std::string> render_format(const ComparisonReport& report, std::string_view format,
                                       bool color = false);

// xml_escape: text safe inside XML/HTML/SVG text and attribute values
// (control bytes and invalid UTF-8 made visible).
std::string xml_escape(std::string_view text);

// format_value: a value in its unit, scaled for reading ("1.23 us",
// "4.56 M/s", "789 instr").
std::string format_value(double value, std::string_view unit, std::string_view metric);

// format_ratio: "+3.1%" / "-12.0%" style change from a ratio new/old.
std::string format_ratio_change(double ratio);

}  // namespace faultline::bench
