// cli/bench_command.cpp: `faultline bench` and `faultline bench compare`:
// two sets of Google Benchmark results compared with statistics, a verdict
// per benchmark, and an exit status a CI job can gate on. The work is in
// bench/report (reading, statistics, verdicts, outputs).
//
//   faultline bench compare old.json new.json
//   faultline bench compare base/ head/ --metric cpu_time --threshold 3% --fail-on regression
//   faultline bench compare base/ head/ --format md --out comment.md
//   faultline bench compare run.json --filters 'RawLlhttp' 'Wrapper'     # one file, two families
//   faultline bench compare base/ head/ --noise-floor aa/noise-floor.json --html report.html
//
// Exit status: 0 nothing gated regressed, 1 `--fail-on regression` found a
// regression, 2 bad usage or unreadable input (naming the file and what is wrong).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "bench/report/compare_config.h"
#include "bench/report/comparison.h"
#include "bench/report/gbench_json.h"
#include "bench/report/output.h"
#include "cli/bench_commands.h"
#include "cli/commands.h"
#include "cli/flags.h"

namespace faultline::cli {
namespace {

namespace fs = std::filesystem;

struct CompareFlags {
  std::vector<std::string> positional;
  std::vector<std::string> more_old;
  std::vector<std::string> more_new;
  std::vector<std::string> metrics;
  double alpha = 0.05;
  std::string threshold = "5%";
  double confidence = 0.95;
  std::string fail_on = "none";
  std::string format = "text";
  std::string out;
  std::string markdown_out;
  std::string json_out;
  std::string junit_out;
  std::string html_out;
  std::string filter;
  std::vector<std::string> filters;
  std::string config;
  std::string noise_floor;
  bool strict = false;
  bool no_color = false;
  bool paired = false;
  bool no_holm = false;
  bool repetitions_as_samples = false;
  std::uint64_t seed = 1;
};

net::Result<std::string> read_text_file(const std::string& path, const std::string& what) {
  std::error_code error;
  if (!fs::exists(path, error)) {
    return net::make_error(net::ErrorKind::not_found, what + " '" + path + "': no such file");
  }
  if (!fs::is_regular_file(path, error)) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           what + " '" + path + "': not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return net::make_error(net::ErrorKind::io, what + " '" + path + "': cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> split_list(const std::vector<std::string>& values) {
  std::vector<std::string> items;
  for (const std::string& value : values) {
    std::size_t start = 0;
    while (start <= value.size()) {
      const std::size_t comma = value.find(',', start);
      const std::string item =
          value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!item.empty()) items.push_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return items;
}

net::Result<std::regex> compile_regex(const std::string& flag, const std::string& text) {
  try {
    return std::regex(text, std::regex::ECMAScript);
  } catch (const std::regex_error& error) {
    return net::make_error(
        net::ErrorKind::invalid_argument,
        flag + " '" + text + "': not a valid regular expression: " + error.what());
  }
}

// read_side: one side's paths, pooled; a missing file or malformed JSON is
// bad usage (exit 2), named by read_reports.
net::Result<bench::Report> read_side(const std::vector<std::string>& paths) {
  std::vector<fs::path> files(paths.begin(), paths.end());
  return bench::read_reports(files);
}

// Options resolved from flags and the config file.
net::Result<bench::CompareOptions> make_options(const CompareFlags& flags) {
  bench::CompareOptions options;
  options.alpha = flags.alpha;
  if (!(flags.alpha > 0 && flags.alpha < 1)) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           fmt::format("--alpha {}: must be between 0 and 1", flags.alpha));
  }
  if (!(flags.confidence > 0.5 && flags.confidence < 1)) {
    return net::make_error(
        net::ErrorKind::invalid_argument,
        fmt::format("--confidence {}: must be between 0.5 and 1", flags.confidence));
  }
  options.confidence = flags.confidence;
  auto threshold = bench::parse_fraction(flags.threshold);
  if (!threshold) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "--threshold: " + threshold.error().message);
  }
  options.threshold = *threshold;
  options.seed = flags.seed;
  options.paired = flags.paired;
  options.holm = !flags.no_holm;
  options.rounds_as_units = !flags.repetitions_as_samples;
  if (!flags.config.empty()) {
    auto text = read_text_file(flags.config, "--config");
    if (!text) return tl::unexpected(text.error());
    auto config = bench::parse_compare_config(*text, flags.config);
    if (!config) return tl::unexpected(config.error());
    if (config->alpha) options.alpha = *config->alpha;
    if (config->threshold) options.threshold = *config->threshold;
    if (!config->metrics.empty()) options.metrics = config->metrics;
    options.rules = config->rules;
  }
  // Flags given on the command line win over the config file.
  const std::vector<std::string> metrics = split_list(flags.metrics);
  if (!metrics.empty()) options.metrics = metrics;
  if (!flags.filter.empty()) {
    auto filter = compile_regex("--filter", flags.filter);
    if (!filter) return tl::unexpected(filter.error());
    options.filter = *filter;
    options.filter_text = flags.filter;
  }
  return options;
}

