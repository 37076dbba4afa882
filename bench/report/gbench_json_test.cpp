// bench/report/gbench_json_test.cpp: reading Google Benchmark JSON: every
// error and warning rule of gbench_json.h, units, counters, older formats,
// directories with a manifest, pooling, and a real Google Benchmark 1.7.1 file.
#include "bench/report/gbench_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace faultline::bench {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Written by Google Benchmark 1.7.1 (Debian's libbenchmark 1.7.1-1) with
// `--benchmark_format=json --benchmark_min_time=0.001`: a counter with
// kIsRate, SetBytesProcessed, SkipWithError, a NaN counter, Repetitions(2)
// with its aggregates, and Complexity() with its BigO and RMS rows.
constexpr std::string_view kGoogleBenchmark171Smoke = R"json({
  "context": {
    "date": "2026-11-30T13:04:07+00:00",
    "host_name": "vm",
    "executable": "./smoke2",
    "num_cpus": 2,
    "mhz_per_cpu": 2096,
    "cpu_scaling_enabled": false,
    "caches": [
    ],
    "load_avg": [8.8125,5.97559,2.78076],
    "library_build_type": "debug"
  },
  "benchmarks": [
    {
      "name": "BM_Copy/64/repeats:2",
      "family_index": 0,
      "per_family_instance_index": 0,
      "run_name": "BM_Copy/64/repeats:2",
      "run_type": "iteration",
      "repetitions": 2,
      "repetition_index": 0,
      "threads": 1,
      "iterations": 715520,
      "real_time": 9.5871687723985896e-03,
      "cpu_time": 2.3109850178890884e-03,
      "time_unit": "us",
      "bytes_per_second": 2.7693818655068222e+10,
      "frames": 1.8142717875898966e+03
    },
    {
      "name": "BM_Copy/64/repeats:2",
      "family_index": 0,
      "per_family_instance_index": 0,
      "run_name": "BM_Copy/64/repeats:2",
      "run_type": "iteration",
      "repetitions": 2,
      "repetition_index": 1,
      "threads": 1,
      "iterations": 715520,
      "real_time": 1.7896061605792970e-03,
      "cpu_time": 1.7897179673524155e-03,
      "time_unit": "us",
      "bytes_per_second": 3.5759824266991714e+10,
      "frames": 2.3426902986852033e+03
    },
    {
      "name": "BM_Copy/64/repeats:2_mean",
      "family_index": 0,
      "per_family_instance_index": 0,
      "run_name": "BM_Copy/64/repeats:2",
      "run_type": "aggregate",
      "repetitions": 2,
      "threads": 1,
      "aggregate_name": "mean",
      "aggregate_unit": "time",
      "iterations": 2,
      "real_time": 5.6883874664889426e-03,
      "cpu_time": 2.0503514926207521e-03,
      "time_unit": "us",
      "bytes_per_second": 3.1726821461029968e+10,
      "frames": 2.0784810431375499e+03
    },
    {
      "name": "BM_Copy/64/repeats:2_median",
      "family_index": 0,
      "per_family_instance_index": 0,
      "run_name": "BM_Copy/64/repeats:2",
      "run_type": "aggregate",
      "repetitions": 2,
      "threads": 1,
      "aggregate_name": "median",
      "aggregate_unit": "time",
      "iterations": 2,
      "real_time": 5.6883874664889426e-03,
      "cpu_time": 2.0503514926207521e-03,
      "time_unit": "us",
      "bytes_per_second": 3.1726821461029968e+10,
      "frames": 2.0784810431375499e+03
    },
    {
      "name": "BM_Copy/64/repeats:2_stddev",
      "family_index": 0,
      "per_family_instance_index": 0,
      "run_name": "BM_Copy/64/repeats:2",
      "run_type": "aggregate",
      "repetitions": 2,
      "threads": 1,
      "aggregate_name": "stddev",
      "aggregate_unit": "time",
      "iterations": 2,
      "real_time": 5.5137093995441099e-03,
      "cpu_time": 3.6859146624359265e-04,
      "time_unit": "us",
      "bytes_per_second": 5.7035272652798653e+09,
      "frames": 3.7364831249998991e+02
    },
    {
      "name": "BM_Copy/64/repeats:2_cv",
      "family_index": 0,
      "per_family_instance_index": 0,
      "run_name": "BM_Copy/64/repeats:2",
      "run_type": "aggregate",
      "repetitions": 2,
      "threads": 1,
      "aggregate_name": "cv",
      "aggregate_unit": "percentage",
      "iterations": 2,
      "real_time": 9.6929216443607513e-01,
      "cpu_time": 1.7976989192836412e-01,
      "time_unit": "us",
      "bytes_per_second": 1.7976989192836426e-01,
      "frames": 1.7976989192836365e-01
    },
    {
      "name": "BM_Fail/repeats:2",
      "family_index": 1,
      "per_family_instance_index": 0,
      "run_name": "BM_Fail/repeats:2",
      "run_type": "iteration",
      "repetitions": 2,
      "repetition_index": 0,
      "threads": 1,
      "error_occurred": true,
      "error_message": "socket refused",
      "iterations": 1,
      "real_time": 0.0000000000000000e+00,
      "cpu_time": 0.0000000000000000e+00,
      "time_unit": "ns"
    },
    {
      "name": "BM_Fail/repeats:2",
      "family_index": 1,
      "per_family_instance_index": 0,
      "run_name": "BM_Fail/repeats:2",
      "run_type": "iteration",
      "repetitions": 2,
      "repetition_index": 1,
      "threads": 1,
      "error_occurred": true,
      "error_message": "socket refused",
      "iterations": 1,
      "real_time": 0.0000000000000000e+00,
      "cpu_time": 0.0000000000000000e+00,
      "time_unit": "ns"
    },
    {
      "name": "BM_Alloc",
      "family_index": 2,
      "per_family_instance_index": 0,
      "run_name": "BM_Alloc",
      "run_type": "iteration",
      "repetitions": 1,
      "repetition_index": 0,
      "threads": 1,
      "iterations": 147005,
      "real_time": 9.1431515933853636e-06,
      "cpu_time": 8.7760008162987721e-06,
      "time_unit": "ms",
      "hit_rate": NaN
    },
    {
      "name": "BM_Complex/8",
      "family_index": 3,
      "per_family_instance_index": 0,
      "run_name": "BM_Complex/8",
      "run_type": "iteration",
      "repetitions": 1,
      "repetition_index": 0,
      "threads": 1,
      "iterations": 428987,
      "real_time": 3.6688407806546284e+00,
      "cpu_time": 3.6304456778410534e+00,
      "time_unit": "ns"
    },
    {
      "name": "BM_Complex/16",
      "family_index": 3,
      "per_family_instance_index": 1,
      "run_name": "BM_Complex/16",
      "run_type": "iteration",
      "repetitions": 1,
      "repetition_index": 0,
      "threads": 1,
      "iterations": 245187,
      "real_time": 5.4749476931199546e+00,
      "cpu_time": 5.4758082606337242e+00,
      "time_unit": "ns"
    },
    {
      "name": "BM_Complex_BigO",
      "family_index": 3,
      "per_family_instance_index": 0,
      "run_name": "BM_Complex",
      "run_type": "aggregate",
      "repetitions": 1,
      "threads": 1,
      "aggregate_name": "BigO",
      "aggregate_unit": "time",
      "cpu_coefficient": 1.3117828030423222e+00,
      "real_coefficient": 1.3162525245777483e+00,
      "big_o": "lgN",
      "time_unit": "ns"
    },
    {
      "name": "BM_Complex_RMS",
      "family_index": 3,
      "per_family_instance_index": 0,
      "run_name": "BM_Complex",
      "run_type": "aggregate",
      "repetitions": 1,
      "threads": 1,
      "aggregate_name": "RMS",
      "aggregate_unit": "percentage",
      "rms": 5.9189758585482553e-02
    }
  ]
}
)json";

