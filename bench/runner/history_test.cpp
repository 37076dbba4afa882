#include "bench/runner/history.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

namespace faultline::bench::runner {
namespace {

namespace fs = std::filesystem;

HistoryEntry entry(const std::string& commit, const std::string& time, double value,
                   const std::string& host = "box") {
  HistoryEntry e;
  e.commit = commit;
  e.time = time;
  e.host = host;
  e.points.push_back({"BM_Parse/16", "real_time", "ns", value, 4});
  e.points.push_back({"BM_Other", "real_time", "ns", 50, 4});
  return e;
}

TEST(HistoryStore, AppendsAndReadsBackSkippingBadLines) {
  const fs::path store = fs::temp_directory_path() / "bench_history_test" / "history.jsonl";
  fs::remove_all(store.parent_path());
  ASSERT_TRUE(append_entry(store, entry("c1", "2024-01-01T00:00:00Z", 100)));
  { std::ofstream(store, std::ios::app) << "not json\n"; }
  ASSERT_TRUE(append_entry(store, entry("c2", "2024-01-02T00:00:00Z", 101)));
  auto read = read_history(store);
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->entries.size(), 2u);
  EXPECT_EQ(read->entries[1].commit, "c2");
  EXPECT_EQ(read->entries[1].points[0].benchmark, "BM_Parse/16");
  EXPECT_EQ(read->entries[1].points[0].median, 101);
  EXPECT_EQ(read->entries[1].points[0].n, 4u);
  ASSERT_EQ(read->warnings.size(), 1u);
  EXPECT_NE(read->warnings[0].find(":2:"), std::string::npos);
  fs::remove_all(store.parent_path());
}

TEST(HistoryStore, MissingStoreIsNotFound) {
  auto read = read_history("/nonexistent/history.jsonl");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().kind, net::ErrorKind::not_found);
}

TEST(Summarize, MedianAndCountPerBenchmarkAndMetric) {
  Report report;
  Benchmark b;
  b.name = "BM_X";
  b.metrics["real_time"] = MetricSeries{"ns", {3, 1, 2, 10}, {}, false};
  b.metrics["items_per_second"] = MetricSeries{"", {5}, {}, false};
  report.benchmarks.push_back(b);
  MachineContext context;
  context.commit = "abc";
  context.host = "box";
  const HistoryEntry e = summarize(report, context, "time");
  ASSERT_EQ(e.points.size(), 2u);
  EXPECT_EQ(e.points[0].metric, "items_per_second");
  EXPECT_EQ(e.points[1].metric, "real_time");
  EXPECT_EQ(e.points[1].median, 2.5);
  EXPECT_EQ(e.points[1].n, 4u);
  EXPECT_EQ(e.commit, "abc");
}

TEST(Summarize, AnInstructionsRunKeepsOnlyInstructions) {
  Report report;
  Benchmark b;
  b.name = "BM_X";
  b.metrics["real_time"] = MetricSeries{"ns", {300}, {}, false};
  b.metrics["instructions"] = MetricSeries{"instructions", {1200, 1201}, {}, false};
  report.benchmarks.push_back(b);
  const HistoryEntry e = summarize(report, MachineContext{}, "instructions");
  ASSERT_EQ(e.points.size(), 1u);
  EXPECT_EQ(e.points[0].metric, "instructions");
  EXPECT_EQ(e.points[0].median, 1200.5);
  EXPECT_EQ(e.run_metric, "instructions");
}

TEST(DetectStep, FindsAStepAtTheKnownCommit) {
  const std::vector<double> values{100, 101, 99, 100.5, 99.5, 112, 113, 111.5, 112.5};
  const auto step = detect_step(values);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->index, 5u);
  EXPECT_NEAR(step->relative_step, 0.12, 0.01);
}

TEST(DetectStep, FindsADownwardStep) {
  const auto step = detect_step(std::vector<double>{200, 202, 80, 81, 79});
  ASSERT_TRUE(step);
  EXPECT_EQ(step->index, 2u);
  EXPECT_LT(step->relative_step, 0);
}

TEST(DetectStep, NoFlagOnAFlatNoisySeries) {
  std::mt19937_64 generator(42);  // seeded: the series replays exactly
  std::normal_distribution<double> noise(0, 1.5);
  std::vector<double> values;
  for (int i = 0; i < 30; ++i)
    values.push_back(100 + noise(generator));
  EXPECT_FALSE(detect_step(values)) << "seed 42";
}

TEST(DetectStep, NoFlagWhenTheStepIsWithinThreeSpreads) {
  // 8% step, but the segments themselves swing by ~10%.
  EXPECT_FALSE(detect_step(std::vector<double>{100, 85, 115, 92, 108, 116, 100, 124, 92}));
}

TEST(DetectStep, NeedsTwoPointsEachSide) {
  EXPECT_FALSE(detect_step(std::vector<double>{100, 200, 200}));
  EXPECT_FALSE(detect_step(std::vector<double>{100}));
}

TEST(BuildSeries, OldestFirstOnePointPerCommitOnThisHost) {
  std::vector<HistoryEntry> entries{
      entry("c3", "2024-01-03T00:00:00Z", 120), entry("c1", "2024-01-01T00:00:00Z", 100),
      entry("c2", "2024-01-02T00:00:00Z", 101), entry("c2", "2024-01-02T01:00:00Z", 103),
      entry("c4", "2024-01-04T00:00:00Z", 121), entry("c9", "2024-01-05T00:00:00Z", 5, "other")};
  SeriesFilter filter;
  filter.host = "box";
  filter.name = std::regex("Parse");
  const auto series = build_series(entries, filter);
  ASSERT_EQ(series.size(), 1u);
  const Series& s = series[0];
  ASSERT_EQ(s.points.size(), 4u);
  EXPECT_EQ(s.points[0].commit, "c1");
  EXPECT_EQ(s.points[1].commit, "c2");
  EXPECT_EQ(s.points[1].value, 102);
  EXPECT_EQ(s.points[1].runs, 2u);
  EXPECT_EQ(s.points[3].commit, "c4");
  ASSERT_TRUE(s.step);
  EXPECT_EQ(s.points[s.step->index].commit, "c3");
  const std::string table = render_history_table(series);
  EXPECT_NE(table.find("c3"), std::string::npos);
  EXPECT_NE(table.find("<- step +"), std::string::npos);
  const std::string svg = render_history_svg(series);
  EXPECT_TRUE(svg.starts_with("<svg"));
  EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);
  EXPECT_NE(svg.find("BM_Parse/16"), std::string::npos);
}

}  // namespace
}  // namespace faultline::bench::runner
