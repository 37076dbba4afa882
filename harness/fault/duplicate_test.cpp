#include "harness/fault/duplicate.h"

#include <gtest/gtest.h>

#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;

TEST(DuplicateFaultTest, DuplicatesAboutRateOfTheDatagramsRightBehindTheOriginal) {
  DuplicateSettings settings{.rate = Probability::percent(5)};
  DuplicateStage stage(settings, testing::context(2, Transport::datagram));
  std::vector<testing::Arrival> arrivals;
  for (int i = 0; i < 10'000; ++i)
    arrivals.push_back({std::to_string(i), 1ms * i});
  auto out = testing::feed(stage, arrivals);
  const auto duplicated = testing::count_events(out, "duplicate");
  EXPECT_EQ(out.chunks.size(), arrivals.size() + duplicated);
  EXPECT_NEAR(static_cast<double>(duplicated), 500.0, 70.0);
  // Collapsing adjacent copies gives back the input exactly.
  std::vector<std::string> collapsed;
  for (std::size_t i = 0; i < out.chunks.size(); ++i) {
    if (i > 0 && out.chunks[i].bytes == out.chunks[i - 1].bytes) {
      EXPECT_EQ(out.chunks[i].release, out.chunks[i - 1].release);
      continue;
    }
    collapsed.push_back(out.chunks[i].bytes);
  }
  ASSERT_EQ(collapsed.size(), arrivals.size());
  for (std::size_t i = 0; i < arrivals.size(); ++i)
    EXPECT_EQ(collapsed[i], arrivals[i].bytes);
}

TEST(DuplicateFaultTest, HundredPercentDoublesEveryDatagram) {
  DuplicateSettings settings{.rate = Probability::always()};
  DuplicateStage stage(settings, testing::context(2, Transport::datagram));
  auto out = testing::feed(stage, {{"a", 0ms}, {"b", 1ms}});
  ASSERT_EQ(out.chunks.size(), 4u);
  EXPECT_EQ(out.chunks[0].bytes + out.chunks[1].bytes + out.chunks[2].bytes + out.chunks[3].bytes,
            "aabb");
}

}  // namespace
}  // namespace faultline::fault