net::Status load_noise_floor(const CompareFlags& flags, bench::CompareOptions& options) {
  if (flags.noise_floor.empty()) return {};
  std::error_code error;
  if (!fs::exists(flags.noise_floor, error)) {
    return net::make_error(net::ErrorKind::not_found,
                           "--noise-floor '" + flags.noise_floor + "': no such file");
  }
  // A noise-floor file (bench run --aa), or benchmark results to split in halves.
  if (fs::is_regular_file(flags.noise_floor, error)) {
    auto text = read_text_file(flags.noise_floor, "--noise-floor");
    if (!text) return tl::unexpected(text.error());
    if (text->find("\"benchmarks\"") == std::string::npos ||
        text->find("\"faultline_noise_floor\"") != std::string::npos) {
      auto floors = bench::parse_noise_floor(*text, flags.noise_floor);
      if (!floors) return tl::unexpected(floors.error());
      options.noise_floor = std::move(*floors);
      return {};
    }
    auto parsed = bench::parse_report(*text, flags.noise_floor);
    if (parsed && !parsed->benchmarks.empty()) {
      options.noise_floor =
          bench::noise_floor_from_report(*parsed, options.metrics.front(), options);
      return {};
    }
    auto floors = bench::parse_noise_floor(*text, flags.noise_floor);
    if (!floors) return tl::unexpected(floors.error());
    options.noise_floor = std::move(*floors);
    return {};
  }
  auto report = bench::read_reports({fs::path(flags.noise_floor)});
  if (!report) return tl::unexpected(report.error());
  options.noise_floor = bench::noise_floor_from_report(*report, options.metrics.front(), options);
  return {};
}

