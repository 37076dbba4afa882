#include "fuzz/campaign/campaign.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>

#include <fmt/core.h>

#include "fuzz/campaign/cache_dir.h"
#include "fuzz/campaign/child_process.h"
#include "fuzz/campaign/crash_signature.h"

namespace faultline::fuzz {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Seconds past -max_total_time before a run is interrupted, then killed.
constexpr auto kInterruptGrace = std::chrono::seconds(30);
constexpr auto kKillGrace = std::chrono::seconds(10);
// Per-input limits for campaigns and triage runs.
constexpr std::string_view kInputTimeout = "-timeout=10";
constexpr std::string_view kRssLimit = "-rss_limit_mb=2048";

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string format_time(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, format, &utc);
  return text;
}

net::Status make_dirs(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error)
    return net::make_error(net::ErrorKind::io,
                           "cannot create " + dir.string() + ": " + error.message());
  return {};
}

// find_tool: the first of `names` on PATH.
std::optional<std::string> find_tool(std::initializer_list<std::string_view> names) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (std::string_view name : names) {
    std::string_view rest = dirs;
    while (!rest.empty()) {
      const std::size_t colon = rest.find(':');
      const fs::path candidate = fs::path(rest.substr(0, colon)) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
      rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    }
  }
  return std::nullopt;
}

// run_streamed runs a command, copying its output to `log` and to
// `log_file`; an error names the command and shows the output's tail.
net::Status run_streamed(const std::vector<std::string>& argv, const Environment& environment,
                         const fs::path& log_file, std::ostream& log) {
  auto child = ChildProcess::start(argv, environment, log_file);
  if (!child) return tl::unexpected(child.error());
  std::vector<std::string> tail;
  while (auto lines = child->read_lines(std::chrono::milliseconds(500))) {
    for (std::string& line : *lines) {
      log << line << '\n';
      tail.push_back(std::move(line));
      if (tail.size() > 20) tail.erase(tail.begin());
    }
  }
  log.flush();
  const int status = child->wait();
  if (status == 0) return {};
  std::string command;
  for (const std::string& arg : argv)
    command += (command.empty() ? "" : " ") + arg;
  std::string message = "'" + command + "' failed with status " + std::to_string(status) +
                        " (full output: " + log_file.string() + ")";
  return net::make_error(net::ErrorKind::io, std::move(message));
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code error;
  for (const auto& entry : fs::recursive_directory_iterator(dir, error)) {
    if (entry.is_regular_file(error)) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::uint64_t bytes_in(const std::vector<fs::path>& files) {
  std::uint64_t total = 0;
  std::error_code error;
  for (const fs::path& file : files) {
    const auto size = fs::file_size(file, error);
    if (!error) total += size;
  }
  return total;
}

bool is_crash_artifact(const fs::path& path) {
  const std::string name = path.filename().string();
  for (std::string_view prefix : {"crash-", "leak-", "timeout-", "oom-"}) {
    if (name.starts_with(prefix)) return true;
  }
  return false;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

net::Status write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) return net::make_error(net::ErrorKind::io, "cannot write " + path.string());
  return {};
}

std::string target_dir_name(const FuzzTarget& target) {
  return target.short_name;
}

fs::path target_work_dir(const CampaignOptions& options, const FuzzTarget& target) {
  return options.work_dir / target_dir_name(target);
}

// fuzz_configure_args: the fuzz preset's settings, for a build dir of one's own.
std::vector<std::string> fuzz_configure_args(const CampaignOptions& options) {
  if (options.build_dir == options.source_dir / "build" / "fuzz") {
    return {"cmake", "-S", options.source_dir.string(), "--preset", "fuzz"};
  }
  return {"cmake",
          "-S",
          options.source_dir.string(),
          "-B",
          options.build_dir.string(),
          "-G",
          "Ninja",
          "-DCMAKE_C_COMPILER=clang",
          "-DCMAKE_CXX_COMPILER=clang++",
          "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
          "-DFAULTLINE_BUILD_TESTS=OFF",
          "-DFAULTLINE_BUILD_BENCH=OFF",
          "-DFAULTLINE_BUILD_FUZZERS=ON",
          "-DFAULTLINE_SANITIZE=address,undefined"};
}

}  // namespace

