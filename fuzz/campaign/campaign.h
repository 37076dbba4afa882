// fuzz/campaign/campaign.h: fuzz campaigns over the tree's fuzzers, the
// engine behind `faultline fuzz` (cli/fuzz_command.cpp).
//
//   fuzz::CampaignOptions options{.source_dir = *fuzz::find_source_dir(cwd)};
//   options.time = std::chrono::minutes(5);
//   if (auto built = fuzz::ensure_fuzz_build(options, {target}, log); !built) ...
//   auto report = fuzz::run_target(options, target, on_progress);   // TargetReport
//   fuzz::merge_corpus(options, target);      // new coverage back into corpus/<name>
//   fuzz::coverage_report(options, target);   // llvm-cov HTML
//
// Where things live:
//
//   <source>/corpus/<name>/         seeds: passed read-only (libFuzzer's second corpus dir)
//   <source>/build/fuzz/fuzz/<f>    the fuzz preset's binaries (cmake --preset fuzz)
//   <work>/<name>/corpus/           the working corpus, grown by campaigns
//   <work>/<name>/crashes/<id>/     one per unique crash: input, minimized, report.txt,
//                                   reproduce.sh
//   <work>/<name>/logs/             libFuzzer's output, one file per run
//   <work>/reports/<time>/          report.json, report.md, coverage.svg
//
// <work> is $FAULTLINE_FUZZ_DIR, else $XDG_CACHE_HOME/faultline/fuzz, else
// ~/.cache/faultline/fuzz: outside the repository, so campaigns never dirty it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "fuzz/campaign/catalog.h"
#include "fuzz/campaign/libfuzzer_log.h"
#include "fuzz/campaign/report.h"
#include "targets/net/error.h"

namespace faultline::fuzz {

// CampaignOptions: how to build and run.
struct CampaignOptions {
  std::filesystem::path source_dir{};
  std::filesystem::path build_dir{};     // empty: <source>/build/fuzz (the fuzz preset's)
  std::filesystem::path work_dir{};      // empty: default_work_dir()
  std::filesystem::path coverage_dir{};  // empty: <source>/build/fuzz-coverage
  bool build = true;                     // configure and build what is missing or stale
  int build_jobs = 2;
  std::chrono::seconds time{300};             // per target
  int jobs = 1;                               // > 1: libFuzzer fork mode (-fork=N)
  std::vector<std::string> libfuzzer_args{};  // passed through ("-use_value_profile=1")
};

// default_work_dir: see the file comment.
std::filesystem::path default_work_dir();

// resolved: options with the defaults filled in.
CampaignOptions resolved(CampaignOptions options);

std::filesystem::path fuzzer_binary(const CampaignOptions& options, const FuzzTarget& target);

// ensure_fuzz_build configures the fuzz build (cmake --preset fuzz, or the
// same settings in build_dir) when it has no cache yet, and builds the
// targets' fuzzers; the build's output goes to `log`. Without
// options.build, it only checks that the binaries exist (a missing one is
// ErrorKind::not_found).
net::Status ensure_fuzz_build(const CampaignOptions& options,
                              const std::vector<FuzzTarget>& targets, std::ostream& log);

// ProgressCallback: called on every libFuzzer status line (at most a few
// times a second): the target, the numbers so far (execs summed over
// restarts), seconds since its start, unique crashes so far.
using ProgressCallback = std::function<void(const FuzzTarget& target, const Progress& progress,
                                            double seconds, std::size_t crashes)>;

// run_target fuzzes one target for options.time, restarting libFuzzer after
// a crash (with -jobs 1; fork mode carries on by itself), then triages every
// crash input it wrote.
net::Result<TargetReport> run_target(const CampaignOptions& options, const FuzzTarget& target,
                                     const ProgressCallback& on_progress);

// triage_crash: deduplicate, minimise and store one crash input of a target
// (see the file comment); `input` is moved into the crash directory.
net::Result<CrashRecord> triage_crash(const CampaignOptions& options, const FuzzTarget& target,
                                      const std::filesystem::path& input);

// MergeResult: what a merge did to corpus/<name>.
struct MergeResult {
  std::size_t seeds_before = 0;
  std::size_t added = 0;
  std::filesystem::path seeds{};
};

// merge_corpus minimises the working corpus into the seeds: libFuzzer
// -merge=1 adds the units that bring new coverage (named merged-<sha1>),
// and keeps every existing seed.
net::Result<MergeResult> merge_corpus(const CampaignOptions& options, const FuzzTarget& target,
                                      std::ostream& log);

// CoverageResult: an llvm-cov report over the seeds and the working corpus.
struct CoverageResult {
  std::filesystem::path html_index{};
  std::filesystem::path summary{};  // llvm-cov report's text table
  double line_percent = 0;
  double function_percent = 0;
  double region_percent = 0;
  std::size_t inputs = 0;
};

// coverage_report builds <name>_replay with -fprofile-instr-generate
// -fcoverage-mapping in options.coverage_dir, replays the corpora, and
// writes the HTML report under <work>/<name>/coverage/.
net::Result<CoverageResult> coverage_report(const CampaignOptions& options,
                                            const FuzzTarget& target, std::ostream& log);

// timestamp: "20240101-120000" (UTC), for directory names; iso_timestamp:
// "2024-01-01T12:00:00Z".
std::string timestamp();
std::string iso_timestamp();

}  // namespace faultline::fuzz
