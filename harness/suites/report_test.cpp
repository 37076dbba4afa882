#include "harness/suites/report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace faultline::suites {
namespace {

std::vector<ScenarioResult> sample() {
  ScenarioResult pass;
  pass.scenario = "echo-tcp/baseline";
  pass.target = "echo-tcp:epoll";
  pass.passed = true;
  pass.seed = 3;
  ScenarioResult fail;
  fail.scenario = "echo-tcp/stall";
  fail.target = "mutant:<x>";
  fail.passed = false;
  fail.broken = Invariant::liveness;
  fail.detail = "hung & \"stuck\" \x01";
  fail.seed = 3;
  fail.replay = "faultline suite --builtin mutant:x --scenarios 'echo-tcp/stall' --seed 3";
  return {pass, fail};
}

TEST(ReportTest, AVacuousPassIsMarkedInTheTableJsonAndJunit) {
  ScenarioResult r;
  r.scenario = "echo-tcp/reset-rare";
  r.target = "echo-tcp:epoll";
  r.passed = true;
  r.seed = 4;
  r.replay = "faultline suite --scenarios 'echo-tcp/reset-rare' --seed 4";
  r.coverage = {{"reset after=1KiB p=1%", 0}};
  r.vacuous = true;
  std::ostringstream out;
  print_table({r}, out);
  EXPECT_NE(out.str().find("VACUOUS echo-tcp/reset-rare"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("suite: 1 passed (1 vacuous), 0 failed"), std::string::npos)
      << out.str();
  auto json = nlohmann::json::parse(to_json({r}));
  EXPECT_EQ(json["vacuous"], 1);
  EXPECT_EQ(json["results"][0]["vacuous"], true);
  EXPECT_EQ(json["results"][0]["coverage"][0]["clause"], "reset after=1KiB p=1%");
  EXPECT_EQ(json["results"][0]["coverage"][0]["fired"], 0);
  auto junit = to_junit({r});
  EXPECT_NE(junit.find("skipped=\"1\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("<skipped message=\"vacuous: no fault of its profile fired\">"),
            std::string::npos)
      << junit;
}

TEST(ReportTest, TableEndsWithTheCountsAndListsReplayCommands) {
  std::ostringstream out;
  print_table(sample(), out);
  auto text = out.str();
  EXPECT_NE(text.find("PASS  echo-tcp/baseline"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL  echo-tcp/stall"), std::string::npos) << text;
  EXPECT_NE(text.find("replay the failures:\n  faultline suite --builtin mutant:x"),
            std::string::npos);
  EXPECT_NE(text.find("suite: 1 passed, 1 failed\n"), std::string::npos) << text;
}

TEST(ReportTest, JunitEscapesAndCountsFailures) {
  auto xml = to_junit(sample());
  EXPECT_NE(xml.find("tests=\"2\" failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("hung &amp; &quot;stuck&quot;"), std::string::npos) << xml;
  EXPECT_NE(xml.find("classname=\"mutant:&lt;x&gt;\""), std::string::npos) << xml;
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_NE(xml.find("<failure type=\"liveness\""), std::string::npos);
}

TEST(ReportTest, JsonParsesBack) {
  auto doc = nlohmann::json::parse(to_json(sample()));
  EXPECT_EQ(doc["passed"], 1);
  EXPECT_EQ(doc["failed"], 1);
  EXPECT_EQ(doc["results"][1]["invariant"], "liveness");
  EXPECT_EQ(doc["results"][1]["seed"], 3);
}

ScenarioResult rerun_failure(std::vector<RerunResult> reruns) {
  ScenarioResult r;
  r.scenario = "echo-tcp/limit-data";
  r.target = "echo-tcp:epoll";
  r.broken = Invariant::clarity;
  r.detail = "expected closed but got reset";
  r.seed = 5;
  r.reruns = std::move(reruns);
  r.stability = classify(r.reruns);
  return r;
}

RerunResult run_of(std::uint64_t seed, bool same_seed, bool passed) {
  RerunResult r;
  r.seed = seed;
  r.same_seed = same_seed;
  r.passed = passed;
  r.broken = Invariant::clarity;
  r.detail = passed ? "" : "again";
  return r;
}

TEST(RerunTest, ClassifiesBySameSeedThenFreshSeeds) {
  EXPECT_EQ(classify({}), Stability::not_rerun);
  EXPECT_EQ(classify({run_of(5, true, true), run_of(9, false, false)}), Stability::flaky);
  EXPECT_EQ(classify({run_of(5, true, false), run_of(9, false, true)}), Stability::seed_dependent);
  EXPECT_EQ(classify({run_of(5, true, false), run_of(9, false, false)}), Stability::consistent);
}

TEST(RerunTest, JunitMarksFlakyAndRerunFailuresAsSurefireDoes) {
  auto flaky =
      rerun_failure({run_of(5, true, false), run_of(5, true, true), run_of(9, false, true)});
  auto consistent = rerun_failure({run_of(5, true, false), run_of(9, false, false)});
  auto xml = to_junit({flaky, consistent});
  // The flaky case: no <failure>, a <flakyFailure> for the first run and each failed rerun.
  auto first = xml.find("<testcase");
  auto second = xml.find("<testcase", first + 1);
  auto flaky_case = xml.substr(first, second - first);
  EXPECT_EQ(flaky_case.find("<failure"), std::string::npos) << flaky_case;
  EXPECT_NE(flaky_case.find("<flakyFailure type=\"clarity\""), std::string::npos) << flaky_case;
  EXPECT_NE(flaky_case.find("seed 5 (same seed)</flakyFailure>"), std::string::npos) << flaky_case;
  // The consistent one: <failure>, then <rerunFailure> per failed rerun.
  auto failed_case = xml.substr(second);
  EXPECT_NE(failed_case.find("<failure type=\"clarity\""), std::string::npos) << failed_case;
  EXPECT_NE(failed_case.find("<rerunFailure"), std::string::npos) << failed_case;
  EXPECT_NE(failed_case.find("seed 9 (fresh seed)</rerunFailure>"), std::string::npos);
  EXPECT_NE(xml.find("tests=\"2\" failures=\"1\" flakes=\"1\""), std::string::npos) << xml;
}

TEST(RerunTest, TableCountsFlakyApartAndJsonKeepsEveryRerun) {
  auto flaky = rerun_failure({run_of(5, true, true), run_of(9, false, true)});
  std::ostringstream out;
  print_table({flaky}, out);
  EXPECT_NE(out.str().find("FLAKY echo-tcp/limit-data"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("suite: 0 passed, 0 failed, 1 flaky"), std::string::npos) << out.str();
  auto doc = nlohmann::json::parse(to_json({flaky}));
  EXPECT_EQ(doc["flaky"], 1);
  EXPECT_EQ(doc["results"][0]["stability"], "flaky");
  EXPECT_EQ(doc["results"][0]["reruns"].size(), 2u);
}

TEST(ReportTest, AtomicWriteLeavesNoTemporaryAndReportsBadPaths) {
  auto dir =
      std::filesystem::temp_directory_path() / ("faultline-report-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "r.json").string();
  ASSERT_TRUE(write_file_atomically(path, "{}\n"));
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  auto bad = write_file_atomically((dir / "missing" / "r.json").string(), "{}");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("missing"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace faultline::suites
