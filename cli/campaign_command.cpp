// cli/campaign_command.cpp: `faultline campaign`: the suites, fuzzing and a
// benchmark comparison in one time budget, and one report of all three.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/campaign/campaign.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "targets/net/duration.h"

namespace faultline::cli {
namespace {

// CampaignFlags: the flags as given (each applied over the config file's
// value only when given on the command line).
struct CampaignFlags {
  std::string config_file;
  campaign::Config values;
  std::string time;
  std::string fuzz_time;
  CLI::App* command = nullptr;
};

bool given(const CampaignFlags& flags, const std::string& name) {
  return flags.command->count("--" + name) > 0;
}

int run_campaign(CampaignFlags& flags) {
  campaign::Config config;
  if (!flags.config_file.empty()) {
    std::ifstream in(flags.config_file);
    if (!in) return usage_error("--config: cannot read '" + flags.config_file + "'");
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = campaign::parse_config(text.str());
    if (!parsed)
      return usage_error("--config '" + flags.config_file + "': " + parsed.error().message);
    config = *parsed;
  }
  const campaign::Config& v = flags.values;
  if (given(flags, "out")) config.out = v.out;
  if (given(flags, "time")) {
    auto parsed = positive_duration_flag("--time", flags.time);
    if (!parsed) return usage_error(parsed.error());
    config.time = *parsed;
  }
  if (given(flags, "fuzz-time")) {
    auto parsed = positive_duration_flag("--fuzz-time", flags.fuzz_time);
    if (!parsed) return usage_error(parsed.error());
    config.fuzz_time = *parsed;
  }
  if (given(flags, "seed")) config.seed = v.seed;
  if (given(flags, "suites")) config.suites = v.suites;
  if (given(flags, "scenarios")) config.scenarios = v.scenarios;
  if (given(flags, "target")) config.target = v.target;
  if (given(flags, "target-cmd")) config.target_cmd = v.target_cmd;
  if (given(flags, "client-cmd")) config.client_cmd = v.client_cmd;
  if (given(flags, "protocol")) config.protocol = v.protocol;
  if (given(flags, "builtin")) config.builtin = v.builtin;
  if (given(flags, "fuzz")) config.fuzzers = v.fuzzers;
  if (given(flags, "bench")) config.benchmarks = v.benchmarks;
  if (given(flags, "baseline")) config.baseline = v.baseline;
  if (given(flags, "threshold")) config.threshold = v.threshold;
  if (given(flags, "gate")) config.gate = v.gate;
  if (given(flags, "bench-repetitions")) config.bench_repetitions = v.bench_repetitions;
  if (given(flags, "bench-rounds")) config.bench_rounds = v.bench_rounds;
  if (given(flags, "bench-filter")) config.bench_filter = v.bench_filter;
  if (given(flags, "metric")) config.metric = v.metric;
  if (given(flags, "bench-build")) config.bench_build = v.bench_build;
  if (given(flags, "store")) config.store = v.store;
  if (given(flags, "live")) config.live = v.live;
  if (config.metric != "time" && config.metric != "instructions") {
    return usage_error("--metric '" + config.metric + "': expected time or instructions");
  }
  if (config.bench_repetitions < 2 || config.bench_rounds < 1 ||
      config.bench_rounds > config.bench_repetitions) {
    return usage_error("--bench-repetitions must be at least 2 and --bench-rounds from 1 to it");
  }
  if (!config.suites && config.fuzzers.empty() && config.benchmarks.empty()) {
    return usage_error(
        "nothing to run: the suites are off (--suites false) and neither --fuzz "
        "nor --bench names anything");
  }
  if (!config.baseline.empty() && config.benchmarks.empty()) {
    return usage_error("--baseline goes with --bench NAME...: which benchmarks to compare");
  }
  // The report's directory is checked before any job runs.
  if (auto ok = check_writable("--out", config.out + "/summary.json"); !ok) {
    std::error_code error;
    std::filesystem::create_directories(config.out, error);
    if (error) return usage_error("--out '" + config.out + "': " + error.message());
  }
  std::error_code error;
  auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return usage_error("campaign: cannot find this program (/proc/self/exe)");
  auto outcome = campaign::run(config, self.string(), std::cout,
                               campaign::progress_style(config.live, STDOUT_FILENO));
  return outcome.exit_code;
}

}  // namespace

void register_campaign_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<CampaignFlags>();
  auto* command = app.add_subcommand(
      "campaign",
      "Run the suites, time-boxed fuzzing and a benchmark comparison in one time budget, and\n"
      "write one report: DIR/index.html, DIR/summary.json, DIR/junit.xml. Exit status 1 when a\n"
      "suite failed, a fuzzer found a new crash, a gated benchmark regressed or a job did not\n"
      "finish. Every flag is also a key of the --config file (JSON), e.g. {\"time\": \"10m\",\n"
      "\"fuzz\": [\"url\"], \"bench\": [\"http_parser_bench\"], \"baseline\": \"main\"}.");
  flags->command = command;
  auto& v = flags->values;
  command->add_option("--config", flags->config_file, "a JSON file of these settings");
  command->add_option("--out", v.out, "the report's directory")->capture_default_str();
  command->add_option("--time", flags->time, "the whole budget (default 5m)");
  command->add_option("--seed", v.seed, "the suites' seed")->capture_default_str();
  command->add_option("--suites", v.suites, "run the suites (true/false)")->capture_default_str();
  command->add_option("--scenarios", v.scenarios, "the suites' scenario globs");
  command->add_option("--target", v.target, "the suites against a running server HOST:PORT");
  command->add_option("--target-cmd", v.target_cmd, "the suites against a command with {port}");
  command->add_option("--client-cmd", v.client_cmd, "the suites with your client program");
  command->add_option("--protocol", v.protocol, "echo-tcp, echo-udp or http");
  command->add_option("--builtin", v.builtin, "one built-in target");
  command->add_option("--fuzz", v.fuzzers, "fuzz targets to run (or 'all'); none by default");
  command->add_option("--fuzz-time", flags->fuzz_time,
                      "time per fuzz target (default: a share of the budget)");
  command->add_option("--bench", v.benchmarks, "benchmark binaries to run; none by default");
  command->add_option("--baseline", v.baseline,
                      "earlier results (a directory) or a git revision to compare against");
  command->add_option("--threshold", v.threshold, "smallest change that counts")
      ->capture_default_str();
  command->add_option("--gate", v.gate, "a regression fails the campaign (true/false)")
      ->capture_default_str();
  command->add_option("--bench-repetitions", v.bench_repetitions, "benchmark repetitions")
      ->capture_default_str();
  command->add_option("--bench-rounds", v.bench_rounds, "benchmark rounds (processes)")
      ->capture_default_str();
  command->add_option("--bench-filter", v.bench_filter,
                      "only the benchmarks whose name matches (a --benchmark_filter regex)");
  command
      ->add_option("--metric", v.metric,
                   "what the benchmarks measure: time, or instructions (valgrind cachegrind: "
                   "counts a busy machine does not disturb)")
      ->capture_default_str();
  command
      ->add_option("--bench-build", v.bench_build,
                   "build the benchmark binaries first (true/false; false: run them as built)")
      ->capture_default_str();
  command->add_option("--store", v.store,
                      "the history store (default $FAULTLINE_CAMPAIGN_DIR or "
                      "~/.cache/faultline/campaigns)");
  command->add_flag("--live,!--no-live", v.live,
                    "a status block of the jobs redrawn in place (default on a terminal; "
                    "--no-live or TERM=dumb: one line per output line)");
  command->callback([flags, &exit_code] { exit_code = run_campaign(*flags); });
}

}  // namespace faultline::cli
