// bench/report/gbench_json.h: reading Google Benchmark JSON (any producer,
// any library version that writes `context` + `benchmarks`).
//
//   auto report = bench::read_reports({"baseline.json", "more-runs/"});
//   if (!report) { std::cerr << report.error().message; return 2; }   // names the file
//   for (const std::string& w : report->warnings) std::cerr << "warning: " << w << "\n";
//
// Rules, each a clear error or a warning, never a silent wrong number:
// - not JSON, truncated JSON, an empty file, no `benchmarks` array: error.
// - iteration rows (`run_type: iteration`, or no run_type) are the samples;
//   when a benchmark has only aggregate rows, its `mean` aggregates are used,
//   with a warning ("aggregates only: ... the means of N runs").
// - `error_occurred` rows (and 1.8's `skipped` rows) are skipped with a
//   warning naming the benchmark; when every row of a benchmark errored, the
//   Benchmark stays, with `error` set and no metrics.
// - times in any `time_unit` (ns, us, ms, s) are converted to ns; an unknown
//   unit is an error.
// - zero, negative, NaN or infinite values are skipped with a warning, and so
//   are subnormal ones (below 2.2e-308, whose reciprocal overflows).
// - the same name twice in one file with the same repetition_index (and not
//   repetitions of one run): a warning; the values pool.
// - big-O rows (`_BigO`, `_RMS`) are ignored.
// - `NaN`, `Infinity`, `-Infinity` (as Google Benchmark 1.7+ and Python write
//   for counters) and numbers beyond double range are read as non-finite
//   values, so they are skipped with a warning instead of failing the file.
// - a row of the wrong shape (an array, a `name` that is not a string,
//   negative `iterations`, ...) is skipped with a warning; a metric value of
//   the wrong type skips that value with a warning. The top-level shape
//   (an object with a `benchmarks` array) is an error.
// - limits (ReadLimits): rows per file, values per report, nesting depth and
//   file size, each a clear error when hit; at most `max_warnings` warnings per
//   file, then one saying how many more there were.
// Older files with no run_type/run_name key rows by name; `X_mean`,
// `X_median`, `X_stddev`, `X_cv` are aggregates of X when X or another of
// its aggregates is in the same file.
//
// A directory reads every *.json file in it (sorted by name), skipping the
// manifest (manifest.json), whose contexts and rounds annotate the others.
// `faultline bench run` writes the manifest:
//
//   {
//     "faultline_manifest": 1,               // format version; required, only 1 is read
//     "commit": "a1b2c3d4...",               // -> RunContext::commit of every file
//     "dirty": false,                        // -> RunContext::dirty
//     "build_type": "Release",               // -> RunContext::build_type
//     "host": "bench-01",                    // -> RunContext::host_name when the file has none
//     "files": [                             // one entry per results file
//       {"file": "echo_bench.round0.json", "round": 0, "binary": "echo_bench"},
//       {"file": "echo_bench.round1.json", "round": 1, "binary": "echo_bench"}
//     ]
//   }
//
// "file" is a name inside the directory (never a path: entries with a `/` are
// ignored with a warning); "round" (an integer >= 0; optional) becomes the
// round of every value read from that file (MetricSeries::rounds); "binary"
// is informational. Only "faultline_manifest" and "files" are required.
// Any other field is ignored, so later writers can add fields. Files in the
// directory that the manifest does not list are read, without a round (a
// warning); listed files that are missing are a warning. A manifest that is
// not JSON, has the wrong shape or a version other than 1 is an error.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bench/report/benchmark_data.h"
#include "targets/net/error.h"

namespace faultline::bench {

// kManifestName: the file in a results directory that annotates the others.
inline constexpr std::string_view kManifestName = "manifest.json";

// ReadLimits: the bounds on what one read accepts; hitting one is an error
// naming the limit (a row or context too big is a warning: the row is skipped).
struct ReadLimits {
  std::size_t max_file_bytes = std::size_t{256} << 20;
  std::size_t max_rows = 1'000'000;     // rows of one file's "benchmarks" array
  std::size_t max_values = 10'000'000;  // values in one report (all files pooled)
  std::size_t max_depth = 64;           // nesting of arrays and objects
  std::size_t max_row_values = 10'000;  // JSON values inside one row or the context
  std::size_t max_name_bytes = 4'096;   // a longer benchmark name skips its row
  std::size_t max_warnings = 1'000;     // per file; then one "N more warnings"
};

// parse_report parses one file's text; `source` names it in errors and
// warnings. Errors are ErrorKind::bad_data, or too_large when a ReadLimits
// bound is hit. The Report has one RunContext and no rounds.
net::Result<Report> parse_report(std::string_view text, const std::string& source);
net::Result<Report> parse_report(std::string_view text, const std::string& source,
                                 const ReadLimits& limits);

// read_reports reads files and directories into one pooled Report. A missing
// path is ErrorKind::not_found; a directory with no JSON file is bad_data.
net::Result<Report> read_reports(const std::vector<std::filesystem::path>& paths);
net::Result<Report> read_reports(const std::vector<std::filesystem::path>& paths,
                                 const ReadLimits& limits);

// merge_into pools `more` into `into` (values appended per benchmark and metric,
// contexts and warnings appended). A series keeps its rounds only when both
// sides have a round for every value; otherwise its rounds are dropped.
void merge_into(Report& into, Report more);

}  // namespace faultline::bench
