// bench/report/output_format.h: what every output of a comparison shares (an
// internal header of the output_*.cpp files): text made safe before a format
// escapes it, numbers scaled in their units, and the sentences of the header
// and footer, so that text, Markdown, JUnit and HTML say the same thing.
//
//   std::string name = output::printable(row.name);   // valid UTF-8, no control bytes
//   output::format_ratio_interval(row)                 // "+12.3% [+9.8%, +14.1%]"
//   output::multiple_comparisons_sentence(report)      // "p-values adjusted for 14 comparisons
//   (Holm)"
//
// Benchmark names come from files we did not write: they may hold control
// bytes (a terminal escape), invalid UTF-8, bidi overrides or markup. Every
// output first passes them through printable(), then through its own escaping.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "bench/report/comparison.h"
#include "bench/report/output.h"

namespace faultline::bench::output {

// printable: `text` as valid UTF-8 without control characters. C0/C1
// controls, DEL, bidi overrides and U+FFFE/U+FFFF are shown as `\xNN` /
// `\uNNNN`; bytes that are not UTF-8 are shown as `\xNN`. The result is
// also valid XML 1.0 character data once `&<>"'` are escaped.
inline std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      if (lead < 0x20 || lead == 0x7f) {
        out += fmt::format("\\x{:02x}", lead);
      } else {
        out += static_cast<char>(lead);
      }
      ++i;
      continue;
    }
    std::size_t length = 0;
    char32_t code_point = 0;
    char32_t smallest = 0;
    if ((lead & 0xe0) == 0xc0) {
      length = 2, code_point = lead & 0x1f, smallest = 0x80;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3, code_point = lead & 0x0f, smallest = 0x800;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4, code_point = lead & 0x07, smallest = 0x10000;
    }
    bool valid = length != 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xc0) == 0x80;
      code_point = (code_point << 6) | (next & 0x3f);
    }
    valid = valid && code_point >= smallest && code_point <= 0x10ffff &&
            !(code_point >= 0xd800 && code_point <= 0xdfff);
    if (!valid) {
      out += fmt::format("\\x{:02x}", lead);
      ++i;
      continue;
    }
    const bool hidden = (code_point >= 0x80 && code_point <= 0x9f) ||
                        (code_point >= 0x202a && code_point <= 0x202e) ||
                        (code_point >= 0x2066 && code_point <= 0x2069) || code_point == 0xfffe ||
                        code_point == 0xffff;
    if (hidden) {
      out += fmt::format("\\u{:04x}", static_cast<std::uint32_t>(code_point));
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

// display_width: columns a printable() string takes in a terminal, counting
// one per code point (wide East Asian characters are rare in benchmark names).
inline std::size_t display_width(std::string_view utf8) {
  return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  }));
}

// truncate_middle: a printable() string cut to `width` columns by replacing
// its middle with "…", so both the family (front) and the argument (back) of
// "BM_Something/very/long/arguments" stay readable.
inline std::string truncate_middle(std::string_view utf8, std::size_t width) {
  const std::size_t have = display_width(utf8);
  if (have <= width) return std::string(utf8);
  if (width == 0) return {};
  const std::size_t keep_front = width / 2;
  const std::size_t keep_back = width - 1 - keep_front;
  std::size_t front_bytes = 0;
  for (std::size_t seen = 0; front_bytes < utf8.size(); ++front_bytes) {
    if ((static_cast<unsigned char>(utf8[front_bytes]) & 0xc0) != 0x80 && seen++ == keep_front) {
      break;
    }
  }
  std::size_t back_start = utf8.size();
  for (std::size_t seen = 0; back_start > 0 && seen < keep_back;) {
    --back_start;
    if ((static_cast<unsigned char>(utf8[back_start]) & 0xc0) != 0x80) ++seen;
  }
  return std::string(utf8.substr(0, front_bytes)) + "\u2026" + std::string(utf8.substr(back_start));
}

