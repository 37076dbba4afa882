// bench/report/comparison_test.cpp: matching, rules, pairing and the summary
// of compare_reports and compare_filters, on reports built in the test.
#include "bench/report/comparison.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace faultline::bench {
namespace {

// series: n values spread evenly by +-1% around `centre`.
std::vector<double> series(double centre, int n) {
  std::vector<double> values;
  for (int i = 0; i < n; ++i) {
    values.push_back(centre * (1.0 + 0.02 * (static_cast<double>(i) / (n - 1) - 0.5)));
  }
  return values;
}

Benchmark benchmark(const std::string& name, std::vector<double> times,
                    std::vector<int> rounds = {}) {
  Benchmark b;
  b.name = name;
  MetricSeries s;
  s.unit = "ns";
  s.values = std::move(times);
  s.rounds = std::move(rounds);
  b.metrics["real_time"] = s;
  b.metrics["cpu_time"] = b.metrics["real_time"];
  return b;
}

Report report(std::vector<Benchmark> benchmarks) {
  Report r;
  r.benchmarks = std::move(benchmarks);
  RunContext context;
  context.source = "test.json";
  context.host_name = "host-a";
  context.num_cpus = 2;
  r.contexts.push_back(context);
  return r;
}

const Comparison* row(const ComparisonReport& r, const std::string& name) {
  for (const Comparison& c : r.rows)
    if (c.name == name) return &c;
  return nullptr;
}

TEST(ComparisonTest, GlobMatchesStarsAndQuestionMarks) {
  EXPECT_TRUE(glob_match("BM_*", "BM_Parse/16"));
  EXPECT_TRUE(glob_match("*Parse*", "BM_Parse/16"));
  EXPECT_TRUE(glob_match("BM_Parse/1?", "BM_Parse/16"));
  EXPECT_FALSE(glob_match("BM_Parse/1?", "BM_Parse/1"));
  EXPECT_FALSE(glob_match("BM_Echo*", "BM_Parse/16"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(glob_match("a*b*c", "axxbyy"));
}

TEST(ComparisonTest, MatchedBenchmarksGetRowsAndTheRestAreAddedOrRemoved) {
  const Report old_side =
      report({benchmark("BM_A", series(100, 10)), benchmark("BM_Gone", series(50, 10))});
  const Report new_side =
      report({benchmark("BM_A", series(100, 10)), benchmark("BM_New", series(70, 10))});
  const ComparisonReport r = compare_reports(old_side, new_side, CompareOptions{});
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].name, "BM_A");
  EXPECT_EQ(r.rows[0].metric, "real_time");
  EXPECT_EQ(r.removed, std::vector<std::string>{"BM_Gone"});
  EXPECT_EQ(r.added, std::vector<std::string>{"BM_New"});
}

TEST(ComparisonTest, ClearSlowdownRegressesAndGatesAndGeomeanSeesIt) {
  const Report old_side =
      report({benchmark("BM_A", series(100, 12)), benchmark("BM_B", series(100, 12))});
  const Report new_side =
      report({benchmark("BM_A", series(130, 12)), benchmark("BM_B", series(100, 12))});
  const ComparisonReport r = compare_reports(old_side, new_side, CompareOptions{});
  ASSERT_NE(row(r, "BM_A"), nullptr);
  EXPECT_EQ(row(r, "BM_A")->verdict, Verdict::regressed);
  EXPECT_NEAR(row(r, "BM_A")->ratio, 1.3, 0.02);
  EXPECT_EQ(row(r, "BM_B")->verdict, Verdict::unchanged);
  EXPECT_EQ(r.count(Verdict::regressed), 1u);
  EXPECT_EQ(r.gated_regressions(), 1u);
  ASSERT_EQ(r.geomeans.size(), 1u);
  EXPECT_NEAR(r.geomeans[0].ratio.value, std::sqrt(1.3), 0.02);
  EXPECT_EQ(r.geomeans[0].count, 2u);
}

TEST(ComparisonTest, HolmAdjustmentIsApplied) {
  const Report old_side =
      report({benchmark("BM_A", series(100, 12)), benchmark("BM_B", series(100, 12))});
  const Report new_side =
      report({benchmark("BM_A", series(130, 12)), benchmark("BM_B", series(100, 12))});
  const ComparisonReport r = compare_reports(old_side, new_side, CompareOptions{});
  EXPECT_EQ(r.multiple_comparisons, "holm");
  for (const Comparison& c : r.rows)
    EXPECT_GE(c.p_adjusted, c.p_value);
}

TEST(ComparisonTest, SignificantOnlyBeforeHolmSaysHowManyRepetitionsWouldDo) {
  // 4 vs 4, clearly 30% slower: p = 2/70 alone, but 8 rows multiply it past 0.05.
  std::vector<Benchmark> old_benchmarks;
  std::vector<Benchmark> new_benchmarks;
  for (int i = 0; i < 8; ++i) {
    old_benchmarks.push_back(benchmark("BM_" + std::to_string(i), series(100, 4)));
    new_benchmarks.push_back(benchmark("BM_" + std::to_string(i), series(130, 4)));
  }
  const ComparisonReport r =
      compare_reports(report(old_benchmarks), report(new_benchmarks), CompareOptions{});
  ASSERT_EQ(r.rows.size(), 8u);
  EXPECT_EQ(r.rows[0].verdict, Verdict::inconclusive);
  EXPECT_NE(r.rows[0].note.find("after Holm across 8 comparisons; 6 per side"), std::string::npos)
      << r.rows[0].note;
}

TEST(ComparisonTest, RuleCanUngateAndFlipDirection) {
  const Report old_side = report({benchmark("BM_Throughput", series(100, 12))});
  const Report new_side = report({benchmark("BM_Throughput", series(130, 12))});
  CompareOptions options;
  options.rules.push_back({"BM_Through*", Direction::higher_is_better, std::nullopt, false});
  const ComparisonReport r = compare_reports(old_side, new_side, options);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].verdict, Verdict::improved);
  EXPECT_FALSE(r.rows[0].gated);
  EXPECT_EQ(r.gated_regressions(), 0u);
}

