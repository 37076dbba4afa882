// cli/integration/bench_compare_cli_test.cpp: `faultline bench compare` as a
// user runs it: the real binary, real files, exit statuses and outputs.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fuzz/campaign/child_process.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;

// BenchFile: a Google Benchmark JSON file with `repetitions` iteration rows
// per benchmark, times spread by +-1% around each centre.
std::string bench_json(const std::vector<std::pair<std::string, double>>& centres, int repetitions,
                       const std::string& host = "host-a") {
  nlohmann::json document;
  document["context"] = {{"host_name", host},
                         {"num_cpus", 2},
                         {"library_build_type", "release"},
                         {"executable", "./fixture_bench"}};
  document["benchmarks"] = nlohmann::json::array();
  for (const auto& [name, centre] : centres) {
    for (int i = 0; i < repetitions; ++i) {
      const double time =
          centre * (1.0 + 0.02 * (static_cast<double>(i) / (repetitions - 1) - 0.5));
      document["benchmarks"].push_back({{"name", name},
                                        {"run_name", name},
                                        {"run_type", "iteration"},
                                        {"repetitions", repetitions},
                                        {"repetition_index", i},
                                        {"threads", 1},
                                        {"iterations", 1000},
                                        {"real_time", time},
                                        {"cpu_time", time},
                                        {"time_unit", "ns"}});
    }
  }
  return document.dump(2);
}

class BenchCompareCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("faultline-bench-cli-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << content;
    return path.string();
  }

  fuzz::RunResult faultline(std::vector<std::string> args) {
    args.insert(args.begin(), {FAULTLINE_BINARY, "bench", "compare"});
    auto result = fuzz::run_and_capture(args, {{"NO_COLOR", "1"}}, std::chrono::seconds(60));
    EXPECT_TRUE(result) << result.error().message;
    EXPECT_FALSE(result->timed_out);
    return *result;
  }

  fs::path dir_;
};

TEST_F(BenchCompareCliTest, SameFileTwiceExitsZeroWithNoRegression) {
  const std::string file = write("a.json", bench_json({{"BM_A", 100}, {"BM_B", 2000}}, 10));
  const auto result = faultline({file, file, "--fail-on", "regression", "--format", "json"});
  ASSERT_EQ(result.status, 0) << result.output;
  const nlohmann::json report = nlohmann::json::parse(result.output);
  ASSERT_EQ(report["benchmarks"].size(), 2u);
  for (const nlohmann::json& row : report["benchmarks"])
    EXPECT_EQ(row["verdict"], "unchanged");
}

TEST_F(BenchCompareCliTest, RegressionFailsOnlyWithFailOn) {
  const std::string old_file = write("old.json", bench_json({{"BM_A", 100}, {"BM_B", 50}}, 10));
  const std::string new_file = write("new.json", bench_json({{"BM_A", 130}, {"BM_B", 50}}, 10));
  const auto gated = faultline({old_file, new_file, "--fail-on", "regression"});
  EXPECT_EQ(gated.status, 1) << gated.output;
  EXPECT_NE(gated.output.find("regressed"), std::string::npos);
  const auto ungated = faultline({old_file, new_file});
  EXPECT_EQ(ungated.status, 0) << ungated.output;
}