fs::path default_work_dir() {
  return cache_dir("FAULTLINE_FUZZ_DIR", "fuzz");
}

CampaignOptions resolved(CampaignOptions options) {
  std::error_code error;
  options.source_dir = fs::absolute(options.source_dir, error);
  if (options.build_dir.empty()) options.build_dir = options.source_dir / "build" / "fuzz";
  if (options.coverage_dir.empty()) {
    options.coverage_dir = options.source_dir / "build" / "fuzz-coverage";
  }
  if (options.work_dir.empty()) options.work_dir = default_work_dir();
  options.build_dir = fs::absolute(options.build_dir, error);
  options.coverage_dir = fs::absolute(options.coverage_dir, error);
  options.work_dir = fs::absolute(options.work_dir, error);
  return options;
}

fs::path fuzzer_binary(const CampaignOptions& options, const FuzzTarget& target) {
  return options.build_dir / "fuzz" / target.name;
}

std::string timestamp() {
  return format_time("%Y%m%d-%H%M%S");
}
std::string iso_timestamp() {
  return format_time("%Y-%m-%dT%H:%M:%SZ");
}

net::Status ensure_fuzz_build(const CampaignOptions& options,
                              const std::vector<FuzzTarget>& targets, std::ostream& log) {
  if (!options.build) {
    for (const FuzzTarget& target : targets) {
      const fs::path binary = fuzzer_binary(options, target);
      if (::access(binary.c_str(), X_OK) != 0) {
        return net::make_error(net::ErrorKind::not_found,
                               "no fuzzer binary " + binary.string() +
                                   " (build it: cmake --preset fuzz && cmake --build " +
                                   options.build_dir.string() + " --target " + target.name +
                                   ", or drop --no-build)");
      }
    }
    return {};
  }
  if (auto made = make_dirs(options.work_dir); !made) return made;
  const fs::path build_log = options.work_dir / "build.log";
  std::error_code error;
  if (!fs::exists(options.build_dir / "CMakeCache.txt", error)) {
    log << "configuring the fuzz build in " << options.build_dir.string() << "\n";
    if (auto ok = run_streamed(fuzz_configure_args(options), {}, build_log, log); !ok) return ok;
  }
  std::vector<std::string> build{"cmake",
                                 "--build",
                                 options.build_dir.string(),
                                 "--parallel",
                                 std::to_string(std::max(1, options.build_jobs)),
                                 "--target"};
  for (const FuzzTarget& target : targets)
    build.push_back(target.name);
  return run_streamed(build, {}, build_log, log);
}

