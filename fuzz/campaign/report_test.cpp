#include "fuzz/campaign/report.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace faultline::fuzz {
namespace {

CampaignReport sample_report() {
  CampaignReport report;
  report.started = "2024-01-01T12:00:00Z";
  report.command = "faultline fuzz run url --time 1m --jobs 1";
  TargetReport target;
  target.name = "url_fuzzer";
  target.seconds = 60;
  target.execs = 600000;
  target.exec_per_sec = 10000;
  target.coverage = 205;
  target.features = 695;
  target.corpus_units = 154;
  target.samples = {{1, 10000, 150, 400, 30}, {60, 600000, 205, 695, 154}};
  target.crashes.push_back(CrashRecord{"0123456789abcdef", "AddressSanitizer: SEGV",
                                       "AddressSanitizer: SEGV in f | g", "/w/url/crashes/0123",
                                       "url_fuzzer /w/url/crashes/0123/minimized", 2, true});
  report.targets.push_back(target);
  return report;
}

TEST(Report, JsonCarriesNumbersSamplesAndCrashes) {
  const nlohmann::json json = to_json(sample_report());
  const auto& target = json["targets"][0];
  EXPECT_EQ(target["name"], "url_fuzzer");
  EXPECT_EQ(target["exec_per_sec"], 10000);
  EXPECT_EQ(target["samples"].size(), 2u);
  EXPECT_EQ(target["samples"][1][2], 205);
  EXPECT_EQ(target["crashes"][0]["hits"], 2);
  EXPECT_EQ(target["crashes"][0]["new"], true);
}

TEST(Report, MarkdownHasATableAndEscapedCrashes) {
  const std::string md = to_markdown(sample_report());
  EXPECT_NE(md.find("| url_fuzzer | 1m00s | 1 | 600000 | 10000 | 205 | 695 |"), std::string::npos);
  EXPECT_NE(md.find("in f \\| g"), std::string::npos);
  EXPECT_NE(md.find("reproduce: `url_fuzzer /w/url/crashes/0123/minimized`"), std::string::npos);
}

TEST(Report, WritesFilesEvenWithoutAPlot) {
  const auto dir = std::filesystem::temp_directory_path() / "faultline-report-test";
  std::filesystem::remove_all(dir);
  const auto files = write_report(sample_report(), dir);
  ASSERT_TRUE(files);
  EXPECT_TRUE(std::filesystem::exists(files->json));
  EXPECT_TRUE(std::filesystem::exists(files->markdown));
  EXPECT_TRUE(std::filesystem::exists(dir / "coverage.dat"));
  EXPECT_TRUE(std::filesystem::exists(dir / "coverage.gp"));
  std::filesystem::remove_all(dir);
}

TEST(Report, PlotTitlesKeepTheirUnderscores) {
  // gnuplot's enhanced text reads '_' as a subscript: "url_fuzzer" would show
  // as "urlfuzzer" with a lowered f. The script turns enhanced text off.
  const auto dir = std::filesystem::temp_directory_path() / "faultline-report-plot-test";
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(write_report(sample_report(), dir));
  std::ifstream in(dir / "coverage.gp");
  const std::string script((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(script.find("set terminal svg size 900,500 dynamic noenhanced"), std::string::npos)
      << script;
  EXPECT_NE(script.find("title 'url_fuzzer'"), std::string::npos) << script;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace faultline::fuzz