net::Result<Report> parse(std::string_view text, const ReadLimits& limits = {}) {
  return parse_report(text, "old.json", limits);
}

// parsed: a report that must parse.
Report parsed(std::string_view text, const ReadLimits& limits = {}) {
  net::Result<Report> report = parse(text, limits);
  EXPECT_TRUE(report.has_value()) << report.error().message;
  return report ? std::move(*report) : Report{};
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines)
    out += line + "\n";
  return out;
}

std::vector<double> values_of(const Report& report, std::string_view benchmark,
                              std::string_view metric) {
  const Benchmark* found = report.find(benchmark);
  if (found == nullptr) return {};
  const auto series = found->metrics.find(metric);
  return series == found->metrics.end() ? std::vector<double>{} : series->second.values;
}

// ScratchDirectory: a directory under the temp dir, removed at the end.
class ScratchDirectory {
 public:
  explicit ScratchDirectory(std::string_view name)
      : path_(fs::temp_directory_path() /
              ("faultline_gbench_" + std::string(name) + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }
  fs::path write(std::string_view name, std::string_view text) const {
    const fs::path file = path_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  fs::path path_;
};

// A results file with one benchmark `name`, times in ns, one row per value.
std::string results(std::string_view name, const std::vector<double>& real_times) {
  std::string rows;
  for (std::size_t i = 0; i < real_times.size(); ++i) {
    if (!rows.empty()) rows += ",";
    rows += R"({"name":")" + std::string(name) + R"(","run_name":")" + std::string(name) +
            R"(","run_type":"iteration","repetitions":)" + std::to_string(real_times.size()) +
            R"(,"repetition_index":)" + std::to_string(i) +
            R"(,"threads":1,"iterations":100,"real_time":)" + std::to_string(real_times[i]) +
            R"(,"cpu_time":)" + std::to_string(real_times[i]) + R"(,"time_unit":"ns"})";
  }
  return R"({"context":{"host_name":"box","num_cpus":4},"benchmarks":[)" + rows + "]}";
}

// ---------------------------------------------------------------- benchmark_data.h

TEST(BenchmarkData, DirectionNamesAreStable) {
  EXPECT_EQ(direction_name(Direction::lower_is_better), "lower_is_better");
  EXPECT_EQ(direction_name(Direction::higher_is_better), "higher_is_better");
}

TEST(BenchmarkData, DefaultDirectionByMetricName) {
  const struct {
    std::string_view metric;
    Direction direction;
  } cases[] = {
      {"real_time", Direction::lower_is_better},
      {"cpu_time", Direction::lower_is_better},
      {"instructions", Direction::lower_is_better},
      {"max_bytes_used", Direction::lower_is_better},
      {"some_counter", Direction::lower_is_better},
      {"", Direction::lower_is_better},
      {"bytes_per_second", Direction::higher_is_better},
      {"items_per_second", Direction::higher_is_better},
      {"frames_per_second", Direction::higher_is_better},
      {"requests/s", Direction::higher_is_better},
      {"per_second", Direction::lower_is_better},  // not a counter ending in _per_second
  };
  for (const auto& c : cases) {
    EXPECT_EQ(default_direction(c.metric), c.direction) << c.metric;
  }
}

TEST(BenchmarkData, TimeMetricsAreRealAndCpuTime) {
  EXPECT_TRUE(is_time_metric("real_time"));
  EXPECT_TRUE(is_time_metric("cpu_time"));
  EXPECT_FALSE(is_time_metric("time"));
  EXPECT_FALSE(is_time_metric("bytes_per_second"));
}

TEST(BenchmarkData, FindByNameConstAndMutable) {
  Report report;
  report.benchmarks.push_back({.name = "BM_A", .metrics = {}, .error = ""});
  report.benchmarks.push_back({.name = "BM_B", .metrics = {}, .error = ""});
  const Report& const_report = report;
  ASSERT_NE(const_report.find("BM_B"), nullptr);
  EXPECT_EQ(const_report.find("BM_B")->name, "BM_B");
  EXPECT_EQ(const_report.find("BM_C"), nullptr);
  EXPECT_EQ(const_report.find("BM_"), nullptr);
  report.find("BM_A")->error = "changed";
  EXPECT_EQ(report.benchmarks[0].error, "changed");
}

// ---------------------------------------------------------------- errors

TEST(GbenchJson, BadInputIsAnErrorNamingTheFileAndTheProblem) {
  const struct {
    std::string_view what;
    std::string text;
    net::ErrorKind kind;
    std::string_view message;  // a substring of the error message
  } cases[] = {
      {"empty", "", net::ErrorKind::bad_data, "old.json: empty file"},
      {"whitespace", " \n\t\r\n", net::ErrorKind::bad_data, "old.json: empty file"},
      {"not json", "hello", net::ErrorKind::bad_data,
       "old.json: not JSON: parse error at byte 0 (line 1, column 1)"},
      {"not json later", "{\n\"benchmarks\": [}", net::ErrorKind::bad_data,
       "old.json: not JSON: parse error at byte 17 (line 2, column 16)"},
      {"truncated", R"({"benchmarks": [{"name": "BM_A", "real_time": 1)", net::ErrorKind::bad_data,
       "old.json: truncated JSON"},
      {"truncated in string", R"({"benchmarks": [{"name": "BM_)", net::ErrorKind::bad_data,
       "old.json: "},
      {"no benchmarks", R"({"context": {"host_name": "x"}})", net::ErrorKind::bad_data,
       "old.json: no \"benchmarks\" array"},
      {"empty object", "{}", net::ErrorKind::bad_data, "old.json: no \"benchmarks\" array"},
      {"top-level array", R"([{"name": "BM_A"}])", net::ErrorKind::bad_data,
       "old.json: the top level is an array"},
      {"top-level number", "42", net::ErrorKind::bad_data, "old.json: the top level is a number"},
      {"top-level string", "\"x\"", net::ErrorKind::bad_data,
       "old.json: the top level is a string"},
      {"benchmarks object", R"({"benchmarks": {"name": "BM_A"}})", net::ErrorKind::bad_data,
       "old.json: \"benchmarks\" is an object, not an array"},
      {"benchmarks string", R"({"benchmarks": "BM_A"})", net::ErrorKind::bad_data,
       "old.json: \"benchmarks\" is a string, not an array"},
      {"benchmarks null", R"({"benchmarks": null})", net::ErrorKind::bad_data,
       "old.json: \"benchmarks\" is null, not an array"},
      {"two arrays", R"({"benchmarks": [], "benchmarks": []})", net::ErrorKind::bad_data,
       "old.json: two \"benchmarks\" arrays"},
      {"unknown time unit",
       R"({"benchmarks": [{"name": "BM_A", "real_time": 1, "time_unit": "fortnights"}]})",
       net::ErrorKind::bad_data, "old.json: BM_A: unknown time_unit \"fortnights\""},
      {"numeric time unit", R"({"benchmarks": [{"name": "BM_A", "real_time": 1, "time_unit": 9}]})",
       net::ErrorKind::bad_data, "old.json: BM_A: unknown time_unit 9"},
      {"trailing garbage", R"({"benchmarks": []} {"benchmarks": []})", net::ErrorKind::bad_data,
       "old.json: not JSON: parse error at byte"},
      {"invalid utf-8", "{\"benchmarks\": [{\"name\": \"BM_\xff\"}]}", net::ErrorKind::bad_data,
       "old.json: not JSON"},
      {"deep nesting", std::string(100, '[') + std::string(100, ']'), net::ErrorKind::bad_data,
       "old.json: the top level is an array"},
      {"deep nesting in a row",
       R"({"benchmarks": [{"name": "BM_A", "x": )" + std::string(100, '[') + std::string(100, ']') +
           "}]}",
       net::ErrorKind::too_large, "old.json: nested deeper than 64 levels"},
      {"a manifest", R"({"faultline_manifest": 1, "files": []})", net::ErrorKind::bad_data,
       "old.json: a faultline manifest, not a results file"},
      {"bare word", R"({"benchmarks": [{"name": "BM_A", "real_time": fast}]})",
       net::ErrorKind::bad_data, "old.json: not JSON"},
  };
  for (const auto& c : cases) {
    const net::Result<Report> report = parse(c.text);
    ASSERT_FALSE(report.has_value()) << c.what;
    EXPECT_EQ(report.error().kind, c.kind) << c.what << ": " << report.error().message;
    EXPECT_THAT(report.error().message, HasSubstr(c.message)) << c.what;
  }
}

