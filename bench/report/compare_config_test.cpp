// bench/report/compare_config_test.cpp: config and noise-floor files.
#include "bench/report/compare_config.h"

#include <gtest/gtest.h>

namespace faultline::bench {
namespace {

TEST(CompareConfigTest, FractionsAcceptPercentAndPlainNumbers) {
  EXPECT_DOUBLE_EQ(*parse_fraction("5%"), 0.05);
  EXPECT_DOUBLE_EQ(*parse_fraction("0.05"), 0.05);
  EXPECT_DOUBLE_EQ(*parse_fraction("12.5%"), 0.125);
  for (const char* bad : {"", "%", "five", "5 %", "-1%", "5%%", "2000%", "nan", "inf"}) {
    EXPECT_FALSE(parse_fraction(bad)) << bad;
  }
}

TEST(CompareConfigTest, ConfigSetsRulesAlphaThresholdAndMetrics) {
  auto config = parse_compare_config(R"({
    "alpha": 0.01, "threshold": "3%", "metrics": ["cpu_time"],
    "rules": [{"match": "BM_Echo*", "direction": "higher", "threshold": "10%", "gate": false},
              {"match": "*", "threshold": 0.04}]})",
                                     "bench.json");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_DOUBLE_EQ(*config->alpha, 0.01);
  EXPECT_DOUBLE_EQ(*config->threshold, 0.03);
  EXPECT_EQ(config->metrics, std::vector<std::string>{"cpu_time"});
  ASSERT_EQ(config->rules.size(), 2u);
  EXPECT_EQ(config->rules[0].glob, "BM_Echo*");
  EXPECT_EQ(*config->rules[0].direction, Direction::higher_is_better);
  EXPECT_DOUBLE_EQ(*config->rules[0].threshold, 0.10);
  EXPECT_FALSE(*config->rules[0].gated);
  EXPECT_FALSE(config->rules[1].direction.has_value());
}

TEST(CompareConfigTest, BadConfigsNameTheFileAndTheKey) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"", "bench.json: empty file"},
      {"{", "bench.json: not valid JSON"},
      {"[]", "expected a JSON object"},
      {R"({"alpah": 0.1})", "unknown key 'alpah'"},
      {R"({"alpha": 2})", "alpha"},
      {R"({"threshold": "lots"})", "threshold"},
      {R"({"rules": [{"direction": "higher"}]})", "rules[0]: 'match'"},
      {R"({"rules": [{"match": "*", "direction": "up"}]})", "direction 'up'"},
      {R"({"rules": [{"match": "*", "gate": "no"}]})", "rules[0].gate"},
      {R"({"rules": [{"match": "*", "treshold": 1}]})", "unknown key 'treshold'"},
  };
  for (const Case& c : cases) {
    auto config = parse_compare_config(c.text, "bench.json");
    ASSERT_FALSE(config) << c.text;
    EXPECT_NE(config.error().message.find(c.expected), std::string::npos)
        << c.text << " -> " << config.error().message;
  }
}

TEST(CompareConfigTest, NoiseFloorFileShapes) {
  auto flat = parse_noise_floor(R"({"BM_A": 0.03, "BM_B": "4%"})", "nf.json");
  ASSERT_TRUE(flat) << flat.error().message;
  EXPECT_DOUBLE_EQ(flat->at("BM_A"), 0.03);
  EXPECT_DOUBLE_EQ(flat->at("BM_B"), 0.04);
  auto nested = parse_noise_floor(
      R"({"faultline_noise_floor": 1, "metric": "real_time",
          "benchmarks": {"BM_A": {"noise_floor": 0.02, "relative_spread": 0.01}}})",
      "nf.json");
  ASSERT_TRUE(nested) << nested.error().message;
  EXPECT_DOUBLE_EQ(nested->at("BM_A"), 0.02);
  auto listed =
      parse_noise_floor(R"({"benchmarks": [{"name": "BM_A", "noise_floor": 0.05}]})", "nf.json");
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_DOUBLE_EQ(listed->at("BM_A"), 0.05);
  EXPECT_FALSE(parse_noise_floor("{}", "nf.json"));
  EXPECT_FALSE(parse_noise_floor(R"({"BM_A": "much"})", "nf.json"));
}

TEST(CompareConfigTest, SplitHalvesNoiseFloorSeesADriftingBenchmark) {
  Report report;
  Benchmark steady;
  steady.name = "BM_Steady";
  Benchmark drifting;
  drifting.name = "BM_Drifting";
  for (int i = 0; i < 20; ++i) {
    const double wobble = 1 + 0.001 * (i % 5);
    steady.metrics["real_time"].values.push_back(100 * wobble);
    drifting.metrics["real_time"].values.push_back((i < 10 ? 100 : 112) * wobble);
  }
  Benchmark tiny;
  tiny.name = "BM_TooFew";
  tiny.metrics["real_time"].values = {1, 2, 3};
  report.benchmarks = {steady, drifting, tiny};
  const NoiseFloor floors = noise_floor_from_report(report, "real_time", CompareOptions{});
  EXPECT_LT(floors.at("BM_Steady"), 0.01);
  EXPECT_NEAR(floors.at("BM_Drifting"), 0.12, 0.01);
  EXPECT_EQ(floors.count("BM_TooFew"), 0u);
}

}  // namespace
}  // namespace faultline::bench
