#include "bench/runner/cachegrind.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bench/runner/build.h"
#include "fuzz/campaign/child_process.h"

namespace faultline::bench::runner {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  std::string word;
  while (in >> word)
    words.push_back(word);
  return words;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

double to_seconds(double value, const std::string& unit) {
  if (unit == "ns") return value * 1e-9;
  if (unit == "us") return value * 1e-6;
  if (unit == "ms") return value * 1e-3;
  return value;  // "s"
}

// kMaxIterations: Google Benchmark's cap on one run's iterations.
constexpr std::uint64_t kMaxIterations = 1000000000;

}  // namespace

net::Result<std::map<std::string, std::uint64_t, std::less<>>> parse_cachegrind_totals(
    std::string_view text) {
  std::vector<std::string> events;
  std::vector<std::string> totals;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("events:")) events = split_words(std::string_view(line).substr(7));
    // cachegrind writes summary:, callgrind totals:; either is the whole run.
    if (line.starts_with("summary:")) totals = split_words(std::string_view(line).substr(8));
    if (totals.empty() && line.starts_with("totals:"))
      totals = split_words(std::string_view(line).substr(7));
  }
  if (events.empty() || totals.empty()) {
    return net::make_error(net::ErrorKind::bad_data,
                           "not a cachegrind output file (no events: or summary: line)");
  }
  std::map<std::string, std::uint64_t, std::less<>> result;
  for (std::size_t i = 0; i < events.size(); ++i) {
    // A trailing event may be left out of the summary: it is then zero.
    std::uint64_t value = 0;
    if (i < totals.size()) {
      char* end = nullptr;
      value = std::strtoull(totals[i].c_str(), &end, 10);
      if (end == totals[i].c_str() || *end != '\0') {
        return net::make_error(net::ErrorKind::bad_data,
                               "cachegrind summary: '" + totals[i] + "' is not a count");
      }
    }
    result[events[i]] = value;
  }
  return result;
}

ProbeEstimate estimate_probes(double seconds_per_iteration, double min_time) {
  ProbeEstimate estimate;
  if (!(seconds_per_iteration > 0)) return estimate;
  std::uint64_t iterations = 1;
  for (int guard = 0; guard < 100; ++guard) {
    const double seconds = seconds_per_iteration * static_cast<double>(iterations);
    if (iterations >= kMaxIterations || seconds >= min_time) break;  // this run is reported
    estimate.iterations += iterations;
    estimate.probes += 1;
    // benchmark::internal::BenchmarkRunner::PredictNumItersNeeded (1.7).
    double multiplier = min_time * 1.4 / std::max(seconds, 1e-9);
    if (seconds / min_time <= 0.1) multiplier = 10;
    const double next = std::max(multiplier * static_cast<double>(iterations),
                                 static_cast<double>(iterations) + 1.0);
    iterations =
        std::min<std::uint64_t>(static_cast<std::uint64_t>(std::lround(next)), kMaxIterations);
  }
  return estimate;
}

net::Result<double> instructions_per_iteration(const CountedRun& shorter,
                                               const CountedRun& longer) {
  const double added_iterations =
      static_cast<double>(longer.iterations + longer.probe_iterations) -
      static_cast<double>(shorter.iterations + shorter.probe_iterations);
  if (added_iterations <= 0) {
    return net::make_error(net::ErrorKind::bad_data,
                           "the longer run did not run more iterations (" +
                               std::to_string(longer.iterations) + " vs " +
                               std::to_string(shorter.iterations) + ")");
  }
  const double added_instructions =
      static_cast<double>(longer.instructions) - static_cast<double>(shorter.instructions);
  return added_instructions / added_iterations;
}

net::Result<fs::path> find_valgrind() {
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "/usr/bin:/bin";
  while (!rest.empty()) {
    const std::size_t colon = rest.find(':');
    const fs::path candidate = fs::path(rest.substr(0, colon)) / "valgrind";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
  }
  return net::make_error(net::ErrorKind::not_found,
                         "--metric instructions needs valgrind (cachegrind), not found on PATH: "
                         "install the Debian package 'valgrind' (apt-get install valgrind)");
}

std::string regex_quote(std::string_view text) {
  std::string quoted;
  for (char c : text) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) quoted += '\\';
    quoted += c;
  }
  return quoted;
}

