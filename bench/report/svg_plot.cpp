// bench/report/svg_plot.cpp: the forest plot and the strip plots of the HTML
// report; see svg_plot.h.
//
//   forest plot                    -20%   -10%    0   +10%  +20%
//   BM_Parse/16      ............    |      |   [##|##]  |     |   +1.2% [-0.8%, +3.1%]
//   BM_Parse/4096    ............    |      |    ##|#  o-+-----|   +12.3% [+9.8%, +14.1%]
//                                              shaded: threshold band
#include "bench/report/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <tuple>

#include "bench/report/output_format.h"

namespace faultline::bench {
namespace {

// The widest ratio the forest plot shows: 1/10 to 10 (-90% to +900%).
constexpr double kMaxAxisRatio = 10;
constexpr double kCharWidth = 6.9;  // average advance of the 12px sans-serif labels
constexpr std::string_view kOldColor = "#8a94a6";
constexpr std::string_view kInk = "#1f2933";
constexpr std::string_view kMutedInk = "#5f6b7a";
constexpr std::string_view kBandColor = "#d9e6f5";

// LogScale: ratio -> x on [left, right].
struct LogScale {
  double low;
  double high;
  double left;
  double right;

  double x(double ratio) const {
    return left +
           (std::log(ratio) - std::log(low)) / (std::log(high) - std::log(low)) * (right - left);
  }
  double clamped_x(double ratio) const { return x(std::clamp(ratio, low, high)); }
};

// LinearScale: value -> x on [left, right].
struct LinearScale {
  double low;
  double high;
  double left;
  double right;

  double x(double value) const { return left + (value - low) / (high - low) * (right - left); }
};

// jitter: a deterministic offset in [-1, 1] for the index-th sample
// (splitmix64 of the index: looks random, is the same every time).
double jitter(std::uint64_t index, std::uint64_t lane) {
  std::uint64_t z = index * 2 + lane + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) / static_cast<double>(1ULL << 53) * 2 - 1;
}

bool usable_ratio(double ratio) {
  return std::isfinite(ratio) && ratio > 0;
}

// tick_label: a ratio as the change it means ("-10%", "0%", "+25%").
std::string tick_label(double ratio) {
  const double percent = (ratio - 1) * 100;
  if (std::fabs(percent) < 1e-9) return "0%";
  const std::string magnitude = std::fabs(percent) >= 10
                                    ? fmt::format("{:.0f}", std::fabs(percent))
                                    : fmt::format("{:.2g}", std::fabs(percent));
  return fmt::format("{}{}%", percent > 0 ? "+" : "\u2212", magnitude);
}

std::string format_coordinate(double value) {
  return fmt::format("{:.1f}", value);
}

// arrow: a small triangle at (x, y) pointing left (-1) or right (+1).
std::string arrow(double x, double y, int direction, std::string_view color,
                  std::string_view css_class) {
  const double back = x - direction * 9;
  return fmt::format("<polygon class=\"{}\" points=\"{},{} {},{} {},{}\" fill=\"{}\"/>", css_class,
                     format_coordinate(x), format_coordinate(y), format_coordinate(back),
                     format_coordinate(y - 6), format_coordinate(back), format_coordinate(y + 6),
                     color);
}

std::string row_label(const Comparison& row, bool show_metric) {
  std::string label = output::printable(row.name);
  if (show_metric) label += " (" + output::printable(row.metric) + ")";
  return label;
}

// nice_step: 1, 2, 2.5 or 5 times a power of ten, about range / target.
double nice_step(double range, int target) {
  const double raw = range / target;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double multiple : {1.0, 2.0, 2.5, 5.0}) {
    if (raw <= multiple * power) return multiple * power;
  }
  return 10 * power;
}

}  // namespace

std::string_view verdict_color(Verdict verdict) {
  switch (verdict) {
    case Verdict::regressed:
      return "#c62828";
    case Verdict::improved:
      return "#2e7d32";
    case Verdict::unchanged:
      return "#3d6a9e";
    case Verdict::inconclusive:
      return "#c27c0e";
  }
  return "#5f6b7a";
}

