// cli/bench_run_command.cpp: `faultline bench list|run|ab|history`: running
// the tree's Google Benchmark binaries (building them on demand), A/B runs of
// two revisions, and the history of past runs. The work is in bench/runner;
// comparisons are bench/report's.
//
//   faultline bench list
//   faultline bench run http_parser --repetitions 6 --rounds 3 --out /tmp/b1
//   faultline bench run --all --aa --out /tmp/aa      # A/A: DIR/noise-floor.json
//   faultline bench run http_parser --metric instructions --out /tmp/i1   # cachegrind
//   faultline bench ab HEAD~1 HEAD http_parser --rounds 4 --fail-on regression
//   faultline bench history Parse --plot history.svg
//
// Exit status: 0 success, 1 a failed run (a binary crashed, a build failed,
// --fail-on regression found one), 2 bad usage (unknown name, bad flag value,
// missing file).
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "bench/report/comparison.h"
#include "bench/report/gbench_json.h"
#include "bench/report/output.h"
#include "bench/runner/ab.h"
#include "bench/runner/build.h"
#include "bench/runner/cachegrind.h"
#include "bench/runner/catalog.h"
#include "bench/runner/history.h"
#include "bench/runner/manifest.h"
#include "bench/runner/noise_floor.h"
#include "bench/runner/run.h"
#include "cli/bench_commands.h"
#include "cli/flags.h"
#include "fuzz/campaign/catalog.h"

namespace faultline::cli {
namespace {

namespace fs = std::filesystem;
namespace runner = bench::runner;

struct RunFlags {
  std::vector<std::string> names;
  bool all = false;
  // Each round is a process, and compare takes each round's median as one
  // sample: 6 rounds per side let a rank test reach p < 0.05 after Holm.
  int repetitions = 12;
  int rounds = 6;
  std::string out;
  std::string filter;
  std::vector<std::string> benchmark_args;
  bool aa = false;
  std::string metric = "time";
  std::string source_dir;
  std::string build_dir;
  bool no_build = false;
  int build_jobs = 2;
  int timeout_seconds = 3600;
  std::string store;
  bool no_history = false;
  // bench ab
  std::string rev_a;
  std::string rev_b;
  std::string format = "text";
  std::string out_file;
  std::string fail_on = "none";
  std::vector<std::string> compare_metrics;
  // bench history
  std::string name_regex;
  std::string plot;
  std::string host;
  bool all_hosts = false;
  std::vector<std::string> history_metrics;
};

fs::path build_dir_of(const RunFlags& flags, const fs::path& source) {
  std::error_code error;
  return flags.build_dir.empty() ? runner::default_build_dir(source)
                                 : fs::absolute(flags.build_dir, error);
}

std::string short_sha(const std::string& sha) {
  return sha.substr(0, std::min<std::size_t>(sha.size(), 12));
}

std::string compact_time() {
  std::string time = runner::iso_time_now();  // 2024-05-01T12:00:00Z
  std::erase(time, '-');
  std::erase(time, ':');
  return time;
}

// ProgressLine: "[3/12] round 2/3 echo_bench  BM_Echo/64": redrawn in place
// on a terminal, one plain line per step otherwise (CI logs).
class ProgressLine {
 public:
  ProgressLine() : tty_(::isatty(STDERR_FILENO) != 0) {}
  void step(const std::string& text) {
    prefix_ = text;
    detail_.clear();
    draw(true);
  }
  void detail(const std::string& text) {
    detail_ = text;
    if (tty_) draw(false);
  }
  void finish() {
    if (tty_ && shown_) std::fprintf(stderr, "\n");
    shown_ = false;
  }
  // message prints a line of its own, keeping the progress line below it.
  void message(const std::string& text) {
    if (tty_ && shown_) std::fprintf(stderr, "\r\033[K");
    std::fprintf(stderr, "%s\n", text.c_str());
    if (tty_ && shown_) draw(false);
  }