TEST(GbenchJson, ParseErrorOffsetsAreInTheOriginalTextAfterNonFiniteRewrites) {
  // NaN and Infinity are rewritten before parsing; the byte an error names
  // must still be the byte in the file, same as with a plain number there.
  const std::string with_nan = R"({"benchmarks": [{"name": "a", "x": NaN, "y": Infinity}], oops})";
  const std::string with_numbers =
      R"({"benchmarks": [{"name": "a", "x": 1.0, "y": 12345678}], oops})";
  ASSERT_EQ(with_nan.size(), with_numbers.size());
  const net::Result<Report> a = parse(with_nan);
  const net::Result<Report> b = parse(with_numbers);
  ASSERT_FALSE(a.has_value());
  ASSERT_FALSE(b.has_value());
  EXPECT_THAT(a.error().message, HasSubstr("parse error at byte 57 (line 1, column 58)"));
  EXPECT_THAT(b.error().message, HasSubstr("parse error at byte 57 (line 1, column 58)"));
  // "last read" quotes the file, not the rewritten text.
  EXPECT_THAT(a.error().message, HasSubstr("last read: 'Infinity}], o'"));
}

TEST(GbenchJson, LimitsAreClearErrors) {
  const std::string three_rows = results("BM_A", {1, 2, 3});
  {
    ReadLimits limits;
    limits.max_rows = 2;
    const net::Result<Report> report = parse(three_rows, limits);
    ASSERT_FALSE(report.has_value());
    EXPECT_EQ(report.error().kind, net::ErrorKind::too_large);
    EXPECT_THAT(report.error().message,
                HasSubstr("old.json: more than 2 rows in \"benchmarks\" (the limit is 2)"));
  }
  {
    ReadLimits limits;
    limits.max_values = 5;  // 3 rows x 2 times
    const net::Result<Report> report = parse(three_rows, limits);
    ASSERT_FALSE(report.has_value());
    EXPECT_EQ(report.error().kind, net::ErrorKind::too_large);
    EXPECT_THAT(report.error().message, HasSubstr("old.json: more than 5 values"));
  }
  {
    ReadLimits limits;
    limits.max_file_bytes = 10;
    const net::Result<Report> report = parse(three_rows, limits);
    ASSERT_FALSE(report.has_value());
    EXPECT_EQ(report.error().kind, net::ErrorKind::too_large);
    EXPECT_THAT(report.error().message, HasSubstr("more than the limit of 10"));
  }
  {
    ReadLimits limits;
    limits.max_rows = 3;
    limits.max_values = 6;
    EXPECT_TRUE(parse(three_rows, limits).has_value());
  }
}

// ---------------------------------------------------------------- warnings

