#include "cli/campaign/campaign.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "bench/report/output.h"
#include "bench/runner/manifest.h"
#include "cli/campaign/progress_view.h"
#include "fuzz/campaign/cache_dir.h"
#include "fuzz/campaign/catalog.h"
#include "fuzz/campaign/child_process.h"
#include "harness/suites/report.h"
#include "targets/net/duration.h"

namespace faultline::campaign {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

std::optional<Json> read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = Json::parse(text.str(), nullptr, false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

// last_lines: the end of a job's log, for a job that failed to run.
std::string last_lines(const fs::path& log, std::size_t count) {
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  std::string out;
  for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
    if (!out.empty()) out += " / ";
    out += lines[i];
  }
  return out;
}

// Child: how one child process ended.
struct Child {
  int status = -1;
  bool timed_out = false;
  bool started = true;
  std::string error;
};

// run_child runs `argv` until it ends or `deadline`, copying its lines to
// `view`: SIGINT at the deadline, SIGKILL 10 s later.
Child run_child(const std::vector<std::string>& argv, const std::string& job, const fs::path& log,
                Clock::time_point deadline, ProgressView& view) {
  Child result;
  auto child = fuzz::ChildProcess::start(argv, {}, log);
  if (!child) {
    result.started = false;
    result.error = child.error().message;
    return result;
  }
  bool interrupted = false;
  auto kill_at = Clock::time_point::max();
  for (;;) {
    auto lines = child->read_lines(std::chrono::milliseconds(500));
    if (!lines) break;
    for (const auto& line : *lines)
      view.line(job, line);
    view.tick();
    const auto now = Clock::now();
    if (!interrupted && now >= deadline) {
      interrupted = true;
      result.timed_out = true;
      view.line(job, "time budget spent: stopping the job");
      child->interrupt();
      kill_at = now + std::chrono::seconds(10);
    } else if (interrupted && now >= kill_at) {
      child->kill();
      kill_at = Clock::time_point::max();
    }
  }
  result.status = child->wait();
  return result;
}

// ended: the status of a job from its exit code, when it is not a verdict.
std::string ended(const Child& child) {
  if (!child.started) return "error";
  if (child.timed_out) return "timed_out";
  if (child.status >= 128) return "crashed";
  if (child.status == 2) return "error";
  return "";
}

std::string describe_end(const Child& child, const fs::path& log) {
  if (!child.started) return "could not start: " + child.error;
  if (child.timed_out) return "stopped when its share of the time budget ran out";
  if (child.status >= 128) return fmt::format("crashed (signal {})", child.status - 128);
  return fmt::format("exited with status {}: {}", child.status, last_lines(log, 2));
}

std::string seconds_text(net::Duration d) {
  return fmt::format(
      "{}s", std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(d).count()));
}

JobResult suites_job(const Config& config, const std::string& faultline, const fs::path& out,
                     Clock::time_point deadline, ProgressView& progress) {
  JobResult job{"suites", "", "", 0, 0, (out / "suites" / "log.txt").string(), Json::object()};
  fs::create_directories(out / "suites");
  const fs::path json = out / "suites" / "suite.json";
  fs::remove(json);
  std::vector<std::string> argv = {faultline, "suite",      "--seed", std::to_string(config.seed),
                                   "--json",  json.string()};
  auto add = [&](const char* flag, const std::string& value) {
    if (value.empty()) return;
    argv.emplace_back(flag);
    argv.push_back(value);
  };
  add("--scenarios", config.scenarios);
  add("--target", config.target);
  add("--target-cmd", config.target_cmd);
  add("--client-cmd", config.client_cmd);
  add("--protocol", config.protocol);
  add("--builtin", config.builtin);
  const auto start = Clock::now();
  const Child child = run_child(argv, "suites", job.log, deadline, progress);
  job.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  job.exit_code = child.status;
  if (auto results = read_json(json)) job.data = *results;
  job.status = ended(child);
  if (!job.status.empty()) {
    job.detail = describe_end(child, job.log);
    return job;
  }
  if (!job.data.contains("results")) {
    job.status = "error";
    job.detail = "wrote no results: " + last_lines(job.log, 2);
    return job;
  }
  const int passed = job.data.value("passed", 0);
  const int failed = job.data.value("failed", 0);
  const int flaky = job.data.value("flaky", 0);
  job.status = failed == 0 ? "passed" : "failed";
  job.detail = fmt::format("{} passed, {} failed{}", passed, failed,
                           flaky ? fmt::format(", {} flaky", flaky) : "");
  return job;
}