// xml_escape: printable() text with `&<>"'` as entities: safe in XML and
// HTML text and in attribute values of either quote.
inline std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : printable(text)) {
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
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// xml_escape_lines: xml_escape() for multi-line text content: the line
// breaks of `text` stay, every other control character is shown escaped.
inline std::string xml_escape_lines(std::string_view text) {
  std::string out;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out += xml_escape(text.substr(start, end - start));
    if (end < text.size()) out += '\n';
    start = end + 1;
  }
  return out;
}

// significant: `value` with `digits` significant digits, fixed notation
// ("1.23", "12.3", "123", "1230").
inline std::string significant(double value, int digits) {
  if (!std::isfinite(value)) return std::isnan(value) ? "n/a" : (value > 0 ? "inf" : "-inf");
  if (value == 0) return "0";
  // Outside the range a person reads in fixed notation: scientific.
  if (std::fabs(value) < 1e-6 || std::fabs(value) >= 1e15) {
    return fmt::format("{:.{}e}", value, std::max(0, digits - 1));
  }
  int exponent = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  int decimals = std::max(0, digits - 1 - exponent);
  std::string text = fmt::format("{:.{}f}", value, decimals);
  // 9.996 with 3 digits rounds to "10.00": one decimal too many.
  if (decimals > 0 &&
      std::fabs(std::strtod(text.c_str(), nullptr)) >= std::pow(10.0, exponent + 1)) {
    text = fmt::format("{:.{}f}", value, decimals - 1);
  }
  return text;
}

// ValueScale: how one metric's values are shown: divide by `divisor`, then
// append `suffix` (" us", " M/s", "/s", " k instr").
struct ValueScale {
  double divisor = 1;
  std::string suffix;
};

inline bool ends_with(std::string_view text, std::string_view tail) {
  return text.size() >= tail.size() && text.substr(text.size() - tail.size()) == tail;
}

inline bool is_per_second(std::string_view unit, std::string_view metric) {
  return ends_with(metric, "_per_second") || ends_with(metric, "/s") || ends_with(unit, "/s");
}

// value_scale: the scale for values of magnitude |magnitude|: times (stored
// in ns) as ns/us/ms/s, everything else with k/M/G/T prefixes.
inline ValueScale value_scale(double magnitude, std::string_view unit, std::string_view metric) {
  magnitude = std::fabs(magnitude);
  if (std::isfinite(magnitude) && magnitude > 0) {
    // Choose on the rounded value, so 999.7 ns reads "1.00 us", not "1000 ns".
    magnitude = std::strtod(significant(magnitude, 3).c_str(), nullptr);
  }
  const bool time = unit == "ns" || metric == "real_time" || metric == "cpu_time";
  if (time) {
    if (!(magnitude >= 1e3)) return {1, " ns"};
    if (magnitude < 1e6) return {1e3, " us"};
    if (magnitude < 1e9) return {1e6, " ms"};
    return {1e9, " s"};
  }
  static constexpr std::string_view kPrefixes[] = {"", "k", "M", "G", "T"};
  std::size_t index = 0;
  double divisor = 1;
  while (index + 1 < std::size(kPrefixes) && magnitude >= divisor * 1e3) {
    divisor *= 1e3;
    ++index;
  }
  const std::string prefix(kPrefixes[index]);
  const std::string spaced_prefix = prefix.empty() ? "" : " " + prefix;
  if (unit == "instructions" || metric.find("instructions") != std::string_view::npos) {
    return {divisor, spaced_prefix + " instr"};
  }
  if (metric == "bytes_per_second") return {divisor, " " + prefix + "B/s"};
  if (is_per_second(unit, metric)) return {divisor, spaced_prefix + "/s"};
  if (!unit.empty()) return {divisor, spaced_prefix + " " + printable(unit)};
  return {divisor, spaced_prefix};
}

// scaled: `value` in `scale` with 3 significant digits, suffix attached
// ("1.23 us", "4.56 M/s", "12.0/s", "789 instr").
inline std::string scaled(double value, const ValueScale& scale, int digits = 3) {
  if (!std::isfinite(value)) return significant(value, digits);
  std::string number = significant(value / scale.divisor, digits);
  return number + scale.suffix;
}

