#include "harness/fault/chain.h"

#include <gtest/gtest.h>

#include "harness/fault/profile.h"
#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;

Profile profile_of(std::string_view text) {
  auto profile = parse_profile(text);
  EXPECT_TRUE(profile) << text << ": " << profile.error().message;
  return profile ? *profile : Profile::empty();
}

// run: 50 chunks of 40 bytes, 1ms apart, then a close, through `chain`.
Output run(Chain& chain) {
  Output out;
  for (int i = 0; i < 50; ++i) {
    chain.on_chunk(Chunk{testing::pattern(40, static_cast<std::size_t>(i)), 1ms * i}, 1ms * i, out);
  }
  chain.on_end(testing::close_at(50ms), 50ms, out);
  return out;
}

bool same_output(const Output& a, const Output& b) {
  if (a.chunks.size() != b.chunks.size() || a.end.has_value() != b.end.has_value()) return false;
  for (std::size_t i = 0; i < a.chunks.size(); ++i) {
    if (a.chunks[i].bytes != b.chunks[i].bytes || a.chunks[i].release != b.chunks[i].release) {
      return false;
    }
  }
  return !a.end || (a.end->at == b.end->at && a.end->kind == b.end->kind);
}

TEST(FaultChainTest, AnEmptyChainPassesEverythingThrough) {
  std::vector<Chain> chains;
  chains.emplace_back();
  chains.push_back(Profile::empty().make_chain(Direction::up, 1, 0));
  for (auto& chain : chains) {
    Output out;
    chain.on_chunk(Chunk{"abc", 1ms}, 1ms, out);
    chain.on_end(testing::close_at(2ms), 2ms, out);
    ASSERT_EQ(out.chunks.size(), 1u);
    EXPECT_EQ(out.chunks[0].bytes, "abc");
    EXPECT_EQ(out.chunks[0].release, 1ms);
    ASSERT_TRUE(out.end);
    EXPECT_EQ(out.end->at, 2ms);
    EXPECT_TRUE(out.events.empty());
  }
}

TEST(FaultChainTest, StagesRunInProfileOrder) {
  // Cut then limit: 5 one-byte pieces. Limit then cut: the same bytes, but the
  // slicer never sees more than 5.
  auto cut_first = profile_of("slicer max=1B; limit_data after=5B").make_chain(Direction::up, 1, 0);
  auto out = run(cut_first);
  ASSERT_EQ(out.chunks.size(), 5u);
  EXPECT_EQ(testing::joined(out.chunks), testing::pattern(5));
  ASSERT_TRUE(out.end);
  EXPECT_TRUE(out.end->whole_connection);

  auto latency_then_stall =
      profile_of("latency delay=1s; stall close_after=1s").make_chain(Direction::up, 1, 0);
  out = run(latency_then_stall);
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->at, 2s);  // the stall saw the first byte at 1s
}

// KI-6 (found by echo_schedule_fuzzer): a stage behind `stall close_after`
// ordered the stall's End after the held (kNever) bytes, so the close never
// came. Reproducer: corpus/echo_schedule/regression_stall_end_held.
TEST(FaultChainTest, AStallsTimedEndPassesEveryLaterStage) {
  const std::vector<std::string> followers = {
      "latency delay=1ms",    "slicer max=7B",         "retransmit rate=50% rto=1ms",
      "corrupt rate=0%",      "half_close after=1MiB", "limit_data after=1MiB",
      "slow_close delay=1ms", "reset after=1MiB",      "stall after=1MiB",
      "bandwidth rate=1MiB/s"};
  for (const std::string& follower : followers) {
    SCOPED_TRACE(follower);
    auto chain =
        profile_of("stall after=100B close_after=10s; " + follower).make_chain(Direction::up, 1, 0);
    Output out = run(chain);
    ASSERT_TRUE(out.end);
    EXPECT_NE(out.end->at, kNever);
    EXPECT_GE(out.end->at, 10s);
    EXPECT_LE(out.end->at, 11s);
    std::size_t delivered = 0;
    for (const Chunk& chunk : out.chunks) {
      if (chunk.release != kNever) delivered += chunk.bytes.size();
    }
    EXPECT_EQ(delivered, 100u);
  }
}

// Found by echo_schedule_fuzzer: bytes a stall holds forever never arrive,
// so a later byte-offset fault must not count them ("stall after=0B
// reset_after=3s; reset after=0B" reset at kNever: the exchange hung).
TEST(FaultChainTest, HeldBytesDoNotCountTowardsALaterByteOffset) {
  auto limit_after_stall = profile_of("stall after=100B close_after=10s; limit_data after=150B")
                               .make_chain(Direction::up, 1, 0);
  Output out = run(limit_after_stall);
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->kind, EndKind::close);
  EXPECT_GE(out.end->at, 10s);  // the stall's close, not limit_data at the 150th (held) byte
  for (const FaultEvent& event : out.events)
    EXPECT_NE(event.what, "limit_data") << "limit_data fired";

  auto reset_after_stall =
      profile_of("stall reset_after=3s; reset").make_chain(Direction::up, 1, 0);
  out = run(reset_after_stall);
  ASSERT_TRUE(out.end);
  EXPECT_EQ(out.end->kind, EndKind::reset);
  EXPECT_EQ(out.end->at, 0ms);  // after=0B acts at the first event, held or not
}