std::vector<double> log_axis_ticks(double low, double high, double pixels, double min_spacing) {
  static constexpr double kBelow[] = {0.995,   0.99, 0.98, 0.95,    0.9,  0.8, 0.75,
                                      2.0 / 3, 0.5,  0.4,  1.0 / 3, 0.25, 0.2, 0.1};
  static constexpr double kAbove[] = {1.005, 1.01, 1.02, 1.05, 1.1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 10};
  const LogScale scale{low, high, 0, pixels};
  std::vector<double> ticks;
  if (low <= 1 && high >= 1) ticks.push_back(1);
  auto far_enough = [&](double candidate) {
    return std::all_of(ticks.begin(), ticks.end(), [&](double tick) {
      return std::fabs(scale.x(tick) - scale.x(candidate)) >= min_spacing;
    });
  };
  auto add_side = [&](std::span<const double> candidates) {
    for (double candidate : candidates) {
      if (candidate >= low && candidate <= high && far_enough(candidate)) {
        ticks.push_back(candidate);
      }
    }
  };
  add_side(kBelow);
  add_side(kAbove);
  std::sort(ticks.begin(), ticks.end());
  return ticks;
}

std::string forest_plot_svg(std::span<const Comparison> rows, const ForestPlotOptions& options) {
  const double threshold =
      std::isfinite(options.threshold) && options.threshold > 0 ? options.threshold : 0.0;

  // The axis: symmetric around 1.0 on the log scale, wide enough for the
  // threshold band with room around it, and for most rows' intervals: one
  // extreme row must not squash all the others into the middle, so the
  // reach follows the 90th percentile of the rows' reaches (times 1.5) and
  // rows beyond it are clamped with an arrow.
  std::vector<double> reaches;
  for (const Comparison& row : rows) {
    if (!usable_ratio(row.ratio)) continue;
    double reach = std::fabs(std::log(row.ratio));
    for (double bound : {row.ci_low, row.ci_high}) {
      if (row.ci_available && usable_ratio(bound)) {
        reach = std::max(reach, std::fabs(std::log(bound)));
      }
    }
    if (row.threshold > 0 && std::isfinite(row.threshold)) {
      reach = std::max(reach, std::log1p(row.threshold) * 1.2);
    }
    reaches.push_back(reach);
  }
  double reach = std::log1p(std::max(threshold, 0.01) * 1.6);
  if (!reaches.empty()) {
    std::sort(reaches.begin(), reaches.end());
    const double typical = reaches[(reaches.size() - 1) * 9 / 10];
    reach = std::max(reach, std::min(reaches.back(), typical * 1.5));
  }
  reach = std::min(reach * 1.08, std::log(kMaxAxisRatio));

  std::size_t longest = 12;
  for (const Comparison& row : rows) {
    longest = std::max(longest, output::display_width(row_label(row, options.show_metric)));
  }
  const std::size_t label_chars = std::min<std::size_t>(longest, 52);
  const double label_width = 16 + label_chars * kCharWidth;
  std::size_t longest_change = 12;
  for (const Comparison& row : rows) {
    longest_change = std::max(longest_change, output::format_ratio_interval(row).size());
  }
  const double annotation_width = 24 + longest_change * kCharWidth + 100;
  // Sized to the page's content width (1224px) so the text is drawn at its size.
  const double plot_width = std::max(420.0, 1224 - label_width - annotation_width);
  const double width = label_width + plot_width + annotation_width;
  const double row_height = 22;
  const bool top_axis = rows.size() > 16;
  const double plot_top = top_axis ? 64 : 46;
  const double plot_bottom = plot_top + row_height * static_cast<double>(rows.size());
  const double height = plot_bottom + 58;
  const LogScale scale{std::exp(-reach), std::exp(reach), label_width + 10,
                       label_width + plot_width - 10};

  std::string svg = fmt::format(
      "<svg class=\"forest-plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
      "height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\" font-size=\"12\">\n"
      "<title>Change new/old of every benchmark with its {2} interval</title>\n",
      format_coordinate(width), format_coordinate(height), "confidence");

  // Legend.
  double legend_x = label_width + 10;
  for (Verdict verdict : output::kVerdicts) {
    svg += fmt::format(
        "<circle cx=\"{}\" cy=\"16\" r=\"5\" fill=\"{}\"/><text x=\"{}\" y=\"20\" "
        "fill=\"{}\">{}</text>\n",
        format_coordinate(legend_x), verdict_color(verdict), format_coordinate(legend_x + 9), kInk,
        verdict_name(verdict));
    legend_x += 24 + kCharWidth * static_cast<double>(verdict_name(verdict).size());
  }
  svg += fmt::format(
      "<circle cx=\"{}\" cy=\"16\" r=\"4.5\" fill=\"#fff\" stroke=\"{}\" stroke-width=\"1.6\"/>"
      "<text x=\"{}\" y=\"20\" fill=\"{}\">no interval</text>\n",
      format_coordinate(legend_x), kMutedInk, format_coordinate(legend_x + 9), kInk);
  legend_x += 100;
  svg += fmt::format(
      "<rect x=\"{}\" y=\"10\" width=\"18\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"20\" "
      "fill=\"{}\">within \u00b1{} (threshold)</text>\n",
      format_coordinate(legend_x), kBandColor, format_coordinate(legend_x + 24), kInk,
      output::format_percent(threshold));

  // Row stripes, then the band, grid and 1.0 over them, then the rows.
  for (std::size_t i = 0; i < rows.size(); i += 2) {
    svg += fmt::format("<rect x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#f4f6f9\"/>\n",
                       format_coordinate(plot_top + row_height * static_cast<double>(i)),
                       format_coordinate(width), format_coordinate(row_height));
  }
  if (threshold > 0) {
    const double band_left = scale.clamped_x(1 / (1 + threshold));
    const double band_right = scale.clamped_x(1 + threshold);
    svg += fmt::format(
        "<rect class=\"threshold-band\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
        "fill=\"{}\" fill-opacity=\"0.85\"/>\n",
        format_coordinate(band_left), format_coordinate(plot_top),
        format_coordinate(band_right - band_left), format_coordinate(plot_bottom - plot_top),
        kBandColor);
  }
  const std::vector<double> ticks = log_axis_ticks(scale.low, scale.high, scale.right - scale.left);
  for (double tick : ticks) {
    const double x = scale.x(tick);
    const bool one = tick == 1;
    svg += fmt::format(
        "<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"{3}\" stroke-width=\"{4}\"/>\n",
        format_coordinate(x), format_coordinate(plot_top - (one ? 4 : 0)),
        format_coordinate(plot_bottom + 4), one ? kInk : "#d5dae1", one ? "1.4" : "1");
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\"{}>{}</text>\n",
                       format_coordinate(x), format_coordinate(plot_bottom + 18), kInk,
                       one ? " font-weight=\"600\"" : "", tick_label(tick));
    if (top_axis) {
      svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>\n",
                         format_coordinate(x), format_coordinate(plot_top - 8), kMutedInk,
                         tick_label(tick));
    }
  }
  svg += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"{3}\"/>\n",
                     format_coordinate(scale.left), format_coordinate(scale.right),
                     format_coordinate(plot_bottom), kMutedInk);
  svg += fmt::format(
      "<text x=\"{}\" y=\"{}\" fill=\"{}\">\u2190 new lower</text>"
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">change new/old (log scale)</text>"
      "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{}\">new higher \u2192</text>\n",
      format_coordinate(scale.left), format_coordinate(plot_bottom + 38), kMutedInk,
      format_coordinate(scale.x(1)), format_coordinate(plot_bottom + 38), kMutedInk,
      format_coordinate(scale.right), format_coordinate(plot_bottom + 38), kMutedInk);

  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Comparison& row = rows[i];
    const double top = plot_top + row_height * static_cast<double>(i);
    const double y = top + row_height / 2;
    const std::string_view color = verdict_color(row.verdict);
    const std::string full_label = row_label(row, options.show_metric);
    svg += fmt::format("<g class=\"forest-row\"><title>{}: {} ({})</title>\n",
                       output::xml_escape(full_label), output::format_ratio_interval(row),
                       verdict_name(row.verdict));

    std::string label =
        fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{}\">{}</text>",
                    format_coordinate(label_width - 4), format_coordinate(y + 4), kInk,
                    output::xml_escape(output::truncate_middle(full_label, label_chars)));
    if (!options.link_prefix.empty()) {
      label = fmt::format("<a href=\"#{}{}\">{}</a>", output::xml_escape(options.link_prefix), i,
                          label);
    }
    svg += label + "\n";

    // A row whose own threshold differs (noise floor) gets its band drawn darker.
    if (row.threshold > 0 && std::isfinite(row.threshold) &&
        std::fabs(row.threshold - threshold) > 1e-12) {
      const double left = scale.clamped_x(1 / (1 + row.threshold));
      const double right = scale.clamped_x(1 + row.threshold);
      svg += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#b7cce6\" "
          "fill-opacity=\"0.7\"><title>threshold \u00b1{} for this row</title></rect>\n",
          format_coordinate(left), format_coordinate(top + 3), format_coordinate(right - left),
          format_coordinate(row_height - 6), output::format_percent(row.threshold));
    }

    if (!usable_ratio(row.ratio)) {
      svg += fmt::format(
          "<text x=\"{}\" y=\"{}\" font-style=\"italic\" fill=\"{}\">no estimate</text>\n",
          format_coordinate(scale.x(1) + 8), format_coordinate(y + 4), kMutedInk);
    } else {
      if (row.ci_available && usable_ratio(row.ci_low) && usable_ratio(row.ci_high)) {
        const double low = std::min(row.ci_low, row.ci_high);
        const double high = std::max(row.ci_low, row.ci_high);
        const double x_low = scale.clamped_x(low);
        const double x_high = scale.clamped_x(high);
        svg += fmt::format(
            "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"{3}\" stroke-width=\"2.4\" "
            "stroke-linecap=\"round\"/>\n",
            format_coordinate(x_low), format_coordinate(x_high), format_coordinate(y), color);
        const bool marker_clamped = row.ratio < scale.low || row.ratio > scale.high;
        for (auto [bound, x, side] : {std::tuple{low, x_low, -1}, std::tuple{high, x_high, 1}}) {
          if (bound < scale.low || bound > scale.high) {
            // The estimate's own arrow already marks this edge.
            if (!marker_clamped) svg += arrow(x + side * 2, y, side, color, "clamp") + "\n";
          } else {
            svg += fmt::format(
                "<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"{3}\" "
                "stroke-width=\"1.6\"/>\n",
                format_coordinate(x), format_coordinate(y - 5), format_coordinate(y + 5), color);
          }
        }
      }
      const bool hollow = !row.ci_available;
      if (row.ratio < scale.low || row.ratio > scale.high) {
        const int side = row.ratio > scale.high ? 1 : -1;
        svg +=
            arrow(scale.clamped_x(row.ratio) + side * 4, y, side, color, "marker clamped") + "\n";
      } else {
        svg += fmt::format(
            "<circle class=\"marker\" cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"{}\" stroke=\"{}\" "
            "stroke-width=\"{}\"/>\n",
            format_coordinate(scale.x(row.ratio)), format_coordinate(y), hollow ? "#fff" : color,
            hollow ? color : "#fff", hollow ? "1.8" : "1.2");
      }
    }

    const double text_x = label_width + plot_width + 8;
    const std::string change = output::format_ratio_interval(row);
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" fill=\"{}\" font-variant-numeric=\"tabular-nums\">{}</text>"
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{}\" font-weight=\"600\">{}</text>\n",
        format_coordinate(text_x), format_coordinate(y + 4), kInk, output::xml_escape(change),
        format_coordinate(width - 6), format_coordinate(y + 4), color, verdict_name(row.verdict));
    svg += "</g>\n";
  }
  svg += "</svg>\n";
  return svg;
}

