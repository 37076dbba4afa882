// The campaign: its config, its report from known job results, and the real
// command running the suites into a report directory.
#include "cli/campaign/campaign.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "fuzz/campaign/child_process.h"

namespace faultline::campaign {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

TEST(CampaignConfig, EveryKeyIsReadAndAnUnknownOneIsNamed) {
  auto config = parse_config(R"({"out": "r", "time": "90s", "seed": 7, "suites": false,
      "scenarios": "echo-tcp/*", "fuzz": ["url", "http_request"], "fuzz-time": "20s",
      "bench": "http_parser_bench", "baseline": "main", "threshold": "3%", "gate": false,
      "bench-repetitions": 8, "bench-rounds": 4, "bench-filter": "Parse/16$",
      "metric": "instructions", "bench-build": false, "store": "s", "live": false})");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->out, "r");
  EXPECT_EQ(config->time, std::chrono::seconds(90));
  EXPECT_EQ(config->seed, 7u);
  EXPECT_FALSE(config->suites);
  EXPECT_EQ(config->fuzzers, (std::vector<std::string>{"url", "http_request"}));
  EXPECT_EQ(config->fuzz_time, std::chrono::seconds(20));
  EXPECT_EQ(config->benchmarks, (std::vector<std::string>{"http_parser_bench"}));
  EXPECT_FALSE(config->gate);
  EXPECT_EQ(config->bench_rounds, 4);
  EXPECT_EQ(config->bench_filter, "Parse/16$");
  EXPECT_EQ(config->metric, "instructions");
  EXPECT_FALSE(config->bench_build);
  EXPECT_FALSE(config->live);
  // The keys are the flags: config_json prints every one of them back.
  for (const auto& key : config_keys())
    EXPECT_TRUE(config_json(*config).contains(key)) << key;
  auto unknown = parse_config(R"({"tiem": "5m"})");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown key 'tiem'"), std::string::npos);
  auto wrong = parse_config(R"({"gate": "yes"})");
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("'gate' must be true or false"), std::string::npos);
  auto metric = parse_config(R"({"metric": "cycles"})");
  ASSERT_FALSE(metric);
  EXPECT_NE(metric.error().message.find("'metric' must be \"time\" or \"instructions\""),
            std::string::npos)
      << metric.error().message;
  auto duration = parse_config(R"({"time": "5 parsecs"})");
  ASSERT_FALSE(duration);
  EXPECT_NE(duration.error().message.find("'time'"), std::string::npos);
  EXPECT_FALSE(parse_config("[1, 2]"));
  EXPECT_FALSE(parse_config("{not json"));
}

// Three finished jobs, each with one bad result.
std::vector<JobResult> known_jobs() {
  JobResult suites{"suites",
                   "failed",
                   "1 passed, 1 failed",
                   12.5,
                   1,
                   "suites/log.txt",
                   json::parse(R"({"passed": 1, "failed": 1, "flaky": 0, "results": [
      {"scenario": "echo-tcp/baseline", "target": "t", "passed": true, "seconds": 0.1,
       "detail": "ok", "replay": "r0"},
      {"scenario": "echo-tcp/slicer<1>", "target": "t", "passed": false, "seconds": 2,
       "invariant": "integrity", "detail": "bytes & order", "replay": "faultline suite --x"}]})")};
  JobResult fuzz{"fuzz",
                 "failed",
                 "1 new crash",
                 30,
                 1,
                 "fuzz/log.txt",
                 json::parse(R"({"targets": [{"name": "url", "execs": 1000, "exec_per_sec": 33,
      "coverage": 120, "new_units": 4, "seconds": 30,
      "samples": [{"seconds": 1, "coverage": 100}, {"seconds": 30, "coverage": 120}],
      "crashes": [{"id": "abc", "kind": "AddressSanitizer: heap-buffer-overflow",
                   "summary": "in parse", "reproduce": "url_fuzzer crash-abc", "is_new": true}]}]})")};
  JobResult bench{"bench",
                  "regressed",
                  "1 regressed",
                  60,
                  1,
                  "bench/log.txt",
                  json::parse(R"({"threshold": 0.05, "counts": {"regressed": 1}, "benchmarks": [
      {"name": "BM_Parse", "metric": "real_time", "verdict": "regressed", "ratio": 1.2,
       "ci_low": 1.1, "ci_high": 1.3, "p_adjusted": 0.01, "gated": true, "new_median": 120},
      {"name": "BM_Other", "metric": "real_time", "verdict": "unchanged", "ratio": 1.0,
       "ci_low": 0.98, "ci_high": 1.02, "p_adjusted": 0.9, "gated": true, "new_median": 50}]})")};
  return {suites, fuzz, bench};
}