 private:
  void draw(bool new_step) {
    const std::string text = detail_.empty() ? prefix_ : prefix_ + "  " + detail_;
    if (tty_) {
      std::fprintf(stderr, "\r\033[K%s", text.substr(0, 160).c_str());
      std::fflush(stderr);
      shown_ = true;
    } else if (new_step) {
      std::fprintf(stderr, "%s\n", text.c_str());
    }
  }
  bool tty_;
  bool shown_ = false;
  std::string prefix_;
  std::string detail_;
};

// Selection: the tree, the build and the chosen binaries.
struct Selection {
  fs::path source;
  fs::path build_dir;
  std::vector<runner::BenchBinary> all;
  std::vector<runner::BenchBinary> chosen;
};

net::Result<Selection> select(const RunFlags& flags, bool need_names) {
  auto source = fuzz::resolve_source_dir(flags.source_dir);
  if (!source) return tl::unexpected(source.error());
  Selection s;
  s.source = *source;
  s.build_dir = build_dir_of(flags, s.source);
  s.all = runner::list_binaries(s.source);
  if (flags.all || (!need_names && flags.names.empty())) {
    s.chosen = s.all;
  } else {
    auto chosen = runner::resolve_binaries(s.all, flags.names);
    if (!chosen) return tl::unexpected(chosen.error());
    s.chosen = std::move(*chosen);
  }
  if (need_names && s.chosen.empty()) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "name a benchmark binary (see `faultline bench list`) or pass --all");
  }
  return s;
}

net::Status check_counts(const RunFlags& flags) {
  if (flags.repetitions < 1 || flags.repetitions > 10000) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           fmt::format("--repetitions {}: 1 to 10000", flags.repetitions));
  }
  if (flags.rounds < 1 || flags.rounds > 1000) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           fmt::format("--rounds {}: 1 to 1000", flags.rounds));
  }
  if (flags.build_jobs < 1) {
    return net::make_error(net::ErrorKind::invalid_argument, "--build-jobs: at least 1");
  }
  if (flags.timeout_seconds < 1) {
    return net::make_error(net::ErrorKind::invalid_argument, "--timeout: at least 1 second");
  }
  if (!flags.filter.empty()) {
    try {
      (void)std::regex(flags.filter);
    } catch (const std::regex_error& error) {
      return net::make_error(net::ErrorKind::invalid_argument,
                             "--filter '" + flags.filter + "': not a valid regex: " + error.what());
    }
  }
  return {};
}

int build(const Selection& s, const RunFlags& flags) {
  runner::BuildOptions options{s.source, s.build_dir, {}, !flags.no_build, flags.build_jobs};
  if (options.build) {
    std::cerr << "bench: building " << s.chosen.size() << " benchmark binar"
              << (s.chosen.size() == 1 ? "y" : "ies") << " in " << s.build_dir.string() << "\n";
  }
  auto built = runner::ensure_bench_build(options, s.chosen, std::cerr);
  if (built) return 0;
  if (built.error().kind == net::ErrorKind::not_found) return usage_error(built.error());
  return runtime_error(built.error());
}

std::string run_command_line(const RunFlags& flags) {
  std::string command = "faultline bench run";
  for (const std::string& name : flags.names)
    command += " " + name;
  if (flags.all) command += " --all";
  command += fmt::format(" --repetitions {} --rounds {}", flags.repetitions, flags.rounds);
  if (!flags.filter.empty()) command += " --filter '" + flags.filter + "'";
  for (const std::string& arg : flags.benchmark_args)
    command += " --benchmark-arg " + arg;
  if (flags.aa) command += " --aa";
  if (flags.metric != "time") command += " --metric " + flags.metric;
  return command;
}