int run_compare(const CompareFlags& flags) {
  // Everything the user typed is checked before any file is read.
  if (flags.fail_on != "none" && flags.fail_on != "regression") {
    return usage_error("--fail-on '" + flags.fail_on + "': expected regression or none");
  }
  const bool filters_mode = !flags.filters.empty();
  if (filters_mode && flags.filters.size() != 2) {
    return usage_error("--filters takes two regular expressions: OLD_REGEX NEW_REGEX");
  }
  std::vector<std::string> old_paths;
  std::vector<std::string> new_paths;
  if (filters_mode) {
    if (flags.positional.size() != 1 || !flags.more_old.empty() || !flags.more_new.empty()) {
      return usage_error(
          "--filters compares two families of ONE report: give one file or "
          "directory (faultline bench compare run.json --filters OLD NEW)");
    }
    old_paths = flags.positional;
  } else {
    if (flags.positional.size() > 2) {
      return usage_error(
          fmt::format("expected OLD and NEW, got {} paths (pool several files per "
                      "side with a directory or --old/--new)",
                      flags.positional.size()));
    }
    if (!flags.positional.empty()) old_paths.push_back(flags.positional[0]);
    if (flags.positional.size() > 1) new_paths.push_back(flags.positional[1]);
    old_paths.insert(old_paths.end(), flags.more_old.begin(), flags.more_old.end());
    new_paths.insert(new_paths.end(), flags.more_new.begin(), flags.more_new.end());
    if (old_paths.empty() || new_paths.empty()) {
      return usage_error("give OLD and NEW (Google Benchmark JSON files or directories of them)");
    }
  }
  if (auto probe = bench::render_format(bench::ComparisonReport{}, flags.format, false); !probe) {
    return usage_error(probe.error());
  }
  for (const auto& [flag, path] :
       std::vector<std::pair<std::string, std::string>>{{"--out", flags.out},
                                                        {"--markdown", flags.markdown_out},
                                                        {"--json", flags.json_out},
                                                        {"--junit", flags.junit_out},
                                                        {"--html", flags.html_out}}) {
    if (auto ok = check_writable(flag, path); !ok) return usage_error(ok.error());
  }
  auto options = make_options(flags);
  if (!options) return usage_error(options.error());
  if (auto floors = load_noise_floor(flags, *options); !floors) return usage_error(floors.error());

  auto old_report = read_side(old_paths);
  if (!old_report) return usage_error(old_report.error());
  bench::ComparisonReport report;
  if (filters_mode) {
    auto old_filter = compile_regex("--filters", flags.filters[0]);
    if (!old_filter) return usage_error(old_filter.error());
    auto new_filter = compile_regex("--filters", flags.filters[1]);
    if (!new_filter) return usage_error(new_filter.error());
    report = bench::compare_filters(*old_report, *old_filter, *new_filter, *options);
    report.old_label = old_paths.front() + " [" + flags.filters[0] + "]";
    report.new_label = old_paths.front() + " [" + flags.filters[1] + "]";
  } else {
    auto new_report = read_side(new_paths);
    if (!new_report) return usage_error(new_report.error());
    if (flags.strict) {
      const auto differences = bench::context_differences(*old_report, *new_report);
      if (!differences.empty()) {
        std::string text;
        for (const bench::ContextDifference& d : differences)
          text += fmt::format("\n  {}: {} vs {}", d.field, d.old_value, d.new_value);
        return usage_error("--strict: the two sides ran in different contexts:" + text);
      }
    }
    report = bench::compare_reports(*old_report, *new_report, *options);
    auto label = [](const std::vector<std::string>& paths) {
      std::string text;
      for (const std::string& path : paths)
        text += (text.empty() ? "" : " + ") + path;
      return text;
    };
    report.old_label = label(old_paths);
    report.new_label = label(new_paths);
  }
  if (!flags.noise_floor.empty()) {
    report.notes.push_back(fmt::format("noise floor from {} ({} benchmarks)", flags.noise_floor,
                                       options->noise_floor.size()));
  }
  if (report.rows.empty() && report.added.empty() && report.removed.empty()) {
    report.warnings.push_back(options->filter
                                  ? "no benchmark matched --filter '" + options->filter_text + "'"
                                  : "no benchmark to compare");
  }

  const bool color = !flags.no_color && flags.out.empty() && ::isatty(STDOUT_FILENO) != 0 &&
                     std::getenv("NO_COLOR") == nullptr;
  auto primary = bench::render_format(report, flags.format, color);
  if (!primary) return usage_error(primary.error());
  if (flags.out.empty()) {
    std::fwrite(primary->data(), 1, primary->size(), stdout);
  } else {
    if (auto written = write_atomically(flags.out, *primary); !written) {
      return runtime_error(written.error());
    }
    // The table still goes to the terminal (or the CI log).
    const std::string table =
        bench::render_text(report, {.color = !flags.no_color && ::isatty(STDOUT_FILENO) != 0 &&
                                             std::getenv("NO_COLOR") == nullptr});
    std::fwrite(table.data(), 1, table.size(), stdout);
    std::fprintf(stdout, "\n%s report: %s\n", flags.format.c_str(), flags.out.c_str());
  }
  for (const auto& [format, path] :
       std::vector<std::pair<std::string, std::string>>{{"md", flags.markdown_out},
                                                        {"json", flags.json_out},
                                                        {"junit", flags.junit_out},
                                                        {"html", flags.html_out}}) {
    if (path.empty()) continue;
    auto content = bench::render_format(report, format, false);
    if (auto written = write_atomically(path, *content); !written) {
      return runtime_error(written.error());
    }
  }
  std::fflush(stdout);
  if (flags.fail_on == "regression" && report.gated_regressions() > 0) {
    std::fprintf(stderr,
                 "faultline: bench compare: %zu gated regression(s) (--fail-on regression)\n",
                 report.gated_regressions());
    return 1;
  }
  return 0;
}

}  // namespace