net::Result<std::vector<std::string>> list_benchmarks(const fs::path& executable,
                                                      const std::string& filter,
                                                      const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv{executable.string(), "--benchmark_list_tests=true"};
  if (!filter.empty()) argv.push_back("--benchmark_filter=" + filter);
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  auto run = fuzz::run_and_capture(argv, {}, std::chrono::seconds(120));
  if (!run) return tl::unexpected(run.error());
  if (run->status != 0) {
    return net::make_error(net::ErrorKind::io, "'" + command_text(argv) + "' failed with status " +
                                                   std::to_string(run->status) + ": " +
                                                   run->output.substr(0, 500));
  }
  std::vector<std::string> names;
  std::istringstream in(run->output);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.find(' ') == std::string::npos) names.push_back(line);
  }
  return names;
}

std::vector<std::string> cachegrind_argv(const InstructionOptions& options,
                                         const fs::path& executable, const std::string& benchmark,
                                         double min_time, const fs::path& cachegrind_out,
                                         const fs::path& json_out) {
  std::vector<std::string> argv{
      options.valgrind.string(), "--tool=cachegrind", "--cache-sim=no",
      "--cachegrind-out-file=" + cachegrind_out.string(), executable.string(),
      "--benchmark_filter=^" + regex_quote(benchmark) + "$",
      "--benchmark_min_time=" + std::to_string(min_time),
      "--benchmark_repetitions=" + std::to_string(options.repetitions),
      "--benchmark_out=" + json_out.string(), "--benchmark_out_format=json",
      // Log every run's iteration count, probes included.
      "--v=2"};
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  return argv;
}

std::optional<std::uint64_t> executed_iterations(std::string_view log_text) {
  constexpr std::string_view kPrefix = "-- LOG(2): Running ";
  std::uint64_t total = 0;
  bool seen = false;
  while (!log_text.empty()) {
    const std::size_t end = log_text.find('\n');
    std::string_view line = log_text.substr(0, end);
    log_text.remove_prefix(end == std::string_view::npos ? log_text.size() : end + 1);
    if (line.substr(0, kPrefix.size()) != kPrefix) continue;
    const std::size_t for_at = line.rfind(" for ");
    if (for_at == std::string_view::npos) continue;
    const std::string_view digits = line.substr(for_at + 5);
    std::uint64_t value = 0;
    const auto [ptr, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc{} || ptr != digits.data() + digits.size()) continue;
    total += value;
    seen = true;
  }
  if (!seen) return std::nullopt;
  return total;
}

net::Result<CountedRun> counted_run_from(std::string_view cachegrind_text,
                                         std::string_view json_text, double min_time,
                                         std::string_view log_text) {
  auto totals = parse_cachegrind_totals(cachegrind_text);
  if (!totals) return tl::unexpected(totals.error());
  const auto ir = totals->find("Ir");
  if (ir == totals->end())
    return net::make_error(net::ErrorKind::bad_data, "cachegrind output has no Ir event");
  const nlohmann::json json = nlohmann::json::parse(json_text, nullptr, false);
  if (json.is_discarded() || !json.contains("benchmarks") || !json["benchmarks"].is_array())
    return net::make_error(net::ErrorKind::bad_data, "benchmark JSON unreadable");
  CountedRun run;
  run.instructions = ir->second;
  std::vector<double> seconds;
  int rows = 0;
  for (const nlohmann::json& row : json["benchmarks"]) {
    if (row.value("run_type", "iteration") != "iteration") continue;
    if (row.value("error_occurred", false)) {
      return net::make_error(net::ErrorKind::bad_data,
                             "benchmark error: " + row.value("error_message", std::string()));
    }
    const auto iterations = row.value("iterations", std::uint64_t{0});
    run.iterations += iterations;
    seconds.push_back(to_seconds(row.value("cpu_time", 0.0), row.value("time_unit", "ns")));
    ++rows;
  }
  if (rows == 0) return net::make_error(net::ErrorKind::bad_data, "no iteration rows");
  std::sort(seconds.begin(), seconds.end());
  run.seconds_per_iteration = seconds[seconds.size() / 2];
  // The iterations really run, probes included, when the library logs them:
  // exact whatever the machine's load. Otherwise the probes are estimated
  // from the time per iteration (only the first repetition probes).
  if (auto executed = executed_iterations(log_text); executed && *executed >= run.iterations) {
    run.probe_iterations = *executed - run.iterations;
  } else {
    run.probe_iterations = estimate_probes(run.seconds_per_iteration, min_time).iterations;
  }
  return run;
}