// format_median: a median with its interval in the same scale: its
// half-width when the interval is about symmetric ("1.23 us ±0.012"), the
// distances up and down when it is skewed ("303 us +530/-9.6"), or the bare
// median when there is no interval.
inline std::string format_median(double median, const Interval& interval, std::string_view unit,
                                 std::string_view metric) {
  const ValueScale scale = value_scale(median, unit, metric);
  std::string text = scaled(median, scale);
  if (interval.available && std::isfinite(interval.low) && std::isfinite(interval.high)) {
    const double up = std::max(0.0, interval.high - median) / scale.divisor;
    const double down = std::max(0.0, median - interval.low) / scale.divisor;
    // A skewed interval (typical of timings) is shown as it is, never as a
    // symmetric +- that would reach below zero.
    if (std::fabs(up - down) <= 0.25 * std::max(up, down)) {
      text += " \u00b1" + significant((up + down) / 2, 2);
    } else {
      text += " +" + significant(up, 2) + "/-" + significant(down, 2);
    }
  }
  return text;
}

// percent_change: 100 * (ratio - 1) with one decimal and a sign ("+3.1%").
inline std::string percent_change(double ratio) {
  if (!std::isfinite(ratio) || ratio < 0) return "n/a";
  std::string text = fmt::format("{:+.1f}%", (ratio - 1) * 100);
  if (text == "-0.0%") text = "+0.0%";
  return text;
}

// format_ratio_interval: "+12.3% [+9.8%, +14.1%]", "+12.3% (no interval)" or "n/a".
inline std::string format_ratio_interval(const Comparison& row) {
  if (!std::isfinite(row.ratio) || row.ratio <= 0) return "n/a";
  if (!row.ci_available) return percent_change(row.ratio) + " (no interval)";
  return fmt::format("{} [{}, {}]", percent_change(row.ratio), percent_change(row.ci_low),
                     percent_change(row.ci_high));
}

// ratio_interval_text: the bracketed interval alone ("[+9.8%, +14.1%]"), or "".
inline std::string ratio_interval_text(const Comparison& row) {
  if (!row.ci_available || !std::isfinite(row.ci_low) || !std::isfinite(row.ci_high)) return {};
  return fmt::format("[{}, {}]", percent_change(row.ci_low), percent_change(row.ci_high));
}

// format_p: a p-value for reading ("0.012", "0.0031", "<0.0001").
inline std::string format_p(double p) {
  if (!std::isfinite(p)) return "n/a";
  if (p < 1e-4) return "<0.0001";
  if (p < 0.01) return fmt::format("{:.4f}", p);
  return fmt::format("{:.3f}", p);
}

// format_percent: a fraction as a short percentage (0.05 -> "5%", 0.025 -> "2.5%").
inline std::string format_percent(double fraction) {
  if (!std::isfinite(fraction)) return "n/a";
  return fmt::format("{:.4g}%", fraction * 100);
}

inline std::string_view direction_words(Direction direction) {
  return direction == Direction::higher_is_better ? "higher is better" : "lower is better";
}

// kVerdicts: the four verdicts in the order every summary lists them.
inline constexpr Verdict kVerdicts[] = {Verdict::regressed, Verdict::improved, Verdict::unchanged,
                                        Verdict::inconclusive};

// metrics_of: the metrics of the report's rows in order of first
// appearance, with the direction of their first row.
struct MetricInfo {
  std::string name;
  Direction direction = Direction::lower_is_better;
};

inline std::vector<MetricInfo> metrics_of(const ComparisonReport& report) {
  std::vector<MetricInfo> metrics;
  for (const Comparison& row : report.rows) {
    auto same = [&](const MetricInfo& m) { return m.name == row.metric; };
    if (std::none_of(metrics.begin(), metrics.end(), same)) {
      metrics.push_back({row.metric, row.direction});
    }
  }
  return metrics;
}

