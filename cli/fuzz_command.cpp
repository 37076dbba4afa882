// cli/fuzz_command.cpp: `faultline fuzz`: fuzz campaigns over the built-in
// fuzzers (fuzz/*_fuzzer.cpp), with corpus management, crash triage,
// coverage and a report. The work is in fuzz/campaign/campaign.h.
//
//   faultline fuzz list
//   faultline fuzz run http_request --time 5m          # one target, one job
//   faultline fuzz run --all --time 2m --jobs 2         # each target in turn, fork mode
//   faultline fuzz merge http_request                   # new coverage into corpus/http_request
//   faultline fuzz coverage url                         # llvm-cov HTML
//   faultline fuzz triage url crash-1234                # dedupe, minimise, store
//
// Exit status: 0 clean, 1 a crash was found (or an operation failed), 2 bad
// usage (unknown target, bad duration, missing build with --no-build).
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "fuzz/campaign/campaign.h"
#include "fuzz/campaign/catalog.h"
#include "targets/net/duration.h"

namespace faultline::cli {
namespace {

namespace fs = std::filesystem;

struct FuzzFlags {
  std::vector<std::string> targets;
  bool all = false;
  std::string time = "5m";
  int jobs = 1;
  std::string source_dir;
  std::string build_dir;
  std::string work_dir;
  std::string coverage_dir;
  bool no_build = false;
  int build_jobs = 2;
  std::vector<std::string> libfuzzer_args;
  std::string triage_target;
  std::vector<std::string> inputs;  // triage
};

// with_commas: 1234567 -> "1,234,567".
std::string with_commas(std::uint64_t value) {
  std::string digits = std::to_string(value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<std::size_t>(i), ",");
  return digits;
}

std::string clock_text(double seconds) {
  const auto whole = static_cast<long long>(seconds);
  if (whole >= 3600)
    return fmt::format("{}h{:02}m{:02}s", whole / 3600, whole / 60 % 60, whole % 60);
  return fmt::format("{}m{:02}s", whole / 60, whole % 60);
}

// Setup: what every subcommand needs before it starts.
struct Setup {
  fuzz::CampaignOptions options;
  std::vector<fuzz::FuzzTarget> selected;
};

// setup resolves flags into options and targets; an error is a usage error.
net::Result<Setup> setup(const FuzzFlags& flags, bool need_targets) {
  auto source = fuzz::resolve_source_dir(flags.source_dir);
  if (!source) return tl::unexpected(source.error());
  Setup result;
  fuzz::CampaignOptions& o = result.options;
  o.source_dir = *source;
  o.build_dir = flags.build_dir;
  o.work_dir = flags.work_dir;
  o.coverage_dir = flags.coverage_dir;
  o.build = !flags.no_build;
  o.build_jobs = flags.build_jobs;
  o.jobs = flags.jobs;
  o.libfuzzer_args = flags.libfuzzer_args;
  auto time = net::parse_duration(flags.time);
  if (!time)
    return net::make_error(net::ErrorKind::invalid_argument, "--time: " + time.error().message);
  o.time = std::chrono::duration_cast<std::chrono::seconds>(*time);
  if (o.time < std::chrono::seconds(1)) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "--time: at least 1s (got '" + flags.time + "')");
  }
  if (flags.jobs < 1 || flags.jobs > 256) {
    return net::make_error(net::ErrorKind::invalid_argument, "--jobs: 1 to 256");
  }
  if (flags.build_jobs < 1) {
    return net::make_error(net::ErrorKind::invalid_argument, "--build-jobs: at least 1");
  }
  o = fuzz::resolved(std::move(o));
  const std::vector<fuzz::FuzzTarget> targets = fuzz::list_targets(o.source_dir);
  if (flags.all) {
    result.selected = targets;
  } else {
    for (const std::string& name : flags.targets) {
      auto target = fuzz::resolve_target(targets, name);
      if (!target) return tl::unexpected(target.error());
      result.selected.push_back(std::move(*target));
    }
  }
  if (need_targets && result.selected.empty()) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "name a target (see `faultline fuzz list`) or pass --all");
  }
  return result;
}

// build: ensure_fuzz_build, its output shown; a missing binary under
// --no-build is bad usage.
int build(const Setup& s) {
  if (s.options.build) {
    std::cerr << "fuzz: building " << s.selected.size() << " fuzzer(s) in "
              << s.options.build_dir.string() << "\n";
  }
  auto built = fuzz::ensure_fuzz_build(s.options, s.selected, std::cerr);
  if (built) return 0;
  if (built.error().kind == net::ErrorKind::not_found) return usage_error(built.error());
  return runtime_error(built.error());
}

// ProgressLine: the live status line: redrawn in place on a terminal, one
// line every 30s otherwise (CI logs).
class ProgressLine {
 public:
  explicit ProgressLine(double total_seconds)
      : tty_(::isatty(STDERR_FILENO) != 0), total_(total_seconds) {}

