#include "bench/runner/cachegrind.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace faultline::bench::runner {
namespace {

constexpr std::string_view kCachegrindOut =
    "desc: I1 cache: 32768 B, 64 B, 8-way associative\n"
    "cmd: ./bench --benchmark_filter=^BM_X$\n"
    "events: Ir\n"
    "fl=???\n"
    "fn=0x0000000000001140\n"
    "0 12\n"
    "summary: 123456789\n";

TEST(ParseCachegrindTotals, ReadsEventsAndSummary) {
  auto totals = parse_cachegrind_totals(kCachegrindOut);
  ASSERT_TRUE(totals) << totals.error().message;
  EXPECT_EQ(totals->at("Ir"), 123456789u);
}

TEST(ParseCachegrindTotals, SeveralEvents) {
  auto totals = parse_cachegrind_totals("events: Ir I1mr ILmr\nsummary: 1000 20 3\n");
  ASSERT_TRUE(totals);
  EXPECT_EQ(totals->at("I1mr"), 20u);
  EXPECT_EQ(totals->at("ILmr"), 3u);
}

TEST(ParseCachegrindTotals, RejectsFilesWithoutASummary) {
  EXPECT_FALSE(parse_cachegrind_totals("events: Ir\nfn=main\n0 1\n"));
  EXPECT_FALSE(parse_cachegrind_totals(""));
  EXPECT_FALSE(parse_cachegrind_totals("events: Ir\nsummary: lots\n"));
}

TEST(InstructionsPerIteration, DifferenceOverDifference) {
  // 5000 instructions of startup, 40 per iteration.
  const CountedRun shorter{5000 + 40 * 100, 100, 0, 0};
  const CountedRun longer{5000 + 40 * 1100, 1100, 0, 0};
  auto per = instructions_per_iteration(shorter, longer);
  ASSERT_TRUE(per);
  EXPECT_DOUBLE_EQ(*per, 40);
}

TEST(InstructionsPerIteration, CountsProbeIterations) {
  const CountedRun shorter{5000 + 40 * (100 + 11), 100, 11, 0};
  const CountedRun longer{5000 + 40 * (1000 + 111), 1000, 111, 0};
  EXPECT_DOUBLE_EQ(*instructions_per_iteration(shorter, longer), 40);
}

TEST(InstructionsPerIteration, NoAddedIterationsIsAnError) {
  const CountedRun run{5000, 100, 0, 0};
  EXPECT_FALSE(instructions_per_iteration(run, run));
}

TEST(EstimateProbes, ReplaysGoogleBenchmarksSearch) {
  // 1 ms per iteration, min_time 0.5 s: 1 (1ms), 10 (10ms), 100 (100ms: > 10% of 0.5s,
  // so next = 100 * 0.7 / 0.1 = 700, reported).
  const ProbeEstimate probes = estimate_probes(1e-3, 0.5);
  EXPECT_EQ(probes.probes, 3);
  EXPECT_EQ(probes.iterations, 111u);
  // One iteration already takes longer than min_time: no probe.
  EXPECT_EQ(estimate_probes(1.0, 0.5).iterations, 0u);
  EXPECT_EQ(estimate_probes(0, 0.5).iterations, 0u);
}

TEST(RegexQuote, QuotesMetacharacters) {
  EXPECT_EQ(regex_quote("BM_X/8/threads:2"), "BM_X/8/threads:2");
  EXPECT_EQ(regex_quote("BM<a.b>(1)"), "BM<a\\.b>\\(1\\)");
}

TEST(CachegrindArgv, OneBenchmarkAloneWithoutCacheSimulation) {
  InstructionOptions options;
  options.valgrind = "/usr/bin/valgrind";
  options.repetitions = 3;
  EXPECT_THAT(cachegrind_argv(options, "/b/x_bench", "BM_X/8", 0.05, "/s/cg.out", "/s/run.json"),
              testing::ElementsAre("/usr/bin/valgrind", "--tool=cachegrind", "--cache-sim=no",
                                   "--cachegrind-out-file=/s/cg.out", "/b/x_bench",
                                   "--benchmark_filter=^BM_X/8$", "--benchmark_min_time=0.050000",
                                   "--benchmark_repetitions=3", "--benchmark_out=/s/run.json",
                                   "--benchmark_out_format=json", "--v=2"));
}

TEST(CountedRunFrom, SumsIterationRowsAndSkipsAggregates) {
  const std::string json = R"({"context": {}, "benchmarks": [
    {"name": "BM_X", "run_type": "iteration", "iterations": 700, "cpu_time": 1.0, "time_unit": "ms"},
    {"name": "BM_X", "run_type": "iteration", "iterations": 700, "cpu_time": 1.0, "time_unit": "ms"},
    {"name": "BM_X_mean", "run_type": "aggregate", "iterations": 2, "cpu_time": 1.0, "time_unit": "ms"}]})";
  auto run = counted_run_from(kCachegrindOut, json, 0.5);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->instructions, 123456789u);
  EXPECT_EQ(run->iterations, 1400u);
  EXPECT_EQ(run->probe_iterations, 111u);
  EXPECT_DOUBLE_EQ(run->seconds_per_iteration, 1e-3);
}