// execute_plan runs every planned process with a progress line; failures
// are reported as they happen. Returns the outcomes and whether all passed.
std::pair<std::vector<runner::RunOutcome>, bool> execute_plan(
    const std::vector<runner::PlannedRun>& plan, int rounds, std::chrono::seconds timeout,
    const std::map<std::string, std::string>& half_labels = {}) {
  ProgressLine line;
  std::vector<runner::RunOutcome> outcomes;
  bool all_ok = true;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const runner::PlannedRun& run = plan[i];
    std::string half;
    if (!run.half.empty()) {
      const auto label = half_labels.find(run.half);
      half = " [" + (label != half_labels.end() ? label->second : run.half) + "]";
    }
    line.step(fmt::format("bench: [{}/{}] round {}/{} {}{} x{}", i + 1, plan.size(), run.round + 1,
                          rounds, run.binary.name, half, run.repetitions));
    auto outcome = runner::execute_run(run, timeout, [&](const std::string& output) {
      if (auto name = runner::benchmark_name_of_line(output); !name.empty()) line.detail(name);
    });
    if (!outcome) {
      line.message("bench: " + run.binary.name + ": cannot start: " + outcome.error().message);
      outcomes.push_back(runner::RunOutcome{127, false, false, {}, {}});
      all_ok = false;
      continue;
    }
    if (!outcome->ok()) {
      all_ok = false;
      std::string why = outcome->timed_out ? fmt::format("timed out after {}s", timeout.count())
                        : outcome->status != 0
                            ? fmt::format("exited with status {}", outcome->status)
                            : std::string("wrote no JSON");
      std::string text = fmt::format("bench: FAILED {} round {}{}: {} (log: {})", run.binary.name,
                                     run.round, half, why, outcome->log_file.string());
      for (const std::string& tail : outcome->tail)
        text += "\n  | " + tail;
      line.message(text);
    }
    outcomes.push_back(std::move(*outcome));
  }
  line.finish();
  return {std::move(outcomes), all_ok};
}

// record_history appends the run's summary to the store (a failure to read
// back or to write is a warning: the run itself succeeded).
void record_history(const RunFlags& flags, const fs::path& dir,
                    const runner::MachineContext& context, const std::string& metric) {
  if (flags.no_history) return;
  auto report = bench::read_reports({dir});
  if (!report) {
    std::cerr << "bench: warning: not added to history: " << report.error().message << "\n";
    return;
  }
  const fs::path store = flags.store.empty() ? runner::default_store_path() : fs::path(flags.store);
  auto appended = runner::append_entry(store, runner::summarize(*report, context, metric));
  if (!appended) {
    std::cerr << "bench: warning: " << appended.error().message << "\n";
    return;
  }
  fmt::print("history: {}\n", store.string());
}

int run_instructions(const RunFlags& flags, const Selection& s, const fs::path& out,
                     runner::Manifest manifest) {
  auto valgrind = runner::find_valgrind();
  if (!valgrind) return runtime_error(valgrind.error());
  const std::vector<int> shares = runner::split_repetitions(flags.repetitions, flags.rounds);
  std::map<std::string, std::vector<std::string>> names;
  for (const runner::BenchBinary& binary : s.chosen) {
    auto listed = runner::list_benchmarks(runner::binary_path(s.build_dir, binary), flags.filter,
                                          flags.benchmark_args);
    if (!listed) return runtime_error(listed.error());
    if (listed->empty()) {
      std::cerr << "bench: " << binary.name << ": no benchmark matches --filter '" << flags.filter
                << "'\n";
    }
    names[binary.name] = std::move(*listed);
  }
  std::size_t total = 0;
  for (const auto& [binary, list] : names)
    total += list.size() * static_cast<std::size_t>(flags.repetitions);
  ProgressLine line;
  bool all_ok = true;
  std::size_t done = 0;
  runner::InstructionOptions options;
  options.valgrind = *valgrind;
  options.extra_args = flags.benchmark_args;
  options.timeout = std::chrono::seconds(flags.timeout_seconds);
  for (std::size_t round = 0; round < shares.size(); ++round) {
    for (const runner::BenchBinary& binary : s.chosen) {
      std::vector<runner::InstructionRow> rows;
      options.scratch_dir = out / "cachegrind" / binary.name;
      for (const std::string& name : names[binary.name]) {
        for (int sample = 0; sample < shares[round]; ++sample) {
          line.step(fmt::format("bench: [{}/{}] round {}/{} {} {} (cachegrind)", ++done, total,
                                round + 1, shares.size(), binary.name, name));
          auto measured =
              runner::measure_instructions(runner::binary_path(s.build_dir, binary), name, options);
          if (!measured) {
            all_ok = false;
            line.message("bench: FAILED " + measured.error().message);
            break;
          }
          rows.push_back({name, *measured});
        }
      }
      if (rows.empty()) continue;
      const std::string file = runner::round_file_name(binary.name, static_cast<int>(round));
      std::ofstream json(out / file, std::ios::trunc);
      json << runner::instructions_json(rows, runner::binary_path(s.build_dir, binary).string(),
                                        manifest.context.host, manifest.context.cpu_count,
                                        manifest.context.started)
                  .dump(2)
           << "\n";
      if (!json) return runtime_error(net::Error{net::ErrorKind::io, 0, "cannot write " + file});
      manifest.files.push_back({file, static_cast<int>(round), binary.name});
    }
  }
  line.finish();
  if (auto written = runner::write_manifest(out, manifest); !written)
    return runtime_error(written.error());
  fmt::print("bench run: instructions per iteration in {} ({} file(s), manifest.json)\n",
             out.string(), manifest.files.size());
  if (!manifest.files.empty()) record_history(flags, out, manifest.context, "instructions");
  return all_ok ? 0 : 1;
}

