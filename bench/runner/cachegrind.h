// bench/runner/cachegrind.h: instructions per iteration, counted by valgrind
// cachegrind (`--tool=cachegrind --cache-sim=no`): nearly free of the noise
// that times have, so small changes show on a busy machine.
//
// Cachegrind counts a whole process (startup, Google Benchmark's probing
// runs, setup), so one benchmark runs alone (--benchmark_filter=^name$) at
// two --benchmark_min_time values; the instructions a run adds over the
// other, over the iterations it adds, are the loop's instructions:
//
//   per iteration = (Ir(long) - Ir(short)) / (iterations(long) - iterations(short))
//
// Google Benchmark 1.7 finds its iteration count by probing (1, 10, 100, ...
// then a jump); the probes are unreported, so their iterations are estimated
// from the measured time per iteration by the same rule and added to each side.
// Both sides run the same repetitions (same per-repetition setup) so it cancels.
// The long run's min_time is raised from the short run's time per iteration
// until it adds enough iterations (InstructionOptions::long_iterations) that
// an error of a few probe iterations stays well under 1%.
//
//   auto valgrind = runner::find_valgrind();             // error names the Debian package
//   auto names = runner::list_benchmarks(exe, filter, {});
//   auto sample = runner::measure_instructions(exe, names->front(), options);
//   sample->per_iteration   // e.g. 1834.2
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "targets/net/error.h"

namespace faultline::bench::runner {

// parse_cachegrind_totals: event name -> total, from the `events:` and
// `summary:` lines of a cachegrind.out file ({"Ir": 123456}).
net::Result<std::map<std::string, std::uint64_t, std::less<>>> parse_cachegrind_totals(
    std::string_view text);

// ProbeEstimate: Google Benchmark's unreported probing runs.
struct ProbeEstimate {
  std::uint64_t iterations = 0;  // summed over probes
  int probes = 0;
};

// estimate_probes replays Google Benchmark 1.7's iteration-count search for
// a benchmark taking `seconds_per_iteration` with `min_time`.
ProbeEstimate estimate_probes(double seconds_per_iteration, double min_time);

// CountedRun: one process under cachegrind.
struct CountedRun {
  std::uint64_t instructions = 0;      // Ir, the whole process
  std::uint64_t iterations = 0;        // reported, summed over repetitions
  std::uint64_t probe_iterations = 0;  // counted from the --v=2 log, else estimated
  double seconds_per_iteration = 0;    // cpu time, under valgrind
};

// instructions_per_iteration: the difference quotient of the file comment;
// ErrorKind::bad_data when the runs do not differ in iterations.
net::Result<double> instructions_per_iteration(const CountedRun& shorter, const CountedRun& longer);

// find_valgrind: valgrind on PATH, or an error naming the Debian package.
net::Result<std::filesystem::path> find_valgrind();

// regex_quote: a benchmark name as a literal regex ("BM_X/8" -> "BM_X/8",
// "BM<int>" -> "BM<int>", "a.b" -> "a\\.b").
std::string regex_quote(std::string_view text);

// list_benchmarks: the names a binary runs with `filter` (--benchmark_list_tests).
net::Result<std::vector<std::string>> list_benchmarks(const std::filesystem::path& executable,
                                                      const std::string& filter,
                                                      const std::vector<std::string>& extra_args);

// InstructionOptions: how one sample is taken.
struct InstructionOptions {
  std::filesystem::path valgrind = "valgrind";
  std::filesystem::path scratch_dir;    // cachegrind.out and JSON files
  double short_min_time = 0.01;         // seconds, under valgrind
  double long_min_time = 0.05;          // at least; raised to reach long_iterations
  double long_iterations = 200;         // per repetition in the long run, as estimated
  double max_min_time = 1.0;            // the cap on that raise
  int repetitions = 3;                  // per process, the same on both sides
  std::vector<std::string> extra_args;  // passed to the benchmark
  std::chrono::seconds timeout{1800};   // per process
};

// cachegrind_argv: one benchmark alone under cachegrind.
std::vector<std::string> cachegrind_argv(const InstructionOptions& options,
                                         const std::filesystem::path& executable,
                                         const std::string& benchmark, double min_time,
                                         const std::filesystem::path& cachegrind_out,
                                         const std::filesystem::path& json_out);

// executed_iterations: the iterations the benchmark really ran, probes
// included, from Google Benchmark's `--v=2` log ("-- LOG(2): Running BM_X
// for 8769", one line per run of the benchmark function); nullopt when the
// log has no such line (a library that does not print it).
std::optional<std::uint64_t> executed_iterations(std::string_view log_text);

// counted_run_from: a CountedRun from the cachegrind.out text and the
// benchmark's JSON text (iteration rows of that benchmark).
net::Result<CountedRun> counted_run_from(std::string_view cachegrind_text,
                                         std::string_view json_text, double min_time,
                                         std::string_view log_text = {});

// InstructionSample: one measurement of one benchmark.
struct InstructionSample {
  double per_iteration = 0;
  double seconds_per_iteration = 0;  // under valgrind: only a hint
};

// measure_instructions runs the two processes and returns the sample.
net::Result<InstructionSample> measure_instructions(const std::filesystem::path& executable,
                                                    const std::string& benchmark,
                                                    const InstructionOptions& options);

// InstructionRow: one sample of one benchmark, for instructions_json.
struct InstructionRow {
  std::string benchmark;
  InstructionSample sample;
};

// instructions_json: Google Benchmark-shaped JSON, one iteration row per
// sample, with a counter "instructions" (and real_time/cpu_time as measured
// under valgrind, only a hint), so `bench compare --metric instructions`
// reads it like any report.
nlohmann::json instructions_json(const std::vector<InstructionRow>& rows,
                                 const std::string& executable, const std::string& host,
                                 int num_cpus, const std::string& date);

}  // namespace faultline::bench::runner
