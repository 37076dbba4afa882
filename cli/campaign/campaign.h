// cli/campaign/campaign.h: one campaign: the failure-mode suites, time-boxed
// fuzzing and a benchmark comparison, each run as a `faultline` child process
// inside a share of one time budget, and one report of all three:
// DIR/index.html (a self-contained page), DIR/summary.json (versioned) and
// DIR/junit.xml.
//
//   campaign::Config config;                 // or parse_config(file text)
//   config.fuzzers = {"url"};
//   config.baseline = "results/main";        // a directory, or a git revision
//   auto outcome = campaign::run(config, "/proc/self/exe", std::cout);
//   return outcome.exit_code;                // 0 passed, 1 something failed
//
// A job that crashes, times out or cannot start is reported as such; the
// other jobs still run and the report is still written whole (atomically).
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/campaign/progress_view.h"
#include "targets/net/deadline.h"
#include "targets/net/error.h"

namespace faultline::campaign {

// Config: what a campaign runs. Every field is a flag of `faultline
// campaign` and a key of its config file, with the same name.
struct Config {
  std::string out = "campaign";                  // out
  net::Duration time = std::chrono::minutes(5);  // time: the whole budget
  std::uint64_t seed = 1;                        // seed
  // The suites (suites: false skips them): as `faultline suite` takes them.
  bool suites = true;
  std::string scenarios;   // scenarios
  std::string target;      // target
  std::string target_cmd;  // target-cmd
  std::string client_cmd;  // client-cmd
  std::string protocol;    // protocol
  std::string builtin;     // builtin
  // Fuzzing: these fuzz targets ("all" for every one), each for fuzz-time
  // (default: an even share of what the suites left).
  std::vector<std::string> fuzzers;  // fuzz
  net::Duration fuzz_time{0};        // fuzz-time
  // Benchmarks: these binaries, compared against baseline (a directory of
  // earlier results, or a git revision through `bench ab`).
  std::vector<std::string> benchmarks;  // bench
  std::string baseline;                 // baseline
  std::string threshold = "5%";         // threshold
  bool gate = true;                     // gate: a regression fails the campaign
  // Times: each round (one process) is one sample, and a rank test on 6
  // rounds per side can reach p < 0.05; instruction counts use every
  // repetition as a sample.
  int bench_repetitions = 6;  // bench-repetitions
  int bench_rounds = 6;       // bench-rounds
  std::string bench_filter;   // bench-filter: a --benchmark_filter regex
  // What is measured: time, or instructions (cachegrind: counts that a busy
  // machine does not disturb).
  std::string metric = "time";  // metric
  bool bench_build = true;      // bench-build: false runs the binaries as built
  std::string store;            // store: the history (default ~/.cache/faultline/campaigns)
  // live: on a terminal, a status block of the three jobs redrawn in place;
  // false (or no terminal, or TERM=dumb): one line per job output line.
  bool live = true;
};

// config_keys: every key, in the order --help lists the flags.
const std::vector<std::string>& config_keys();

// parse_config: a config file's text (JSON) over `base`; an unknown key or a
// value of the wrong type is an error naming it.
net::Result<Config> parse_config(const std::string& text, Config base = {});
nlohmann::json config_json(const Config& config);

// JobResult: one job as the report shows it.
struct JobResult {
  std::string name;    // "suites", "fuzz", "bench"
  std::string status;  // passed, failed, regressed, crashed, timed_out, error, skipped
  std::string detail;  // one sentence
  double seconds = 0;
  int exit_code = 0;
  std::string log;                                 // the job's output, a file under DIR
  nlohmann::json data = nlohmann::json::object();  // the job's own results
};

// Outcome: a whole campaign.
struct Outcome {
  std::vector<JobResult> jobs;
  nlohmann::json summary;  // what summary.json holds
  int exit_code = 0;
};

// run runs the campaign with `faultline` (this program) as the jobs' binary,
// printing progress to `progress` (a live block, or one line per job output
// line: progress_view.h), and writes the report.
Outcome run(const Config& config, const std::string& faultline, std::ostream& progress,
            ProgressStyle style = {});

// summarize: summary.json's content from finished jobs (exit_code set).
nlohmann::json summarize(const Config& config, const std::vector<JobResult>& jobs,
                         const nlohmann::json& environment, int exit_code);
// to_junit: one JUnit XML of all three jobs (a suite scenario, a fuzzer and a
// compared benchmark are each a test case).
std::string to_junit(const nlohmann::json& summary);
// to_html: the self-contained page (inline SVG, no network); `history` is
// the earlier campaigns' trend records, oldest first.
std::string to_html(const nlohmann::json& summary, const std::vector<nlohmann::json>& history);
// trend_record: what the history keeps of a campaign.
nlohmann::json trend_record(const nlohmann::json& summary);

}  // namespace faultline::campaign
