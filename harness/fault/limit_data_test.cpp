#include "harness/fault/limit_data.h"

#include <gtest/gtest.h>

#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;
using testing::Arrival;

struct LimitCase {
  std::uint64_t after;
  std::vector<std::size_t> chunk_sizes;
};

void PrintTo(const LimitCase& c, std::ostream* os) {
  *os << "after=" << c.after << " chunks=" << ::testing::PrintToString(c.chunk_sizes);
}

class LimitDataAfterFaultTest : public ::testing::TestWithParam<LimitCase> {};

TEST_P(LimitDataAfterFaultTest, ClosesTheWholeConnectionAfterExactlyNBytes) {
  const auto c = GetParam();
  LimitDataSettings settings{.after = c.after};
  LimitDataStage stage(settings, testing::context(1));
  std::vector<Arrival> arrivals;
  std::string input;
  for (std::size_t i = 0; i < c.chunk_sizes.size(); ++i) {
    arrivals.push_back({testing::pattern(c.chunk_sizes[i], i), 10ms * static_cast<int>(i)});
    input += arrivals.back().bytes;
  }
  auto out = testing::feed(stage, arrivals, testing::close_at(1s));
  EXPECT_EQ(testing::joined(out.chunks), input.substr(0, c.after));
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->kind, EndKind::close);
  EXPECT_TRUE(out.end->whole_connection);
  EXPECT_LT(out.end->at, 1s);
  EXPECT_EQ(testing::count_events(out, "limit_data"), 1u);
}

INSTANTIATE_TEST_SUITE_P(Cases, LimitDataAfterFaultTest,
                         ::testing::Values(LimitCase{0, {5}}, LimitCase{5, {5}},
                                           LimitCase{5, {2, 2, 2}}, LimitCase{1, {100}},
                                           LimitCase{1024, {1000, 1000}}));

TEST(LimitDataFaultTest, AShorterStreamEndsWithItsOwnFin) {
  LimitDataSettings settings{.after = 100};
  LimitDataStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{"abc", 1ms}}, testing::close_at(2ms));
  EXPECT_EQ(testing::joined(out.chunks), "abc");
  ASSERT_TRUE(out.end);
  EXPECT_FALSE(out.end->whole_connection);
  EXPECT_EQ(out.end->at, 2ms);
}

}  // namespace
}  // namespace faultline::fault
