#include "harness/fault/half_close.h"

#include <gtest/gtest.h>

#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;

TEST(HalfCloseFaultTest, EndsOnlyThisDirectionAfterNBytes) {
  HalfCloseSettings settings{.after = 5};
  HalfCloseStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{"hel", 1ms}, {"lo world", 2ms}, {"!", 3ms}});
  EXPECT_EQ(testing::joined(out.chunks), "hello");
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->kind, EndKind::close);
  EXPECT_FALSE(out.end->whole_connection);
  EXPECT_EQ(out.end->at, 2ms);
  EXPECT_EQ(testing::count_events(out, "half_close"), 1u);
}

TEST(HalfCloseFaultTest, AfterZeroSendsTheFinAtTheFirstByte) {
  HalfCloseSettings settings{};
  HalfCloseStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{"abc", 4ms}});
  EXPECT_TRUE(out.chunks.empty());
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->at, 4ms);
}

TEST(HalfCloseFaultTest, AShorterStreamEndsWithItsOwnEnd) {
  HalfCloseSettings settings{.after = 50};
  HalfCloseStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{"abc", 1ms}}, End{EndKind::reset, 2ms});
  EXPECT_EQ(testing::joined(out.chunks), "abc");
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->kind, EndKind::reset);
  EXPECT_EQ(testing::count_events(out, "half_close"), 0u);
}

}  // namespace
}  // namespace faultline::fault