TEST(GbenchJson, DoubtfulRowsAndValuesAreSkippedWithAWarningNamingTheBenchmark) {
  const struct {
    std::string_view what;
    std::string rows;                // inside "benchmarks": [...]
    std::string_view warning;        // a substring of one warning
    std::vector<double> real_times;  // BM_A's real_time values afterwards
  } cases[] = {
      {"error row",
       R"({"name":"BM_A","real_time":5,"time_unit":"ns"},
          {"name":"BM_A","error_occurred":true,"error_message":"boom","real_time":0,"time_unit":"ns"})",
       "old.json: BM_A: error_occurred (\"boom\"): row skipped",
       {5}},
      {"skipped row (1.8)",
       R"({"name":"BM_A","real_time":5,"time_unit":"ns"},
          {"name":"BM_A","skipped":true,"skip_message":"no ipv6","time_unit":"ns"})",
       "old.json: BM_A: skipped (\"no ipv6\"): row skipped",
       {5}},
      {"zero",
       R"({"name":"BM_A","real_time":0,"time_unit":"ns"},{"name":"BM_A","real_time":3})",
       "old.json: BM_A: real_time is zero or negative: value skipped",
       {3}},
      {"negative",
       R"({"name":"BM_A","real_time":-2,"time_unit":"ns"},{"name":"BM_A","real_time":3,"time_unit":"ns"})",
       "old.json: BM_A: real_time is zero or negative: value skipped",
       {3}},
      {"NaN literal",
       R"({"name":"BM_A","real_time":NaN,"time_unit":"ns"},{"name":"BM_A","real_time":3,"time_unit":"ns"})",
       "old.json: BM_A: real_time is NaN: value skipped",
       {3}},
      {"-NaN literal",
       R"({"name":"BM_A","real_time":-NaN,"time_unit":"ns"})",
       "old.json: BM_A: real_time is NaN: value skipped",
       {}},
      {"Infinity",
       R"({"name":"BM_A","real_time":Infinity,"time_unit":"ns"})",
       "old.json: BM_A: real_time is infinite: value skipped",
       {}},
      {"-Infinity",
       R"({"name":"BM_A","real_time":-Infinity,"time_unit":"ns"})",
       "old.json: BM_A: real_time is infinite: value skipped",
       {}},
      {"inf",
       R"({"name":"BM_A","real_time":inf,"time_unit":"ns"})",
       "old.json: BM_A: real_time is infinite: value skipped",
       {}},
      {"beyond double range",
       R"({"name":"BM_A","real_time":1e999,"time_unit":"ns"})",
       "old.json: BM_A: real_time is infinite: value skipped",
       {}},
      {"huge integer",
       R"({"name":"BM_A","real_time":)" + std::string(400, '9') + R"(,"time_unit":"ns"})",
       "old.json: BM_A: real_time is infinite: value skipped",
       {}},
      {"overflow by conversion",
       R"({"name":"BM_A","real_time":1e305,"time_unit":"s"})",
       "old.json: BM_A: real_time is infinite: value skipped",
       {}},
      {"subnormal",
       R"({"name":"BM_A","real_time":5e-324,"time_unit":"ns"},{"name":"BM_A","real_time":1e-300,"time_unit":"ns"})",
       "old.json: BM_A: real_time is too small to compare (subnormal): value skipped",
       {1e-300}},
      {"string time",
       R"({"name":"BM_A","real_time":"fast","time_unit":"ns"},{"name":"BM_A","real_time":4,"time_unit":"ns"})",
       "old.json: BM_A: real_time is a string, not a number: value skipped",
       {4}},
      {"object time",
       R"({"name":"BM_A","real_time":{"v":1},"time_unit":"ns"})",
       "old.json: BM_A: real_time is an object, not a number: value skipped",
       {}},
      {"negative iterations",
       R"({"name":"BM_A","iterations":-5,"real_time":1,"time_unit":"ns"},{"name":"BM_A","real_time":2,"time_unit":"ns"})",
       "old.json: BM_A: \"iterations\" is -5, not a count > 0: row skipped",
       {2}},
      {"string iterations",
       R"({"name":"BM_A","iterations":"many","real_time":1,"time_unit":"ns"})",
       "old.json: BM_A: \"iterations\" is a string, not a count > 0: row skipped",
       {}},
      {"array row",
       R"({"name":"BM_A","real_time":2,"time_unit":"ns"},[1,2,3])",
       "old.json: benchmarks[1] is an array, not an object: row skipped",
       {2}},
      {"number row",
       R"(7,{"name":"BM_A","real_time":2,"time_unit":"ns"})",
       "old.json: benchmarks[0] is a number, not an object: row skipped",
       {2}},
      {"no name",
       R"({"real_time":2,"time_unit":"ns"},{"name":"BM_A","real_time":2,"time_unit":"ns"})",
       "old.json: benchmarks[0] has no \"name\" string: row skipped",
       {2}},
      {"long name",
       R"({"name":")" + std::string(5000, 'x') + R"(","real_time":2,"time_unit":"ns"})",
       "old.json: benchmarks[0]: a name longer than 4096 bytes: row skipped",
       {}},
      {"numeric name",
       R"({"name":12,"real_time":2,"time_unit":"ns"})",
       "old.json: benchmarks[0] has no \"name\" string: row skipped",
       {}},
      {"unknown run_type",
       R"({"name":"BM_A","run_type":"warmup","real_time":2,"time_unit":"ns"})",
       "old.json: BM_A: unknown run_type \"warmup\": row skipped",
       {}},
      {"aggregate without a name",
       R"({"name":"BM_A","run_type":"aggregate","real_time":2,"time_unit":"ns"})",
       "old.json: BM_A: an aggregate row with no \"aggregate_name\": row skipped",
       {}},
      {"zero threads",
       R"({"name":"BM_A","threads":0,"real_time":2,"time_unit":"ns"})",
       "old.json: BM_A: \"threads\" is 0, not an integer >= 1: row skipped",
       {}},
      {"negative repetition",
       R"({"name":"BM_A","repetition_index":-1,"real_time":2,"time_unit":"ns"})",
       "old.json: BM_A: \"repetition_index\" is -1, not an integer >= 0: row skipped",
       {}},
      {"duplicate repetition",
       R"({"name":"BM_A","run_name":"BM_A","run_type":"iteration","repetition_index":0,"real_time":2,"time_unit":"ns"},
          {"name":"BM_A","run_name":"BM_A","run_type":"iteration","repetition_index":1,"real_time":3,"time_unit":"ns"},
          {"name":"BM_A","run_name":"BM_A","run_type":"iteration","repetition_index":0,"real_time":4,"time_unit":"ns"})",
       "old.json: BM_A: repetition_index 0 appears twice (two runs with the same name in one "
       "file?): "
       "their values pool",
       {2, 3, 4}},
      {"no time unit",
       R"({"name":"BM_A","real_time":2})",
       "old.json: rows with no \"time_unit\": times read as ns",
       {2}},
      {"aggregates only",
       R"({"name":"BM_A_mean","run_name":"BM_A","run_type":"aggregate","aggregate_name":"mean","repetitions":5,"real_time":7,"time_unit":"ns"},
          {"name":"BM_A_stddev","run_name":"BM_A","run_type":"aggregate","aggregate_name":"stddev","repetitions":5,"real_time":0,"time_unit":"ns"})",
       "old.json: BM_A: aggregates only (no iteration rows): the means of 1 runs (5 repetitions "
       "each) are the samples",
       {7}},
      {"control bytes in a name",
       R"({"name":"BM_A\u001b[31m","real_time":-1,"time_unit":"ns"},{"name":"BM_A","real_time":1,"time_unit":"ns"})",
       "old.json: BM_A\\x1b[31m: real_time is zero or negative",
       {1}},
  };
  for (const auto& c : cases) {
    const Report report = parsed(R"({"benchmarks": [)" + c.rows + "]}");
    EXPECT_THAT(joined(report.warnings), HasSubstr(c.warning)) << c.what;
    EXPECT_EQ(values_of(report, "BM_A", "real_time"), c.real_times) << c.what;
  }
}

TEST(GbenchJson, ABenchmarkWhoseRowsAllErroredKeepsTheErrorAndNoMetrics) {
  const Report report = parsed(R"({"benchmarks": [
    {"name":"BM_Up","real_time":5,"time_unit":"ns"},
    {"name":"BM_Down","error_occurred":true,"error_message":"connect: refused","real_time":0,"time_unit":"ns"},
    {"name":"BM_Down","error_occurred":true,"error_message":"connect: refused","real_time":0,"time_unit":"ns"}]})");
  const Benchmark* down = report.find("BM_Down");
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->error, "connect: refused");
  EXPECT_TRUE(down->metrics.empty());
  EXPECT_THAT(
      joined(report.warnings),
      HasSubstr("old.json: BM_Down: error_occurred (\"connect: refused\"): row skipped (2 times)"));
  ASSERT_NE(report.find("BM_Up"), nullptr);
  EXPECT_TRUE(report.find("BM_Up")->error.empty());
}

TEST(GbenchJson, ABenchmarkWithNoUsableValueSaysSo) {
  const Report report =
      parsed(R"({"benchmarks": [{"name":"BM_Zero","real_time":0,"cpu_time":0,"time_unit":"ns"}]})");
  ASSERT_NE(report.find("BM_Zero"), nullptr);
  EXPECT_TRUE(report.find("BM_Zero")->metrics.empty());
  EXPECT_EQ(report.find("BM_Zero")->error, "no usable values (see the warnings)");
}

TEST(GbenchJson, AggregatesOnlyUsesTheMeansAndMarksTheSeries) {
  const Report report = parsed(R"({"benchmarks": [
    {"name":"BM_A_mean","run_name":"BM_A","run_type":"aggregate","aggregate_name":"mean","aggregate_unit":"time","repetitions":3,"real_time":10,"cpu_time":9,"time_unit":"us","items_per_second":100},
    {"name":"BM_A_median","run_name":"BM_A","run_type":"aggregate","aggregate_name":"median","aggregate_unit":"time","repetitions":3,"real_time":11,"cpu_time":9,"time_unit":"us"},
    {"name":"BM_A_stddev","run_name":"BM_A","run_type":"aggregate","aggregate_name":"stddev","aggregate_unit":"time","repetitions":3,"real_time":0,"cpu_time":0,"time_unit":"us"},
    {"name":"BM_A_cv","run_name":"BM_A","run_type":"aggregate","aggregate_name":"cv","aggregate_unit":"percentage","repetitions":3,"real_time":0.01,"cpu_time":0,"time_unit":"us"}]})");
  ASSERT_EQ(report.benchmarks.size(), 1u);
  const Benchmark& a = report.benchmarks[0];
  EXPECT_EQ(a.name, "BM_A");
  ASSERT_TRUE(a.metrics.contains("real_time"));
  EXPECT_EQ(a.metrics.at("real_time").values, std::vector<double>{10'000});
  EXPECT_TRUE(a.metrics.at("real_time").from_aggregates);
  EXPECT_EQ(a.metrics.at("items_per_second").values, std::vector<double>{100});
  // The stddev of 0 is not a sample, so no "zero" warning for it.
  EXPECT_THAT(joined(report.warnings), ::testing::Not(HasSubstr("zero")));
  EXPECT_THAT(joined(report.warnings), HasSubstr("BM_A: aggregates only"));
}

TEST(GbenchJson, IterationRowsWinOverAggregates) {
  const Report report = parsed(R"({"benchmarks": [
    {"name":"BM_A","run_name":"BM_A","run_type":"iteration","repetition_index":0,"real_time":10,"time_unit":"ns"},
    {"name":"BM_A","run_name":"BM_A","run_type":"iteration","repetition_index":1,"real_time":12,"time_unit":"ns"},
    {"name":"BM_A_mean","run_name":"BM_A","run_type":"aggregate","aggregate_name":"mean","real_time":11,"time_unit":"ns"}]})");
  EXPECT_EQ(values_of(report, "BM_A", "real_time"), (std::vector<double>{10, 12}));
  EXPECT_FALSE(report.find("BM_A")->metrics.at("real_time").from_aggregates);
  EXPECT_TRUE(report.warnings.empty()) << joined(report.warnings);
}

