#include "harness/fault/slow_close.h"

#include <gtest/gtest.h>

#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;

TEST(SlowCloseFaultTest, DelaysTheFinByDelayAndLeavesBytesAlone) {
  SlowCloseSettings settings{.delay = 2s};
  SlowCloseStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{"abc", 1ms}, {"def", 5ms}}, testing::close_at(10ms));
  ASSERT_EQ(out.chunks.size(), 2u);
  EXPECT_EQ(out.chunks[0].release, 1ms);
  EXPECT_EQ(out.chunks[1].release, 5ms);
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->kind, EndKind::close);
  EXPECT_EQ(out.end->at, 2010ms);
  EXPECT_EQ(testing::count_events(out, "slow_close"), 1u);
}

TEST(SlowCloseFaultTest, CountsTheDelayFromTheLastByteWhenItIsLater) {
  SlowCloseSettings settings{.delay = 1s};
  SlowCloseStage stage(settings, testing::context(1));
  Output out;
  stage.on_chunk(Chunk{"late", 5s}, 0s, out);  // an earlier stage delayed it to 5s
  stage.on_end(testing::close_at(1s), 1s, out);
  EXPECT_EQ(out.end->at, 6s);
}

TEST(SlowCloseFaultTest, DoesNotDelayAReset) {
  SlowCloseSettings settings{.delay = 2s};
  SlowCloseStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{"abc", 1ms}}, End{EndKind::reset, 3ms});
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->kind, EndKind::reset);
  EXPECT_EQ(out.end->at, 3ms);
}

}  // namespace
}  // namespace faultline::fault
