#include "fuzz/campaign/libfuzzer_log.h"

#include <gtest/gtest.h>

namespace faultline::fuzz {
namespace {

TEST(LibFuzzerLog, ReadsPlainStatusLines) {
  const auto p = parse_status_line(
      "#30423\tREDUCE cov: 494 ft: 1624 corp: 201/13Kb lim: 170 exec/s: 15211 rss: 229Mb L: 74/170 "
      "MS: 1 EraseBytes-");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->execs, 30423u);
  EXPECT_EQ(p->coverage, 494u);
  EXPECT_EQ(p->features, 1624u);
  EXPECT_EQ(p->corpus_units, 201u);
  EXPECT_EQ(p->corpus_bytes, 13u * 1024);
  EXPECT_EQ(p->exec_per_sec, 15211u);
  EXPECT_EQ(p->rss_mb, 229u);
}

TEST(LibFuzzerLog, ReadsInitedLinesWithByteSizes) {
  const auto p =
      parse_status_line("#106\tINITED cov: 302 ft: 601 corp: 42/4085b exec/s: 0 rss: 35Mb");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->corpus_bytes, 4085u);
  EXPECT_EQ(p->exec_per_sec, 0u);
}

TEST(LibFuzzerLog, ReadsForkModeLines) {
  const auto p = parse_status_line(
      "#1203883: cov: 509 ft: 2229 corp: 370 exec/s 16445 oom/timeout/crash: 1/2/3 time: 74s "
      "job: 12 dft_time: 0");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->execs, 1203883u);
  EXPECT_EQ(p->coverage, 509u);
  EXPECT_EQ(p->corpus_units, 370u);
  EXPECT_EQ(p->crashes, 6u);
}

TEST(LibFuzzerLog, IgnoresOtherLines) {
  EXPECT_FALSE(parse_status_line("INFO: Seed: 1234"));
  EXPECT_FALSE(parse_status_line("#0 0x55 in main"));  // a stack frame, not a status
  EXPECT_FALSE(parse_status_line(""));
}

TEST(LibFuzzerLog, FindsArtifacts) {
  EXPECT_EQ(parse_artifact_line("artifact_prefix='/w/a/'; Test unit written to /w/a/crash-12ab"),
            "/w/a/crash-12ab");
  EXPECT_EQ(parse_artifact_line("Test unit written to ./timeout-9 "), "./timeout-9");
  EXPECT_FALSE(parse_artifact_line("Base64: AAFI"));
}

TEST(LibFuzzerLog, AccumulatesARun) {
  LibFuzzerLog log;
  EXPECT_TRUE(log.add("#2\tpulse  cov: 9 ft: 10 corp: 1/1b exec/s: 0 rss: 30Mb"));
  EXPECT_FALSE(log.fuzzing_started());
  EXPECT_TRUE(log.add("#2\tINITED cov: 10 ft: 11 corp: 1/1b exec/s: 0 rss: 30Mb"));
  EXPECT_TRUE(log.fuzzing_started());
  EXPECT_FALSE(log.add("artifact_prefix='./'; Test unit written to ./crash-1"));
  EXPECT_TRUE(log.add("#100: cov: 12 ft: 13 corp: 2 exec/s: 50 oom/timeout/crash: 0/0/1 time: 1s"));
  log.add("stat::number_of_executed_units: 4242");
  log.add("stat::average_exec_per_sec:     2121");
  log.add("stat::peak_rss_mb:              77");
  EXPECT_EQ(log.progress().coverage, 12u);
  EXPECT_EQ(log.progress().rss_mb, 30u);  // kept from the plain line
  EXPECT_EQ(log.progress().crashes, 1u);
  EXPECT_EQ(log.final_stats().executed_units, 4242u);
  EXPECT_EQ(log.final_stats().average_exec_per_sec, 2121u);
  EXPECT_EQ(log.final_stats().peak_rss_mb, 77u);
  ASSERT_EQ(log.artifacts().size(), 1u);
  EXPECT_EQ(log.artifacts()[0], "./crash-1");
}

}  // namespace
}  // namespace faultline::fuzz