int run_bench(const RunFlags& flags) {
  if (auto ok = check_counts(flags); !ok) return usage_error(ok.error());
  if (flags.metric != "time" && flags.metric != "instructions") {
    return usage_error("--metric '" + flags.metric + "': expected time or instructions");
  }
  if (flags.aa && flags.metric == "instructions") {
    return usage_error("--aa measures time noise; instruction counts need no noise floor");
  }
  auto s = select(flags, true);
  if (!s) return usage_error(s.error());
  if (flags.metric == "instructions") {
    if (auto valgrind = runner::find_valgrind(); !valgrind) return runtime_error(valgrind.error());
  }
  if (int status = build(*s, flags); status != 0) return status;
  std::error_code error;
  const fs::path out = flags.out.empty() ? s->source / "build" / "bench-runs" / compact_time()
                                         : fs::absolute(flags.out, error);
  fs::create_directories(out, error);
  if (error) return usage_error("--out '" + out.string() + "': " + error.message());

  runner::Manifest manifest;
  manifest.context = runner::collect_context(s->source, s->build_dir);
  manifest.command = run_command_line(flags);
  manifest.metric = flags.metric;
  const runner::MachineContext& c = manifest.context;
  std::cerr << fmt::format(
      "bench: commit {}{}, {} build, host {}, {} CPUs, load {:.2f}, governor {}\n",
      c.commit.empty() ? "(none)" : short_sha(c.commit), c.dirty ? " (dirty)" : "",
      c.build_type.empty() ? "unknown" : c.build_type, c.host, c.cpu_count,
      c.load_avg.empty() ? 0.0 : c.load_avg[0],
      c.cpu_governor.empty() ? "unknown" : c.cpu_governor);
  if (!c.cpu_governor.empty() && c.cpu_governor != "performance") {
    std::cerr << "bench: note: CPU governor '" << c.cpu_governor
              << "': frequency scaling adds noise to times\n";
  }
  if (flags.metric == "instructions") return run_instructions(flags, *s, out, manifest);

  runner::RunOptions options;
  options.build_dir = s->build_dir;
  options.out_dir = out;
  options.binaries = s->chosen;
  options.repetitions = flags.repetitions;
  options.rounds = flags.rounds;
  options.filter = flags.filter;
  options.benchmark_args = flags.benchmark_args;
  options.aa = flags.aa;
  options.timeout = std::chrono::seconds(flags.timeout_seconds);
  const auto plan = runner::plan_runs(options);
  const auto [outcomes, all_ok] = execute_plan(
      plan, static_cast<int>(runner::split_repetitions(flags.repetitions, flags.rounds).size()),
      options.timeout);
  for (const auto& [half, half_manifest] : runner::manifests_for(plan, outcomes, manifest)) {
    if (auto written = runner::write_manifest(runner::half_dir(out, half), half_manifest);
        !written) {
      return runtime_error(written.error());
    }
  }
  fmt::print("bench run: results in {} (manifest.json{})\n", out.string(),
             flags.aa ? " in a/ and b/" : "");
  if (flags.aa) {
    auto a = bench::read_reports({out / "a"});
    auto b = bench::read_reports({out / "b"});
    if (!a || !b) {
      std::cerr << "bench: no noise floor: " << (!a ? a.error() : b.error()).message << "\n";
      return 1;
    }
    const auto floor = runner::compute_noise_floor(*a, *b, "real_time");
    std::ofstream file(out / "noise-floor.json", std::ios::trunc);
    file << runner::noise_floor_json(floor, "real_time").dump(2) << "\n";
    fmt::print("{:<48} {:>9} {:>9}\n", "benchmark (A/A, real_time)", "spread", "|log A/B|");
    for (const runner::NoiseFloor& entry : floor) {
      fmt::print("{:<48} {:>8.2f}% {:>9.4f}\n", entry.benchmark, entry.relative_spread * 100,
                 entry.abs_log_ratio);
    }
    fmt::print("noise floor: {} (use: faultline bench compare --noise-floor FILE)\n",
               (out / "noise-floor.json").string());
  } else if (std::any_of(outcomes.begin(), outcomes.end(),
                         [](const runner::RunOutcome& o) { return o.ok(); })) {
    record_history(flags, out, manifest.context, "time");
  }
  return all_ok ? 0 : 1;
}