TEST(ComparisonTest, RuleThresholdAndNoiseFloorRaiseTheBar) {
  // An 8% slowdown: beyond the default 5%, inside a 10% noise floor.
  const Report old_side = report({benchmark("BM_A", series(100, 12))});
  const Report new_side = report({benchmark("BM_A", series(108, 12))});
  EXPECT_EQ(compare_reports(old_side, new_side, CompareOptions{}).rows[0].verdict,
            Verdict::regressed);
  CompareOptions noisy;
  noisy.noise_floor["BM_A"] = 0.10;
  const ComparisonReport r = compare_reports(old_side, new_side, noisy);
  EXPECT_EQ(r.rows[0].verdict, Verdict::unchanged);
  EXPECT_DOUBLE_EQ(r.rows[0].threshold, 0.10);
  EXPECT_DOUBLE_EQ(r.rows[0].noise_floor, 0.10);
  CompareOptions ruled;
  ruled.rules.push_back({"BM_*", std::nullopt, 0.2, std::nullopt});
  EXPECT_EQ(compare_reports(old_side, new_side, ruled).rows[0].verdict, Verdict::unchanged);
}

TEST(ComparisonTest, FilterSelectsBenchmarksByRegex) {
  const Report side =
      report({benchmark("BM_Parse/1", series(100, 6)), benchmark("BM_Echo/1", series(100, 6))});
  CompareOptions options;
  options.filter = std::regex("Parse");
  const ComparisonReport r = compare_reports(side, side, options);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].name, "BM_Parse/1");
}

TEST(ComparisonTest, SeveralMetricsGiveOneRowEach) {
  const Report side = report({benchmark("BM_A", series(100, 6))});
  CompareOptions options;
  options.metrics = {"real_time", "cpu_time"};
  const ComparisonReport r = compare_reports(side, side, options);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].metric, "real_time");
  EXPECT_EQ(r.rows[1].metric, "cpu_time");
  EXPECT_EQ(r.geomeans.size(), 2u);
}

TEST(ComparisonTest, UnknownMetricIsAWarningListingTheAvailableOnes) {
  const Report side = report({benchmark("BM_A", series(100, 6))});
  CompareOptions options;
  options.metrics = {"bogus_counter"};
  const ComparisonReport r = compare_reports(side, side, options);
  EXPECT_TRUE(r.rows.empty());
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings[0].find("bogus_counter"), std::string::npos);
  EXPECT_NE(r.warnings[0].find("real_time"), std::string::npos);
}

TEST(ComparisonTest, ErroredBenchmarkIsNotComparedAndSaysWhy) {
  Benchmark failed;
  failed.name = "BM_A";
  failed.error = "server did not start";
  const Report old_side = report({benchmark("BM_A", series(100, 6))});
  const Report new_side = report({failed});
  const ComparisonReport r = compare_reports(old_side, new_side, CompareOptions{});
  EXPECT_TRUE(r.rows.empty());
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings.back().find("server did not start"), std::string::npos);
}

TEST(ComparisonTest, FiltersModeComparesTwoFamiliesOfOneReport) {
  const Report side = report(
      {benchmark("BM_Get_Raw/16", series(100, 10)), benchmark("BM_Get_Wrapper/16", series(150, 10)),
       benchmark("BM_Get_Raw/128", series(800, 10)),
       benchmark("BM_Get_Wrapper/128", series(1200, 10)), benchmark("BM_Other", series(5, 10))});
  const ComparisonReport r =
      compare_filters(side, std::regex("Raw"), std::regex("Wrapper"), CompareOptions{});
  EXPECT_EQ(r.mode, "filters");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].name, "BM_Get_[Raw vs Wrapper]/16");
  EXPECT_NEAR(r.rows[0].ratio, 1.5, 0.03);
  EXPECT_EQ(r.rows[0].verdict, Verdict::regressed);
  EXPECT_EQ(r.rows[1].name, "BM_Get_[Raw vs Wrapper]/128");
}

