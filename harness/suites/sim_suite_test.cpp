#include "harness/suites/sim_suite.h"

#include <gtest/gtest.h>

#include "harness/suites/catalog.h"

namespace faultline::suites {
namespace {

Scenario scenario_named(const std::string& name) {
  auto found = select(catalog(Protocol::echo_tcp), name);
  EXPECT_EQ(found.size(), 1u) << name;
  return found.empty() ? Scenario{} : found.front();
}

TEST(SimSuite, GivesTheSameTraceHashAndVerdictOnEveryRun) {
  auto target = sim_target("echo-tcp").value();
  SuiteOptions options;
  options.scenarios = "echo-tcp/slicer-small,echo-tcp/latency,echo-tcp/reset-mid-stream";
  options.seed = 7;
  auto first = run_sim_suite(target, options);
  auto second = run_sim_suite(target, options);
  ASSERT_EQ(first.size(), 3u);
  ASSERT_EQ(second.size(), 3u);
  for (std::size_t i = 0; i < first.size(); ++i) {
    ASSERT_TRUE(first[i].trace_hash.has_value());
    EXPECT_EQ(first[i].trace_hash, second[i].trace_hash) << first[i].scenario;
    EXPECT_EQ(first[i].passed, second[i].passed) << first[i].scenario;
    EXPECT_TRUE(first[i].passed) << first[i].scenario << ": " << first[i].detail;
  }
}

TEST(SimSuite, ADifferentSeedGivesADifferentTrace) {
  auto target = sim_target("echo-tcp").value();
  auto scenario = scenario_named("echo-tcp/slicer-small");
  EXPECT_NE(run_in_sim(target, scenario, 1).trace_hash, run_in_sim(target, scenario, 2).trace_hash);
}

TEST(SimSuite, KillsTheUtf8PerReadMutantAsRealSocketsDo) {
  // On real sockets echo-tcp/slicer-1-byte kills mutant:utf8-per-read with an
  // integrity failure (the kill table); the simulator gives the same verdict.
  auto target = sim_target("mutant:utf8-per-read").value();
  auto result = run_in_sim(target, scenario_named("echo-tcp/slicer-1-byte"), 1);
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.broken, Invariant::integrity) << result.detail;
  EXPECT_EQ(result.replay,
            "faultline suite --network sim --builtin mutant:utf8-per-read --protocol echo-tcp "
            "--scenarios 'echo-tcp/slicer-1-byte' --seed 1");
  EXPECT_EQ(result.other_replay,
            "faultline suite --builtin mutant:utf8-per-read --protocol echo-tcp --scenarios "
            "'echo-tcp/slicer-1-byte' --seed 1");
  // With no fault each message arrives whole: the mutant survives, as it does
  // on real sockets.
  EXPECT_TRUE(run_in_sim(target, scenario_named("echo-tcp/baseline"), 1).passed);
}

TEST(SimSuite, NamesWhatItCannotHost) {
  EXPECT_FALSE(sim_target("mutant:send-no-loop").has_value());
  EXPECT_FALSE(sim_target("echo-udp").has_value());
  EXPECT_EQ(sim_refusal(scenario_named("echo-tcp/baseline")), "");
  EXPECT_NE(sim_refusal(scenario_named("echo-tcp/isolation")).find("isolation workload"),
            std::string::npos);
}

}  // namespace
}  // namespace faultline::suites