TEST_F(BenchCompareCliTest, WritesEveryFormatWithTheRequiredFields) {
  const std::string old_file = write("old.json", bench_json({{"BM_A", 100}, {"BM_B", 50}}, 10));
  const std::string new_file = write("new.json", bench_json({{"BM_A", 130}, {"BM_C", 50}}, 10));
  const std::string json_path = (dir_ / "out.json").string();
  const std::string junit_path = (dir_ / "out.xml").string();
  const std::string html_path = (dir_ / "out.html").string();
  const std::string md_path = (dir_ / "out.md").string();
  const auto result = faultline({old_file, new_file, "--json", json_path, "--junit", junit_path,
                                 "--html", html_path, "--markdown", md_path});
  ASSERT_EQ(result.status, 0) << result.output;
  std::ifstream json_in(json_path);
  const nlohmann::json report = nlohmann::json::parse(json_in);
  EXPECT_EQ(report["version"], 1);
  ASSERT_EQ(report["benchmarks"].size(), 1u);
  const nlohmann::json& row = report["benchmarks"][0];
  for (const char* key :
       {"name", "metric", "verdict", "ratio", "ci_low", "ci_high", "p_value", "n_old", "n_new"}) {
    EXPECT_TRUE(row.contains(key)) << key;
  }
  EXPECT_EQ(row["verdict"], "regressed");
  EXPECT_EQ(report["added"], nlohmann::json::array({"BM_C"}));
  EXPECT_EQ(report["removed"], nlohmann::json::array({"BM_B"}));
  std::ifstream junit_in(junit_path);
  const std::string junit((std::istreambuf_iterator<char>(junit_in)), {});
  EXPECT_NE(junit.find("<failure"), std::string::npos);
  std::ifstream html_in(html_path);
  const std::string html((std::istreambuf_iterator<char>(html_in)), {});
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_TRUE(fs::file_size(md_path) > 0);
}

TEST_F(BenchCompareCliTest, FiltersModeComparesTwoFamiliesOfOneFile) {
  const std::string file =
      write("one.json", bench_json({{"BM_Parse_Raw/16", 100}, {"BM_Parse_Wrapper/16", 150}}, 10));
  const auto result = faultline({file, "--filters", "Raw", "Wrapper", "--format", "json"});
  ASSERT_EQ(result.status, 0) << result.output;
  const nlohmann::json report = nlohmann::json::parse(result.output);
  ASSERT_EQ(report["benchmarks"].size(), 1u);
  EXPECT_EQ(report["benchmarks"][0]["name"], "BM_Parse_[Raw vs Wrapper]/16");
  EXPECT_EQ(report["benchmarks"][0]["verdict"], "regressed");
}

TEST_F(BenchCompareCliTest, StrictRefusesDifferentHosts) {
  const std::string old_file = write("old.json", bench_json({{"BM_A", 100}}, 6, "host-a"));
  const std::string new_file = write("new.json", bench_json({{"BM_A", 100}}, 6, "host-b"));
  const auto loose = faultline({old_file, new_file});
  EXPECT_EQ(loose.status, 0) << loose.output;
  EXPECT_NE(loose.output.find("host-b"), std::string::npos) << loose.output;
  const auto strict = faultline({old_file, new_file, "--strict"});
  EXPECT_EQ(strict.status, 2) << strict.output;
  EXPECT_NE(strict.output.find("host_name: host-a vs host-b"), std::string::npos) << strict.output;
}

TEST_F(BenchCompareCliTest, BadInputIsExitTwoNamingWhatIsWrong) {
  const std::string good = write("good.json", bench_json({{"BM_A", 100}}, 6));
  const std::string truncated =
      write("truncated.json", bench_json({{"BM_A", 100}}, 6).substr(0, 80));
  const std::string empty = write("empty.json", "");
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{good, (dir_ / "missing.json").string()}, "missing.json"},
      {{good, truncated}, "truncated.json"},
      {{empty, good}, "empty.json"},
      {{good, good, "--threshold", "lots"}, "--threshold"},
      {{good, good, "--format", "pdf"}, "--format 'pdf'"},
      {{good, good, "--fail-on", "everything"}, "--fail-on"},
      {{good, good, "--alpha", "3"}, "--alpha"},
      {{good, good, "--filter", "("}, "--filter"},
      {{good}, "OLD and NEW"},
      {{good, good, "--config", (dir_ / "nope.json").string()}, "nope.json"},
      {{good, good, "--out", (dir_ / "no/such/dir/x.md").string()}, "no such directory"},
  };
  for (const Case& c : cases) {
    const auto result = faultline(c.args);
    EXPECT_EQ(result.status, 2) << fmt::format("{}", fmt::join(c.args, " ")) << "\n"
                                << result.output;
    EXPECT_NE(result.output.find(c.expected), std::string::npos)
        << "expected '" << c.expected << "' in:\n"
        << result.output;
  }
  EXPECT_FALSE(fs::exists(dir_ / "no"));
}

}  // namespace
}  // namespace faultline