std::string strip_plot_svg(const Comparison& row, const StripPlotOptions& options) {
  const double width = std::max(options.width, 240);
  const double height = 104;
  const double lane_label_width = 82;
  const double lane_old = 24;
  const double lane_new = 56;
  const double axis_y = 80;

  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  for (const auto* values : {&row.old_values, &row.new_values}) {
    for (double value : *values) {
      if (std::isfinite(value)) low = std::min(low, value), high = std::max(high, value);
    }
  }
  std::string svg = fmt::format(
      "<svg class=\"strip-plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
      "height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\" font-size=\"11\">\n"
      "<title>{2}: old and new samples, medians marked</title>\n",
      format_coordinate(width), format_coordinate(height), output::xml_escape(row.name));
  if (!(low <= high)) {
    svg += fmt::format(
        "<text x=\"8\" y=\"40\" font-style=\"italic\" fill=\"{}\">no samples</text>\n", kMutedInk);
    return svg + "</svg>\n";
  }
  if (high - low <= std::fabs(high) * 1e-9) {
    const double spread = low != 0 ? std::fabs(low) * 0.01 : 1;
    low -= spread, high += spread;
  }
  const double pad = (high - low) * 0.06;
  const LinearScale scale{low - pad, high + pad, lane_label_width + 6, width - 14};

  // Axis with nice ticks, all in one scale ("1.20 us", "1.25 us", ...).
  const double step = nice_step(scale.high - scale.low, 4);
  const output::ValueScale units = output::value_scale(
      std::max(std::fabs(scale.low), std::fabs(scale.high)), row.unit, row.metric);
  const int decimals =
      std::max(0, -static_cast<int>(std::floor(std::log10(step / units.divisor) + 1e-9)));
  svg += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"{3}\"/>\n",
                     format_coordinate(scale.left), format_coordinate(scale.right),
                     format_coordinate(axis_y), kMutedInk);
  for (double tick = std::ceil(scale.low / step) * step; tick <= scale.high; tick += step) {
    const double x = scale.x(tick);
    svg += fmt::format(
        "<line x1=\"{0}\" x2=\"{0}\" y1=\"8\" y2=\"{1}\" stroke=\"#e3e7ec\"/>"
        "<text x=\"{0}\" y=\"{2}\" text-anchor=\"middle\" fill=\"{3}\">{4}{5}</text>\n",
        format_coordinate(x), format_coordinate(axis_y + 3), format_coordinate(axis_y + 15),
        kMutedInk, fmt::format("{:.{}f}", tick / units.divisor, decimals), units.suffix);
  }

  const std::string_view new_color = verdict_color(row.verdict);
  struct Lane {
    std::string_view label;
    const std::vector<double>* values;
    double median;
    const Interval* interval;
    double y;
    std::string_view color;
  };
  const Lane lanes[] = {
      {"old", &row.old_values, row.old_median, &row.old_median_interval, lane_old, kOldColor},
      {"new", &row.new_values, row.new_median, &row.new_median_interval, lane_new, new_color},
  };
  for (std::size_t lane_index = 0; lane_index < 2; ++lane_index) {
    const Lane& lane = lanes[lane_index];
    const std::size_t count = lane.values->size();
    const std::size_t shown = std::min(count, std::max<std::size_t>(options.max_points, 1));
    svg += fmt::format(
        "<text x=\"4\" y=\"{}\" fill=\"{}\" font-weight=\"600\">{}</text>"
        "<text x=\"32\" y=\"{}\" fill=\"{}\">n={}{}</text>\n",
        format_coordinate(lane.y + 4), kInk, lane.label, format_coordinate(lane.y + 4), kMutedInk,
        count, shown < count ? fmt::format(" ({} shown)", shown) : "");
    if (lane.interval->available && std::isfinite(lane.interval->low) &&
        std::isfinite(lane.interval->high)) {
      const double left = scale.x(std::clamp(lane.interval->low, scale.low, scale.high));
      const double right = scale.x(std::clamp(lane.interval->high, scale.low, scale.high));
      svg += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"26\" rx=\"3\" fill=\"{}\" "
          "fill-opacity=\"0.16\"/>\n",
          format_coordinate(left), format_coordinate(lane.y - 13),
          format_coordinate(std::max(right - left, 1.0)), lane.color);
    }
    for (std::size_t k = 0; k < shown; ++k) {
      const std::size_t index = shown == count ? k : k * count / shown;
      const double value = (*lane.values)[index];
      if (!std::isfinite(value)) continue;
      svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.9\" fill=\"{}\" fill-opacity=\"0.6\"/>",
                         format_coordinate(scale.x(value)),
                         format_coordinate(lane.y + jitter(index, lane_index) * 9), lane.color);
    }
    svg += "\n";
    if (std::isfinite(lane.median) && count > 0) {
      svg += fmt::format(
          "<line class=\"median\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"{3}\" "
          "stroke-width=\"2.6\"><title>median {4}</title></line>\n",
          format_coordinate(scale.x(std::clamp(lane.median, scale.low, scale.high))),
          format_coordinate(lane.y - 14), format_coordinate(lane.y + 14),
          lane_index == 0 ? std::string_view("#3e4857") : lane.color,
          output::xml_escape(format_value(lane.median, row.unit, row.metric)));
    }
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace faultline::bench