// newest_fuzz_report: the report.json the fuzz job wrote last.
std::optional<fs::path> newest_fuzz_report(const fs::path& work) {
  std::error_code error;
  std::optional<fs::path> newest;
  for (auto it = fs::directory_iterator(work / "reports", error);
       !error && it != fs::directory_iterator(); it.increment(error)) {
    const auto report = it->path() / "report.json";
    if (fs::exists(report) && (!newest || it->path().filename() > newest->parent_path().filename()))
      newest = report;
  }
  return newest;
}

JobResult fuzz_job(const Config& config, const std::string& faultline, const fs::path& out,
                   net::Duration per_target, Clock::time_point deadline, ProgressView& progress) {
  JobResult job{"fuzz", "", "", 0, 0, (out / "fuzz" / "log.txt").string(), Json::object()};
  const fs::path work = out / "fuzz" / "work";
  fs::create_directories(work);
  std::vector<std::string> argv = {faultline, "fuzz", "run"};
  for (const auto& name : config.fuzzers) {
    if (name == "all") {
      argv.emplace_back("--all");
    } else {
      argv.push_back(name);
    }
  }
  argv.insert(argv.end(), {"--time", seconds_text(per_target), "--work-dir", work.string()});
  const auto start = Clock::now();
  const Child child = run_child(argv, "fuzz", job.log, deadline, progress);
  job.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  job.exit_code = child.status;
  if (auto report = newest_fuzz_report(work)) {
    if (auto data = read_json(*report)) job.data = *data;
  }
  std::size_t new_crashes = 0;
  std::size_t targets = 0;
  if (job.data.contains("targets")) {
    for (const auto& target : job.data["targets"]) {
      ++targets;
      for (const auto& crash : target.value("crashes", Json::array()))
        if (crash.value("is_new", false)) ++new_crashes;
    }
  }
  if (new_crashes > 0) {
    job.status = "failed";
    job.detail = fmt::format("{} new crash{} in {} fuzzer{}", new_crashes,
                             new_crashes == 1 ? "" : "es", targets, targets == 1 ? "" : "s");
    return job;
  }
  job.status = ended(child);
  if (!job.status.empty() || child.status != 0 || !job.data.contains("targets")) {
    if (job.status.empty()) job.status = "error";
    job.detail = describe_end(child, job.log);
    return job;
  }
  job.status = "passed";
  job.detail = fmt::format("{} fuzzer{} for {} each, no new crash", targets,
                           targets == 1 ? "" : "s", seconds_text(per_target));
  return job;
}

