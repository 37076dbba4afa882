#include "harness/sim/network.h"

#include <gtest/gtest.h>

#include "harness/sim/echo_peer.h"
#include "harness/sim/echo_workload.h"
#include "targets/echo/echo_client.h"

namespace faultline::sim {
namespace {

using namespace std::chrono_literals;

fault::Profile profile_of(const std::string& text) {
  auto profile = fault::parse_profile(text);
  EXPECT_TRUE(profile) << text << ": " << profile.error().to_string();
  return profile ? *profile : fault::Profile{};
}

const std::string kHello = "안녕하세요!";

TEST(SimNetworkTest, EchoesThroughACleanNetwork) {
  auto run = run_echo_exchange(fault::Profile{}, 1, kHello, 5s);
  ASSERT_TRUE(run.reply) << run.reply.error().to_string();
  EXPECT_EQ(*run.reply, kHello);
}

TEST(SimNetworkTest, KeepsIntegrityUnderSlicerAndLatencyForManySeeds) {
  auto profile = profile_of("slicer min=1B max=3B delay=1ms; latency delay=20ms jitter=10ms");
  std::string message(2000, '\0');
  for (std::size_t i = 0; i < message.size(); ++i)
    message[i] = static_cast<char>(i * 7);
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    auto run = run_echo_exchange(profile, seed, message, 60s, false);
    ASSERT_TRUE(run.reply) << "seed " << seed << ": " << run.reply.error().to_string();
    EXPECT_TRUE(*run.reply == message) << "seed " << seed;
  }
}

TEST(SimNetworkTest, LatencyCostsVirtualTimeNotRealTime) {
  auto run = run_echo_exchange(profile_of("latency delay=10s"), 1, "x", 60s, false);
  ASSERT_TRUE(run.reply) << run.reply.error().to_string();
  EXPECT_GE(run.elapsed, 20s);  // 10 s each way
}

TEST(SimNetworkTest, SameSeedGivesTheSameTraceBitForBit) {
  auto profile = profile_of("slicer min=1B max=8B; latency delay=5ms jitter=5ms; corrupt rate=1%");
  auto a = run_echo_exchange(profile, 42, std::string(500, 'a'), 60s);
  auto b = run_echo_exchange(profile, 42, std::string(500, 'a'), 60s);
  EXPECT_EQ(a.trace, b.trace);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  auto c = run_echo_exchange(profile, 43, std::string(500, 'a'), 60s);
  EXPECT_NE(a.trace_hash, c.trace_hash);
}

TEST(SimNetworkTest, StallEndsInATimeoutAtTheVirtualDeadline) {
  auto run = run_echo_exchange(profile_of("stall dir=down"), 1, kHello, 3s, false);
  ASSERT_FALSE(run.reply);
  EXPECT_EQ(run.reply.error().kind, net::ErrorKind::timeout);
  EXPECT_EQ(run.elapsed, 3s);
}

TEST(SimNetworkTest, ResetEndsInAReset) {
  auto run = run_echo_exchange(profile_of("reset after=5B dir=down"), 1, kHello, 3s);
  ASSERT_FALSE(run.reply);
  EXPECT_EQ(run.reply.error().kind, net::ErrorKind::reset) << run.reply.error().to_string();
}

TEST(SimNetworkTest, LimitDataEndsInAClosedError) {
  auto run = run_echo_exchange(profile_of("limit_data after=5B dir=down"), 1, kHello, 3s);
  ASSERT_FALSE(run.reply);
  EXPECT_EQ(run.reply.error().kind, net::ErrorKind::closed) << run.reply.error().to_string();
}

TEST(SimNetworkTest, RefusePolicyRefusesTheDial) {
  auto run = run_echo_exchange(profile_of("down mode=refuse"), 1, kHello, 3s);
  ASSERT_FALSE(run.reply);
  EXPECT_EQ(run.reply.error().kind, net::ErrorKind::refused);
}

TEST(SimNetworkTest, UnknownHostIsRefused) {
  Network network(1, fault::Profile{});
  auto stream = network.dialer().dial("nowhere", 1, network.now() + 1s);
  ASSERT_FALSE(stream);
  EXPECT_EQ(stream.error().kind, net::ErrorKind::refused);
}

TEST(SimNetworkTest, SleepUntilAdvancesTheVirtualClock) {
  Network network(1, fault::Profile{});
  bool fired = false;
  network.schedule(5s, [&] { fired = true; });
  network.sleep_until(4s);
  EXPECT_FALSE(fired);
  EXPECT_EQ(network.now(), 4s);
  network.sleep_until(6s);
  EXPECT_TRUE(fired);
  EXPECT_EQ(network.now(), 6s);
}

}  // namespace
}  // namespace faultline::sim
