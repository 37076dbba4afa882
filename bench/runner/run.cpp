#include "bench/runner/run.h"

#include <algorithm>

#include "fuzz/campaign/child_process.h"

namespace faultline::bench::runner {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::vector<int> split_repetitions(int total, int rounds) {
  total = std::max(total, 1);
  rounds = std::clamp(rounds, 1, total);
  std::vector<int> shares(static_cast<std::size_t>(rounds), total / rounds);
  for (int i = 0; i < total % rounds; ++i)
    ++shares[static_cast<std::size_t>(i)];
  return shares;
}

std::vector<std::string> benchmark_argv(const fs::path& executable, int repetitions,
                                        const fs::path& out_file, const std::string& filter,
                                        const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv{executable.string(), "--benchmark_enable_random_interleaving=true",
                                "--benchmark_repetitions=" + std::to_string(repetitions),
                                "--benchmark_out=" + out_file.string(),
                                "--benchmark_out_format=json"};
  if (!filter.empty()) argv.push_back("--benchmark_filter=" + filter);
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  return argv;
}

std::string round_file_name(const std::string& binary, int round) {
  return binary + ".round" + std::to_string(round) + ".json";
}

std::vector<std::string> halves_in_round(int round) {
  if (round % 2 == 0) return {"a", "b"};
  return {"b", "a"};
}

fs::path half_dir(const fs::path& out_dir, const std::string& half) {
  return half.empty() ? out_dir : out_dir / half;
}

std::vector<PlannedRun> plan_runs(const RunOptions& options) {
  const std::vector<int> shares = split_repetitions(options.repetitions, options.rounds);
  const std::vector<std::string> plain{""};
  std::vector<PlannedRun> plan;
  for (std::size_t round = 0; round < shares.size(); ++round) {
    const int k = static_cast<int>(round);
    for (const BenchBinary& binary : options.binaries) {
      for (const std::string& half : options.aa ? halves_in_round(k) : plain) {
        PlannedRun run;
        run.binary = binary;
        run.round = k;
        run.half = half;
        run.repetitions = shares[round];
        run.file = round_file_name(binary.name, k);
        run.out_file = fs::absolute(half_dir(options.out_dir, half) / run.file);
        const fs::path& build_dir =
            half == "b" && !options.b_build_dir.empty() ? options.b_build_dir : options.build_dir;
        run.argv = benchmark_argv(binary_path(build_dir, binary), run.repetitions, run.out_file,
                                  options.filter, options.benchmark_args);
        plan.push_back(std::move(run));
      }
    }
  }
  return plan;
}

net::Result<RunOutcome> execute_run(const PlannedRun& run, std::chrono::seconds timeout,
                                    const LineCallback& on_line) {
  const fs::path dir = run.out_file.parent_path();
  std::error_code error;
  fs::create_directories(dir / "logs", error);
  if (error) {
    return net::make_error(net::ErrorKind::io,
                           "cannot create " + (dir / "logs").string() + ": " + error.message());
  }
  // A stale file from an earlier run must not pass for this one's output.
  fs::remove(run.out_file, error);
  RunOutcome outcome;
  outcome.log_file =
      dir / "logs" / (run.binary.name + ".round" + std::to_string(run.round) + ".log");
  fs::remove(outcome.log_file, error);
  auto child = fuzz::ChildProcess::start(run.argv, {}, outcome.log_file);
  if (!child) return tl::unexpected(child.error());
  const Clock::time_point deadline = Clock::now() + timeout;
  while (auto lines = child->read_lines(std::chrono::milliseconds(250))) {
    for (std::string& line : *lines) {
      if (on_line) on_line(line);
      outcome.tail.push_back(std::move(line));
      if (outcome.tail.size() > 10) outcome.tail.erase(outcome.tail.begin());
    }
    if (Clock::now() > deadline) {
      outcome.timed_out = true;
      child->kill();
    }
  }
  outcome.status = child->wait();
  outcome.wrote_json = fs::file_size(run.out_file, error) > 0 && !error;
  return outcome;
}

std::vector<std::pair<std::string, Manifest>> manifests_for(const std::vector<PlannedRun>& plan,
                                                            const std::vector<RunOutcome>& outcomes,
                                                            const Manifest& base) {
  std::vector<std::pair<std::string, Manifest>> manifests;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const PlannedRun& run = plan[i];
    auto it = std::find_if(manifests.begin(), manifests.end(),
                           [&](const auto& entry) { return entry.first == run.half; });
    if (it == manifests.end()) {
      Manifest manifest = base;
      manifest.half = run.half;
      manifest.files.clear();
      manifests.emplace_back(run.half, std::move(manifest));
      it = std::prev(manifests.end());
    }
    if (i < outcomes.size() && outcomes[i].ok())
      it->second.files.push_back({run.file, run.round, run.binary.name});
  }
  std::sort(manifests.begin(), manifests.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return manifests;
}

std::string benchmark_name_of_line(const std::string& line) {
  if (line.empty() || line.starts_with('-') || line.starts_with(' ')) return "";
  const std::size_t space = line.find(' ');
  std::string name = line.substr(0, space);
  if (name == "Benchmark" || name.find(':') == name.size() - 1) return "";
  // Console rows carry a time column; the "Run on (...)" preamble does not.
  if (line.find(" ns ") == std::string::npos && line.find(" us ") == std::string::npos &&
      line.find(" ms ") == std::string::npos && line.find(" s ") == std::string::npos)
    return "";
  return name;
}

}  // namespace faultline::bench::runner