net::Result<CrashRecord> triage_crash(const CampaignOptions& options, const FuzzTarget& target,
                                      const fs::path& input) {
  const fs::path binary = fuzzer_binary(options, target);
  const Environment environment{{"UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1"}};
  auto run = run_and_capture(
      {binary.string(), std::string(kInputTimeout), std::string(kRssLimit), input.string()},
      environment, std::chrono::seconds(120));
  if (!run) return tl::unexpected(run.error());
  CrashSignature signature = crash_signature(run->output);
  if (run->status == 0) {
    signature.kind = "did not reproduce";
    signature.frames.clear();
    signature.summary = "did not reproduce when run alone (" + input.filename().string() + ")";
    signature.id = "unreproducible";
  }
  const fs::path crashes = target_work_dir(options, target) / "crashes";
  const fs::path dir = crashes / signature.id;
  CrashRecord record{signature.id, signature.kind, signature.summary, dir.string(), "", 1, true};
  std::error_code error;
  const bool seen_before = fs::exists(dir / "signature.txt", error);
  if (auto made = make_dirs(dir / "inputs"); !made) return tl::unexpected(made.error());
  fs::path kept = dir / "inputs" / input.filename();
  fs::rename(input, kept, error);
  if (error) {  // another file system: copy, then remove
    error.clear();
    fs::copy_file(input, kept, fs::copy_options::overwrite_existing, error);
    fs::remove(input, error);
  }
  if (seen_before) {
    record.is_new = false;
    std::uint64_t hits = 1;
    std::istringstream(read_text(dir / "hits")) >> hits;
    record.hits = hits + 1;
  } else {
    std::string text = signature.kind + "\n";
    for (const std::string& frame : signature.frames)
      text += "  " + frame + "\n";
    if (auto ok = write_text(dir / "signature.txt", text); !ok) return tl::unexpected(ok.error());
    if (auto ok = write_text(dir / "report.txt", run->output); !ok) {
      return tl::unexpected(ok.error());
    }
    // Minimise what reproduces; a timeout or an OOM would take too long.
    const fs::path minimized = dir / "minimized";
    const bool minimizable = run->status != 0 &&
                             !signature.kind.starts_with("libFuzzer: timeout") &&
                             !signature.kind.starts_with("libFuzzer: out-of-memory");
    if (minimizable) {
      (void)run_and_capture(
          {binary.string(), "-minimize_crash=1", "-runs=20000", "-max_total_time=60",
           std::string(kInputTimeout), "-exact_artifact_path=" + minimized.string(), kept.string()},
          environment, std::chrono::seconds(120));
    }
    if (!fs::exists(minimized, error)) fs::copy_file(kept, minimized, error);
  }
  if (auto ok = write_text(dir / "hits", std::to_string(record.hits) + "\n"); !ok) {
    return tl::unexpected(ok.error());
  }
  record.reproduce = binary.string() + " " + (dir / "minimized").string();
  const std::string script = "#!/bin/sh\n# " + signature.summary +
                             "\n# Replays the minimized input (fuzz preset build);" +
                             " without clang: build/dev/fuzz/" + target.name + "_replay " +
                             (dir / "minimized").string() + "\nexec " + record.reproduce + "\n";
  if (auto ok = write_text(dir / "reproduce.sh", script); !ok) return tl::unexpected(ok.error());
  fs::permissions(dir / "reproduce.sh", fs::perms::owner_exec | fs::perms::group_exec,
                  fs::perm_options::add, error);
  return record;
}