TEST(GbenchJson, WarningsAreBoundedPerFile) {
  std::string rows;
  for (int i = 0; i < 10; ++i) {
    if (i > 0) rows += ",";
    rows += R"({"name":"BM_)" + std::to_string(i) + R"(","real_time":-1,"time_unit":"ns"})";
  }
  ReadLimits limits;
  limits.max_warnings = 3;
  const Report report = parsed(R"({"benchmarks": [)" + rows + "]}", limits);
  ASSERT_EQ(report.warnings.size(), 4u) << joined(report.warnings);
  EXPECT_EQ(report.warnings.back(),
            "old.json: 7 more warnings not shown (the limit is 3 per file)");
}

TEST(GbenchJson, AnOversizedRowIsSkipped) {
  std::string counters;
  for (int i = 0; i < 50; ++i)
    counters += R"(,"c)" + std::to_string(i) + R"(":1)";
  ReadLimits limits;
  limits.max_row_values = 20;
  const Report report = parsed(R"({"benchmarks": [{"name":"BM_Big","real_time":1)" + counters +
                                   R"(},{"name":"BM_A","real_time":2}]})",
                               limits);
  EXPECT_EQ(report.find("BM_Big"), nullptr);
  EXPECT_EQ(values_of(report, "BM_A", "real_time"), std::vector<double>{2});
  EXPECT_THAT(joined(report.warnings),
              HasSubstr("old.json: benchmarks[0] has more than 20 values: row skipped"));
}

// ---------------------------------------------------------------- units and counters

TEST(GbenchJson, TimesAreConvertedToNanoseconds) {
  const struct {
    std::string_view unit;
    double factor;
  } cases[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  for (const auto& c : cases) {
    const Report report =
        parsed(R"({"benchmarks": [{"name":"BM_A","real_time":1.5,"cpu_time":2.5,"time_unit":")" +
               std::string(c.unit) + R"(","bytes_per_second":3.5}]})");
    ASSERT_EQ(report.benchmarks.size(), 1u) << c.unit;
    const Benchmark& a = report.benchmarks[0];
    EXPECT_DOUBLE_EQ(a.metrics.at("real_time").values.at(0), 1.5 * c.factor) << c.unit;
    EXPECT_DOUBLE_EQ(a.metrics.at("cpu_time").values.at(0), 2.5 * c.factor) << c.unit;
    EXPECT_EQ(a.metrics.at("real_time").unit, "ns");
    EXPECT_EQ(a.metrics.at("cpu_time").unit, "ns");
    // Counters are never scaled by the time unit.
    EXPECT_DOUBLE_EQ(a.metrics.at("bytes_per_second").values.at(0), 3.5) << c.unit;
  }
}

TEST(GbenchJson, MixedUnitsPoolInNanoseconds) {
  const Report report = parsed(R"({"benchmarks": [
    {"name":"BM_A","real_time":2,"time_unit":"us"},
    {"name":"BM_A","real_time":2000,"time_unit":"ns"},
    {"name":"BM_A","real_time":0.002,"time_unit":"ms"}]})");
  const std::vector<double> values = values_of(report, "BM_A", "real_time");
  ASSERT_EQ(values.size(), 3u);
  for (double v : values)
    EXPECT_NEAR(v, 2000, 1e-9);
}

TEST(GbenchJson, EveryNumericUserFieldIsACounterAndStructuralFieldsAreNot) {
  const Report report = parsed(R"({"benchmarks": [{
    "name":"BM_A/threads:2","family_index":3,"per_family_instance_index":1,"run_name":"BM_A/threads:2",
    "run_type":"iteration","repetitions":1,"repetition_index":0,"threads":2,"iterations":1000,
    "real_time":10,"cpu_time":20,"time_unit":"ns","bytes_per_second":1e9,"items_per_second":5e6,
    "frames_per_second":60,"requests/s":7,"allocs_per_iter":2,"INSTRUCTIONS":1234,"label":"64 bytes",
    "note":"text is not a counter","ok":true,"nothing":null,"nested":{"a":1},"list":[1,2]}]})");
  const Benchmark* a = report.find("BM_A/threads:2");
  ASSERT_NE(a, nullptr);
  std::vector<std::string> metrics;
  for (const auto& [name, series] : a->metrics)
    metrics.push_back(name);
  EXPECT_EQ(metrics, (std::vector<std::string>{"INSTRUCTIONS", "allocs_per_iter",
                                               "bytes_per_second", "cpu_time", "frames_per_second",
                                               "items_per_second", "real_time", "requests/s"}));
  EXPECT_EQ(a->metrics.at("INSTRUCTIONS").unit, "instructions");
  EXPECT_EQ(a->metrics.at("bytes_per_second").unit, "");
  EXPECT_EQ(a->metrics.at("allocs_per_iter").unit, "");
  const struct {
    std::string_view metric;
    Direction direction;
  } directions[] = {{"real_time", Direction::lower_is_better},
                    {"cpu_time", Direction::lower_is_better},
                    {"bytes_per_second", Direction::higher_is_better},
                    {"items_per_second", Direction::higher_is_better},
                    {"frames_per_second", Direction::higher_is_better},
                    {"requests/s", Direction::higher_is_better},
                    {"allocs_per_iter", Direction::lower_is_better},
                    {"INSTRUCTIONS", Direction::lower_is_better}};
  for (const auto& d : directions) {
    EXPECT_TRUE(a->metrics.contains(d.metric)) << d.metric;
    EXPECT_EQ(default_direction(d.metric), d.direction) << d.metric;
  }
  EXPECT_TRUE(report.warnings.empty()) << joined(report.warnings);
}

TEST(GbenchJson, ANonFiniteCounterIsSkippedAndTheRestOfTheRowKept) {
  const Report report = parsed(R"({"benchmarks": [
    {"name":"BM_A","real_time":3,"time_unit":"ns","hit_rate":NaN,"misses":Infinity}]})");
  EXPECT_EQ(values_of(report, "BM_A", "real_time"), std::vector<double>{3});
  EXPECT_FALSE(report.find("BM_A")->metrics.contains("hit_rate"));
  EXPECT_FALSE(report.find("BM_A")->metrics.contains("misses"));
  EXPECT_THAT(joined(report.warnings), HasSubstr("old.json: BM_A: hit_rate is NaN: value skipped"));
  EXPECT_THAT(joined(report.warnings),
              HasSubstr("old.json: BM_A: misses is infinite: value skipped"));
}

