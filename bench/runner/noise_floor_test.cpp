#include "bench/runner/noise_floor.h"

#include <gtest/gtest.h>

#include <cmath>

namespace faultline::bench::runner {
namespace {

Report report_with(const std::string& name, std::vector<double> values) {
  Report report;
  Benchmark b;
  b.name = name;
  b.metrics["real_time"] = MetricSeries{"ns", std::move(values), {}, false};
  report.benchmarks.push_back(b);
  return report;
}

TEST(NoiseFloor, RelativeSpreadOfTwoHalves) {
  const Report a = report_with("BM_X", {100, 100, 100, 100});
  const Report b = report_with("BM_X", {103, 103, 103, 103});
  const auto floor = compute_noise_floor(a, b, "real_time");
  ASSERT_EQ(floor.size(), 1u);
  EXPECT_NEAR(floor[0].relative_spread, 0.03, 1e-9);
  EXPECT_NEAR(floor[0].abs_log_ratio, std::log(1.03), 1e-9);
  EXPECT_EQ(floor[0].n_a, 4u);
  const auto json = noise_floor_json(floor, "real_time");
  EXPECT_EQ(json["faultline_noise_floor"], 1);
  EXPECT_NEAR(json["benchmarks"]["BM_X"]["relative_spread"].get<double>(), 0.03, 1e-9);
}

TEST(NoiseFloor, WideSamplesWidenTheFloorEvenWithEqualMedians) {
  const Report a = report_with("BM_X", {80, 100, 120});
  const Report b = report_with("BM_X", {80, 100, 120});
  const auto floor = compute_noise_floor(a, b, "real_time");
  ASSERT_EQ(floor.size(), 1u);
  EXPECT_EQ(floor[0].abs_log_ratio, 0);
  // Pooled quartiles 85 and 115: half the IQR over the median 100.
  EXPECT_NEAR(floor[0].relative_spread, 0.15, 1e-9);
}

TEST(NoiseFloor, SkipsBenchmarksOnOneSideOnly) {
  EXPECT_TRUE(
      compute_noise_floor(report_with("BM_X", {1}), report_with("BM_Y", {1}), "real_time").empty());
}

}  // namespace
}  // namespace faultline::bench::runner
