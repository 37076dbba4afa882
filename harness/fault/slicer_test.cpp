#include "harness/fault/slicer.h"

#include <gtest/gtest.h>

#include <set>

#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;
using testing::Arrival;

struct SliceCase {
  std::uint64_t min;
  std::uint64_t max;
  std::vector<std::size_t> chunk_sizes;
};

void PrintTo(const SliceCase& c, std::ostream* os) {
  *os << "min=" << c.min << " max=" << c.max
      << " chunks=" << ::testing::PrintToString(c.chunk_sizes);
}

class SlicerSizesFaultTest : public ::testing::TestWithParam<SliceCase> {};

TEST_P(SlicerSizesFaultTest, PiecesStayWithinMinMaxAndConcatenateToTheInputOverManySeeds) {
  const auto c = GetParam();
  SlicerSettings settings{.min = c.min, .max = c.max};
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    SlicerStage stage(settings, testing::context(seed));
    std::string input;
    Output out;
    for (std::size_t k = 0; k < c.chunk_sizes.size(); ++k) {
      const std::string chunk = testing::pattern(c.chunk_sizes[k], seed + k);
      input += chunk;
      const std::size_t before = out.chunks.size();
      stage.on_chunk(Chunk{chunk, 0ms}, 0ms, out);
      // Within this chunk's pieces, all but the last are in [min, max]; the last
      // is the remainder, at most max.
      for (std::size_t i = before; i < out.chunks.size(); ++i) {
        const auto size = out.chunks[i].bytes.size();
        ASSERT_LE(size, c.max) << "seed " << seed;
        ASSERT_GE(size, 1u) << "seed " << seed;
        if (i + 1 < out.chunks.size()) {
          ASSERT_GE(size, c.min) << "seed " << seed;
        }
      }
    }
    ASSERT_EQ(testing::joined(out.chunks), input) << "seed " << seed;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, SlicerSizesFaultTest,
                         ::testing::Values(SliceCase{1, 1, {10, 3}},
                                           SliceCase{1, 64, {1000, 1, 63, 64, 65}},
                                           SliceCase{16, 16, {100, 17, 15}},
                                           SliceCase{3, 7, {1, 2, 3, 1000}},
                                           SliceCase{100, 4096, {65536}}));

TEST(SlicerFaultTest, UsesTheWholeRangeOfSizes) {
  SlicerSettings settings{.min = 2, .max = 5};
  SlicerStage stage(settings, testing::context(9));
  auto out = testing::feed(stage, {{std::string(10'000, 'x'), 0ms}});
  std::set<std::size_t> sizes;
  for (std::size_t i = 0; i + 1 < out.chunks.size(); ++i)
    sizes.insert(out.chunks[i].bytes.size());
  EXPECT_EQ(sizes, (std::set<std::size_t>{2, 3, 4, 5}));
}

TEST(SlicerFaultTest, DelaySeparatesEveryTwoPiecesAcrossChunks) {
  SlicerSettings settings{.min = 1, .max = 1, .delay = 1ms};
  SlicerStage stage(settings, testing::context(1));
  auto out =
      testing::feed(stage, {{"abc", 0ms}, {"de", 1ms}, {"f", 100ms}}, testing::close_at(100ms));
  ASSERT_EQ(out.chunks.size(), 6u);
  const Time expected[] = {0ms, 1ms, 2ms, 3ms, 4ms, 100ms};
  for (std::size_t i = 0; i < 6; ++i)
    EXPECT_EQ(out.chunks[i].release, expected[i]) << i;
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->at, 100ms);
}

TEST(SlicerFaultTest, TheEndFollowsTheLastPiece) {
  SlicerSettings settings{.min = 1, .max = 1, .delay = 10ms};
  SlicerStage stage(settings, testing::context(1));
  auto out = testing::feed(stage, {{"abcd", 0ms}}, testing::close_at(0ms));
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->at, 30ms);
  EXPECT_EQ(out.end->kind, EndKind::close);
}

}  // namespace
}  // namespace faultline::fault
