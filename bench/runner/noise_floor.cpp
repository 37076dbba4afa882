#include "bench/runner/noise_floor.h"

#include <algorithm>
#include <cmath>

#include "bench/runner/history.h"

namespace faultline::bench::runner {
namespace {

const MetricSeries* series_of(const Report& report, const std::string& name,
                              const std::string& metric) {
  for (const Benchmark& benchmark : report.benchmarks) {
    if (benchmark.name != name) continue;
    const auto it = benchmark.metrics.find(metric);
    return it == benchmark.metrics.end() || it->second.values.empty() ? nullptr : &it->second;
  }
  return nullptr;
}

// quantile: linear interpolation between order statistics.
double quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return values[below] + (values[above] - values[below]) * fraction;
}

}  // namespace

std::vector<NoiseFloor> compute_noise_floor(const Report& a, const Report& b,
                                            const std::string& metric) {
  std::vector<NoiseFloor> floor;
  for (const Benchmark& benchmark : a.benchmarks) {
    const MetricSeries* in_a = series_of(a, benchmark.name, metric);
    const MetricSeries* in_b = series_of(b, benchmark.name, metric);
    if (in_a == nullptr || in_b == nullptr) continue;
    NoiseFloor entry;
    entry.benchmark = benchmark.name;
    entry.median_a = median_of(in_a->values);
    entry.median_b = median_of(in_b->values);
    entry.n_a = in_a->values.size();
    entry.n_b = in_b->values.size();
    if (entry.median_a <= 0 || entry.median_b <= 0) continue;
    entry.abs_log_ratio = std::abs(std::log(entry.median_b / entry.median_a));
    std::vector<double> pooled = in_a->values;
    pooled.insert(pooled.end(), in_b->values.begin(), in_b->values.end());
    const double center = median_of(pooled);
    const double half_iqr = (quantile(pooled, 0.75) - quantile(pooled, 0.25)) / 2;
    entry.relative_spread =
        std::max(std::abs(entry.median_b / entry.median_a - 1), center > 0 ? half_iqr / center : 0);
    floor.push_back(entry);
  }
  return floor;
}

nlohmann::json noise_floor_json(const std::vector<NoiseFloor>& floor, const std::string& metric) {
  nlohmann::json benchmarks = nlohmann::json::object();
  for (const NoiseFloor& entry : floor) {
    benchmarks[entry.benchmark] = {{"relative_spread", entry.relative_spread},
                                   {"abs_log_ratio", entry.abs_log_ratio},
                                   {"median_a", entry.median_a},
                                   {"median_b", entry.median_b},
                                   {"n_a", entry.n_a},
                                   {"n_b", entry.n_b}};
  }
  return {{"faultline_noise_floor", 1}, {"metric", metric}, {"benchmarks", benchmarks}};
}

}  // namespace faultline::bench::runner
