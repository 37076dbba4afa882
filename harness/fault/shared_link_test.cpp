#include "harness/fault/shared_link.h"

#include <gtest/gtest.h>

#include <map>
#include <numeric>

#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;

// jain: Jain's fairness index of the shares, 1 when all are equal.
double jain(const std::vector<double>& x) {
  const double sum = std::accumulate(x.begin(), x.end(), 0.0);
  double squares = 0;
  for (double v : x)
    squares += v * v;
  return sum * sum / (static_cast<double>(x.size()) * squares);
}

// Backlogged flows: each asks again as soon as its turn is used, as a
// transport's pump does. Runs the link in virtual time for `span`, polling
// every `poll` (a late poller), and returns the bytes granted per flow.
std::map<std::uint64_t, std::uint64_t> run_backlogged(SharedLink& link, int flows, Time span,
                                                      Time poll) {
  std::map<std::uint64_t, std::uint64_t> granted;
  for (int f = 0; f < flows; ++f)
    link.request(f, 1 << 20, Time{0});
  for (Time now{0}; now <= span; now += poll) {
    // A late poll catches up: the flows ask again at once, as a pump does,
    // and the link grants until it is busy past `now` (bounded by the span).
    for (int round = 0; round < 100'000; ++round) {
      auto grants = link.grant(now);
      if (grants.empty()) break;
      for (auto grant : grants) {
        granted[grant.flow] += grant.bytes;
        link.request(grant.flow, 1 << 20, now);
      }
    }
  }
  return granted;
}

TEST(SharedLinkTest, BackloggedFlowsShareTheRateEquallyAndNeverExceedIt) {
  constexpr std::uint64_t kRate = 100 * 1024;
  for (Time poll : {Time(1ms), Time(7ms), Time(50ms)}) {
    SharedLink link(kRate, kRate / 100);
    auto granted = run_backlogged(link, 3, 10s, poll);
    std::vector<double> shares;
    std::uint64_t total = 0;
    for (auto [flow, bytes] : granted) {
      shares.push_back(static_cast<double>(bytes));
      total += bytes;
    }
    ASSERT_EQ(shares.size(), 3u);
    // At most rate * time + one quantum, however late the polls.
    EXPECT_LE(total, kRate * 10 + link.quantum()) << "poll " << poll.count();
    // Backlogged flows keep the link busy, however late the polls: a late
    // poll catches up (at most one poll interval behind at the end).
    EXPECT_GE(total, kRate * 10 - 2 * link.quantum() -
                         kRate * static_cast<std::uint64_t>(poll.count()) / 1'000'000'000);
    for (double share : shares)
      EXPECT_NEAR(share, static_cast<double>(total) / 3, static_cast<double>(link.quantum()));
    EXPECT_GE(jain(shares), 0.999);
  }
}

TEST(SharedLinkTest, AFlowThatWantsLessLeavesItsShareToTheOthers) {
  constexpr std::uint64_t kRate = 10'000;
  SharedLink link(kRate, 100);
  std::uint64_t light = 0;
  std::uint64_t heavy = 0;
  link.request(1, 1 << 20, Time{0});
  for (Time now{0}; now <= 10s; now += 1ms) {
    if (now % 100ms == Time{0} && now < 10s) link.request(2, 10, now);  // 10 bytes per 100ms
    for (auto grant : link.grant(now)) {
      if (grant.flow == 1) {
        heavy += grant.bytes;
        link.request(1, 1 << 20, now);
      } else {
        light += grant.bytes;
      }
    }
  }
  EXPECT_EQ(light, 1000u);  // everything it asked for, 100 times 10 bytes
  EXPECT_GE(heavy + light, kRate * 10 - 100);
  EXPECT_LE(heavy + light, kRate * 10 + 100);
}

TEST(SharedLinkTest, TurnsGoRoundRobinAndForgetLeavesTheRound) {
  SharedLink link(1000, 10);  // 10 bytes = 10ms of link
  for (std::uint64_t f : {5u, 6u, 7u})
    link.request(f, 100, Time{0});
  EXPECT_EQ(link.next_grant(), Time{0});
  auto first = link.grant(Time{0});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].flow, 5u);
  EXPECT_EQ(first[0].bytes, 10u);
  EXPECT_EQ(link.next_grant(), 10ms);
  link.forget(6);
  EXPECT_FALSE(link.waiting(6));
  auto second = link.grant(10ms);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].flow, 7u);
  EXPECT_EQ(link.next_grant(), kNever);  // 5 has not asked again
  link.request(5, 3, 15ms);
  auto third = link.grant(20ms);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].bytes, 3u);  // no more than it wants
  EXPECT_EQ(link.next_grant(), kNever);
}

TEST(SharedLinkTest, AProfileHasOneSharedLinkPerDirectionItAppliesTo) {
  auto profile = parse_profile("latency delay=1ms; bandwidth rate=64KiB/s scope=proxy dir=down")
                     .value();
  EXPECT_EQ(shared_link_clause(profile), 1u);
  EXPECT_FALSE(make_shared_link(profile, Direction::up));
  auto down = make_shared_link(profile, Direction::down);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->bytes_per_second(), 64u * 1024);
  EXPECT_EQ(down->quantum(), 655u);  // about 10ms of traffic
  EXPECT_FALSE(uses_shared_link(profile.make_chain(Direction::up, 1, 0), profile));
  EXPECT_TRUE(uses_shared_link(profile.make_chain(Direction::down, 1, 0), profile));
  auto plain = parse_profile("bandwidth rate=64KiB/s").value();
  EXPECT_FALSE(shared_link_clause(plain));
}

TEST(SharedLinkTest, TheChainPassesBytesThroughAndReportsTheClauseActive) {
  auto profile = parse_profile("bandwidth rate=1KiB/s scope=proxy").value();
  Chain chain = profile.make_chain(Direction::up, 1, 0);
  Output out;
  chain.on_chunk(Chunk{testing::pattern(5000), 3ms}, 3ms, out);
  ASSERT_EQ(out.chunks.size(), 1u);
  EXPECT_EQ(out.chunks[0].bytes, testing::pattern(5000));
  EXPECT_EQ(out.chunks[0].release, 3ms);  // the transport's link paces it, not the chain
  EXPECT_EQ(testing::count_events(out, "active"), 1u);
}

TEST(SharedLinkTest, ADatagramChainPassesDatagramsWholeAndMarksTheLink) {
  auto profile = parse_profile("drop rate=0%; bandwidth rate=1KiB/s scope=proxy dir=up").value();
  ASSERT_TRUE(profile.validate_for(Transport::datagram));
  Chain up = profile.make_chain(Direction::up, 1, 0, Transport::datagram);
  EXPECT_TRUE(uses_shared_link(up, profile));
  EXPECT_FALSE(uses_shared_link(profile.make_chain(Direction::down, 1, 0, Transport::datagram),
                                profile));
  Output out;
  up.on_chunk(Chunk{testing::pattern(5000), 3ms}, 3ms, out);
  ASSERT_EQ(out.chunks.size(), 1u);
  EXPECT_EQ(out.chunks[0].bytes, testing::pattern(5000));  // one datagram, never cut
  EXPECT_EQ(out.chunks[0].release, 3ms);
}

}  // namespace
}  // namespace faultline::fault