TEST(GbenchJson, NonFiniteWordsInsideStringsAreLeftAlone) {
  const Report report = parsed(R"({"context":{"host_name":"NaN Infinity \"inf\""},
    "benchmarks": [{"name":"BM_NaN","label":"Infinity","real_time":3,"time_unit":"ns"}]})");
  EXPECT_EQ(report.contexts.at(0).host_name, "NaN Infinity \"inf\"");
  EXPECT_EQ(values_of(report, "BM_NaN", "real_time"), std::vector<double>{3});
  EXPECT_TRUE(report.warnings.empty()) << joined(report.warnings);
}

// ---------------------------------------------------------------- shapes

TEST(GbenchJson, KeysByRunNameAndKeepsOrderOfFirstAppearance) {
  const Report report = parsed(R"({"benchmarks": [
    {"name":"BM_B","run_name":"BM_B","run_type":"iteration","real_time":1,"time_unit":"ns"},
    {"name":"BM_A","run_name":"BM_A","run_type":"iteration","real_time":2,"time_unit":"ns"},
    {"name":"BM_B","run_name":"BM_B","run_type":"iteration","real_time":3,"time_unit":"ns"}]})");
  ASSERT_EQ(report.benchmarks.size(), 2u);
  EXPECT_EQ(report.benchmarks[0].name, "BM_B");
  EXPECT_EQ(report.benchmarks[1].name, "BM_A");
  EXPECT_EQ(values_of(report, "BM_B", "real_time"), (std::vector<double>{1, 3}));
}

TEST(GbenchJson, OlderFilesWithoutRunTypeKeyByNameAndRecogniseAggregateSuffixes) {
  // Google Benchmark before run_type: repetitions share the name, and the
  // aggregates are rows named X_mean, X_median, X_stddev.
  const Report report = parsed(R"({
    "context": {"date": "2017-05-01 10:00:00", "num_cpus": 8, "mhz_per_cpu": 3400,
                "cpu_scaling_enabled": true, "library_build_type": "release"},
    "benchmarks": [
      {"name":"BM_Old/8","iterations":100,"real_time":10,"cpu_time":10,"time_unit":"ns"},
      {"name":"BM_Old/8","iterations":100,"real_time":11,"cpu_time":11,"time_unit":"ns"},
      {"name":"BM_Old/8_mean","iterations":100,"real_time":10.5,"cpu_time":10.5,"time_unit":"ns"},
      {"name":"BM_Old/8_stddev","iterations":100,"real_time":0,"cpu_time":0,"time_unit":"ns"},
      {"name":"BM_Agg_mean","iterations":3,"real_time":20,"cpu_time":20,"time_unit":"us"},
      {"name":"BM_Agg_median","iterations":3,"real_time":21,"cpu_time":21,"time_unit":"us"},
      {"name":"BM_Agg_stddev","iterations":3,"real_time":0,"cpu_time":0,"time_unit":"us"},
      {"name":"BM_geometric_mean","iterations":5,"real_time":30,"cpu_time":30,"time_unit":"ns"}]})");
  std::vector<std::string> names;
  for (const Benchmark& b : report.benchmarks)
    names.push_back(b.name);
  EXPECT_EQ(names, (std::vector<std::string>{"BM_Old/8", "BM_Agg", "BM_geometric_mean"}));
  EXPECT_EQ(values_of(report, "BM_Old/8", "real_time"), (std::vector<double>{10, 11}));
  EXPECT_EQ(values_of(report, "BM_Agg", "real_time"), std::vector<double>{20'000});
  EXPECT_TRUE(report.find("BM_Agg")->metrics.at("real_time").from_aggregates);
  // A lone X_mean is a benchmark of its own: nothing says it is an aggregate.
  EXPECT_EQ(values_of(report, "BM_geometric_mean", "real_time"), std::vector<double>{30});
  const RunContext& context = report.contexts.at(0);
  EXPECT_EQ(context.source, "old.json");
  EXPECT_EQ(context.date, "2017-05-01 10:00:00");
  EXPECT_EQ(context.num_cpus, 8);
  EXPECT_EQ(context.mhz_per_cpu, 3400);
  EXPECT_EQ(context.cpu_scaling_enabled, true);
  EXPECT_EQ(context.library_build_type, "release");
  EXPECT_TRUE(context.host_name.empty());
}

TEST(GbenchJson, BigORowsAreIgnored) {
  const Report report = parsed(R"({"benchmarks": [
    {"name":"BM_N/8","run_name":"BM_N/8","run_type":"iteration","real_time":3,"time_unit":"ns"},
    {"name":"BM_N_BigO","run_name":"BM_N","run_type":"aggregate","aggregate_name":"BigO","cpu_coefficient":0.5,"real_coefficient":0.5,"big_o":"N","time_unit":"ns"},
    {"name":"BM_N_RMS","run_name":"BM_N","run_type":"aggregate","aggregate_name":"RMS","rms":0.1},
    {"name":"BM_Old_BigO","cpu_coefficient":1,"real_coefficient":1,"big_o":"N","time_unit":"ns"},
    {"name":"BM_Old_RMS","rms":0}]})");
  ASSERT_EQ(report.benchmarks.size(), 1u);
  EXPECT_EQ(report.benchmarks[0].name, "BM_N/8");
  EXPECT_TRUE(report.warnings.empty()) << joined(report.warnings);
}

TEST(GbenchJson, AFileWithoutContextHasEmptyContextFields) {
  const Report report =
      parsed(R"({"benchmarks": [{"name":"BM_A","real_time":1,"time_unit":"ns"}]})");
  ASSERT_EQ(report.contexts.size(), 1u);
  EXPECT_EQ(report.contexts[0].source, "old.json");
  EXPECT_TRUE(report.contexts[0].host_name.empty());
  EXPECT_EQ(report.contexts[0].num_cpus, 0);
  EXPECT_FALSE(report.contexts[0].cpu_scaling_enabled.has_value());
}

TEST(GbenchJson, ContextOfTheWrongShapeIsIgnoredWithAWarning) {
  const Report report = parsed(R"({"context": [1,2], "benchmarks": []})");
  EXPECT_THAT(joined(report.warnings),
              HasSubstr("old.json: \"context\" is an array, not an object: ignored"));
  const Report typed = parsed(
      R"({"context": {"host_name": 5, "num_cpus": "eight", "load_avg": [1, "x", 2]}, "benchmarks": []})");
  EXPECT_TRUE(typed.contexts.at(0).host_name.empty());
  EXPECT_EQ(typed.contexts.at(0).num_cpus, 0);
  EXPECT_EQ(typed.contexts.at(0).load_avg, (std::vector<double>{1, 2}));
}

TEST(GbenchJson, UnknownTopLevelFieldsAreSkippedWhateverTheirShape) {
  const Report report =
      parsed(R"({"extra": {"benchmarks": "not this one", "deep": [[[{"a": [1]}]]]},
    "benchmarks": [{"name":"BM_A","real_time":1,"time_unit":"ns"}], "trailer": [NaN]})");
  EXPECT_EQ(values_of(report, "BM_A", "real_time"), std::vector<double>{1});
}