int run_list(const RunFlags& flags) {
  auto s = select(flags, false);
  if (!s) return usage_error(s.error());
  if (s->all.empty()) return usage_error("no bench/*_bench.cpp in " + s->source.string());
  std::size_t width = 10;
  for (const runner::BenchBinary& b : s->all)
    width = std::max(width, b.name.size());
  fmt::print("{:<{}}  {:<5}  {}\n", "benchmark", width, "built", "what it measures");
  for (const runner::BenchBinary& b : s->all) {
    std::error_code error;
    const bool built = fs::exists(runner::binary_path(s->build_dir, b), error);
    fmt::print("{:<{}}  {:<5}  {}\n", b.name, width, built ? "yes" : "no", b.summary);
  }
  fmt::print("\nbench build: {}\n", s->build_dir.string());
  return 0;
}

// compare_halves: DIR/a against DIR/b, printed or written, and the exit status.
int compare_halves(const RunFlags& flags, const std::string& sha_a, const std::string& sha_b,
                   const fs::path& out, bool paired, bool all_ok) {
  auto report_a = bench::read_reports({out / "a"});
  if (!report_a) return runtime_error(report_a.error());
  auto report_b = bench::read_reports({out / "b"});
  if (!report_b) return runtime_error(report_b.error());
  bench::CompareOptions compare;
  compare.paired = paired;
  if (!flags.compare_metrics.empty()) compare.metrics = flags.compare_metrics;
  if (flags.metric == "instructions") compare.metrics = {"instructions"};
  bench::ComparisonReport report = bench::compare_reports(*report_a, *report_b, compare);
  report.old_label = flags.rev_a + " (" + short_sha(sha_a) + ")";
  report.new_label = flags.rev_b + " (" + short_sha(sha_b) + ")";
  report.mode = "ab";
  const bool to_terminal = flags.out_file.empty() && ::isatty(STDOUT_FILENO) != 0;
  auto text = bench::render_format(report, flags.format, to_terminal);
  if (!text) return usage_error(text.error());
  if (flags.out_file.empty()) {
    fmt::print("{}", *text);
  } else {
    if (auto written = write_atomically(flags.out_file, *text); !written) {
      return usage_error("--out-file '" + flags.out_file + "': " + written.error().message);
    }
    fmt::print("bench ab: {} written\n", flags.out_file);
  }
  fmt::print("bench ab: runs in {} (a = {}, b = {})\n", out.string(), flags.rev_a, flags.rev_b);
  if (!all_ok) return 1;
  if (flags.fail_on == "regression" && report.gated_regressions() > 0) return 1;
  return 0;
}

