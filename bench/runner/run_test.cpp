#include "bench/runner/run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace faultline::bench::runner {
namespace {

using testing::ElementsAre;

TEST(SplitRepetitions, SpreadsTheRemainderOverTheFirstRounds) {
  EXPECT_THAT(split_repetitions(7, 3), ElementsAre(3, 2, 2));
  EXPECT_THAT(split_repetitions(6, 3), ElementsAre(2, 2, 2));
  EXPECT_THAT(split_repetitions(4, 2), ElementsAre(2, 2));
}

TEST(SplitRepetitions, NeverMoreRoundsThanRepetitions) {
  EXPECT_THAT(split_repetitions(2, 5), ElementsAre(1, 1));
  EXPECT_THAT(split_repetitions(0, 3), ElementsAre(1));
}

TEST(BenchmarkArgv, InterleavesRepeatsAndWritesJson) {
  EXPECT_THAT(
      benchmark_argv("/b/bench/echo_bench", 3, "/out/echo_bench.round1.json", "Epoll",
                     {"--benchmark_min_time=0.1"}),
      ElementsAre("/b/bench/echo_bench", "--benchmark_enable_random_interleaving=true",
                  "--benchmark_repetitions=3", "--benchmark_out=/out/echo_bench.round1.json",
                  "--benchmark_out_format=json", "--benchmark_filter=Epoll",
                  "--benchmark_min_time=0.1"));
}

TEST(BenchmarkArgv, NoFilterFlagWithoutAFilter) {
  const auto argv = benchmark_argv("x", 1, "o.json", "", {});
  EXPECT_EQ(argv.size(), 5u);
}

std::vector<BenchBinary> two_binaries() {
  return {BenchBinary{"echo_bench", "echo", "", {}}, BenchBinary{"proxy_bench", "proxy", "", {}}};
}

TEST(PlanRuns, RoundsOuterBinariesInnerWithSharedRepetitions) {
  RunOptions options;
  options.build_dir = "/b";
  options.out_dir = "/out";
  options.binaries = two_binaries();
  options.repetitions = 5;
  options.rounds = 2;
  const auto plan = plan_runs(options);
  ASSERT_EQ(plan.size(), 4u);
  EXPECT_EQ(plan[0].binary.name, "echo_bench");
  EXPECT_EQ(plan[0].round, 0);
  EXPECT_EQ(plan[0].repetitions, 3);
  EXPECT_EQ(plan[1].binary.name, "proxy_bench");
  EXPECT_EQ(plan[2].round, 1);
  EXPECT_EQ(plan[2].repetitions, 2);
  EXPECT_EQ(plan[3].file, "proxy_bench.round1.json");
  EXPECT_EQ(plan[3].out_file, std::filesystem::path("/out/proxy_bench.round1.json"));
  EXPECT_EQ(plan[3].argv[0], "/b/bench/proxy_bench");
  EXPECT_EQ(plan[3].half, "");
}

TEST(PlanRuns, HalvesRunAbbaByRound) {
  RunOptions options;
  options.build_dir = "/a-build";
  options.b_build_dir = "/b-build";
  options.out_dir = "/out";
  options.binaries = {two_binaries()[0]};
  options.repetitions = 4;
  options.rounds = 4;
  options.aa = true;
  const auto plan = plan_runs(options);
  std::vector<std::string> order;
  for (const PlannedRun& run : plan)
    order.push_back(std::to_string(run.round) + run.half);
  EXPECT_THAT(order, ElementsAre("0a", "0b", "1b", "1a", "2a", "2b", "3b", "3a"));
  EXPECT_EQ(plan[0].out_file, std::filesystem::path("/out/a/echo_bench.round0.json"));
  EXPECT_EQ(plan[0].argv[0], "/a-build/bench/echo_bench");
  EXPECT_EQ(plan[1].out_file, std::filesystem::path("/out/b/echo_bench.round0.json"));
  EXPECT_EQ(plan[1].argv[0], "/b-build/bench/echo_bench");
}

TEST(ManifestsFor, OnePerHalfListingOnlySuccessfulRuns) {
  RunOptions options;
  options.build_dir = "/b";
  options.out_dir = "/out";
  options.binaries = two_binaries();
  options.repetitions = 2;
  options.rounds = 2;
  options.aa = true;
  const auto plan = plan_runs(options);
  std::vector<RunOutcome> outcomes(plan.size());
  for (RunOutcome& outcome : outcomes)
    outcome.wrote_json = true;
  outcomes[2].status = 139;  // round 0, proxy_bench, half a crashed
  Manifest base;
  base.command = "faultline bench run --aa";
  const auto manifests = manifests_for(plan, outcomes, base);
  ASSERT_EQ(manifests.size(), 2u);
  EXPECT_EQ(manifests[0].first, "a");
  EXPECT_EQ(manifests[0].second.half, "a");
  EXPECT_EQ(manifests[0].second.files.size(), 3u);
  EXPECT_EQ(manifests[1].second.files.size(), 4u);
  EXPECT_EQ(manifests[1].second.files[0].file, "echo_bench.round0.json");
  EXPECT_EQ(manifests[1].second.files[0].round, 0);
}

TEST(BenchmarkNameOfLine, PicksRowsNotHeaders) {
  EXPECT_EQ(benchmark_name_of_line("BM_Parse/16        123 ns        122 ns         1000"),
            "BM_Parse/16");
  EXPECT_EQ(benchmark_name_of_line("Benchmark     Time    CPU   Iterations"), "");
  EXPECT_EQ(benchmark_name_of_line("-------------------------------"), "");
  EXPECT_EQ(benchmark_name_of_line("Run on (2 X 2400 MHz CPU s)"), "");
  EXPECT_EQ(benchmark_name_of_line("CPU Caches:"), "");
  EXPECT_EQ(benchmark_name_of_line("  L1 Data 32 KiB (x2)"), "");
}

}  // namespace
}  // namespace faultline::bench::runner
