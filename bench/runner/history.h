// bench/runner/history.h: the local store of `bench run` summaries, and
// `bench history`: each benchmark over commits, with the commit where a
// step change happened.
//
// The store is JSON lines, one `bench run` per line (commit, dirty, time,
// host, and per benchmark and metric the median and the sample count), at
// $FAULTLINE_BENCH_DIR/history.jsonl, else $XDG_CACHE_HOME/faultline/bench/,
// else ~/.cache/faultline/bench/: outside the repository, per machine.
//
//   runner::append_entry(runner::default_store_path(), runner::summarize(report, context));
//   auto read = runner::read_history(store);
//   auto series = runner::build_series(read->entries, {.host = context.host});
//   std::cout << runner::render_history_table(series);
//
// Step detection: every split with at least 2 points each side; the split
// that maximises |median(after) - median(before)| relative to the spread
// within the segments wins, and is flagged only when the step exceeds
// max(5%, 3 x that spread).
#pragma once

#include <filesystem>
#include <optional>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/report/benchmark_data.h"
#include "bench/runner/manifest.h"
#include "targets/net/error.h"

namespace faultline::bench::runner {

// HistoryPoint: one benchmark and metric of one run.
struct HistoryPoint {
  std::string benchmark;
  std::string metric;
  std::string unit;
  double median = 0;
  std::size_t n = 0;
};

// HistoryEntry: one `bench run`.
struct HistoryEntry {
  std::string commit;
  bool dirty = false;
  std::string time;  // ISO 8601 UTC
  std::string host;
  std::string build_type;
  std::string run_metric = "time";  // "time" or "instructions"
  std::vector<HistoryPoint> points;
};

nlohmann::json entry_json(const HistoryEntry& entry);
net::Result<HistoryEntry> parse_entry(std::string_view line);

// default_store_path: see the file comment.
std::filesystem::path default_store_path();

// append_entry adds one line to the store, creating its directory.
net::Status append_entry(const std::filesystem::path& store, const HistoryEntry& entry);

// HistoryRead: the entries of a store, and the lines that did not parse.
struct HistoryRead {
  std::vector<HistoryEntry> entries;
  std::vector<std::string> warnings;
};

// read_history: a missing store is ErrorKind::not_found.
net::Result<HistoryRead> read_history(const std::filesystem::path& store);

// median_of: the median (the mean of the middle two for an even count).
double median_of(std::vector<double> values);

// summarize: a run's report (bench/report's reader) as a history entry; of
// an instructions run (run_metric "instructions") only that metric.
HistoryEntry summarize(const Report& report, const MachineContext& context,
                       const std::string& run_metric);

// StepChange: where a series steps.
struct StepChange {
  std::size_t index = 0;  // the first point after the step
  double before = 0;      // medians of the two segments
  double after = 0;
  double relative_step = 0;  // (after - before) / before
  double spread = 0;         // within-segment relative spread
};

// detect_step: see the file comment; nullopt when no step qualifies.
std::optional<StepChange> detect_step(std::span<const double> values);

// SeriesPoint: one commit of a series (runs of one commit pooled by median).
struct SeriesPoint {
  std::string commit;
  bool dirty = false;
  std::string time;  // of the first run of this commit
  double value = 0;
  std::size_t runs = 0;
  std::size_t n = 0;  // samples, summed over runs
};

// Series: one benchmark and metric over commits, oldest first.
struct Series {
  std::string benchmark;
  std::string metric;
  std::string unit;
  std::vector<SeriesPoint> points;
  std::optional<StepChange> step;
};

// SeriesFilter: which entries and benchmarks make series.
struct SeriesFilter {
  std::string host;                  // "" for every host
  std::optional<std::regex> name;    // search over benchmark names
  std::vector<std::string> metrics;  // empty: every metric
};

std::vector<Series> build_series(const std::vector<HistoryEntry>& entries,
                                 const SeriesFilter& filter);

// render_history_table: one block per series, oldest commit first, the
// step's commit marked.
std::string render_history_table(const std::vector<Series>& series);

// render_history_svg: a self-contained SVG, one small line chart per
// series, the step marked with a dashed line.
std::string render_history_svg(const std::vector<Series>& series);

}  // namespace faultline::bench::runner
