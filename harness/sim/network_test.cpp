#include "harness/sim/network.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

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

// RecordingPeer: keeps what its connection's server receives, and how much
// had arrived when the client's end came.
class RecordingPeer final : public Peer {
 public:
  struct Record {
    std::string bytes;
    std::vector<std::pair<net::TimePoint, std::size_t>> arrivals;  // time, total so far
    std::optional<std::size_t> ended_after;
  };
  explicit RecordingPeer(Record& record) : record_(record) {}
  void on_data(Endpoint& endpoint, std::string_view bytes) override {
    record_.bytes.append(bytes);
    record_.arrivals.emplace_back(endpoint.now(), record_.bytes.size());
  }
  void on_end(Endpoint&, fault::EndKind) override { record_.ended_after = record_.bytes.size(); }

 private:
  Record& record_;
};

std::string message_for(std::size_t connection, std::size_t size) {
  std::string message(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    message[i] = static_cast<char>((i * 31 + connection * 7) % 251);
  return message;
}

// received_by: the bytes that had reached the server by `when`.
std::size_t received_by(const RecordingPeer::Record& record, net::TimePoint when) {
  std::size_t total = 0;
  for (const auto& [at, so_far] : record.arrivals) {
    if (at <= when) total = so_far;
  }
  return total;
}

constexpr std::size_t kSharedConnections = 4;
constexpr std::size_t kSharedBytes = 64 * 1024;  // each connection's upload
constexpr std::uint64_t kSharedRate = 64 * 1024;
constexpr std::uint64_t kSharedTurn = kSharedRate / 100;

struct SharedLinkRun {
  std::vector<RecordingPeer::Record> records;
  std::uint64_t trace_hash = 0;
  std::vector<std::string> trace;
};

// run_shared_uploads: kSharedConnections clients each upload kSharedBytes at
// time 0 through one 64KiB/s link, then close.
SharedLinkRun run_shared_uploads(std::uint64_t seed) {
  Network network(seed, profile_of("bandwidth rate=64KiB/s scope=proxy dir=up"));
  SharedLinkRun run;
  run.records.resize(kSharedConnections);
  std::size_t next = 0;
  network.listen("sink", 9, [&] { return std::make_unique<RecordingPeer>(run.records.at(next++)); });
  std::vector<std::unique_ptr<net::Stream>> streams;
  for (std::size_t i = 0; i < kSharedConnections; ++i) {
    auto stream = network.dialer().dial("sink", 9, network.now() + 1s);
    EXPECT_TRUE(stream);
    if (!stream) return run;
    EXPECT_TRUE((*stream)->write_all(message_for(i, kSharedBytes), network.now() + 1s));
    (*stream)->close();
    streams.push_back(std::move(*stream));
  }
  const bool done = network.run_until(
      [&] {
        for (const auto& record : run.records)
          if (!record.ended_after) return false;
        return true;
      },
      60s);
  EXPECT_TRUE(done) << "the uploads did not end within 60s of virtual time";
  run.trace_hash = network.trace_hash();
  run.trace = network.trace();
  return run;
}

TEST(SimSharedLinkTest, ConnectionsShareOneLinkFairlyAtItsRate) {
  const SharedLinkRun run = run_shared_uploads(1);
  ASSERT_EQ(run.records.size(), kSharedConnections);
  // Every byte arrives, in order, and the FIN only after the bytes the link held.
  for (std::size_t i = 0; i < kSharedConnections; ++i) {
    EXPECT_TRUE(run.records[i].bytes == message_for(i, kSharedBytes)) << "connection " << i;
    EXPECT_EQ(run.records[i].ended_after, kSharedBytes) << "connection " << i;
  }
  // The link is busy from time 0: by any time T it has carried rate * T, to
  // within one turn either way (a turn is delivered when it starts).
  for (auto when : {500ms, 1000ms, 2000ms, 3500ms}) {
    std::vector<double> shares;
    double total = 0;
    for (const auto& record : run.records) {
      shares.push_back(static_cast<double>(received_by(record, when)));
      total += shares.back();
    }
    const double expected = static_cast<double>(kSharedRate) * std::chrono::duration<double>(when).count();
    EXPECT_LE(total, expected + kSharedTurn) << "at " << when.count() << "ms";
    EXPECT_GE(total, expected - kSharedTurn) << "at " << when.count() << "ms";
    // Round robin: no connection is more than one turn ahead of another.
    const auto [low, high] = std::minmax_element(shares.begin(), shares.end());
    EXPECT_LE(*high - *low, static_cast<double>(kSharedTurn)) << "at " << when.count() << "ms";
    EXPECT_GE(fault::jain_index(shares), 0.99) << "at " << when.count() << "ms";
  }
  // All of it: 256KiB at 64KiB/s is 4s, ending together (fair to the last turn).
  net::TimePoint last{0};
  net::TimePoint first = net::kNoDeadline;
  for (const auto& record : run.records) {
    last = std::max(last, record.arrivals.back().first);
    first = std::min(first, record.arrivals.back().first);
  }
  EXPECT_GE(last, 4s - 10ms);
  EXPECT_LE(last, 4s);
  EXPECT_LE(last - first, 40ms);  // the last round: one turn each
  std::printf("sim shared link 64KiB/s, %zu uploads of %zu bytes: done at %.4fs virtual "
              "(bound %.4fs), last round %.1fms\n",
              kSharedConnections, kSharedBytes, std::chrono::duration<double>(last).count(),
              static_cast<double>(kSharedConnections * kSharedBytes) / kSharedRate,
              std::chrono::duration<double, std::milli>(last - first).count());
}

TEST(SimSharedLinkTest, SameSeedGivesTheSameTrace) {
  const SharedLinkRun a = run_shared_uploads(7);
  const SharedLinkRun b = run_shared_uploads(7);
  EXPECT_FALSE(a.trace.empty());
  EXPECT_EQ(a.trace, b.trace);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
}

TEST(SimSharedLinkTest, AConnectionThatWantsLessLeavesItsShareToTheOthers) {
  Network network(1, profile_of("bandwidth rate=64KiB/s scope=proxy dir=up"));
  std::vector<RecordingPeer::Record> records(2);
  std::size_t next = 0;
  network.listen("sink", 9, [&] { return std::make_unique<RecordingPeer>(records.at(next++)); });
  auto big = network.dialer().dial("sink", 9, 1s).value();
  auto small = network.dialer().dial("sink", 9, 1s).value();
  ASSERT_TRUE(big->write_all(message_for(0, 64 * 1024), 1s));
  ASSERT_TRUE(small->write_all(message_for(1, 1000), 1s));
  big->close();
  small->close();
  ASSERT_TRUE(network.run_until([&] { return records[0].ended_after && records[1].ended_after; },
                                60s));
  // The small upload is done within its first two turns; the big one then
  // has the whole link: 65KiB in about 1s, not 2s.
  EXPECT_LE(records[1].arrivals.back().first, 30ms);
  EXPECT_LE(records[0].arrivals.back().first, 1s + 30ms);
  EXPECT_TRUE(records[0].bytes == message_for(0, 64 * 1024));
  EXPECT_TRUE(records[1].bytes == message_for(1, 1000));
}

TEST(SimSharedLinkTest, AnEchoThroughTheSharedLinkTakesItsTransmissionTimeBothWays) {
  const std::string message = message_for(0, 64 * 1024);
  auto run = run_echo_exchange(profile_of("bandwidth rate=64KiB/s scope=proxy"), 1, message, 60s,
                               false);
  ASSERT_TRUE(run.reply) << run.reply.error().to_string();
  EXPECT_TRUE(*run.reply == message);
  // 64KiB up, and the echo down as it arrives: each way one second of
  // turns, the down link a turn behind the up one (a turn is delivered when
  // it starts, so the last one a turn before the second is out).
  EXPECT_GE(run.elapsed, 1s - 10ms);
  EXPECT_LE(run.elapsed, 1s + 30ms);
}

}  // namespace
}  // namespace faultline::sim