// metrics_sentence: "real_time (lower is better), items_per_second (higher is better)".
inline std::string metrics_sentence(const ComparisonReport& report) {
  std::string text;
  for (const MetricInfo& metric : metrics_of(report)) {
    if (!text.empty()) text += ", ";
    text += fmt::format("{} ({})", printable(metric.name), direction_words(metric.direction));
  }
  return text.empty() ? "none" : text;
}

// settings_sentence: "alpha 0.05, threshold 5%, 95% confidence".
inline std::string settings_sentence(const ComparisonReport& report) {
  return fmt::format("alpha {:g}, threshold {}, {} confidence", report.alpha,
                     format_percent(report.threshold), format_percent(report.confidence));
}

// multiple_comparisons_sentence: "p-values adjusted for 14 comparisons (Holm)".
inline std::string multiple_comparisons_sentence(const ComparisonReport& report) {
  const std::size_t n = report.rows.size();
  const std::string comparisons = fmt::format("{} comparison{}", n, n == 1 ? "" : "s");
  if (report.multiple_comparisons == "none") {
    return fmt::format("p-values not adjusted for multiple comparisons ({})", comparisons);
  }
  std::string method = printable(report.multiple_comparisons);
  if (method == "holm") method = "Holm";
  return fmt::format("p-values adjusted for {} ({})", comparisons, method);
}

// verdict_counts_sentence: "2 regressed, 1 improved, 10 unchanged, 3 inconclusive".
inline std::string verdict_counts_sentence(const ComparisonReport& report) {
  std::string text;
  for (Verdict verdict : kVerdicts) {
    if (!text.empty()) text += ", ";
    text += fmt::format("{} {}", report.count(verdict), verdict_name(verdict));
  }
  return text;
}

// gate_sentence: what the verdicts mean for the run.
inline std::string gate_sentence(const ComparisonReport& report) {
  const std::size_t gated = report.gated_regressions();
  const std::size_t regressed = report.count(Verdict::regressed);
  if (gated > 0) {
    return fmt::format("{} gated regression{}: the comparison fails", gated, gated == 1 ? "" : "s");
  }
  if (regressed > 0) return "no gated regression (the regressions shown are not gated)";
  return "no regression";
}

// geomean_sentence: "real_time geomean over 12 benchmarks: -3.2% [-5.1%, -1.2%]".
inline std::string geomean_sentence(const GeomeanSummary& geomean) {
  std::string change = percent_change(geomean.ratio.value);
  const Interval& interval = geomean.ratio.interval;
  if (interval.available) {
    change += fmt::format(" [{}, {}]", percent_change(interval.low), percent_change(interval.high));
  } else if (!interval.why_not.empty()) {
    change += fmt::format(" (no interval: {})", printable(interval.why_not));
  } else {
    change += " (no interval)";
  }
  return fmt::format("{} geomean over {} benchmark{}: {}", printable(geomean.metric), geomean.count,
                     geomean.count == 1 ? "" : "s", change);
}

// row_notes: every remark about one row, in words: its own note, that it is
// not gated, a threshold widened by its noise floor, a missing interval.
inline std::vector<std::string> row_notes(const Comparison& row, const ComparisonReport& report) {
  std::vector<std::string> notes;
  if (!row.note.empty()) notes.push_back(printable(row.note));
  if (!row.gated) {
    notes.push_back(row.verdict == Verdict::regressed
                        ? "not gated: shown as regressed, does not fail the run"
                        : "not gated: never fails the run");
  }
  if (std::fabs(row.threshold - report.threshold) > 1e-12) {
    std::string text = fmt::format("threshold {}", format_percent(row.threshold));
    if (row.noise_floor > 0)
      text += fmt::format(" (noise floor {})", format_percent(row.noise_floor));
    notes.push_back(text);
  }
  if (std::isfinite(row.ratio) && !row.ci_available && row.note.empty()) {
    notes.push_back("no interval for the ratio");
  }
  return notes;
}

// sample_counts: "10/10" (old/new).
inline std::string sample_counts(const Comparison& row) {
  return fmt::format("{}/{}", row.old_values.size(), row.new_values.size());
}

}  // namespace faultline::bench::output