JobResult bench_job(const Config& config, const std::string& faultline, const fs::path& out,
                    Clock::time_point deadline, ProgressView& progress) {
  JobResult job{"bench", "", "", 0, 0, (out / "bench" / "log.txt").string(), Json::object()};
  fs::create_directories(out / "bench");
  const fs::path compared = out / "bench" / "compare.json";
  fs::remove(compared);
  const std::string fail_on = config.gate ? "regression" : "none";
  const auto start = Clock::now();
  std::error_code error;
  const bool baseline_dir = !config.baseline.empty() && fs::exists(config.baseline, error);
  Child child;
  if (config.baseline.empty() || baseline_dir) {
    const fs::path results = out / "bench" / "new";
    std::vector<std::string> run = {faultline,
                                    "bench",
                                    "run",
                                    "--out",
                                    results.string(),
                                    "--repetitions",
                                    std::to_string(config.bench_repetitions),
                                    "--rounds",
                                    std::to_string(config.bench_rounds),
                                    "--no-history",
                                    "--metric",
                                    config.metric};
    if (!config.bench_build) run.emplace_back("--no-build");
    if (!config.bench_filter.empty()) run.insert(run.end(), {"--filter", config.bench_filter});
    run.insert(run.end(), config.benchmarks.begin(), config.benchmarks.end());
    child = run_child(run, "bench", job.log, deadline, progress);
    if (ended(child).empty() && child.status == 0 && baseline_dir) {
      std::vector<std::string> compare = {faultline,         "bench",          "compare",
                                          config.baseline,   results.string(), "--json",
                                          compared.string(), "--threshold",    config.threshold,
                                          "--fail-on",       fail_on,          "--no-color"};
      if (config.metric == "instructions")
        compare.insert(compare.end(), {"--metric", "instructions"});
      child = run_child(compare, "bench", job.log, deadline, progress);
    }
  } else {
    // A git revision: both sides built and run interleaved by `bench ab`.
    std::vector<std::string> ab = {faultline,
                                   "bench",
                                   "ab",
                                   config.baseline,
                                   "HEAD",
                                   "--repetitions",
                                   std::to_string(config.bench_repetitions),
                                   "--rounds",
                                   std::to_string(config.bench_rounds),
                                   "--format",
                                   "json",
                                   "--out-file",
                                   compared.string(),
                                   "--fail-on",
                                   fail_on,
                                   "--count",
                                   config.metric};
    if (!config.bench_filter.empty()) ab.insert(ab.end(), {"--filter", config.bench_filter});
    ab.insert(ab.end(), config.benchmarks.begin(), config.benchmarks.end());
    child = run_child(ab, "bench", job.log, deadline, progress);
  }
  job.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  job.exit_code = child.status;
  if (auto data = read_json(compared)) job.data = *data;
  job.status = ended(child);
  if (!job.status.empty()) {
    job.detail = describe_end(child, job.log);
    return job;
  }
  if (config.baseline.empty()) {
    job.status = child.status == 0 ? "no_baseline" : "error";
    job.detail = child.status == 0 ? "no baseline given: results recorded in " +
                                         (out / "bench" / "new").string() + ", nothing compared"
                                   : describe_end(child, job.log);
    return job;
  }
  if (!job.data.contains("benchmarks")) {
    job.status = "error";
    job.detail = describe_end(child, job.log);
    return job;
  }
  const auto counts = job.data.value("counts", Json::object());
  const int regressed = counts.value("regressed", 0);
  job.status = child.status == 1 && regressed > 0 ? "regressed" : "passed";
  job.detail = fmt::format("{} compared: {} regressed, {} improved, {} unchanged, {} inconclusive",
                           job.data["benchmarks"].size(), regressed, counts.value("improved", 0),
                           counts.value("unchanged", 0), counts.value("inconclusive", 0));
  return job;
}

Json environment_json(const bench::runner::MachineContext& context) {
  return Json{{"commit", context.commit},     {"dirty", context.dirty},
              {"host", context.host},         {"cpu_count", context.cpu_count},
              {"load_avg", context.load_avg}, {"cpu_governor", context.cpu_governor},
              {"started", context.started}};
}

fs::path store_dir(const Config& config) {
  if (!config.store.empty()) return config.store;
  return fuzz::cache_dir("FAULTLINE_CAMPAIGN_DIR", "campaigns");
}

std::vector<Json> read_history(const fs::path& file, std::size_t last) {
  std::vector<Json> records;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    auto record = Json::parse(line, nullptr, false);
    if (!record.is_discarded() && record.is_object()) records.push_back(std::move(record));
  }
  if (records.size() > last) records.erase(records.begin(), records.end() - last);
  return records;
}

}  // namespace