void add_bench_compare_command(CLI::App* bench, int& exit_code) {
  auto flags = std::make_shared<CompareFlags>();
  auto* compare = bench->add_subcommand(
      "compare",
      "Compare two sets of Google Benchmark JSON results: medians with intervals, the ratio "
      "new/old with its interval, a Mann-Whitney test, a verdict per benchmark");
  compare->add_option("paths", flags->positional,
                      "OLD NEW: Google Benchmark JSON files or directories of them (with "
                      "--filters: one)");
  compare->add_option("--old", flags->more_old,
                      "another OLD file or directory to pool (repeatable)");
  compare->add_option("--new", flags->more_new,
                      "another NEW file or directory to pool (repeatable)");
  compare->add_option("--metric", flags->metrics,
                      "real_time (default), cpu_time, bytes_per_second, items_per_second, "
                      "instructions or any counter; repeat or comma-separate for several");
  compare->add_option("--alpha", flags->alpha, "significance level")->capture_default_str();
  compare
      ->add_option("--threshold", flags->threshold,
                   "smallest change that counts (5% or 0.05); raised to a benchmark's noise "
                   "floor when that is higher")
      ->capture_default_str();
  compare->add_option("--confidence", flags->confidence, "confidence level of the intervals")
      ->capture_default_str();
  compare
      ->add_option("--fail-on", flags->fail_on,
                   "regression: exit 1 when a gated benchmark regressed; none")
      ->capture_default_str();
  compare->add_option("--format", flags->format, "text, md, json, junit or html")
      ->capture_default_str();
  compare->add_option("--out", flags->out,
                      "write --format's output to FILE (the table still "
                      "prints)");
  compare->add_option("--markdown", flags->markdown_out, "also write Markdown to FILE");
  compare->add_option("--json", flags->json_out, "also write JSON to FILE");
  compare->add_option("--junit", flags->junit_out, "also write JUnit XML to FILE");
  compare->add_option("--html", flags->html_out, "also write the HTML report (SVG plots) to FILE");
  compare->add_option("--filter", flags->filter, "only benchmarks whose name matches REGEX");
  compare
      ->add_option("--filters", flags->filters,
                   "OLD_REGEX NEW_REGEX: compare two families of benchmarks of one report "
                   "(compare.py's filters mode)")
      ->expected(2);
  compare->add_option("--config", flags->config,
                      "JSON: alpha, threshold, metrics, and per-glob rules (direction, "
                      "threshold, gate)");
  compare->add_option("--noise-floor", flags->noise_floor,
                      "a noise-floor file (bench run --aa), or baseline results whose split "
                      "halves give each benchmark's A/A spread");
  compare->add_flag("--strict", flags->strict,
                    "refuse to compare results from different hosts, CPU counts, build types or "
                    "CPU scaling");
  compare->add_flag("--no-color", flags->no_color, "no colour in the terminal table");
  compare->add_flag("--paired", flags->paired,
                    "pair the two sides by round (results of bench ab, interleaved ABBA)");
  compare->add_flag("--repetitions-as-samples", flags->repetitions_as_samples,
                    "treat every repetition as a sample even where rounds (processes) were "
                    "recorded (by default each round's median is one sample)");
  compare->add_flag("--no-holm", flags->no_holm,
                    "do not adjust p-values for multiple comparisons (not recommended)");
  compare->add_option("--seed", flags->seed, "seed for any resampling")->capture_default_str();
  compare->callback([flags, &exit_code] { exit_code = run_compare(*flags); });
}

void register_bench_command(CLI::App& app, int& exit_code) {
  auto* bench = app.add_subcommand(
      "bench",
      "Benchmark reports: list and run the built-in benchmarks, A/B two commits, "
      "compare and gate Google Benchmark JSON, history over commits");
  bench->require_subcommand(1);
  add_bench_compare_command(bench, exit_code);
  add_bench_run_commands(bench, exit_code);
}

}  // namespace faultline::cli