// run_ab_instructions: `bench ab --count instructions`: each side's
// benchmarks counted with cachegrind (deterministic, so no interleaving is
// needed), into DIR/a and DIR/b, compared unpaired on `instructions`.
int run_ab_instructions(const RunFlags& flags, const std::vector<runner::Revision>& sides,
                        const std::vector<runner::BenchBinary>& common, const fs::path& out) {
  bool all_ok = true;
  for (std::size_t i = 0; i < sides.size(); ++i) {
    const runner::Revision& side = sides[i];
    const std::string half = i == 0 ? "a" : "b";
    Selection selection{side.worktree, side.build_dir, common, common};
    runner::Manifest manifest;
    manifest.command = fmt::format("faultline bench ab {} {} --count instructions --repetitions {}",
                                   flags.rev_a, flags.rev_b, flags.repetitions);
    manifest.metric = "instructions";
    manifest.half = half;
    manifest.revision = side.given;
    manifest.context = runner::collect_context(side.worktree, side.build_dir);
    const fs::path dir = runner::half_dir(out, half);
    std::error_code error;
    fs::create_directories(dir, error);
    if (error)
      return runtime_error(net::Error{net::ErrorKind::io, 0, "cannot create " + dir.string()});
    std::cerr << "bench ab: counting instructions of " << side.given << " (" << short_sha(side.sha)
              << ")\n";
    RunFlags side_flags = flags;
    side_flags.no_history = true;
    const int status = run_instructions(side_flags, selection, dir, manifest);
    if (status == 2) return status;
    if (status != 0) all_ok = false;
  }
  return compare_halves(flags, sides[0].sha, sides[1].sha, out, /*paired=*/false, all_ok);
}

int run_ab(const RunFlags& flags) {
  if (auto ok = check_counts(flags); !ok) return usage_error(ok.error());
  if (flags.metric != "time" && flags.metric != "instructions") {
    return usage_error("--count '" + flags.metric + "': expected time or instructions");
  }
  if (flags.fail_on != "none" && flags.fail_on != "regression") {
    return usage_error("--fail-on '" + flags.fail_on + "': expected regression or none");
  }
  constexpr std::array kFormats{"text", "md", "markdown", "json", "junit", "html"};
  if (std::find(kFormats.begin(), kFormats.end(), flags.format) == kFormats.end()) {
    return usage_error("--format '" + flags.format + "': expected text, md, json, junit or html");
  }
  auto s = select(flags, false);
  if (!s) return usage_error(s.error());
  auto sha_a = runner::resolve_revision(s->source, flags.rev_a);
  if (!sha_a) return usage_error(sha_a.error());
  auto sha_b = runner::resolve_revision(s->source, flags.rev_b);
  if (!sha_b) return usage_error(sha_b.error());
  const fs::path root = runner::ab_root(s->source);
  std::vector<runner::Revision> sides{runner::revision_layout(root, flags.rev_a, *sha_a),
                                      runner::revision_layout(root, flags.rev_b, *sha_b)};
  std::vector<std::vector<runner::BenchBinary>> built;
  for (const runner::Revision& side : sides) {
    if (auto ok = runner::ensure_worktree(s->source, side, std::cerr); !ok)
      return runtime_error(ok.error());
    std::cerr << "bench ab: building " << side.given << " (" << short_sha(side.sha) << ") in "
              << side.build_dir.string() << "\n";
    auto result = runner::build_available(side, s->chosen, flags.build_jobs, std::cerr);
    if (!result) return runtime_error(result.error());
    for (const std::string& skipped : result->skipped)
      std::cerr << "bench ab: skipped " << skipped << "\n";
    built.push_back(std::move(result->built));
  }
  const auto common = runner::common_binaries(built[0], built[1]);
  if (common.empty()) {
    return runtime_error(
        net::Error{net::ErrorKind::not_found, 0, "no benchmark binary builds at both revisions"});
  }
  std::error_code error;
  const fs::path out =
      flags.out.empty()
          ? root / "runs" / (short_sha(*sha_a) + "-" + short_sha(*sha_b) + "-" + compact_time())
          : fs::absolute(flags.out, error);
  if (flags.metric == "instructions") return run_ab_instructions(flags, sides, common, out);
  runner::RunOptions options;
  options.build_dir = sides[0].build_dir;
  options.b_build_dir = sides[1].build_dir;
  options.out_dir = out;
  options.binaries = common;
  options.repetitions = flags.repetitions;
  options.rounds = flags.rounds;
  options.filter = flags.filter;
  options.benchmark_args = flags.benchmark_args;
  options.aa = true;  // halves a and b, ABBA by round
  options.timeout = std::chrono::seconds(flags.timeout_seconds);
  const auto plan = runner::plan_runs(options);
  const int rounds =
      static_cast<int>(runner::split_repetitions(flags.repetitions, flags.rounds).size());
  const auto [outcomes, all_ok] =
      execute_plan(plan, rounds, options.timeout, {{"a", flags.rev_a}, {"b", flags.rev_b}});
  runner::Manifest base;
  base.command = fmt::format("faultline bench ab {} {} --repetitions {} --rounds {}", flags.rev_a,
                             flags.rev_b, flags.repetitions, flags.rounds);
  for (auto [half, manifest] : runner::manifests_for(plan, outcomes, base)) {
    const runner::Revision& side = half == "a" ? sides[0] : sides[1];
    manifest.context = runner::collect_context(side.worktree, side.build_dir);
    manifest.revision = side.given;
    if (auto written = runner::write_manifest(runner::half_dir(out, half), manifest); !written)
      return runtime_error(written.error());
  }
  if (!all_ok) std::cerr << "bench ab: some runs failed; comparing what ran\n";
  return compare_halves(flags, *sha_a, *sha_b, out, /*paired=*/true, all_ok);
}