net::Result<InstructionSample> measure_instructions(const fs::path& executable,
                                                    const std::string& benchmark,
                                                    const InstructionOptions& options) {
  std::error_code error;
  fs::create_directories(options.scratch_dir, error);
  auto count = [&](int i, double min_time) -> net::Result<CountedRun> {
    const fs::path out = options.scratch_dir / ("cachegrind.out." + std::to_string(i));
    const fs::path json = options.scratch_dir / ("run." + std::to_string(i) + ".json");
    fs::remove(out, error);
    fs::remove(json, error);
    const auto argv = cachegrind_argv(options, executable, benchmark, min_time, out, json);
    auto run = fuzz::run_and_capture(argv, {}, options.timeout);
    if (!run) return tl::unexpected(run.error());
    if (run->status != 0 || run->timed_out) {
      const std::string& output = run->output;
      return net::make_error(
          net::ErrorKind::io,
          benchmark + ": '" + command_text(argv) + "' " +
              (run->timed_out ? "timed out" : "failed with status " + std::to_string(run->status)) +
              ": " + output.substr(output.size() > 800 ? output.size() - 800 : 0));
    }
    auto counted = counted_run_from(read_file(out), read_file(json), min_time, run->output);
    if (!counted)
      return net::make_error(counted.error().kind, benchmark + ": " + counted.error().message);
    return *counted;
  };
  CountedRun runs[2];
  auto shorter = count(0, options.short_min_time);
  if (!shorter) return tl::unexpected(shorter.error());
  runs[0] = *shorter;
  // Google Benchmark also stops its search when a probe's real time passes
  // 5 x min_time: under valgrind on a loaded machine the first probe (code
  // translated on first use, time slices lost to other processes) can do
  // that at one iteration in both runs. Then the longer run is tried again
  // with 4 x the min_time, at most twice.
  const double wanted = runs[0].seconds_per_iteration * options.long_iterations;
  double min_time = std::clamp(wanted, options.long_min_time,
                               std::max(options.long_min_time, options.max_min_time));
  for (int attempt = 0; attempt < 3; ++attempt, min_time *= 4) {
    auto longer = count(1, min_time);
    if (!longer) return tl::unexpected(longer.error());
    runs[1] = *longer;
    if (runs[1].iterations + runs[1].probe_iterations >
        runs[0].iterations + runs[0].probe_iterations) {
      break;
    }
  }
  auto per_iteration = instructions_per_iteration(runs[0], runs[1]);
  if (!per_iteration) {
    return net::make_error(per_iteration.error().kind,
                           benchmark + ": " + per_iteration.error().message);
  }
  return InstructionSample{*per_iteration, runs[1].seconds_per_iteration};
}

nlohmann::json instructions_json(const std::vector<InstructionRow>& rows,
                                 const std::string& executable, const std::string& host,
                                 int num_cpus, const std::string& date) {
  nlohmann::json benchmarks = nlohmann::json::array();
  std::map<std::string, int> seen;
  std::map<std::string, int> totals;
  for (const InstructionRow& row : rows)
    totals[row.benchmark] += 1;
  for (const InstructionRow& row : rows) {
    const int index = seen[row.benchmark]++;
    const double nanoseconds = row.sample.seconds_per_iteration * 1e9;
    benchmarks.push_back({{"name", row.benchmark},
                          {"run_name", row.benchmark},
                          {"run_type", "iteration"},
                          {"repetitions", totals[row.benchmark]},
                          {"repetition_index", index},
                          {"threads", 1},
                          {"iterations", 1},
                          {"real_time", nanoseconds},
                          {"cpu_time", nanoseconds},
                          {"time_unit", "ns"},
                          {"instructions", row.sample.per_iteration}});
  }
  return {{"context",
           {{"date", date},
            {"host_name", host},
            {"executable", executable},
            {"num_cpus", num_cpus},
            {"mhz_per_cpu", 0},
            {"faultline_metric", "instructions"},
            {"faultline_counter_units", {{"instructions", "instructions"}}},
            {"faultline_note",
             "instructions per iteration from valgrind cachegrind; real_time and cpu_time were "
             "measured under valgrind"}}},
          {"benchmarks", benchmarks}};
}

}  // namespace faultline::bench::runner
