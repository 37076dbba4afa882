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