TEST(GbenchJson, ReadsARealGoogleBenchmark171File) {
  const Report report = parsed(kGoogleBenchmark171Smoke);
  std::vector<std::string> names;
  for (const Benchmark& b : report.benchmarks)
    names.push_back(b.name);
  EXPECT_EQ(names, (std::vector<std::string>{"BM_Copy/64/repeats:2", "BM_Fail/repeats:2",
                                             "BM_Alloc", "BM_Complex/8", "BM_Complex/16"}));

  const Benchmark& copy = *report.find("BM_Copy/64/repeats:2");
  ASSERT_EQ(copy.metrics.at("real_time").values.size(), 2u);  // the two repetitions, not the mean
  EXPECT_NEAR(copy.metrics.at("real_time").values[0], 9.5871687723985896, 1e-9);  // us -> ns
  EXPECT_NEAR(copy.metrics.at("cpu_time").values[1], 1.7897179673524155, 1e-9);
  EXPECT_EQ(copy.metrics.at("bytes_per_second").values.size(), 2u);
  EXPECT_EQ(copy.metrics.at("frames").values.size(), 2u);
  EXPECT_FALSE(copy.metrics.at("real_time").from_aggregates);
  EXPECT_TRUE(copy.error.empty());

  const Benchmark& fail = *report.find("BM_Fail/repeats:2");
  EXPECT_EQ(fail.error, "socket refused");
  EXPECT_TRUE(fail.metrics.empty());

  const Benchmark& alloc = *report.find("BM_Alloc");
  EXPECT_NEAR(alloc.metrics.at("real_time").values.at(0), 9.1431515933853636, 1e-9);  // ms -> ns
  EXPECT_FALSE(alloc.metrics.contains("hit_rate"));

  const RunContext& context = report.contexts.at(0);
  EXPECT_EQ(context.host_name, "vm");
  EXPECT_EQ(context.executable, "./smoke2");
  EXPECT_EQ(context.num_cpus, 2);
  EXPECT_EQ(context.mhz_per_cpu, 2096);
  EXPECT_EQ(context.cpu_scaling_enabled, false);
  EXPECT_EQ(context.load_avg.size(), 3u);
  EXPECT_EQ(context.library_build_type, "debug");

  EXPECT_EQ(
      report.warnings,
      (std::vector<std::string>{
          "old.json: BM_Fail/repeats:2: error_occurred (\"socket refused\"): row skipped (2 times)",
          "old.json: BM_Alloc: hit_rate is NaN: value skipped"}));
}

TEST(GbenchJson, ALargeFileStreams) {
  // 20000 rows: read one row at a time, values in order.
  std::string text = R"({"context":{},"benchmarks":[)";
  for (int i = 0; i < 20'000; ++i) {
    if (i > 0) text += ",";
    text += R"({"name":"BM_)" + std::to_string(i % 100) + R"(","real_time":)" +
            std::to_string(i + 1) + R"(,"time_unit":"ns"})";
  }
  text += "]}";
  const Report report = parsed(text);
  ASSERT_EQ(report.benchmarks.size(), 100u);
  const std::vector<double> values = values_of(report, "BM_7", "real_time");
  ASSERT_EQ(values.size(), 200u);
  EXPECT_EQ(values[0], 8);
  EXPECT_EQ(values[1], 108);
}

// ---------------------------------------------------------------- files, directories, pooling

TEST(GbenchJson, ReadReportsPoolsFilesInOrder) {
  const ScratchDirectory dir("pool");
  const fs::path first = dir.write("first.json", results("BM_A", {1, 2}));
  const fs::path second = dir.write("second.json", results("BM_A", {3}));
  const net::Result<Report> report = read_reports({first, second});
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(values_of(*report, "BM_A", "real_time"), (std::vector<double>{1, 2, 3}));
  ASSERT_EQ(report->contexts.size(), 2u);
  EXPECT_EQ(report->contexts[0].source, first.string());
  EXPECT_EQ(report->contexts[1].source, second.string());
  EXPECT_TRUE(report->find("BM_A")->metrics.at("real_time").rounds.empty());
}

TEST(GbenchJson, ReadReportsErrorsNameThePath) {
  const ScratchDirectory dir("errors");
  {
    const net::Result<Report> report = read_reports({dir.path() / "missing.json"});
    ASSERT_FALSE(report.has_value());
    EXPECT_EQ(report.error().kind, net::ErrorKind::not_found);
    EXPECT_THAT(report.error().message, HasSubstr("missing.json: no such file or directory"));
  }
  {
    const net::Result<Report> report = read_reports({dir.path()});
    ASSERT_FALSE(report.has_value());
    EXPECT_EQ(report.error().kind, net::ErrorKind::bad_data);
    EXPECT_THAT(report.error().message, HasSubstr(": no *.json results file"));
  }
  {
    const fs::path broken = dir.write("broken.json", R"({"benchmarks": [)");
    const net::Result<Report> report = read_reports({broken});
    ASSERT_FALSE(report.has_value());
    EXPECT_THAT(report.error().message, HasSubstr(broken.string() + ": truncated JSON"));
  }
  {
    const fs::path empty = dir.write("empty.json", "");
    const net::Result<Report> report = read_reports({empty});
    ASSERT_FALSE(report.has_value());
    EXPECT_EQ(report.error().message, empty.string() + ": empty file");
  }
  EXPECT_FALSE(read_reports({}).has_value());
}

TEST(GbenchJson, ADirectoryReadsItsJsonFilesSortedByName) {
  const ScratchDirectory dir("sorted");
  dir.write("b.json", results("BM_A", {2}));
  dir.write("a.json", results("BM_A", {1}));
  dir.write("notes.txt", "not results");
  const net::Result<Report> report = read_reports({dir.path()});
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(values_of(*report, "BM_A", "real_time"), (std::vector<double>{1, 2}));
  ASSERT_EQ(report->contexts.size(), 2u);
  EXPECT_EQ(fs::path(report->contexts[0].source).filename(), "a.json");
}

TEST(GbenchJson, TheManifestGivesRoundsAndContext) {
  const ScratchDirectory dir("manifest");
  dir.write("echo_bench.round0.json", results("BM_Echo", {10, 11}));
  dir.write("echo_bench.round1.json", results("BM_Echo", {12}));
  dir.write("manifest.json", R"({
    "faultline_manifest": 1, "commit": "a1b2c3d", "dirty": true, "build_type": "Release",
    "host": "bench-01", "created_by": "a later field",
    "files": [{"file": "echo_bench.round0.json", "round": 0, "binary": "echo_bench"},
              {"file": "echo_bench.round1.json", "round": 1, "binary": "echo_bench"}]})");
  const net::Result<Report> report = read_reports({dir.path()});
  ASSERT_TRUE(report.has_value()) << report.error().message;
  const MetricSeries& series = report->find("BM_Echo")->metrics.at("real_time");
  EXPECT_EQ(series.values, (std::vector<double>{10, 11, 12}));
  EXPECT_EQ(series.rounds, (std::vector<int>{0, 0, 1}));
  ASSERT_EQ(report->contexts.size(), 2u);  // the manifest is not a results file
  for (const RunContext& context : report->contexts) {
    EXPECT_EQ(context.commit, "a1b2c3d");
    EXPECT_EQ(context.dirty, true);
    EXPECT_EQ(context.build_type, "Release");
    EXPECT_EQ(context.host_name, "box");  // the file's own host wins over the manifest's
  }
  EXPECT_TRUE(report->warnings.empty()) << joined(report->warnings);
}