const std::vector<std::string>& config_keys() {
  static const std::vector<std::string> kKeys = {"out",
                                                 "time",
                                                 "seed",
                                                 "suites",
                                                 "scenarios",
                                                 "target",
                                                 "target-cmd",
                                                 "client-cmd",
                                                 "protocol",
                                                 "builtin",
                                                 "fuzz",
                                                 "fuzz-time",
                                                 "bench",
                                                 "baseline",
                                                 "threshold",
                                                 "gate",
                                                 "bench-repetitions",
                                                 "bench-rounds",
                                                 "bench-filter",
                                                 "metric",
                                                 "bench-build",
                                                 "store",
                                                 "live"};
  return kKeys;
}

net::Result<Config> parse_config(const std::string& text, Config config) {
  auto root = Json::parse(text, nullptr, false, true);
  if (root.is_discarded())
    return net::make_error(net::ErrorKind::invalid_argument, "not valid JSON");
  if (!root.is_object())
    return net::make_error(net::ErrorKind::invalid_argument,
                           ("expected a JSON object of settings"));
  for (const auto& [key, value] : root.items()) {
    auto want = [&](bool ok, const char* what) -> net::Status {
      if (ok) return {};
      return net::make_error(net::ErrorKind::invalid_argument,
                             fmt::format("'{}' must be {}, got {}", key, what, value.dump()));
    };
    auto text_of = [&](std::string& field) -> net::Status {
      if (auto ok = want(value.is_string(), "a string"); !ok) return ok;
      field = value.get<std::string>();
      return {};
    };
    auto duration_of = [&](net::Duration& field) -> net::Status {
      if (auto ok = want(value.is_string(), "a duration such as \"90s\""); !ok) return ok;
      auto parsed = net::parse_duration(value.get<std::string>());
      if (!parsed) {
        return net::make_error(net::ErrorKind::invalid_argument,
                               "'" + key + "': " + parsed.error().message);
      }
      field = *parsed;
      return {};
    };
    auto list_of = [&](std::vector<std::string>& field) -> net::Status {
      field.clear();
      if (value.is_string()) {
        field.push_back(value.get<std::string>());
        return {};
      }
      if (auto ok = want(value.is_array(), "a list of names"); !ok) return ok;
      for (const auto& item : value) {
        if (auto ok = want(item.is_string(), "a list of names"); !ok) return ok;
        field.push_back(item.get<std::string>());
      }
      return {};
    };
    auto count_of = [&](int& field, int low, int high) -> net::Status {
      if (auto ok = want(value.is_number_integer() && value.get<long long>() >= low &&
                             value.get<long long>() <= high,
                         "a whole number in range");
          !ok) {
        return ok;
      }
      field = value.get<int>();
      return {};
    };
    auto flag_of = [&](bool& field) -> net::Status {
      if (auto ok = want(value.is_boolean(), "true or false"); !ok) return ok;
      field = value.get<bool>();
      return {};
    };
    net::Status done;
    if (key == "out") {
      done = text_of(config.out);
    } else if (key == "time") {
      done = duration_of(config.time);
    } else if (key == "seed") {
      done = want(
          value.is_number_unsigned() || (value.is_number_integer() && value.get<long long>() >= 0),
          "a whole number from 0 to 2^64-1");
      if (done) config.seed = value.get<std::uint64_t>();
    } else if (key == "suites") {
      done = flag_of(config.suites);
    } else if (key == "scenarios") {
      done = text_of(config.scenarios);
    } else if (key == "target") {
      done = text_of(config.target);
    } else if (key == "target-cmd") {
      done = text_of(config.target_cmd);
    } else if (key == "client-cmd") {
      done = text_of(config.client_cmd);
    } else if (key == "protocol") {
      done = text_of(config.protocol);
    } else if (key == "builtin") {
      done = text_of(config.builtin);
    } else if (key == "fuzz") {
      done = list_of(config.fuzzers);
    } else if (key == "fuzz-time") {
      done = duration_of(config.fuzz_time);
    } else if (key == "bench") {
      done = list_of(config.benchmarks);
    } else if (key == "baseline") {
      done = text_of(config.baseline);
    } else if (key == "threshold") {
      done = text_of(config.threshold);
    } else if (key == "gate") {
      done = flag_of(config.gate);
    } else if (key == "bench-repetitions") {
      done = count_of(config.bench_repetitions, 2, 1000);
    } else if (key == "bench-rounds") {
      done = count_of(config.bench_rounds, 1, 100);
    } else if (key == "bench-filter") {
      done = text_of(config.bench_filter);
    } else if (key == "metric") {
      done = text_of(config.metric);
      if (done && config.metric != "time" && config.metric != "instructions") {
        done = want(false, "\"time\" or \"instructions\"");
      }
    } else if (key == "bench-build") {
      done = flag_of(config.bench_build);
    } else if (key == "store") {
      done = text_of(config.store);
    } else if (key == "live") {
      done = flag_of(config.live);
    } else {
      std::string known;
      for (const auto& k : config_keys())
        known += (known.empty() ? "" : ", ") + k;
      return net::make_error(net::ErrorKind::invalid_argument,
                             ("unknown key '" + key + "' (known: " + known + ")"));
    }
    if (!done) return tl::unexpected(done.error());
  }
  return config;
}