TEST(ComparisonTest, PairedModeUsesRoundMediansWhenBothSidesHaveRounds) {
  // Rounds drift together (round 2 is 20% slower on both sides): paired
  // on round medians, the ratio is exactly 1.1 in every round.
  std::vector<double> old_values;
  std::vector<double> new_values;
  std::vector<int> rounds;
  for (int round = 0; round < 6; ++round) {
    const double drift = 1.0 + 0.04 * round;
    for (int rep = 0; rep < 3; ++rep) {
      old_values.push_back(100 * drift * (1 + 0.001 * rep));
      new_values.push_back(110 * drift * (1 + 0.001 * rep));
      rounds.push_back(round);
    }
  }
  CompareOptions options;
  options.paired = true;
  const ComparisonReport r =
      compare_reports(report({benchmark("BM_A", old_values, rounds)}),
                      report({benchmark("BM_A", new_values, rounds)}), options);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_TRUE(r.rows[0].paired);
  EXPECT_NEAR(r.rows[0].ratio, 1.1, 1e-6);
  EXPECT_EQ(r.rows[0].old_values.size(), 18u);  // plots keep every sample
  EXPECT_EQ(r.mode, "ab");
}

TEST(ComparisonTest, RoundsAreTheUnitsWhenBothSidesRecordedThem) {
  // Tight repetitions inside each process, but the processes differ: per
  // repetition a tiny spread would call the 10% difference; per round (3 vs
  // 3) it cannot be called either way.
  std::vector<double> old_values;
  std::vector<double> new_values;
  std::vector<int> rounds;
  const double old_process[] = {100, 95, 112};
  const double new_process[] = {104, 118, 99};
  for (int round = 0; round < 3; ++round) {
    for (int rep = 0; rep < 4; ++rep) {
      old_values.push_back(old_process[round] * (1 + 0.0001 * rep));
      new_values.push_back(new_process[round] * (1 + 0.0001 * rep));
      rounds.push_back(round);
    }
  }
  const Report old_side = report({benchmark("BM_A", old_values, rounds)});
  const Report new_side = report({benchmark("BM_A", new_values, rounds)});
  const ComparisonReport r = compare_reports(old_side, new_side, CompareOptions{});
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].verdict, Verdict::inconclusive);
  EXPECT_NE(r.rows[0].note.find("3 vs 3 rounds compared"), std::string::npos) << r.rows[0].note;
  EXPECT_EQ(r.rows[0].old_values.size(), 12u);  // plots keep every sample
  CompareOptions per_repetition;
  per_repetition.rounds_as_units = false;
  EXPECT_EQ(compare_reports(old_side, new_side, per_repetition).rows[0].note.find("rounds"),
            std::string::npos);
}

TEST(ComparisonTest, PairedModeWithoutRoundsFallsBackAndSaysSo) {
  CompareOptions options;
  options.paired = true;
  const Report side = report({benchmark("BM_A", series(100, 6))});
  const ComparisonReport r = compare_reports(side, side, options);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_FALSE(r.rows[0].paired);
  EXPECT_NE(r.rows[0].note.find("unpaired"), std::string::npos);
}

TEST(ComparisonTest, ContextDifferencesNameTheField) {
  Report old_side = report({benchmark("BM_A", series(100, 6))});
  Report new_side = old_side;
  new_side.contexts[0].host_name = "host-b";
  new_side.contexts[0].num_cpus = 8;
  const auto differences = context_differences(old_side, new_side);
  ASSERT_EQ(differences.size(), 2u);
  EXPECT_EQ(differences[0].field, "host_name");
  EXPECT_EQ(differences[0].old_value, "host-a");
  EXPECT_EQ(differences[0].new_value, "host-b");
  EXPECT_EQ(differences[1].field, "num_cpus");
  EXPECT_TRUE(context_differences(old_side, old_side).empty());
}

TEST(ComparisonTest, DebugLibraryBuildIsNoted) {
  Report side = report({benchmark("BM_A", series(100, 6))});
  side.contexts[0].library_build_type = "debug";
  const ComparisonReport r = compare_reports(side, side, CompareOptions{});
  bool noted = false;
  for (const std::string& note : r.notes)
    noted = noted || note.find("library_build_type: debug") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(ComparisonTest, SameReportTwiceIsNeverRegressedOrImproved) {
  const Report side =
      report({benchmark("BM_A", series(100, 20)), benchmark("BM_B", series(3, 20))});
  const ComparisonReport r = compare_reports(side, side, CompareOptions{});
  EXPECT_EQ(r.count(Verdict::regressed) + r.count(Verdict::improved), 0u);
}

}  // namespace
}  // namespace faultline::bench
