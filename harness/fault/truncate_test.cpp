#include "harness/fault/truncate.h"

#include <gtest/gtest.h>

#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;

struct TruncateCase {
  std::optional<std::uint64_t> max;
  std::size_t datagram_size;
};

void PrintTo(const TruncateCase& c, std::ostream* os) {
  *os << "max=" << (c.max ? std::to_string(*c.max) : std::string("none"))
      << " size=" << c.datagram_size;
}

class TruncateLengthFaultTest : public ::testing::TestWithParam<TruncateCase> {};

TEST_P(TruncateLengthFaultTest, CutsAboutRateOfTheDatagramsToAShorterPrefixWithinMax) {
  const auto c = GetParam();
  TruncateSettings settings{.rate = Probability::percent(25), .max = c.max};
  TruncateStage stage(settings, testing::context(12, Transport::datagram));
  std::size_t truncated = 0;
  for (int i = 0; i < 4000; ++i) {
    const std::string datagram = testing::pattern(c.datagram_size, static_cast<std::size_t>(i));
    Output out;
    stage.on_chunk(Chunk{datagram, 0ms}, 0ms, out);
    ASSERT_EQ(out.chunks.size(), 1u);
    const std::string& got = out.chunks[0].bytes;
    ASSERT_EQ(got, datagram.substr(0, got.size()));  // a prefix
    if (got.size() < datagram.size()) {
      ++truncated;
      ASSERT_EQ(out.events.size(), 1u);
      EXPECT_EQ(out.events[0].value, got.size());
      if (c.max) {
        ASSERT_LE(got.size(), *c.max);
      }
    }
  }
  EXPECT_NEAR(static_cast<double>(truncated), 1000.0, 90.0);
}

INSTANTIATE_TEST_SUITE_P(Cases, TruncateLengthFaultTest,
                         ::testing::Values(TruncateCase{std::nullopt, 100}, TruncateCase{16, 100},
                                           TruncateCase{0, 10}, TruncateCase{1000, 2}));

TEST(TruncateFaultTest, LeavesEmptyDatagramsAlone) {
  TruncateSettings settings{.rate = Probability::always()};
  TruncateStage stage(settings, testing::context(1, Transport::datagram));
  auto out = testing::feed(stage, {{"", 0ms}});
  ASSERT_EQ(out.chunks.size(), 1u);
  EXPECT_TRUE(out.events.empty());
}

}  // namespace
}  // namespace faultline::fault
