// bench/report/benchmark_data.cpp: metric directions and lookups over a Report.
#include "bench/report/benchmark_data.h"

#include <algorithm>

namespace faultline::bench {

std::string_view direction_name(Direction direction) {
  switch (direction) {
    case Direction::lower_is_better:
      return "lower_is_better";
    case Direction::higher_is_better:
      return "higher_is_better";
  }
  return "lower_is_better";
}

Direction default_direction(std::string_view metric) {
  if (metric == "bytes_per_second" || metric == "items_per_second" ||
      metric.ends_with("_per_second") || metric.ends_with("/s")) {
    return Direction::higher_is_better;
  }
  return Direction::lower_is_better;
}

bool is_time_metric(std::string_view metric) {
  return metric == "real_time" || metric == "cpu_time";
}

const Benchmark* Report::find(std::string_view name) const {
  const auto found = std::find_if(benchmarks.begin(), benchmarks.end(),
                                  [&](const Benchmark& b) { return b.name == name; });
  return found == benchmarks.end() ? nullptr : &*found;
}

Benchmark* Report::find(std::string_view name) {
  return const_cast<Benchmark*>(static_cast<const Report&>(*this).find(name));
}

}  // namespace faultline::bench
