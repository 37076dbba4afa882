#include "harness/fault/drop.h"

#include <gtest/gtest.h>

#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;

TEST(DropFaultTest, DropsAboutRateOfTheDatagramsAndKeepsTheRestInOrder) {
  DropSettings settings{.loss = {.rate = Probability::percent(10)}};
  DropStage stage(settings, testing::context(8, Transport::datagram));
  std::vector<testing::Arrival> arrivals;
  for (int i = 0; i < 10'000; ++i)
    arrivals.push_back({std::to_string(i), 1ms * i});
  auto out = testing::feed(stage, arrivals);
  const auto dropped = testing::count_events(out, "drop");
  EXPECT_EQ(out.chunks.size() + dropped, arrivals.size());
  EXPECT_NEAR(static_cast<double>(dropped), 1000.0, 90.0);
  int previous = -1;
  for (const auto& chunk : out.chunks) {
    const int n = std::stoi(chunk.bytes);
    ASSERT_GT(n, previous);
    EXPECT_EQ(chunk.release, 1ms * n);  // survivors are not delayed
    previous = n;
  }
}

TEST(DropFaultTest, FixedSeedDropsAFixedSet) {
  DropSettings settings{.loss = {.rate = Probability::percent(50)}};
  auto run = [&] {
    DropStage stage(settings, testing::context(77, Transport::datagram));
    std::vector<testing::Arrival> arrivals;
    for (int i = 0; i < 64; ++i)
      arrivals.push_back({std::to_string(i), 0ms});
    std::string kept;
    for (const auto& chunk : testing::feed(stage, arrivals).chunks)
      kept += chunk.bytes + ",";
    return kept;
  };
  EXPECT_EQ(run(), run());
}

}  // namespace
}  // namespace faultline::fault
