// bench/report/svg_plot.h: the two plots of the HTML report, as inline SVG
// strings (no script, no external resource, deterministic).
//
//   std::string forest = bench::forest_plot_svg(report.rows, {.threshold = report.threshold});
//   std::string strip = bench::strip_plot_svg(report.rows[0]);
//
// - forest_plot_svg: every row's ratio new/old with its interval on a log
//   axis symmetric around 1.0; the threshold band shaded, 1.0 marked, rows
//   beyond the axis clamped to its edge with an arrow; a row without an
//   estimate says so instead of a marker. Each drawn estimate is one element
//   of class "marker".
// - strip_plot_svg: one benchmark's old and new samples as jittered dots
//   (the jitter is a hash of the sample's index: the same report draws the
//   same picture), each side's median marked and its interval shaded.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench/report/comparison.h"

namespace faultline::bench {

// verdict_color: the colour of a verdict in every plot and in the HTML.
std::string_view verdict_color(Verdict verdict);

struct ForestPlotOptions {
  double threshold = 0.05;   // the report's band, [1/(1+t), 1+t]
  bool show_metric = false;  // label rows "name (metric)" when metrics differ
  std::string link_prefix;   // when set, row i links to "#<link_prefix><i>"
};

std::string forest_plot_svg(std::span<const Comparison> rows, const ForestPlotOptions& options);

struct StripPlotOptions {
  int width = 560;
  std::size_t max_points = 400;  // per side; more are thinned evenly, and the plot says so
};

std::string strip_plot_svg(const Comparison& row, const StripPlotOptions& options = {});

// log_axis_ticks: ratios worth a tick between `low` and `high` on a log
// axis `pixels` wide: 1.0 always, then rounder ratios outward while they
// stay `min_spacing` pixels apart.
std::vector<double> log_axis_ticks(double low, double high, double pixels, double min_spacing = 46);

}  // namespace faultline::bench