net::Result<TargetReport> run_target(const CampaignOptions& options, const FuzzTarget& target,
                                     const ProgressCallback& on_progress) {
  const fs::path work = target_work_dir(options, target);
  const fs::path corpus = work / "corpus";
  const fs::path artifacts = work / "artifacts";
  const fs::path logs = work / "logs";
  for (const fs::path& dir : {corpus, artifacts, logs, work / "crashes"}) {
    if (auto made = make_dirs(dir); !made) return tl::unexpected(made.error());
  }
  std::error_code error;
  std::set<std::string> crashes_before;
  for (const auto& entry : fs::directory_iterator(work / "crashes", error))
    crashes_before.insert(entry.path().filename().string());

  TargetReport report;
  report.name = target.name;
  report.jobs = options.jobs;
  report.corpus_dir = corpus.string();
  report.log_file = (logs / ("run-" + timestamp() + ".log")).string();

  const auto start = Clock::now();
  const auto deadline = start + options.time;
  std::uint64_t execs_before = 0;
  std::size_t crash_inputs = 0;
  double last_sample = -1;
  std::vector<fs::path> to_triage;
  for (bool first_run = true;; first_run = false) {
    const auto remaining =
        std::chrono::duration_cast<std::chrono::seconds>(deadline - Clock::now());
    if (remaining < std::chrono::seconds(2) && !first_run) break;
    std::vector<std::string> argv{
        fuzzer_binary(options, target).string(),
        "-max_total_time=" + std::to_string(std::max<long long>(1, remaining.count())),
        "-print_final_stats=1",
        "-artifact_prefix=" + artifacts.string() + "/",
        std::string(kInputTimeout),
        std::string(kRssLimit)};
    if (!target.dictionary.empty() && fs::exists(target.dictionary, error)) {
      argv.push_back("-dict=" + target.dictionary.string());
    }
    if (options.jobs > 1) {
      argv.push_back("-fork=" + std::to_string(options.jobs));
      argv.insert(argv.end(), {"-ignore_crashes=1", "-ignore_timeouts=1", "-ignore_ooms=1"});
    }
    argv.insert(argv.end(), options.libfuzzer_args.begin(), options.libfuzzer_args.end());
    argv.push_back(corpus.string());
    // The seeds go second: libFuzzer writes new units only to the first dir.
    if (fs::exists(target.seeds, error)) argv.push_back(target.seeds.string());

    auto child = ChildProcess::start(argv, {}, report.log_file);
    if (!child) return tl::unexpected(child.error());
    LibFuzzerLog log;
    const auto interrupt_at = Clock::now() + remaining + kInterruptGrace;
    std::optional<Clock::time_point> kill_at;
    while (auto lines = child->read_lines(std::chrono::milliseconds(500))) {
      for (const std::string& line : *lines) {
        if (!log.add(line)) {
          if (parse_artifact_line(line)) ++crash_inputs;
          continue;
        }
        Progress progress = log.progress();
        progress.execs += execs_before;
        const double seconds = seconds_since(start);
        if (seconds - last_sample >= 1.0) {
          report.samples.push_back(Sample{seconds, progress.execs, progress.coverage,
                                          progress.features, progress.corpus_units});
          last_sample = seconds;
        }
        if (on_progress) {
          on_progress(target, progress, seconds,
                      std::max<std::size_t>(crash_inputs, progress.crashes));
        }
      }
      const auto now = Clock::now();
      if (!kill_at && now > interrupt_at) {
        child->interrupt();
        kill_at = now + kKillGrace;
      } else if (kill_at && now > *kill_at) {
        child->kill();
      }
    }
    const int status = child->wait();
    const Progress& last = log.progress();
    const FinalStats& stats = log.final_stats();
    execs_before += std::max(last.execs, stats.executed_units);
    report.coverage = std::max(report.coverage, last.coverage);
    report.features = std::max(report.features, last.features);
    report.new_units += stats.new_units_added;
    report.peak_rss_mb = std::max({report.peak_rss_mb, stats.peak_rss_mb, last.rss_mb});
    for (const std::string& artifact : log.artifacts())
      to_triage.emplace_back(artifact);
    if (!log.saw_status() && log.artifacts().empty() && status != 0) {
      return net::make_error(net::ErrorKind::io,
                             target.name + " exited with status " + std::to_string(status) +
                                 " before fuzzing (see " + report.log_file + ")");
    }
    // Fork mode goes on past crashes by itself; a plain run stops at the
    // first one, so start it again while time is left, unless it crashed
    // before fuzzing began (a corpus input crashes: it would again).
    if (options.jobs > 1 || log.artifacts().empty() || !log.fuzzing_started()) break;
  }
  report.seconds = seconds_since(start);
  report.execs = execs_before;
  report.exec_per_sec =
      report.seconds > 0
          ? static_cast<std::uint64_t>(static_cast<double>(report.execs) / report.seconds)
          : 0;
  const std::vector<fs::path> corpus_files = files_in(corpus);
  report.corpus_units = corpus_files.size();
  report.corpus_bytes = bytes_in(corpus_files);
  if (report.samples.empty() || report.samples.back().seconds < report.seconds - 0.5) {
    report.samples.push_back(Sample{report.seconds, report.execs, report.coverage, report.features,
                                    report.corpus_units});
  }

  // Triage: what the runs reported, and anything else left in artifacts/
  // (fork mode's jobs write there too).
  for (const fs::path& file : files_in(artifacts)) {
    if (is_crash_artifact(file) &&
        std::find(to_triage.begin(), to_triage.end(), file) == to_triage.end()) {
      to_triage.push_back(file);
    }
  }
  for (const fs::path& input : to_triage) {
    if (!fs::exists(input, error) || !is_crash_artifact(input)) continue;
    auto record = triage_crash(options, target, input);
    if (!record) return tl::unexpected(record.error());
    record->is_new = crashes_before.count(record->id) == 0;
    auto same = std::find_if(report.crashes.begin(), report.crashes.end(),
                             [&](const CrashRecord& r) { return r.id == record->id; });
    if (same != report.crashes.end()) {
      *same = std::move(*record);
    } else {
      report.crashes.push_back(std::move(*record));
    }
  }
  return report;
}