  void update(const fuzz::FuzzTarget& target, const fuzz::Progress& p, double seconds,
              std::size_t crashes) {
    const std::string text = fmt::format(
        "{:<20} {}/{}  execs {} ({}/s)  cov {}  ft {}  corpus {}  crashes {}", target.short_name,
        clock_text(seconds), clock_text(total_), with_commas(p.execs), with_commas(p.exec_per_sec),
        with_commas(p.coverage), with_commas(p.features), with_commas(p.corpus_units), crashes);
    if (tty_) {
      std::fprintf(stderr, "\r\033[K%s", text.c_str());
      std::fflush(stderr);
      shown_ = true;
    } else if (seconds - last_printed_ >= 30) {
      std::fprintf(stderr, "%s\n", text.c_str());
      last_printed_ = seconds;
    }
  }
  void finish() {
    if (shown_) std::fprintf(stderr, "\n");
    shown_ = false;
    last_printed_ = -30;
  }

 private:
  bool tty_;
  double total_;
  bool shown_ = false;
  double last_printed_ = -30;
};

int run_list(const FuzzFlags& flags) {
  auto s = setup(flags, false);
  if (!s) return usage_error(s.error());
  const auto targets = fuzz::list_targets(s->options.source_dir);
  fmt::print("{:<20} {:>6}  {:<6} {:<6} {}\n", "target", "seeds", "dict", "built", "what");
  for (const fuzz::FuzzTarget& t : targets) {
    std::error_code error;
    std::size_t seeds = 0;
    for (const auto& entry : fs::recursive_directory_iterator(t.seeds, error))
      seeds += entry.is_regular_file(error) ? 1 : 0;
    const bool built = fs::exists(fuzz::fuzzer_binary(s->options, t), error);
    fmt::print("{:<20} {:>6}  {:<6} {:<6} {}\n", t.short_name, seeds,
               t.dictionary.empty() ? "-" : t.dictionary.filename().stem().string(),
               built ? "yes" : "no", t.summary);
  }
  fmt::print("\nfuzz build: {}\nworking corpora, crashes, reports: {}\n",
             s->options.build_dir.string(), s->options.work_dir.string());
  return 0;
}

int run_campaign(const FuzzFlags& flags, const std::string& command_line) {
  auto s = setup(flags, true);
  if (!s) return usage_error(s.error());
  if (int status = build(*s); status != 0) return status;
  fuzz::CampaignReport report;
  report.started = fuzz::iso_timestamp();
  report.command = command_line;
  ProgressLine line(static_cast<double>(s->options.time.count()));
  for (const fuzz::FuzzTarget& target : s->selected) {
    auto result =
        fuzz::run_target(s->options, target,
                         [&](const fuzz::FuzzTarget& t, const fuzz::Progress& p, double seconds,
                             std::size_t crashes) { line.update(t, p, seconds, crashes); });
    line.finish();
    if (!result) return runtime_error(result.error());
    for (const fuzz::CrashRecord& crash : result->crashes) {
      fmt::print(stderr, "fuzz: {} crash {}: {}\n  reproduce: {}\n", crash.is_new ? "NEW" : "known",
                 crash.id, crash.summary, crash.reproduce);
    }
    report.targets.push_back(std::move(*result));
  }
  const fs::path dir = s->options.work_dir / "reports" / fuzz::timestamp();
  auto files = fuzz::write_report(report, dir);
  if (!files) return runtime_error(files.error());
  fmt::print("{}", fuzz::to_markdown(report));
  fmt::print("\nreport: {}\n        {}\n", files->markdown.string(), files->json.string());
  if (!files->plot.empty()) {
    fmt::print("plot:   {}\n", files->plot.string());
  } else {
    fmt::print("plot:   not drawn (gnuplot missing?); data in {}\n",
               (dir / "coverage.dat").string());
  }
  return report.crash_count() == 0 ? 0 : 1;
}

int run_merge(const FuzzFlags& flags) {
  auto s = setup(flags, true);
  if (!s) return usage_error(s.error());
  if (int status = build(*s); status != 0) return status;
  for (const fuzz::FuzzTarget& target : s->selected) {
    auto merged = fuzz::merge_corpus(s->options, target, std::cerr);
    if (!merged) {
      if (merged.error().kind == net::ErrorKind::not_found) return usage_error(merged.error());
      return runtime_error(merged.error());
    }
    fmt::print("fuzz merge {}: {} new input(s) added to {} (had {})\n", target.short_name,
               merged->added, merged->seeds.string(), merged->seeds_before);
  }
  return 0;
}

int run_coverage(const FuzzFlags& flags) {
  auto s = setup(flags, true);
  if (!s) return usage_error(s.error());
  for (const fuzz::FuzzTarget& target : s->selected) {
    std::cerr << "fuzz: coverage build in " << s->options.coverage_dir.string() << "\n";
    auto coverage = fuzz::coverage_report(s->options, target, std::cerr);
    if (!coverage) {
      if (coverage.error().kind == net::ErrorKind::not_found) return usage_error(coverage.error());
      return runtime_error(coverage.error());
    }
    fmt::print(
        "fuzz coverage {}: lines {:.1f}%  functions {:.1f}%  regions {:.1f}% over {} "
        "input(s)\n  html: {}\n  summary: {}\n",
        target.short_name, coverage->line_percent, coverage->function_percent,
        coverage->region_percent, coverage->inputs, coverage->html_index.string(),
        coverage->summary.string());
  }
  return 0;
}