int run_history(const RunFlags& flags) {
  const fs::path store = flags.store.empty() ? runner::default_store_path() : fs::path(flags.store);
  runner::SeriesFilter filter;
  if (!flags.name_regex.empty()) {
    try {
      filter.name = std::regex(flags.name_regex);
    } catch (const std::regex_error& error) {
      return usage_error("'" + flags.name_regex + "': not a valid regex: " + error.what());
    }
  }
  filter.metrics = flags.history_metrics.empty()
                       ? std::vector<std::string>{"real_time", "instructions"}
                       : flags.history_metrics;
  if (!flags.all_hosts) {
    if (flags.host.empty()) {
      char host[256] = {};
      if (::gethostname(host, sizeof host - 1) == 0) filter.host = host;
    } else {
      filter.host = flags.host;
    }
  }
  auto read = runner::read_history(store);
  if (!read) return usage_error(read.error());
  for (const std::string& warning : read->warnings)
    std::cerr << "bench history: warning: " << warning << "\n";
  const auto series = runner::build_series(read->entries, filter);
  if (series.empty()) {
    fmt::print("bench history: nothing recorded{}{} in {}\n",
               filter.host.empty() ? "" : " on host " + filter.host,
               flags.name_regex.empty() ? "" : " matching '" + flags.name_regex + "'",
               store.string());
    return 0;
  }
  fmt::print("{}", runner::render_history_table(series));
  std::size_t steps = 0;
  for (const runner::Series& s : series)
    steps += s.step ? 1 : 0;
  fmt::print("{} series, {} with a step change (store: {})\n", series.size(), steps,
             store.string());
  if (!flags.plot.empty()) {
    std::ofstream svg(flags.plot, std::ios::trunc);
    svg << runner::render_history_svg(series);
    if (!svg) return usage_error("--plot '" + flags.plot + "': cannot write");
    fmt::print("plot: {}\n", flags.plot);
  }
  return 0;
}

void add_build_flags(CLI::App* command, RunFlags& flags) {
  command->add_option("--source", flags.source_dir, "the faultline source tree (default: found)");
  command->add_option("--build-dir", flags.build_dir,
                      "the bench build (default: <source>/build/bench, the bench preset's)");
  command->add_flag("--no-build", flags.no_build, "use the binaries as built; fail if missing");
  command->add_option("--build-jobs", flags.build_jobs, "parallel build jobs")
      ->capture_default_str();
}

void add_run_flags(CLI::App* command, RunFlags& flags) {
  command
      ->add_option("--repetitions", flags.repetitions,
                   "repetitions per binary, split across rounds")
      ->capture_default_str();
  command->add_option("--rounds", flags.rounds, "rounds: each binary runs once per round")
      ->capture_default_str();
  command->add_option("--out", flags.out, "output directory");
  command->add_option("--filter", flags.filter, "benchmarks to run (--benchmark_filter regex)");
  command
      ->add_option("--benchmark-arg", flags.benchmark_args,
                   "pass an argument to each benchmark (repeatable), written with '=': "
                   "--benchmark-arg=--benchmark_min_time=0.2")
      ->allow_extra_args(false);
  command->add_option("--timeout", flags.timeout_seconds, "seconds per benchmark process")
      ->capture_default_str();
}

}  // namespace