net::Result<MergeResult> merge_corpus(const CampaignOptions& options, const FuzzTarget& target,
                                      std::ostream& log) {
  const fs::path work = target_work_dir(options, target);
  const fs::path corpus = work / "corpus";
  std::error_code error;
  if (files_in(corpus).empty()) {
    return net::make_error(net::ErrorKind::not_found,
                           "no working corpus for " + target.name + " in " + corpus.string() +
                               " (run `faultline fuzz run " + target.short_name + "` first)");
  }
  if (auto made = make_dirs(target.seeds); !made) return tl::unexpected(made.error());
  MergeResult result;
  result.seeds = target.seeds;
  std::set<std::string> before;
  for (const fs::path& file : files_in(target.seeds))
    before.insert(file.filename().string());
  result.seeds_before = before.size();
  const fs::path control = work / "merge.control";
  fs::remove(control, error);
  auto ok = run_streamed(
      {fuzzer_binary(options, target).string(), "-merge=1",
       "-merge_control_file=" + control.string(), std::string(kInputTimeout),
       std::string(kRssLimit), "-artifact_prefix=" + (work / "artifacts").string() + "/",
       target.seeds.string(), corpus.string()},
      {}, work / "logs" / ("merge-" + timestamp() + ".log"), log);
  if (!ok) return tl::unexpected(ok.error());
  // New units are named by their SHA-1; say where they came from.
  for (const fs::path& file : files_in(target.seeds)) {
    const std::string name = file.filename().string();
    if (before.count(name) != 0) continue;
    fs::rename(file, file.parent_path() / ("merged-" + name), error);
    ++result.added;
  }
  fs::remove(control, error);
  return result;
}