nlohmann::json config_json(const Config& c) {
  return Json{{"out", c.out},
              {"time", net::format_duration(c.time)},
              {"seed", c.seed},
              {"suites", c.suites},
              {"scenarios", c.scenarios},
              {"target", c.target},
              {"target-cmd", c.target_cmd},
              {"client-cmd", c.client_cmd},
              {"protocol", c.protocol},
              {"builtin", c.builtin},
              {"fuzz", c.fuzzers},
              {"fuzz-time", net::format_duration(c.fuzz_time)},
              {"bench", c.benchmarks},
              {"baseline", c.baseline},
              {"threshold", c.threshold},
              {"gate", c.gate},
              {"bench-repetitions", c.bench_repetitions},
              {"bench-rounds", c.bench_rounds},
              {"bench-filter", c.bench_filter},
              {"metric", c.metric},
              {"bench-build", c.bench_build},
              {"store", c.store},
              {"live", c.live}};
}

nlohmann::json summarize(const Config& config, const std::vector<JobResult>& jobs,
                         const nlohmann::json& environment, int exit_code) {
  Json list = Json::array();
  double seconds = 0;
  for (const auto& job : jobs) {
    seconds += job.seconds;
    list.push_back(Json{{"name", job.name},
                        {"status", job.status},
                        {"detail", job.detail},
                        {"seconds", job.seconds},
                        {"exit_code", job.exit_code},
                        {"log", job.log},
                        {"data", job.data}});
  }
  return Json{{"faultline_campaign", 1},
              {"environment", environment},
              {"finished", bench::runner::iso_time_now()},
              {"seconds", seconds},
              {"config", config_json(config)},
              {"exit_code", exit_code},
              {"jobs", list}};
}