TEST(FaultChainTest, DirectionPicksTheClausesThatApply) {
  auto profile = profile_of("latency delay=1ms dir=up; latency delay=2ms dir=down; slicer max=8B");
  auto up = profile.make_chain(Direction::up, 1, 0);
  auto down = profile.make_chain(Direction::down, 1, 0);
  ASSERT_EQ(up.size(), 2u);
  ASSERT_EQ(down.size(), 2u);
  EXPECT_EQ(up.links()[0].clause, 0u);
  EXPECT_EQ(down.links()[0].clause, 1u);
  EXPECT_EQ(up.links()[1].clause, 2u);
  EXPECT_EQ(down.links()[1].fault, "slicer");
}

TEST(FaultChainTest, ToxicityZeroNeverAppliesAndHundredAlwaysApplies) {
  auto never = profile_of("reset p=0%");
  auto always = profile_of("reset p=100%");
  for (std::uint64_t connection = 0; connection < 1000; ++connection) {
    auto off = never.make_chain(Direction::up, 42, connection);
    ASSERT_TRUE(off.empty());
    Output out = run(off);
    ASSERT_EQ(out.chunks.size(), 50u);  // passes everything unchanged
    ASSERT_EQ(out.end->kind, EndKind::close);

    auto on = always.make_chain(Direction::up, 42, connection);
    Output hit = run(on);
    ASSERT_TRUE(hit.chunks.empty());
    ASSERT_EQ(hit.end->kind, EndKind::reset);
  }
}

TEST(FaultChainTest, ToxicityHitsItsShareOfConnectionsInBothDirectionsAtOnce) {
  auto profile = profile_of("reset after=1KiB p=25%");
  int hit = 0;
  for (std::uint64_t connection = 0; connection < 4000; ++connection) {
    const bool up = !profile.make_chain(Direction::up, 7, connection).empty();
    const bool down = !profile.make_chain(Direction::down, 7, connection).empty();
    ASSERT_EQ(up, down) << "connection " << connection;
    ASSERT_EQ(up, profile.applies(0, 7, connection));
    hit += up ? 1 : 0;
  }
  EXPECT_NEAR(hit, 1000, 90);
}

TEST(FaultChainTest, SameSeedConnectionAndDirectionGiveIdenticalOutput) {
  auto profile = profile_of("slicer min=1B max=16B delay=1ms; latency delay=10ms jitter=5ms");
  auto a = profile.make_chain(Direction::up, 99, 3);
  auto b = profile.make_chain(Direction::up, 99, 3);
  // Another connection's chain, used in between, must not disturb connection 3's.
  auto other = profile.make_chain(Direction::up, 99, 4);
  Output a_out = run(a);
  Output other_out = run(other);
  Output b_out = run(b);
  EXPECT_TRUE(same_output(a_out, b_out));
  EXPECT_FALSE(same_output(a_out, other_out));
  auto down = profile.make_chain(Direction::down, 99, 3);
  EXPECT_FALSE(same_output(a_out, run(down)));
  auto other_seed = profile.make_chain(Direction::up, 100, 3);
  EXPECT_FALSE(same_output(a_out, run(other_seed)));
}

TEST(FaultChainTest, ReportsActiveFaultsOnceAndFiredEventsAsTheyHappen) {
  auto chain = profile_of("latency delay=1ms; reset after=100B").make_chain(Direction::down, 1, 0);
  auto out = run(chain);
  ASSERT_EQ(out.events.size(), 3u);
  EXPECT_EQ(out.events[0].fault, "latency");
  EXPECT_EQ(out.events[0].what, "active");
  EXPECT_EQ(out.events[1].fault, "reset");
  EXPECT_EQ(out.events[1].what, "active");
  EXPECT_EQ(out.events[2].what, "reset");
  EXPECT_EQ(out.events[2].clause, 1u);
  EXPECT_EQ(out.events[2].value, 100u);
}

TEST(FaultChainTest, IgnoresInputOnceTheStreamHasEnded) {
  auto chain = profile_of("limit_data after=10B").make_chain(Direction::up, 1, 0);
  Output out;
  chain.on_chunk(Chunk{std::string(20, 'x'), 0ms}, 0ms, out);
  ASSERT_TRUE(chain.ended());
  Output after;
  chain.on_chunk(Chunk{"more", 1ms}, 1ms, after);
  chain.on_end(testing::close_at(2ms), 2ms, after);
  EXPECT_TRUE(after.chunks.empty());
  EXPECT_FALSE(after.end);
}

TEST(FaultChainTest, IgnoresEmptyStreamChunksButKeepsEmptyDatagrams) {
  auto stream = profile_of("latency delay=1ms").make_chain(Direction::up, 1, 0);
  Output out;
  stream.on_chunk(Chunk{"", 0ms}, 0ms, out);
  EXPECT_TRUE(out.chunks.empty());
  auto datagrams =
      profile_of("latency delay=1ms").make_chain(Direction::up, 1, 0, Transport::datagram);
  datagrams.on_chunk(Chunk{"", 0ms}, 0ms, out);
  EXPECT_EQ(out.chunks.size(), 1u);
}

TEST(FaultChainTest, AChainOutlivesItsProfile) {
  Chain chain;
  {
    auto profile = profile_of("latency delay=5ms jitter=1ms; slicer max=3B");
    chain = profile.make_chain(Direction::up, 1, 0);
  }
  Output out = run(chain);  // the stages' settings must still be alive (ASan checks)
  EXPECT_EQ(testing::joined(out.chunks).size(), 50u * 40u);
}

TEST(FaultChainTest, MakeChainRefusesAProfileThatDoesNotFitTheTransport) {
  auto profile = profile_of("drop rate=10%");
  EXPECT_THROW(profile.make_chain(Direction::up, 1, 0, Transport::stream), std::invalid_argument);
  EXPECT_NO_THROW(profile.make_chain(Direction::up, 1, 0, Transport::datagram));
}

}  // namespace
}  // namespace faultline::fault
