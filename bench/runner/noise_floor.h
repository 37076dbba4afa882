// bench/runner/noise_floor.h: the noise floor of this machine, from an A/A
// run (`bench run --aa`): the same binaries twice, interleaved, as halves A
// and B. Whatever differs between the halves is noise; `bench compare
// --noise-floor FILE` widens each benchmark's threshold to it.
//
//   auto floor = runner::compute_noise_floor(report_a, report_b, "real_time");
//   write(dir / "noise-floor.json", runner::noise_floor_json(floor, "real_time").dump(2));
//
//   {"faultline_noise_floor": 1, "metric": "real_time",
//    "benchmarks": {"BM_Parse/16": {"relative_spread": 0.031, "abs_log_ratio": 0.012,
//                                   "median_a": ..., "median_b": ..., "n_a": 4, "n_b": 4}}}
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/report/benchmark_data.h"

namespace faultline::bench::runner {

// NoiseFloor: one benchmark's A/A spread.
struct NoiseFloor {
  std::string benchmark;
  double relative_spread = 0;  // max(|median_b / median_a - 1|, half the pooled IQR / median)
  double abs_log_ratio = 0;    // |log(median_b / median_a)|
  double median_a = 0;
  double median_b = 0;
  std::size_t n_a = 0;
  std::size_t n_b = 0;
};

// compute_noise_floor: one entry per benchmark with `metric` on both sides.
std::vector<NoiseFloor> compute_noise_floor(const Report& a, const Report& b,
                                            const std::string& metric);

nlohmann::json noise_floor_json(const std::vector<NoiseFloor>& floor, const std::string& metric);

}  // namespace faultline::bench::runner
