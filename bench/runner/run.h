// bench/runner/run.h: `bench run`: each binary as its own process, in
// several rounds, with Google Benchmark's random interleaving, so slow drift
// of the machine spreads over every benchmark instead of landing on one.
//
//   round 0:  echo_bench  http_parser_bench  ...     each: --benchmark_repetitions=<share>
//   round 1:  echo_bench  http_parser_bench  ...           --benchmark_out=DIR/<bin>.round1.json
//
// With --aa the same binaries run twice per round as two halves, A then B in
// even rounds and B then A in odd ones, into DIR/a/ and DIR/b/: comparing the
// halves shows the noise floor of this machine.
//
//   runner::RunOptions o{.out_dir = "/tmp/b1", .repetitions = 6, .rounds = 3};
//   o.binaries = *runner::resolve_binaries(runner::list_binaries(src), {"echo"});
//   std::vector<runner::PlannedRun> plan = runner::plan_runs(o);
//   auto outcome = runner::execute_run(plan[0], on_line);
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "bench/runner/catalog.h"
#include "bench/runner/manifest.h"
#include "targets/net/error.h"

namespace faultline::bench::runner {

// RunOptions: what to run and how often.
struct RunOptions {
  std::filesystem::path build_dir{};    // holds bench/<binary>
  std::filesystem::path b_build_dir{};  // bench ab: half b's build (empty: build_dir)
  std::filesystem::path out_dir{};
  std::vector<BenchBinary> binaries{};
  int repetitions = 6;  // per binary, split across rounds
  int rounds = 3;
  std::string filter{};                       // --benchmark_filter, "" for all
  std::vector<std::string> benchmark_args{};  // passed through
  bool aa = false;                            // two halves, DIR/a and DIR/b
  std::chrono::seconds timeout{3600};         // per process
};

// split_repetitions spreads `total` repetitions over `rounds` (earlier rounds
// take the remainder: 7 over 3 -> 3 2 2); never more rounds than repetitions.
std::vector<int> split_repetitions(int total, int rounds);

// benchmark_argv: one Google Benchmark process.
std::vector<std::string> benchmark_argv(const std::filesystem::path& executable, int repetitions,
                                        const std::filesystem::path& out_file,
                                        const std::string& filter,
                                        const std::vector<std::string>& extra_args);

// PlannedRun: one process of a run.
struct PlannedRun {
  BenchBinary binary;
  int round = 0;
  std::string half;  // "a" / "b" with aa (or bench ab), else ""
  int repetitions = 0;
  std::filesystem::path out_file;  // absolute
  std::string file;                // relative to its half's directory
  std::vector<std::string> argv;
};

// round_file_name: "<binary>.round<k>.json".
std::string round_file_name(const std::string& binary, int round);

// halves_in_round: ABBA: {"a","b"} in even rounds, {"b","a"} in odd ones.
std::vector<std::string> halves_in_round(int round);

// plan_runs: every process, in the order to run them (rounds outer).
std::vector<PlannedRun> plan_runs(const RunOptions& options);

// half_dir: DIR for a plain run, DIR/a or DIR/b for a half.
std::filesystem::path half_dir(const std::filesystem::path& out_dir, const std::string& half);

// RunOutcome: how one process ended.
struct RunOutcome {
  int status = 0;  // exit code, or 128 + signal
  bool timed_out = false;
  bool wrote_json = false;
  std::filesystem::path log_file;
  std::vector<std::string> tail;  // its last lines, for the error message
  bool ok() const { return status == 0 && !timed_out && wrote_json; }
};

// LineCallback: each line a benchmark prints (its console table).
using LineCallback = std::function<void(const std::string& line)>;

// execute_run runs one planned process to completion; its output goes to
// <half dir>/logs/<binary>.round<k>.log. An error is a process that could not start.
net::Result<RunOutcome> execute_run(const PlannedRun& run, std::chrono::seconds timeout,
                                    const LineCallback& on_line);

// manifests_for: one manifest per half directory ("" or "a" and "b"),
// listing the runs that wrote their JSON.
std::vector<std::pair<std::string, Manifest>> manifests_for(const std::vector<PlannedRun>& plan,
                                                            const std::vector<RunOutcome>& outcomes,
                                                            const Manifest& base);

// benchmark_name_of_line: the benchmark a console row reports ("BM_Parse/16
// 123 ns 122 ns 1000" -> "BM_Parse/16"), or "" for headers and rules.
std::string benchmark_name_of_line(const std::string& line);

}  // namespace faultline::bench::runner