void add_bench_run_commands(CLI::App* bench, int& exit_code) {
  auto flags = std::make_shared<RunFlags>();

  auto* list = bench->add_subcommand(
      "list", "The benchmark binaries, what each measures, and whether it is built");
  add_build_flags(list, *flags);
  list->callback([flags, &exit_code] { exit_code = run_list(*flags); });

  auto* run = bench->add_subcommand(
      "run", "Build and run benchmark binaries in rounds; JSON, manifest and history");
  run->add_option("names", flags->names, "binaries (see `faultline bench list`)");
  run->add_flag("--all", flags->all, "every binary");
  add_run_flags(run, *flags);
  run->add_flag("--aa", flags->aa,
                "run everything twice, interleaved, into DIR/a and DIR/b; write "
                "DIR/noise-floor.json");
  run->add_option("--metric", flags->metric,
                  "time, or instructions (valgrind cachegrind, per iteration)")
      ->capture_default_str();
  run->add_option("--store", flags->store, "history store (default: $FAULTLINE_BENCH_DIR/...)");
  run->add_flag("--no-history", flags->no_history, "do not add this run to the history");
  add_build_flags(run, *flags);
  run->callback([flags, &exit_code] { exit_code = run_bench(*flags); });

  // bench ab pairs by round: the signed-rank test on R rounds can reach
  // p < 0.05 only from R = 6, so its defaults are 8 rounds of 2 repetitions.
  auto ab_flags = std::make_shared<RunFlags>();
  ab_flags->repetitions = 16;
  ab_flags->rounds = 8;
  auto* ab = bench->add_subcommand(
      "ab",
      "Build two git revisions side by side (committed trees: uncommitted changes are not in "
      "them), run them ABBA by round, compare (paired)");
  ab->add_option("rev_a", ab_flags->rev_a, "the baseline revision")->required();
  ab->add_option("rev_b", ab_flags->rev_b, "the revision to compare")->required();
  ab->add_option("names", ab_flags->names, "binaries (default: all)");
  add_run_flags(ab, *ab_flags);
  ab->add_option("--metric", ab_flags->compare_metrics,
                 "metrics to compare (default real_time; repeatable)");
  ab->add_option("--count", ab_flags->metric,
                 "time (interleaved ABBA, paired by round), or instructions (cachegrind: "
                 "deterministic, for a busy machine)")
      ->capture_default_str();
  ab->add_option("--format", ab_flags->format, "text, md, json, junit or html")
      ->capture_default_str();
  ab->add_option("--out-file", ab_flags->out_file, "write the comparison here instead of stdout");
  ab->add_option("--fail-on", ab_flags->fail_on, "regression: exit 1 when a gated row regressed")
      ->capture_default_str();
  ab->add_option("--source", ab_flags->source_dir, "the faultline source tree (default: found)");
  ab->add_option("--build-jobs", ab_flags->build_jobs, "parallel build jobs")
      ->capture_default_str();
  ab->callback([ab, ab_flags, &exit_code] {
    // Counts are deterministic: a few repetitions say all there is, and 6
    // per side let a rank test reach p < 0.05 after Holm across ~20 rows.
    if (ab_flags->metric == "instructions" && ab->count("--repetitions") == 0) {
      ab_flags->repetitions = 6;
      if (ab->count("--rounds") == 0) ab_flags->rounds = 2;
    }
    exit_code = run_ab(*ab_flags);
  });

  auto* history = bench->add_subcommand(
      "history", "Each benchmark over commits (past `bench run`s), step changes flagged");
  history->add_option("name_regex", flags->name_regex, "benchmarks whose name matches");
  history->add_option("--plot", flags->plot, "write an SVG line chart per benchmark");
  history->add_option("--store", flags->store, "history store (default: $FAULTLINE_BENCH_DIR/...)");
  history->add_option("--metric", flags->history_metrics,
                      "metrics to show (default: real_time and instructions; repeatable)");
  history->add_option("--host", flags->host, "this machine's runs only (default: this host)");
  history->add_flag("--all-hosts", flags->all_hosts, "runs of every host");
  history->callback([flags, &exit_code] { exit_code = run_history(*flags); });
}

}  // namespace faultline::cli