TEST(CountedRunFrom, CountsTheIterationsTheLogSaysRanWhateverTheTiming) {
  const std::string json = R"({"context": {}, "benchmarks": [
    {"name": "BM_X", "run_type": "iteration", "iterations": 700, "cpu_time": 1.0, "time_unit": "ms"},
    {"name": "BM_X", "run_type": "iteration", "iterations": 700, "cpu_time": 1.0, "time_unit": "ms"}]})";
  const std::string log =
      "-- LOG(2): Running BM_X for 1\n-- LOG(2): Ran in 1e-3/1e-3\n"
      "-- LOG(2): Running BM_X for 10\n-- LOG(2): Running BM_X for 100\n"
      "-- LOG(2): Running BM_X for 700\n-- LOG(2): Running BM_X for 700\n";
  auto run = counted_run_from(kCachegrindOut, json, 0.5, log);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->iterations, 1400u);
  EXPECT_EQ(run->probe_iterations, 111u);  // 1 + 10 + 100, counted, not estimated
  // A log that names fewer iterations than were reported is not believed.
  auto odd = counted_run_from(kCachegrindOut, json, 0.5, "-- LOG(2): Running BM_X for 5\n");
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->probe_iterations, 111u);  // the estimate
}

TEST(ExecutedIterations, SumsRunLinesAndIgnoresTheRest) {
  EXPECT_EQ(executed_iterations("-- LOG(2): Running BM_A/8 for 3\nnoise\n"
                                "-- LOG(2): Running BM_A/8 for 40\n-- LOG(2): Ran in 1/1\n"),
            43u);
  EXPECT_FALSE(executed_iterations("no log here\n").has_value());
  EXPECT_FALSE(executed_iterations("-- LOG(2): Running BM_A for many\n").has_value());
}

TEST(CountedRunFrom, BenchmarkErrorIsAnError) {
  const std::string json = R"({"benchmarks": [{"name": "BM_X", "run_type": "iteration",
    "error_occurred": true, "error_message": "no server"}]})";
  auto run = counted_run_from(kCachegrindOut, json, 0.5);
  ASSERT_FALSE(run);
  EXPECT_NE(run.error().message.find("no server"), std::string::npos);
}

TEST(InstructionsJson, GoogleBenchmarkShapeWithAnInstructionsCounter) {
  const auto json =
      instructions_json({{"BM_X", {40.5, 1e-6}}, {"BM_X", {40.0, 1e-6}}, {"BM_Y", {7, 2e-6}}},
                        "/b/x_bench", "box", 2, "2024-01-01T00:00:00Z");
  ASSERT_EQ(json["benchmarks"].size(), 3u);
  const auto& row = json["benchmarks"][1];
  EXPECT_EQ(row["name"], "BM_X");
  EXPECT_EQ(row["run_type"], "iteration");
  EXPECT_EQ(row["repetition_index"], 1);
  EXPECT_EQ(row["repetitions"], 2);
  EXPECT_EQ(row["instructions"], 40.0);
  EXPECT_EQ(row["time_unit"], "ns");
  EXPECT_DOUBLE_EQ(row["real_time"].get<double>(), 1000);
  EXPECT_EQ(json["context"]["host_name"], "box");
}

}  // namespace
}  // namespace faultline::bench::runner
