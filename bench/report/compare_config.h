// bench/report/compare_config.h: the settings `faultline bench compare` reads
// from files: a config of per-benchmark rules, and noise floors.
//
//   auto config = bench::parse_compare_config(text, "bench.json");
//   // {"alpha": 0.01, "threshold": "5%", "metrics": ["real_time"],
//   //  "rules": [{"match": "BM_Echo*", "direction": "higher", "threshold": "10%",
//   //             "gate": false}]}
//   auto floors = bench::parse_noise_floor(text, "noise-floor.json");
//   // {"benchmarks": {"BM_Parse/16": 0.031, ...}} or {"BM_Parse/16": 0.031, ...}
//   auto floors = bench::noise_floor_from_report(baseline, "real_time", options);
//   // A/A in split halves: each benchmark's first half of repetitions vs its second
//
// Parsing is pure (text in, values or an error naming the file and key out).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/report/comparison.h"
#include "targets/net/error.h"

namespace faultline::bench {

// CompareConfig: what a config file may set; unset keys keep the flags' values.
struct CompareConfig {
  std::optional<double> alpha;
  std::optional<double> threshold;
  std::vector<std::string> metrics;
  std::vector<MetricRule> rules;
};

net::Result<CompareConfig> parse_compare_config(std::string_view text, const std::string& source);

// parse_fraction: "5%" -> 0.05, "0.05" -> 0.05; between 0 and 10 (1000%).
net::Result<double> parse_fraction(std::string_view text);

// parse_direction: "lower", "lower-is-better", "higher", "higher-is-better".
net::Result<Direction> parse_direction(std::string_view text);

// NoiseFloor: benchmark name -> relative noise (0.03 = 3%).
using NoiseFloor = std::map<std::string, double, std::less<>>;

net::Result<NoiseFloor> parse_noise_floor(std::string_view text, const std::string& source);

// noise_floor_from_report: an A/A comparison of each benchmark against
// itself in split halves (first half of its values vs the second); the
// floor is |ratio - 1|, the shift seen with no change at all, so a benchmark
// whose own halves differ by 4% needs a change beyond 4% to count. (The
// uncertainty of each comparison is in its interval already.)
// Benchmarks with fewer than 4 values are left out.
NoiseFloor noise_floor_from_report(const Report& report, const std::string& metric,
                                   const CompareOptions& options);

}  // namespace faultline::bench