TEST(GbenchJson, RoundsKnownForOnlySomeValuesAreDropped) {
  const ScratchDirectory dir("partial");
  dir.write("r0.json", results("BM_Echo", {10}));
  dir.write("extra.json", results("BM_Echo", {20}));
  dir.write("manifest.json", R"({"faultline_manifest": 1, "files": [
    {"file": "r0.json", "round": 0}, {"file": "gone.json", "round": 1},
    {"file": "../etc/passwd", "round": 2}, {"file": "r0.json", "round": 5}]})");
  const net::Result<Report> report = read_reports({dir.path()});
  ASSERT_TRUE(report.has_value()) << report.error().message;
  const MetricSeries& series = report->find("BM_Echo")->metrics.at("real_time");
  EXPECT_EQ(series.values, (std::vector<double>{20, 10}));  // extra.json sorts first
  EXPECT_TRUE(series.rounds.empty());
  const std::string warnings = joined(report->warnings);
  EXPECT_THAT(warnings, HasSubstr("extra.json: not listed in manifest.json: read without a round"));
  EXPECT_THAT(warnings, HasSubstr("lists \"gone.json\", which is not in the directory"));
  EXPECT_THAT(warnings, HasSubstr("\"../etc/passwd\" is a path, not a file name in the directory"));
  EXPECT_THAT(warnings, HasSubstr("\"r0.json\" is listed twice: the first entry counts"));

  // A directory with rounds pooled with a file without: rounds dropped too.
  const ScratchDirectory plain("plain");
  const fs::path file = plain.write("plain.json", results("BM_Echo", {30}));
  const ScratchDirectory rounds("rounds");
  rounds.write("r0.json", results("BM_Echo", {10}));
  rounds.write("manifest.json",
               R"({"faultline_manifest": 1, "files": [{"file": "r0.json", "round": 0}]})");
  const net::Result<Report> pooled = read_reports({rounds.path(), file});
  ASSERT_TRUE(pooled.has_value()) << pooled.error().message;
  EXPECT_EQ(pooled->find("BM_Echo")->metrics.at("real_time").values, (std::vector<double>{10, 30}));
  EXPECT_TRUE(pooled->find("BM_Echo")->metrics.at("real_time").rounds.empty());
}

TEST(GbenchJson, ABadManifestIsAnError) {
  const struct {
    std::string_view what;
    std::string_view manifest;
    std::string_view message;
  } cases[] = {
      {"not json", "{", "manifest.json: not JSON"},
      {"array", "[]", "manifest.json: not a JSON object"},
      {"no version", R"({"files": []})", "manifest.json: no \"faultline_manifest\" version field"},
      {"newer version", R"({"faultline_manifest": 2, "files": []})",
       "manifest.json: manifest version 2 is not supported (this faultline reads version 1)"},
      {"no files", R"({"faultline_manifest": 1})", "manifest.json: no \"files\" array"},
  };
  for (const auto& c : cases) {
    const ScratchDirectory dir("bad_manifest");
    dir.write("r0.json", results("BM_A", {1}));
    dir.write("manifest.json", c.manifest);
    const net::Result<Report> report = read_reports({dir.path()});
    ASSERT_FALSE(report.has_value()) << c.what;
    EXPECT_EQ(report.error().kind, net::ErrorKind::bad_data) << c.what;
    EXPECT_THAT(report.error().message, HasSubstr(c.message)) << c.what;
  }
  const ScratchDirectory only("only_manifest");
  only.write("manifest.json", R"({"faultline_manifest": 1, "files": []})");
  const net::Result<Report> report = read_reports({only.path()});
  ASSERT_FALSE(report.has_value());
  EXPECT_THAT(report.error().message, HasSubstr("no *.json results file (only manifest.json)"));
}

TEST(GbenchJson, ManifestFieldsOfTheWrongTypeAreWarnings) {
  const ScratchDirectory dir("typed_manifest");
  dir.write("r0.json", results("BM_A", {1}));
  dir.write("manifest.json", R"({"faultline_manifest": 1, "commit": 7, "dirty": "no",
    "files": [{"file": "r0.json", "round": -1}, {"round": 1}, 5]})");
  const net::Result<Report> report = read_reports({dir.path()});
  ASSERT_TRUE(report.has_value()) << report.error().message;
  const std::string warnings = joined(report->warnings);
  EXPECT_THAT(warnings, HasSubstr("\"commit\" is not a string: ignored"));
  EXPECT_THAT(warnings, HasSubstr("\"dirty\" is not a boolean: ignored"));
  EXPECT_THAT(warnings,
              HasSubstr("(r0.json): \"round\" is not an integer >= 0: read without a round"));
  EXPECT_THAT(warnings, HasSubstr("files[1] has no \"file\" name: ignored"));
  EXPECT_THAT(warnings, HasSubstr("files[2] has no \"file\" name: ignored"));
  EXPECT_TRUE(report->find("BM_A")->metrics.at("real_time").rounds.empty());
}

TEST(GbenchJson, MergeIntoPoolsSeriesRoundsAndErrors) {
  auto one = [](std::string_view name, std::vector<double> values, std::vector<int> rounds,
                std::string error = {}) {
    Report report;
    Benchmark benchmark{.name = std::string(name), .metrics = {}, .error = std::move(error)};
    if (!values.empty()) {
      benchmark.metrics["real_time"] =
          MetricSeries{.unit = "ns", .values = std::move(values), .rounds = std::move(rounds)};
    }
    report.benchmarks.push_back(std::move(benchmark));
    RunContext context;
    context.source = std::string(name) + ".json";
    report.contexts.push_back(std::move(context));
    report.warnings.push_back("w-" + std::string(name));
    return report;
  };
  Report into = one("BM_A", {1, 2}, {0, 0});
  merge_into(into, one("BM_A", {3}, {1}));
  EXPECT_EQ(into.find("BM_A")->metrics.at("real_time").values, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(into.find("BM_A")->metrics.at("real_time").rounds, (std::vector<int>{0, 0, 1}));
  merge_into(into, one("BM_A", {4}, {}));
  EXPECT_EQ(into.find("BM_A")->metrics.at("real_time").values, (std::vector<double>{1, 2, 3, 4}));
  EXPECT_TRUE(into.find("BM_A")->metrics.at("real_time").rounds.empty());
  merge_into(into, one("BM_A", {5}, {2}));  // once dropped, stays dropped
  EXPECT_TRUE(into.find("BM_A")->metrics.at("real_time").rounds.empty());
  EXPECT_EQ(into.contexts.size(), 4u);
  EXPECT_EQ(into.warnings.size(), 4u);

  // All errored on one side, values on the other: the values win.
  Report errors = one("BM_B", {}, {}, "refused");
  merge_into(errors, one("BM_B", {}, {}, "reset"));
  EXPECT_EQ(errors.find("BM_B")->error, "refused");
  merge_into(errors, one("BM_B", {7}, {}));
  EXPECT_TRUE(errors.find("BM_B")->error.empty());
  EXPECT_EQ(errors.find("BM_B")->metrics.at("real_time").values, std::vector<double>{7});

  // New benchmarks keep their order; two new ones in one merge pool apart.
  Report order = one("BM_A", {1}, {});
  Report more = one("BM_C", {1}, {});
  more.benchmarks.push_back(one("BM_B", {2}, {}).benchmarks[0]);
  merge_into(order, std::move(more));
  ASSERT_EQ(order.benchmarks.size(), 3u);
  EXPECT_EQ(order.benchmarks[1].name, "BM_C");
  EXPECT_EQ(order.benchmarks[2].name, "BM_B");
}

}  // namespace
}  // namespace faultline::bench