std::string to_junit(const nlohmann::json& summary) {
  using bench::xml_escape;
  std::string body;
  int tests = 0;
  int failures = 0;
  int errors = 0;
  auto testcase = [&](const std::string& classname, const std::string& name, double seconds,
                      const std::string& kind, const std::string& message,
                      const std::string& text) {
    ++tests;
    body += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"",
                        xml_escape(classname), xml_escape(name), seconds);
    if (kind.empty()) {
      body += "/>\n";
      return;
    }
    (kind == "failure" ? failures : errors) += 1;
    body += fmt::format(">\n      <{} message=\"{}\">{}</{}>\n    </testcase>\n", kind,
                        xml_escape(message), xml_escape(text), kind);
  };
  for (const auto& job : summary.value("jobs", Json::array())) {
    const std::string name = job.value("name", "");
    const std::string status = job.value("status", "");
    const Json& data = job.contains("data") ? job["data"] : Json::object();
    body += fmt::format("  <testsuite name=\"{}\">\n", xml_escape("campaign." + name));
    const bool job_broke = status == "crashed" || status == "timed_out" || status == "error";
    if (job_broke) {
      testcase("campaign", name, job.value("seconds", 0.0), "error", status,
               job.value("detail", ""));
    }
    if (name == "suites") {
      for (const auto& r : data.value("results", Json::array())) {
        const bool passed = r.value("passed", false);
        testcase("suite." + r.value("target", ""), r.value("scenario", ""), r.value("seconds", 0.0),
                 passed ? "" : "failure", r.value("invariant", "") + ": " + r.value("detail", ""),
                 "replay: " + r.value("replay", ""));
      }
    } else if (name == "fuzz") {
      for (const auto& t : data.value("targets", Json::array())) {
        std::string message;
        std::string text;
        for (const auto& crash : t.value("crashes", Json::array())) {
          if (!crash.value("is_new", false)) continue;
          message += (message.empty() ? "" : "; ") + crash.value("kind", "crash");
          text +=
              crash.value("summary", "") + "\nreproduce: " + crash.value("reproduce", "") + "\n";
        }
        testcase("fuzz", t.value("name", ""), t.value("seconds", 0.0),
                 message.empty() ? "" : "failure", message, text);
      }
    } else if (name == "bench") {
      for (const auto& b : data.value("benchmarks", Json::array())) {
        const bool failed = b.value("verdict", "") == "regressed" && b.value("gated", false);
        testcase("bench", b.value("name", "") + " " + b.value("metric", ""), 0,
                 failed ? "failure" : "", "regressed",
                 fmt::format("ratio {} new/old", b.contains("ratio") ? b["ratio"].dump() : "?"));
      }
    }
    body += "  </testsuite>\n";
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"faultline campaign\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n{}"
      "</testsuites>\n",
      tests, failures, errors, body);
}

nlohmann::json trend_record(const nlohmann::json& summary) {
  Json record{{"finished", summary.value("finished", "")},
              {"commit", summary.value("environment", Json::object()).value("commit", "")}};
  for (const auto& job : summary.value("jobs", Json::array())) {
    const Json& data = job.contains("data") ? job["data"] : Json::object();
    const std::string name = job.value("name", "");
    if (name == "suites" && data.contains("passed")) {
      const double passed = data.value("passed", 0);
      const double total = passed + data.value("failed", 0);
      if (total > 0) record["suite_pass_rate"] = passed / total;
    } else if (name == "fuzz") {
      for (const auto& t : data.value("targets", Json::array()))
        record["fuzz_coverage"][t.value("name", "")] = t.value("coverage", 0);
    } else if (name == "bench") {
      for (const auto& b : data.value("benchmarks", Json::array())) {
        if (b.contains("new_median") && b["new_median"].is_number())
          record["bench_median"][b.value("name", "")] = b["new_median"];
      }
    }
  }
  return record;
}

