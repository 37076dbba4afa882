// fuzz/campaign/libfuzzer_log.h: reading libFuzzer's stderr, line by line,
// into numbers a campaign can show and plot.
//
//   fuzz::LibFuzzerLog log;
//   for (const std::string& line : lines) log.add(line);
//   log.progress().exec_per_sec;          // from "#1234 NEW cov: 10 ... exec/s: 980 ..."
//   log.artifacts();                      // from "Test unit written to ./crash-..."
//
// Understands the status lines of plain runs ("#N\tNEW|REDUCE|pulse|INITED|
// DONE cov: ... ft: ... corp: U/SIZE ... exec/s: E rss: RMb"), of fork mode
// ("#N: cov: C ft: F corp: U exec/s E oom/timeout/crash: a/b/c time: Ts
// job: J"), artifact lines and -print_final_stats lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::fuzz {

// Progress: the latest numbers libFuzzer reported.
struct Progress {
  std::uint64_t execs = 0;         // units executed ("#N")
  std::uint64_t coverage = 0;      // "cov:": covered PCs (edges)
  std::uint64_t features = 0;      // "ft:": coverage features
  std::uint64_t corpus_units = 0;  // "corp: U/..."
  std::uint64_t corpus_bytes = 0;  // "corp: .../SIZE" (plain runs only)
  std::uint64_t exec_per_sec = 0;  // "exec/s:"
  std::uint64_t rss_mb = 0;        // "rss:" (plain runs only)
  std::uint64_t crashes = 0;       // fork mode: "oom/timeout/crash: a/b/c", all three added up
};

// FinalStats: what -print_final_stats=1 prints at the end of a run.
struct FinalStats {
  std::uint64_t executed_units = 0;
  std::uint64_t average_exec_per_sec = 0;
  std::uint64_t new_units_added = 0;
  std::uint64_t slowest_unit_time_sec = 0;
  std::uint64_t peak_rss_mb = 0;
};

// parse_status_line reads one libFuzzer status line, or nullopt for any other line.
std::optional<Progress> parse_status_line(std::string_view line);

// parse_artifact_line: the path in "... Test unit written to PATH", or nullopt.
std::optional<std::string> parse_artifact_line(std::string_view line);

// LibFuzzerLog: the running state of one run's stderr.
class LibFuzzerLog {
 public:
  // add takes one line (without its newline); true when it changed progress().
  bool add(std::string_view line);

  const Progress& progress() const { return progress_; }
  const FinalStats& final_stats() const { return final_; }
  const std::vector<std::string>& artifacts() const { return artifacts_; }
  bool saw_status() const { return saw_status_; }
  // fuzzing_started: the seed corpus has run ("INITED"; fork mode: any status).
  bool fuzzing_started() const { return fuzzing_started_; }

 private:
  Progress progress_;
  FinalStats final_;
  std::vector<std::string> artifacts_;
  bool saw_status_ = false;
  bool fuzzing_started_ = false;
};

}  // namespace faultline::fuzz
