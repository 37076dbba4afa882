#include "harness/fault/reset.h"

#include <gtest/gtest.h>

#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;
using testing::Arrival;

struct ResetCase {
  std::uint64_t after;
  std::vector<std::size_t> chunk_sizes;
};

void PrintTo(const ResetCase& c, std::ostream* os) {
  *os << "after=" << c.after << " chunks=" << ::testing::PrintToString(c.chunk_sizes);
}

class ResetAfterFaultTest : public ::testing::TestWithParam<ResetCase> {};

TEST_P(ResetAfterFaultTest, PassesExactlyNBytesThenEndsWithReset) {
  const auto c = GetParam();
  ResetSettings settings{.after = c.after};
  ResetStage stage(settings, testing::context(1));
  std::vector<Arrival> arrivals;
  std::string input;
  for (std::size_t i = 0; i < c.chunk_sizes.size(); ++i) {
    arrivals.push_back({testing::pattern(c.chunk_sizes[i], i), 1ms * static_cast<int>(i)});
    input += arrivals.back().bytes;
  }
  ASSERT_GE(input.size(), c.after);
  auto out = testing::feed(stage, arrivals, testing::close_at(1s));
  EXPECT_EQ(testing::joined(out.chunks), input.substr(0, c.after));
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->kind, EndKind::reset);
  EXPECT_LT(out.end->at, 1s);  // at the Nth byte, not at the stream's own end
  ASSERT_EQ(testing::count_events(out, "reset"), 1u);
  EXPECT_EQ(out.events.back().value, c.after);
}

INSTANTIATE_TEST_SUITE_P(Cases, ResetAfterFaultTest,
                         ::testing::Values(ResetCase{0, {5}}, ResetCase{1, {5}},
                                           ResetCase{10, {3, 3, 3, 3}}, ResetCase{9, {3, 3, 3, 3}},
                                           ResetCase{10240, {4096, 4096, 4096}},
                                           ResetCase{12, {12}}));

TEST(ResetFaultTest, TurnsAnEmptyStreamsCleanCloseIntoAResetWhenAfterIsZero) {
  ResetSettings settings{};
  ResetStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {}, testing::close_at(5ms));
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->kind, EndKind::reset);
  EXPECT_EQ(out.end->at, 5ms);
}

TEST(ResetFaultTest, AStreamEndingBeforeNBytesClosesNormally) {
  ResetSettings settings{.after = 100};
  ResetStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{"abc", 1ms}}, testing::close_at(2ms));
  EXPECT_EQ(testing::joined(out.chunks), "abc");
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->kind, EndKind::close);
  EXPECT_EQ(testing::count_events(out, "reset"), 0u);
}

TEST(ResetFaultTest, IgnoresInputAfterTheReset) {
  ResetSettings settings{.after = 2};
  ResetStage stage(settings, testing::context(1));
  Output out;
  stage.on_chunk(Chunk{"abcd", 1ms}, 1ms, out);
  Output later;
  stage.on_chunk(Chunk{"efgh", 2ms}, 2ms, later);
  stage.on_end(testing::close_at(3ms), 3ms, later);
  EXPECT_TRUE(later.chunks.empty());
  EXPECT_FALSE(later.end);
}

}  // namespace
}  // namespace faultline::fault
