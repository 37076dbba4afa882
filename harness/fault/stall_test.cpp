#include "harness/fault/stall.h"

#include <gtest/gtest.h>

#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;

TEST(StallFaultTest, FromTheStartHoldsEveryByteWithReleaseNever) {
  StallSettings settings{};
  StallStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{"hello", 1ms}, {"world", 2ms}});
  ASSERT_EQ(out.chunks.size(), 2u);
  EXPECT_EQ(testing::joined(out.chunks), "helloworld");  // held, not lost
  for (const auto& chunk : out.chunks)
    EXPECT_EQ(chunk.release, kNever);
  EXPECT_FALSE(out.end);
  EXPECT_EQ(testing::count_events(out, "stall"), 1u);
}

TEST(StallFaultTest, PassesExactlyAfterBytesThenHolds) {
  StallSettings settings{.after = 10};
  StallStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{"0123456", 1ms}, {"789abcd", 2ms}, {"efg", 3ms}});
  std::string passed;
  std::string held;
  for (const auto& chunk : out.chunks)
    (chunk.release == kNever ? held : passed) += chunk.bytes;
  EXPECT_EQ(passed, "0123456789");
  EXPECT_EQ(held, "abcdefg");
}

TEST(StallFaultTest, CloseAfterClosesTheConnectionThatLongAfterTheStallBegan) {
  StallSettings settings{.after = 4, .close_after = 30s};
  StallStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{"ab", 1s}, {"cdef", 2s}, {"more", 3s}});
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->kind, EndKind::close);
  EXPECT_TRUE(out.end->whole_connection);
  EXPECT_EQ(out.end->at, 32s);
  ASSERT_EQ(out.chunks.size(), 3u);
  EXPECT_EQ(out.chunks[2].bytes, "ef");
  EXPECT_EQ(out.chunks[2].release, kNever);
}

TEST(StallFaultTest, ResetAfterResetsThatLongAfterTheStallBegan) {
  StallSettings settings{.reset_after = 5s};
  StallStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{"x", 7s}});
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->kind, EndKind::reset);
  EXPECT_EQ(out.end->at, 12s);
}

TEST(StallFaultTest, SwallowsTheInputsEndWhileStalled) {
  StallSettings settings{};
  StallStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{"x", 1ms}}, testing::close_at(2ms));
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->at, kNever);
}

TEST(StallFaultTest, AStreamEndingBeforeTheStallPointEndsNormally) {
  StallSettings settings{.after = 100, .close_after = 1s};
  StallStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{"short", 1ms}}, testing::close_at(2ms));
  EXPECT_EQ(testing::joined(out.chunks), "short");
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->at, 2ms);
  EXPECT_FALSE(out.end->whole_connection);
}

TEST(StallFaultTest, WithCloseAfterAnEmptyStreamsEndStartsTheTimer) {
  StallSettings settings{.close_after = 1s};
  StallStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {}, testing::close_at(2s));
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->at, 3s);
  EXPECT_TRUE(out.end->whole_connection);
}

}  // namespace
}  // namespace faultline::fault
