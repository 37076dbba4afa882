#include "harness/fault/reorder.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;

std::vector<testing::Arrival> numbered(int n) {
  std::vector<testing::Arrival> arrivals;
  for (int i = 0; i < n; ++i)
    arrivals.push_back({std::to_string(i), 1ms * i});
  return arrivals;
}

// delivery_order: datagrams as the transport delivers them (by release, ties in emission order).
std::vector<int> delivery_order(std::vector<Chunk> chunks) {
  std::stable_sort(chunks.begin(), chunks.end(),
                   [](const Chunk& a, const Chunk& b) { return a.release < b.release; });
  std::vector<int> order;
  for (const auto& chunk : chunks)
    order.push_back(std::stoi(chunk.bytes));
  return order;
}

TEST(ReorderFaultTest, SwapModeSwapsAboutRateOfTheDatagramsWithTheirNextAndLosesNone) {
  ReorderSettings settings{.rate = Probability::percent(10)};
  ReorderStage stage(settings, testing::context(6, Transport::datagram));
  auto out = testing::feed(stage, numbered(10'000), testing::close_at(20s));
  auto order = delivery_order(out.chunks);
  ASSERT_EQ(order.size(), 10'000u);
  std::vector<int> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 10'000; ++i)
    ASSERT_EQ(sorted[static_cast<std::size_t>(i)], i);
  std::size_t out_of_place = 0;
  for (std::size_t i = 1; i < order.size(); ++i)
    out_of_place += order[i] < order[i - 1] ? 1 : 0;
  EXPECT_EQ(out_of_place, testing::count_events(out, "reorder"));
  // A held datagram waits one slot, so after one is held the next is not rolled:
  // the rate of swaps is rate / (1 + rate).
  EXPECT_NEAR(static_cast<double>(out_of_place), 10'000 * 0.1 / 1.1, 90.0);
}

TEST(ReorderFaultTest, DelayModeLetsLaterDatagramsOvertake) {
  ReorderSettings settings{.rate = Probability::always(), .delay = 30ms};
  ReorderStage stage(settings, testing::context(1, Transport::datagram));
  auto out = testing::feed(stage, numbered(3));
  ASSERT_EQ(out.chunks.size(), 3u);
  EXPECT_EQ(out.chunks[0].release, 30ms);
  EXPECT_EQ(out.chunks[2].release, 32ms);
}

TEST(ReorderFaultTest, TheEndReleasesAHeldDatagram) {
  ReorderSettings settings{.rate = Probability::always()};
  ReorderStage stage(settings, testing::context(1, Transport::datagram));
  auto out = testing::feed(stage, numbered(1), testing::close_at(5ms));
  ASSERT_EQ(out.chunks.size(), 1u);
  EXPECT_EQ(out.chunks[0].bytes, "0");
  ASSERT_TRUE(out.end);
  EXPECT_GE(out.end->at, out.chunks[0].release);
}

}  // namespace
}  // namespace faultline::fault