int run_triage(const FuzzFlags& flags) {
  if (flags.targets.size() != 1) return usage_error("triage: name exactly one target");
  auto s = setup(flags, true);
  if (!s) return usage_error(s.error());
  if (int status = build(*s); status != 0) return status;
  const fuzz::FuzzTarget& target = s->selected.front();
  int status = 0;
  for (const std::string& input : flags.inputs) {
    std::error_code error;
    if (!fs::is_regular_file(input, error)) return usage_error("triage: no such file: " + input);
    // triage_crash moves its input: work on a copy, the user's file stays.
    const fs::path copy = s->options.work_dir / "triage-input";
    fs::create_directories(s->options.work_dir, error);
    fs::copy_file(input, copy, fs::copy_options::overwrite_existing, error);
    const fs::path named = copy.parent_path() / ("crash-" + fs::path(input).filename().string());
    fs::rename(copy, named, error);
    auto record = fuzz::triage_crash(s->options, target, named);
    if (!record) return runtime_error(record.error());
    fmt::print("{}: {} {}\n  stored in {} (seen {}x)\n  reproduce: {}\n", input, record->id,
               record->summary, record->directory, record->hits, record->reproduce);
    if (record->id != "unreproducible") status = 1;
  }
  return status;
}

void add_common(CLI::App* command, FuzzFlags& flags) {
  command->add_option("--source", flags.source_dir, "the faultline source tree (default: found)");
  command->add_option("--build-dir", flags.build_dir,
                      "the fuzz build (default: <source>/build/fuzz, the fuzz preset's)");
  command->add_option("--work-dir", flags.work_dir,
                      "working corpora, crashes, reports (default: $FAULTLINE_FUZZ_DIR or "
                      "~/.cache/faultline/fuzz)");
  command->add_flag("--no-build", flags.no_build, "use the binaries as built; fail if missing");
  command->add_option("--build-jobs", flags.build_jobs, "parallel build jobs")
      ->capture_default_str();
}

}  // namespace

void register_fuzz_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<FuzzFlags>();
  auto* fuzz = app.add_subcommand("fuzz",
                                  "Fuzz campaigns: run the built-in libFuzzer targets, merge "
                                  "corpora, triage crashes, coverage");
  fuzz->require_subcommand(1);

  auto* list = fuzz->add_subcommand("list", "The fuzzers, their seeds and whether they are built");
  add_common(list, *flags);
  list->callback([flags, &exit_code] { exit_code = run_list(*flags); });

  auto* run = fuzz->add_subcommand(
      "run", "Fuzz targets for --time each (building them first), triage crashes, write a report");
  run->add_option("targets", flags->targets, "targets (see `faultline fuzz list`)");
  run->add_flag("--all", flags->all, "every target, one after another");
  run->add_option("--time", flags->time, "how long per target (30s, 5m, 1h)")
      ->capture_default_str();
  run->add_option("--jobs", flags->jobs, "parallel jobs per target (libFuzzer -fork=N)")
      ->capture_default_str();
  run->add_option("--libfuzzer-arg", flags->libfuzzer_args,
                  "pass an argument to libFuzzer (repeatable), e.g. -use_value_profile=1");
  add_common(run, *flags);
  run->callback([flags, &exit_code] {
    std::string command = "faultline fuzz run";
    for (const std::string& target : flags->targets)
      command += " " + target;
    if (flags->all) command += " --all";
    command += " --time " + flags->time + " --jobs " + std::to_string(flags->jobs);
    exit_code = run_campaign(*flags, command);
  });

  auto* merge = fuzz->add_subcommand(
      "merge", "Minimise the working corpus into corpus/<target> (libFuzzer -merge=1)");
  merge->add_option("targets", flags->targets, "targets")->required();
  add_common(merge, *flags);
  merge->callback([flags, &exit_code] { exit_code = run_merge(*flags); });

  auto* coverage = fuzz->add_subcommand(
      "coverage", "An llvm-cov HTML report of what the seeds and the working corpus reach");
  coverage->add_option("targets", flags->targets, "targets")->required();
  coverage->add_option("--coverage-dir", flags->coverage_dir,
                       "the coverage build (default: <source>/build/fuzz-coverage)");
  add_common(coverage, *flags);
  coverage->callback([flags, &exit_code] { exit_code = run_coverage(*flags); });

  add_fuzz_replay_command(*fuzz, exit_code);

  auto* triage = fuzz->add_subcommand(
      "triage", "Deduplicate, minimise and store crash inputs (as `run` does with its own)");
  triage->add_option("target", flags->triage_target, "the target the inputs crash")->required();
  triage->add_option("inputs", flags->inputs, "crash inputs")->required();
  add_common(triage, *flags);
  triage->callback([flags, &exit_code] {
    flags->targets = {flags->triage_target};
    exit_code = run_triage(*flags);
  });
}

}  // namespace faultline::cli