Outcome run(const Config& config, const std::string& faultline, std::ostream& out_stream,
            ProgressStyle style) {
  Outcome outcome;
  ProgressView progress(out_stream, style);
  const fs::path out = config.out;
  fs::create_directories(out);
  const auto start = Clock::now();
  const auto end = start + config.time;
  auto source = fuzz::resolve_source_dir("");
  const auto context =
      bench::runner::collect_context(source ? *source : fs::current_path(), fs::path());
  const Json environment = environment_json(context);
  // The budget: the suites may use what the later jobs do not reserve; the
  // fuzzers share what the suites left, less the benchmarks' reserve.
  const bool fuzzing = !config.fuzzers.empty();
  const bool benching = !config.benchmarks.empty();
  const auto share = config.time * 3 / 10;
  const auto fuzz_reserve = fuzzing
                                ? (config.fuzz_time > net::Duration::zero()
                                       ? config.fuzz_time * static_cast<int>(config.fuzzers.size())
                                       : share)
                                : net::Duration::zero();
  const auto bench_reserve = benching ? share : net::Duration::zero();
  const auto suites_deadline =
      std::max(start + std::chrono::seconds(30), end - fuzz_reserve - bench_reserve);
  auto until = [](Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration_cast<net::Duration>(to - from);
  };
  progress.message(fmt::format("campaign: {} budget: suites{}{}; report in {}",
                               net::format_duration(config.time), fuzzing ? ", fuzzing" : "",
                               benching ? ", benchmarks" : "", out.string()));
  if (config.suites) progress.add_job("suites", until(start, suites_deadline));
  if (fuzzing) progress.add_job("fuzz", fuzz_reserve);
  if (benching) progress.add_job("bench", bench_reserve);
  auto record = [&](JobResult job) {
    progress.finish(job.name, job.status);
    outcome.jobs.push_back(std::move(job));
  };
  if (config.suites) {
    progress.message("campaign: suites (until " + seconds_text(suites_deadline - start) + " in)");
    progress.start("suites", until(start, suites_deadline));
    record(suites_job(config, faultline, out, suites_deadline, progress));
  }
  if (fuzzing) {
    const auto now = Clock::now();
    auto left = std::chrono::duration_cast<net::Duration>(end - now) - bench_reserve;
    auto per_target =
        config.fuzz_time > net::Duration::zero()
            ? config.fuzz_time
            : left / static_cast<int>(std::max<std::size_t>(1, config.fuzzers.size()));
    per_target = std::max<net::Duration>(per_target, std::chrono::seconds(10));
    const auto deadline = std::max(
        now + per_target * static_cast<int>(config.fuzzers.size()) + std::chrono::seconds(60),
        end - bench_reserve);
    progress.message("campaign: fuzzing, " + seconds_text(per_target) + " per target");
    progress.start("fuzz", until(now, deadline));
    record(fuzz_job(config, faultline, out, per_target, deadline, progress));
  }
  if (benching) {
    const auto now = Clock::now();
    const auto deadline = std::max(now + std::chrono::seconds(60), end);
    progress.message("campaign: benchmarks");
    progress.start("bench", until(now, deadline));
    record(bench_job(config, faultline, out, deadline, progress));
  }
  progress.close();
  outcome.exit_code = 0;
  for (const auto& job : outcome.jobs) {
    if (job.status != "passed" && job.status != "no_baseline" && job.status != "skipped") {
      outcome.exit_code = 1;
    }
  }
  outcome.summary = summarize(config, outcome.jobs, environment, outcome.exit_code);
  // History first (this run is its newest point), then the report, each file
  // written whole.
  const fs::path store = store_dir(config);
  std::error_code error;
  fs::create_directories(store, error);
  const fs::path history_file = store / "history.jsonl";
  auto history = read_history(history_file, 19);
  history.push_back(trend_record(outcome.summary));
  {
    std::ofstream append(history_file, std::ios::app);
    append << history.back().dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
  }
  const std::string summary_text =
      outcome.summary.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
  for (const auto& [file, content] :
       {std::pair<std::string, std::string>{"summary.json", summary_text},
        {"junit.xml", to_junit(outcome.summary)},
        {"index.html", to_html(outcome.summary, history)}}) {
    if (auto written = suites::write_file_atomically((out / file).string(), content); !written) {
      progress.message("campaign: could not write " + (out / file).string() + ": " +
                       written.error().message);
      outcome.exit_code = 1;
    }
  }
  std::string verdicts = "\ncampaign:";
  for (const auto& job : outcome.jobs)
    verdicts += fmt::format(" {} {} ({:.0f}s);", job.name, job.status, job.seconds);
  progress.message(verdicts);
  progress.message("campaign: report " + (out / "index.html").string());
  return outcome;
}

}  // namespace faultline::campaign