TEST(CampaignReport, JUnitHasEveryScenarioFuzzerAndBenchmarkWithTheirFailures) {
  auto summary = summarize(Config{}, known_jobs(), json{{"commit", "abc"}}, 1);
  EXPECT_EQ(summary["faultline_campaign"], 1);
  EXPECT_EQ(summary["jobs"].size(), 3u);
  const std::string xml = to_junit(summary);
  EXPECT_NE(xml.find("tests=\"5\" failures=\"3\" errors=\"0\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"echo-tcp/slicer&lt;1&gt;\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("bytes &amp; order"), std::string::npos) << xml;
  EXPECT_NE(xml.find("url_fuzzer crash-abc"), std::string::npos) << xml;
}

TEST(CampaignReport, ThePageLeadsWithVerdictsAndFailuresAndDrawsItsPlots) {
  auto summary = summarize(Config{}, known_jobs(), json{{"commit", "abc"}, {"dirty", true}}, 1);
  std::vector<json> history = {trend_record(summary), trend_record(summary)};
  const std::string html = to_html(summary, history);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("faultline campaign: FAILED"), std::string::npos);
  EXPECT_NE(html.find("REGRESSED"), std::string::npos);
  EXPECT_NE(html.find("<svg class=\"forest\""), std::string::npos);
  EXPECT_NE(html.find("<svg class=\"spark\""), std::string::npos);
  EXPECT_NE(html.find("(dirty tree)"), std::string::npos);
  // The failed scenario comes before the passed one.
  EXPECT_LT(html.find("echo-tcp/slicer&lt;1&gt;"), html.find("echo-tcp/baseline"));
  EXPECT_EQ(html.find("<script"), std::string::npos) << "no script, nothing fetched";
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(CampaignReport, ThePageLoadsInHeadlessChromiumWithItsPlots) {
  if (std::system("command -v chromium >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "chromium is not installed (Debian package chromium): the page is not "
                    "rendered in a browser";
  }
  auto summary = summarize(Config{}, known_jobs(), json{{"commit", "abc"}}, 1);
  const auto page = fs::temp_directory_path() /
                    ("faultline-campaign-page-" + std::to_string(::getpid()) + ".html");
  std::ofstream(page) << to_html(summary, {trend_record(summary), trend_record(summary)});
  auto rendered = fuzz::run_and_capture({"chromium", "--headless", "--no-sandbox", "--disable-gpu",
                                         "--dump-dom", "file://" + page.string()},
                                        {}, std::chrono::seconds(120));
  fs::remove(page);
  ASSERT_TRUE(rendered) << rendered.error().to_string();
  EXPECT_FALSE(rendered->timed_out);
  EXPECT_EQ(rendered->status, 0) << rendered->output;
  // The DOM as the browser built it: the title, the forest plot, the sparklines.
  EXPECT_NE(rendered->output.find("<title>faultline campaign: FAILED</title>"), std::string::npos)
      << rendered->output;
  EXPECT_NE(rendered->output.find("<svg class=\"forest\""), std::string::npos);
  EXPECT_NE(rendered->output.find("<svg class=\"spark\""), std::string::npos);
  EXPECT_NE(rendered->output.find("<circle"), std::string::npos);
}

struct CommandRun {
  int status = -1;
  std::string output;
};

CommandRun faultline(std::vector<std::string> arguments, const fuzz::Environment& environment = {},
                     std::chrono::seconds timeout = std::chrono::seconds(240)) {
  arguments.insert(arguments.begin(), FAULTLINE_BINARY);
  auto result = fuzz::run_and_capture(arguments, environment, timeout);
  EXPECT_TRUE(result) << result.error().to_string();
  if (!result) return {};
  EXPECT_FALSE(result->timed_out);
  return CommandRun{result->status, result->output};
}

json read_json(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str(), nullptr, false);
}

class CampaignCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("faultline-campaign-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(CampaignCommand, RunsTheSuitesIntoOneReportAndKeepsAHistory) {
  const std::vector<std::string> arguments = {"campaign",
                                              "--builtin",
                                              "echo-tcp",
                                              "--scenarios",
                                              "echo-tcp/baseline,echo-tcp/slicer-small",
                                              "--out",
                                              (dir_ / "report").string(),
                                              "--store",
                                              (dir_ / "store").string(),
                                              "--time",
                                              "3m"};
  const CommandRun first = faultline(arguments);
  EXPECT_EQ(first.status, 0) << first.output;
  // Not a terminal (a pipe): every line of the job streams, with no escape
  // sequence of the live block.
  EXPECT_NE(first.output.find("[suites] "), std::string::npos) << first.output;
  EXPECT_EQ(first.output.find('\033'), std::string::npos) << first.output;
  const json summary = read_json(dir_ / "report" / "summary.json");
  ASSERT_FALSE(summary.is_discarded());
  ASSERT_EQ(summary["jobs"].size(), 1u);
  EXPECT_EQ(summary["jobs"][0]["status"], "passed") << summary.dump(2);
  EXPECT_EQ(summary["jobs"][0]["data"]["passed"], 2);
  EXPECT_TRUE(fs::exists(dir_ / "report" / "junit.xml"));
  const CommandRun second = faultline(arguments);
  EXPECT_EQ(second.status, 0) << second.output;
  std::ifstream page(dir_ / "report" / "index.html");
  std::stringstream html;
  html << page.rdbuf();
  EXPECT_NE(html.str().find("suite pass rate"), std::string::npos) << "a trend from two runs";
}

TEST_F(CampaignCommand, AJobThatCannotRunIsReportedAndTheReportIsStillWritten) {
  const CommandRun run =
      faultline({"campaign", "--protocol", "smtp", "--target", "127.0.0.1:1", "--out",
                 (dir_ / "report").string(), "--store", (dir_ / "store").string(), "--time", "1m"});
  EXPECT_EQ(run.status, 1) << run.output;
  const json summary = read_json(dir_ / "report" / "summary.json");
  ASSERT_FALSE(summary.is_discarded()) << run.output;
  EXPECT_EQ(summary["jobs"][0]["status"], "error");
  EXPECT_NE(summary["jobs"][0]["detail"].get<std::string>().find("smtp"), std::string::npos)
      << summary.dump(2);
  EXPECT_TRUE(fs::exists(dir_ / "report" / "index.html"));
}

TEST_F(CampaignCommand, BadUsageIsRefusedBeforeAnyJob) {
  const CommandRun nothing = faultline({"campaign", "--suites", "false", "--out", dir_.string()});
  EXPECT_EQ(nothing.status, 2) << nothing.output;
  EXPECT_NE(nothing.output.find("nothing to run"), std::string::npos) << nothing.output;
  fs::create_directories(dir_);
  std::ofstream(dir_ / "c.json") << R"({"tiem": "1m"})";
  const CommandRun config = faultline({"campaign", "--config", (dir_ / "c.json").string()});
  EXPECT_EQ(config.status, 2) << config.output;
  EXPECT_NE(config.output.find("unknown key 'tiem'"), std::string::npos) << config.output;
  const CommandRun metric = faultline(
      {"campaign", "--bench", "http_parser_bench", "--metric", "cycles", "--out", dir_.string()});
  EXPECT_EQ(metric.status, 2) << metric.output;
  EXPECT_NE(metric.output.find("faultline: bad usage: --metric 'cycles'"), std::string::npos)
      << metric.output;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

#ifdef FAULTLINE_BENCH_RUNNER_FIXTURE
// The demonstration the campaign exists for, on a real benchmark process: a
// baseline recorded by one campaign, a benchmark slowed on purpose (the
// fixture sums its array 10 times per iteration), and the next campaign
// against that baseline names it regressed and exits 1, while the benchmark
// nobody touched stays unchanged. Instruction counts, so load cannot move
// the verdicts.
TEST_F(CampaignCommand, ABenchmarkSlowedOnPurposeIsCaughtAgainstTheRecordedBaseline) {
  if (std::system("command -v valgrind >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "valgrind is not installed (Debian package valgrind): no instruction counts";
  }
  // A source tree of one benchmark binary, laid out as `bench run` finds it.
  const fs::path tree = dir_ / "tree";
  fs::create_directories(tree / "fuzz");
  fs::create_directories(tree / "bench");
  fs::create_directories(tree / "build" / "bench" / "bench");
  std::ofstream(tree / "CMakePresets.json") << "{}\n";
  std::ofstream(tree / "fuzz" / "standalone_driver.cpp") << "\n";
  std::ofstream(tree / "bench" / "fixture_bench.cpp")
      << "// bench/fixture_bench.cpp: sums an array; the other benchmark does nothing.\n";
  fs::create_symlink(FAULTLINE_BENCH_RUNNER_FIXTURE,
                     tree / "build" / "bench" / "bench" / "fixture_bench");
  auto arguments = [&](const std::string& out) {
    return std::vector<std::string>{"campaign",
                                    "--suites",
                                    "false",
                                    "--bench",
                                    "fixture_bench",
                                    "--bench-build",
                                    "false",
                                    "--metric",
                                    "instructions",
                                    "--bench-repetitions",
                                    "5",
                                    "--bench-rounds",
                                    "1",
                                    "--store",
                                    (dir_ / "store").string(),
                                    "--time",
                                    "6m",
                                    "--out",
                                    (dir_ / out).string()};
  };
  // Each run has its whole --time budget, and then some, before it is killed:
  // cachegrind on a busy machine is slow, never wrong.
  const auto timeout = std::chrono::seconds(420);
  const CommandRun fast =
      faultline(arguments("fast"), {{"FAULTLINE_SOURCE_DIR", tree.string()}}, timeout);
  ASSERT_EQ(fast.status, 0) << fast.output;
  const json recorded = read_json(dir_ / "fast" / "summary.json");
  ASSERT_FALSE(recorded.is_discarded()) << fast.output;
  EXPECT_EQ(recorded["jobs"][0]["status"], "no_baseline") << recorded.dump(2);
  const fs::path baseline = dir_ / "fast" / "bench" / "new";
  ASSERT_TRUE(fs::exists(baseline / "manifest.json")) << fast.output;

  auto slow_arguments = arguments("slow");
  slow_arguments.insert(slow_arguments.end(), {"--baseline", baseline.string()});
  const CommandRun slow = faultline(
      slow_arguments,
      {{"FAULTLINE_SOURCE_DIR", tree.string()}, {"FAULTLINE_FIXTURE_SLOWDOWN", "10"}}, timeout);
  EXPECT_EQ(slow.status, 1) << slow.output;
  EXPECT_NE(slow.output.find("bench regressed"), std::string::npos) << slow.output;
  const json summary = read_json(dir_ / "slow" / "summary.json");
  ASSERT_FALSE(summary.is_discarded()) << slow.output;
  const json& job = summary["jobs"][0];
  EXPECT_EQ(job["status"], "regressed") << job.dump(2);
  std::map<std::string, json> rows;
  for (const json& row : job["data"]["benchmarks"])
    rows[row["name"].get<std::string>()] = row;
  ASSERT_TRUE(rows.contains("BM_SumArray/256")) << job.dump(2);
  ASSERT_TRUE(rows.contains("BM_Nothing")) << job.dump(2);
  EXPECT_EQ(rows["BM_SumArray/256"]["metric"], "instructions");
  EXPECT_EQ(rows["BM_SumArray/256"]["verdict"], "regressed") << rows["BM_SumArray/256"].dump(2);
  EXPECT_GT(rows["BM_SumArray/256"]["ratio"].get<double>(), 5.0);
  EXPECT_EQ(rows["BM_Nothing"]["verdict"], "unchanged") << rows["BM_Nothing"].dump(2);

  const std::string junit = read_text(dir_ / "slow" / "junit.xml");
  EXPECT_NE(junit.find("tests=\"2\" failures=\"1\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("name=\"BM_SumArray/256 instructions\" time=\"0.000\">"), std::string::npos)
      << junit;
  const std::string html = read_text(dir_ / "slow" / "index.html");
  EXPECT_NE(html.find("faultline campaign: FAILED"), std::string::npos);
  EXPECT_NE(html.find("REGRESSED"), std::string::npos);
  EXPECT_NE(html.find("BM_SumArray/256"), std::string::npos);
  EXPECT_NE(html.find("<svg class=\"forest\""), std::string::npos);
}
#endif

}  // namespace
}  // namespace faultline::campaign
