// bench/runner/integration/run_integration_test.cpp: `bench run`'s engine on
// a real Google Benchmark process (bench_runner_fixture): rounds, JSON files,
// the manifest; and cachegrind's instruction counts when valgrind is there.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "bench/runner/cachegrind.h"
#include "bench/runner/run.h"
#include "harness/suites/cpu_burner.h"

namespace faultline::bench::runner {
namespace {

namespace fs = std::filesystem;

const fs::path kFixture = FAULTLINE_BENCH_RUNNER_FIXTURE;

BenchBinary fixture_binary() {
  return BenchBinary{kFixture.filename().string(), "fixture", "a tiny benchmark", {}};
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() /
                       ("bench_runner_integration_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in, nullptr, false);
}

TEST(RunEngine, TwoRoundsOfTwoRepetitionsWriteJsonAndAManifest) {
  const fs::path out = fresh_dir("run");
  RunOptions options;
  options.build_dir = kFixture.parent_path().parent_path();
  options.out_dir = out;
  options.binaries = {fixture_binary()};
  options.repetitions = 4;
  options.rounds = 2;
  options.benchmark_args = {"--benchmark_min_time=0.01"};
  const auto plan = plan_runs(options);
  ASSERT_EQ(plan.size(), 2u);
  std::vector<RunOutcome> outcomes;
  std::vector<std::string> seen;
  for (const PlannedRun& run : plan) {
    auto outcome = execute_run(run, std::chrono::seconds(300), [&](const std::string& line) {
      if (auto name = benchmark_name_of_line(line); !name.empty()) seen.push_back(name);
    });
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_TRUE(outcome->ok()) << "status " << outcome->status << ", log "
                               << outcome->log_file.string();
    outcomes.push_back(*outcome);
  }
  EXPECT_FALSE(seen.empty()) << "no console rows seen";
  Manifest base;
  base.context.commit = "test";
  base.command = "integration test";
  const auto manifests = manifests_for(plan, outcomes, base);
  ASSERT_EQ(manifests.size(), 1u);
  ASSERT_TRUE(write_manifest(out, manifests[0].second));

  const nlohmann::json manifest = read_json(out / "manifest.json");
  ASSERT_FALSE(manifest.is_discarded());
  EXPECT_EQ(manifest["faultline_manifest"], 1);
  ASSERT_EQ(manifest["files"].size(), 2u);
  for (int round = 0; round < 2; ++round) {
    const nlohmann::json& file = manifest["files"][static_cast<std::size_t>(round)];
    EXPECT_EQ(file["round"], round);
    EXPECT_EQ(file["binary"], "bench_runner_fixture");
    const nlohmann::json report = read_json(out / file["file"].get<std::string>());
    ASSERT_FALSE(report.is_discarded()) << file["file"];
    int sum_array_rows = 0;
    for (const nlohmann::json& row : report["benchmarks"]) {
      if (row["name"] == "BM_SumArray/256" && row["run_type"] == "iteration") {
        ++sum_array_rows;
        EXPECT_GT(row["real_time"].get<double>(), 0);
      }
    }
    EXPECT_EQ(sum_array_rows, 2) << "2 repetitions per round";
  }
  fs::remove_all(out);
}

TEST(RunEngine, CrashingBinaryIsAFailedOutcome) {
  const fs::path out = fresh_dir("crash");
  PlannedRun run;
  run.binary = fixture_binary();
  run.out_file = out / "x.round0.json";
  run.argv = {"/bin/sh", "-c", "kill -SEGV $$"};
  auto outcome = execute_run(run, std::chrono::seconds(60), nullptr);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_FALSE(outcome->ok());
  EXPECT_EQ(outcome->status, 128 + SIGSEGV);
  fs::remove_all(out);
}

TEST(Cachegrind, InstructionsPerIterationArePositiveAndStable) {
  auto valgrind = find_valgrind();
  if (!valgrind) GTEST_SKIP() << valgrind.error().message;
  auto names = list_benchmarks(kFixture, "SumArray", {});
  ASSERT_TRUE(names) << names.error().message;
  ASSERT_EQ(*names, std::vector<std::string>{"BM_SumArray/256"});
  InstructionOptions options;
  options.valgrind = *valgrind;
  options.scratch_dir = fresh_dir("cachegrind");
  // Both cores busy: a count must not depend on the machine's load.
  suites::CpuBurner burner(suites::CpuBurner::cores(), std::chrono::minutes(5));
  ASSERT_TRUE(burner.start());
  double counts[2] = {0, 0};
  for (double& count : counts) {
    auto sample = measure_instructions(kFixture, names->front(), options);
    ASSERT_TRUE(sample) << sample.error().message;
    count = sample->per_iteration;
  }
  EXPECT_TRUE(burner.running());
  burner.stop();
  std::printf("BM_SumArray/256: %.1f and %.1f instructions per iteration (cores busy)\n", counts[0],
              counts[1]);
  // 256 additions and their loop: some hundreds of instructions (a debug
  // build does more), the same both times to within 0.5%: the iterations
  // really run are counted from the library's log, not estimated from times.
  EXPECT_GT(counts[0], 256);
  EXPECT_GT(counts[1], 256);
  EXPECT_NEAR(counts[1] / counts[0], 1.0, 0.005) << counts[0] << " vs " << counts[1];
  fs::remove_all(options.scratch_dir);
}

}  // namespace
}  // namespace faultline::bench::runner
