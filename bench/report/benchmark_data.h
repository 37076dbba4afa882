// bench/report/benchmark_data.h: benchmark results as read from Google
// Benchmark JSON, the input of every comparison.
//
//   auto report = bench::read_reports({"old/"});          // gbench_json.h
//   const bench::Benchmark* b = report->find("BM_Parse/16");
//   const bench::MetricSeries& t = b->metrics.at("real_time");   // one value per repetition
//
// Times are converted to nanoseconds whatever `time_unit` a row had, so files
// with mixed units pool and compare correctly. Counters keep their own values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::bench {

// Direction: which way a metric gets better.
enum class Direction { lower_is_better, higher_is_better };

std::string_view direction_name(Direction direction);

// default_direction: time metrics (real_time, cpu_time, instructions and
// anything not recognised) are lower-is-better; bytes_per_second,
// items_per_second and any counter ending in `_per_second` or `/s` are
// higher-is-better.
Direction default_direction(std::string_view metric);

// is_time_metric: real_time and cpu_time, stored in nanoseconds.
bool is_time_metric(std::string_view metric);

// MetricSeries: one metric of one benchmark, one value per repetition.
struct MetricSeries {
  std::string unit;              // "ns" for times, "instructions", "" for counters
  std::vector<double> values;    // in the order read (files in order, rows in order)
  std::vector<int> rounds;       // the round of each value (bench run's manifest), or empty
  bool from_aggregates = false;  // no iteration rows: the values are `mean` aggregates
};

// Benchmark: every metric of one benchmark (its run_name), pooled over files.
struct Benchmark {
  std::string name;
  std::map<std::string, MetricSeries, std::less<>> metrics;
  std::string error;  // error_message of an error_occurred row (all rows errored)
};

// RunContext: the `context` object of one file, and the manifest's additions.
struct RunContext {
  std::string source;  // the file it came from
  std::string host_name;
  std::string executable;
  std::string date;
  std::string library_build_type;
  int num_cpus = 0;
  double mhz_per_cpu = 0;
  std::optional<bool> cpu_scaling_enabled;
  std::vector<double> load_avg;
  // Written by `faultline bench run` into its manifest; empty otherwise.
  std::string commit;
  std::optional<bool> dirty;
  std::string build_type;  // the faultline build preset's CMAKE_BUILD_TYPE
};

// Report: one side of a comparison: one or more files pooled.
struct Report {
  std::vector<RunContext> contexts;   // one per file
  std::vector<Benchmark> benchmarks;  // in order of first appearance
  std::vector<std::string> warnings;  // what was skipped or doubtful, naming the file

  const Benchmark* find(std::string_view name) const;
  Benchmark* find(std::string_view name);
};

}  // namespace faultline::bench