net::Result<CoverageResult> coverage_report(const CampaignOptions& options,
                                            const FuzzTarget& target, std::ostream& log) {
  const auto profdata = find_tool({"llvm-profdata-14", "llvm-profdata"});
  const auto cov = find_tool({"llvm-cov-14", "llvm-cov"});
  if (!profdata || !cov) {
    return net::make_error(net::ErrorKind::not_found,
                           "llvm-profdata and llvm-cov are needed (Debian package llvm-14)");
  }
  const fs::path work = target_work_dir(options, target);
  const fs::path out = work / "coverage";
  std::error_code error;
  fs::remove_all(out, error);
  if (auto made = make_dirs(out / "raw"); !made) return tl::unexpected(made.error());
  if (auto made = make_dirs(work / "logs"); !made) return tl::unexpected(made.error());
  const fs::path build_log = work / "logs" / "coverage-build.log";
  const std::string replay = target.name + "_replay";
  if (options.build) {
    if (!fs::exists(options.coverage_dir / "CMakeCache.txt", error)) {
      const std::string flags = "-fprofile-instr-generate -fcoverage-mapping";
      auto ok = run_streamed(
          {"cmake", "-S", options.source_dir.string(), "-B", options.coverage_dir.string(), "-G",
           "Ninja", "-DCMAKE_C_COMPILER=clang", "-DCMAKE_CXX_COMPILER=clang++",
           "-DCMAKE_BUILD_TYPE=Debug", "-DFAULTLINE_BUILD_TESTS=OFF", "-DFAULTLINE_BUILD_BENCH=OFF",
           "-DFAULTLINE_BUILD_FUZZERS=OFF", "-DCMAKE_C_FLAGS=" + flags,
           "-DCMAKE_CXX_FLAGS=" + flags, "-DCMAKE_EXE_LINKER_FLAGS=-fprofile-instr-generate"},
          {}, build_log, log);
      if (!ok) return tl::unexpected(ok.error());
    }
    auto ok = run_streamed({"cmake", "--build", options.coverage_dir.string(), "--parallel",
                            std::to_string(std::max(1, options.build_jobs)), "--target", replay},
                           {}, build_log, log);
    if (!ok) return tl::unexpected(ok.error());
  }
  const fs::path binary = options.coverage_dir / "fuzz" / replay;
  if (::access(binary.c_str(), X_OK) != 0) {
    return net::make_error(net::ErrorKind::not_found, "no coverage build of " + replay + " at " +
                                                          binary.string() + " (drop --no-build)");
  }
  CoverageResult result;
  std::vector<std::string> replay_args{binary.string()};
  for (const fs::path& dir : {target.seeds, work / "corpus"}) {
    const std::size_t count = files_in(dir).size();
    if (count == 0) continue;
    replay_args.push_back(dir.string());
    result.inputs += count;
  }
  if (result.inputs == 0) {
    return net::make_error(net::ErrorKind::not_found,
                           "no inputs for " + target.name + ": neither seeds nor a working corpus");
  }
  auto ran =
      run_streamed(replay_args, {{"LLVM_PROFILE_FILE", (out / "raw" / "%p.profraw").string()}},
                   work / "logs" / "coverage-replay.log", log);
  if (!ran) return tl::unexpected(ran.error());
  std::vector<std::string> merge{*profdata, "merge", "-sparse", "-o",
                                 (out / "merged.profdata").string()};
  for (const fs::path& raw : files_in(out / "raw"))
    merge.push_back(raw.string());
  if (auto ok = run_streamed(merge, {}, work / "logs" / "coverage-merge.log", log); !ok) {
    return tl::unexpected(ok.error());
  }
  const std::string ignore = "-ignore-filename-regex=^/usr/";
  const std::string profile = "-instr-profile=" + (out / "merged.profdata").string();
  if (auto ok =
          run_streamed({*cov, "show", binary.string(), profile, ignore, "-format=html",
                        "-show-line-counts-or-regions", "-output-dir=" + (out / "html").string()},
                       {}, work / "logs" / "coverage-show.log", log);
      !ok) {
    return tl::unexpected(ok.error());
  }
  auto summary = run_and_capture({*cov, "report", binary.string(), profile, ignore}, {},
                                 std::chrono::seconds(120));
  if (!summary) return tl::unexpected(summary.error());
  result.summary = out / "summary.txt";
  (void)write_text(result.summary, summary->output);
  result.html_index = out / "html" / "index.html";
  // "TOTAL  regions missed cover%  functions missed executed%  lines missed cover% ..."
  std::istringstream lines(summary->output);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.starts_with("TOTAL")) continue;
    std::istringstream fields(line);
    std::vector<std::string> columns;
    for (std::string field; fields >> field;)
      columns.push_back(field);
    auto percent = [&](std::size_t index) {
      return index < columns.size() ? std::atof(columns[index].c_str()) : 0.0;
    };
    result.region_percent = percent(3);
    result.function_percent = percent(6);
    result.line_percent = percent(9);
  }
  return result;
}

}  // namespace faultline::fuzz
