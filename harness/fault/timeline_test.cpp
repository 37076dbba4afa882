#include "harness/fault/timeline.h"

#include <gtest/gtest.h>

#include "harness/fault/profile.h"
#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;

Timeline window(Time start, std::optional<Time> length, std::optional<Time> every = {}) {
  Timeline t;
  t.start = start;
  t.length = length;
  t.every = every;
  return t;
}

TEST(TimelineTest, AWindowOpensAtStartAndClosesAfterItsLength) {
  auto t = window(2s, 3s);
  EXPECT_FALSE(t.active_since(1999ms));
  EXPECT_TRUE(t.active_since(2s));
  EXPECT_TRUE(t.active_since(4999ms));
  EXPECT_FALSE(t.active_since(5s));
  EXPECT_EQ(t.next_change(0s), 2s);
  EXPECT_EQ(t.next_change(3s), 5s);
  EXPECT_EQ(t.next_change(6s), kNever);
}

TEST(TimelineTest, EveryRepeatsTheWindow) {
  auto t = window(10s, 2s, 10s);
  EXPECT_TRUE(t.active_since(11s));
  EXPECT_FALSE(t.active_since(12s));
  EXPECT_TRUE(t.active_since(21s));
  EXPECT_FALSE(t.active_since(29s));
  EXPECT_EQ(t.next_change(11s), 12s);
  EXPECT_EQ(t.next_change(12s), 20s);
}

TEST(TimelineTest, ConnectionRangeIsInclusive) {
  Timeline t;
  t.from_conn = 2;
  t.to_conn = 3;
  EXPECT_FALSE(t.selects(1));
  EXPECT_TRUE(t.selects(2));
  EXPECT_TRUE(t.selects(3));
  EXPECT_FALSE(t.selects(4));
}

TEST(TimelineTest, AStageOutsideItsWindowPassesBytesThroughInOrder) {
  auto profile = parse_profile("latency delay=100ms for=1s").value();
  Chain chain = profile.make_chain(Direction::up, 1, 0, Transport::stream, ChainClock{0s, 0s});
  Output out;
  chain.on_chunk(Chunk{"a", 900ms}, 900ms, out);    // inside: delayed to 1s
  chain.on_chunk(Chunk{"b", 1500ms}, 1500ms, out);  // outside: passes at once
  ASSERT_EQ(out.chunks.size(), 2u);
  EXPECT_EQ(out.chunks[0].release, 1s);
  EXPECT_EQ(out.chunks[1].release, 1500ms);
  Output late;
  chain.on_chunk(Chunk{"c", 1500ms}, 1500ms, late);
  EXPECT_EQ(late.chunks.at(0).release, 1500ms);
}

TEST(TimelineTest, PassedThroughBytesNeverOvertakeDelayedOnes) {
  auto profile = parse_profile("latency delay=1s for=100ms").value();
  Chain chain = profile.make_chain(Direction::up, 1, 0, Transport::stream, ChainClock{0s, 0s});
  Output out;
  chain.on_chunk(Chunk{"a", 50ms}, 50ms, out);    // released at 1.05s
  chain.on_chunk(Chunk{"b", 200ms}, 200ms, out);  // outside, but behind "a"
  ASSERT_EQ(out.chunks.size(), 2u);
  EXPECT_EQ(out.chunks[1].release, 1050ms);
}

TEST(TimelineTest, ConnectionClockCountsFromTheConnectionsOpening) {
  auto profile = parse_profile("reset start=1s clock=connection").value();
  Chain chain = profile.make_chain(Direction::up, 1, 0, Transport::stream, ChainClock{0s, 5s});
  Output out;
  chain.on_chunk(Chunk{"a", 5500ms}, 5500ms, out);
  EXPECT_FALSE(out.end);
  chain.on_chunk(Chunk{"b", 6s}, 6s, out);
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->kind, EndKind::reset);
}

TEST(TimelineTest, ConnectionRangeLeavesOtherConnectionsAlone) {
  auto profile = parse_profile("reset from_conn=1 to_conn=1").value();
  EXPECT_TRUE(profile.make_chain(Direction::up, 1, 0).empty());
  EXPECT_FALSE(profile.make_chain(Direction::up, 1, 1).empty());
  EXPECT_TRUE(profile.make_chain(Direction::up, 1, 2).empty());
}

TEST(TimelineTest, DownFlapsWithItsWindow) {
  auto profile = parse_profile("down start=2s for=3s every=10s").value();
  EXPECT_EQ(profile.connection_policy(1, 0, 1s), ConnectionPolicy::accept);
  EXPECT_EQ(profile.connection_policy(1, 0, 3s), ConnectionPolicy::refuse);
  EXPECT_EQ(profile.connection_policy(1, 0, 6s), ConnectionPolicy::accept);
  EXPECT_EQ(profile.connection_policy(1, 0, 13s), ConnectionPolicy::refuse);
  EXPECT_EQ(profile.next_policy_change(3s), 5s);
  EXPECT_EQ(profile.next_policy_change(6s), 12s);
}

}  // namespace
}  // namespace faultline::fault
