// The Stage contract (stage.h), checked for every fault over random inputs:
// releases never precede entry, streams never go backwards, bytes are never
// lost or reordered except by the faults whose job that is, and nothing
// follows an end.
#include <gtest/gtest.h>

#include "harness/fault/profile.h"
#include "harness/fault/rng.h"
#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;

// What a fault may do to the bytes it is given.
enum class Keeps {
  everything,  // same bytes, same order
  length,      // same length (corrupt)
  prefix,      // delivered bytes are a prefix of the input (reset, limit_data, stall, ...)
};

struct ContractCase {
  const char* spec;
  Transport transport;
  Keeps keeps;
};

const ContractCase kCases[] = {
    {"latency delay=5ms jitter=5ms", Transport::stream, Keeps::everything},
    {"bandwidth rate=10KiB/s", Transport::stream, Keeps::everything},
    {"slicer min=1B max=7B delay=1ms", Transport::stream, Keeps::everything},
    {"slow_close delay=1s", Transport::stream, Keeps::everything},
    {"retransmit rate=20% max=2s", Transport::stream, Keeps::everything},
    {"corrupt rate=2%", Transport::stream, Keeps::length},
    {"corrupt rate=20% per=chunk", Transport::stream, Keeps::length},
    {"reset after=300B", Transport::stream, Keeps::prefix},
    {"limit_data after=300B", Transport::stream, Keeps::prefix},
    {"half_close after=300B", Transport::stream, Keeps::prefix},
    {"stall after=300B close_after=1s", Transport::stream, Keeps::prefix},
    {"stall after=300B", Transport::stream, Keeps::prefix},
    {"slicer max=7B; latency delay=3ms jitter=2ms; bandwidth rate=10KiB/s; retransmit rate=10%; "
     "slow_close delay=1s",
     Transport::stream, Keeps::everything},
    {"slicer max=50B; reset after=1KiB; latency delay=1ms", Transport::stream, Keeps::prefix},
};

TEST(FaultContractTest, EveryStreamFaultKeepsTheStageContractOverRandomInputs) {
  for (const auto& c : kCases) {
    auto profile = parse_profile(c.spec).value();
    for (std::uint64_t seed = 0; seed < 40; ++seed) {
      SCOPED_TRACE(std::string(c.spec) + " seed " + std::to_string(seed));
      Rng input_rng(seed * 31 + 7);
      auto chain = profile.make_chain(Direction::up, seed, 0, c.transport);
      Output out;
      std::string input;
      Time now{0};
      const int chunks = static_cast<int>(input_rng.between(0, 40));
      for (int i = 0; i < chunks && !out.end; ++i) {
        now += Time(static_cast<std::int64_t>(input_rng.between(0, 5'000'000)));
        std::string bytes = testing::pattern(input_rng.between(1, 100), input.size());
        input += bytes;
        const std::size_t before = out.chunks.size();
        chain.on_chunk(Chunk{bytes, now}, now, out);
        for (std::size_t k = before; k < out.chunks.size(); ++k) {
          ASSERT_GE(out.chunks[k].release, now) << "a release precedes its entry";
        }
      }
      if (!out.end) {
        now += 1ms;
        chain.on_end(
            End{input_rng.chance(Probability::percent(20)) ? EndKind::reset : EndKind::close, now},
            now, out);
        ASSERT_TRUE(out.end) << "an input end always yields an end";
        ASSERT_GE(out.end->at, now);
      }
      ASSERT_TRUE(testing::releases_non_decreasing(out.chunks));
      // Nothing follows an end.
      Output after;
      chain.on_chunk(Chunk{"late", now}, now, after);
      chain.on_end(testing::close_at(now), now, after);
      ASSERT_TRUE(after.chunks.empty() && !after.end && after.events.empty());

      std::string delivered;
      for (const auto& chunk : out.chunks) {
        if (chunk.release != kNever) delivered += chunk.bytes;
      }
      switch (c.keeps) {
        case Keeps::everything:
          ASSERT_EQ(testing::joined(out.chunks), input);
          // A close is never scheduled before the bytes it follows.
          if (out.end->kind == EndKind::close && !out.chunks.empty()) {
            ASSERT_GE(out.end->at, out.chunks.back().release);
          }
          break;
        case Keeps::length:
          ASSERT_EQ(testing::joined(out.chunks).size(), input.size());
          break;
        case Keeps::prefix:
          ASSERT_EQ(delivered, input.substr(0, delivered.size()));
          break;
      }
      for (const auto& event : out.events)
        ASSERT_GE(event.at, Time{0});
    }
  }
}

const char* const kDatagramSpecs[] = {
    "latency delay=5ms jitter=5ms",
    "bandwidth rate=10KiB/s",
    "corrupt rate=20% per=chunk",
    "drop rate=30%",
    "duplicate rate=30%",
    "reorder rate=30%",
    "reorder rate=30% delay=10ms",
    "truncate rate=30%",
    "drop rate=10%; duplicate rate=10%; reorder rate=10%; truncate rate=10%; latency delay=1ms",
};

TEST(FaultContractTest, EveryDatagramFaultReleasesNoDatagramBeforeItEntered) {
  for (const char* spec : kDatagramSpecs) {
    auto profile = parse_profile(spec).value();
    for (std::uint64_t seed = 0; seed < 40; ++seed) {
      SCOPED_TRACE(std::string(spec) + " seed " + std::to_string(seed));
      Rng input_rng(seed);
      auto chain = profile.make_chain(Direction::down, seed, 0, Transport::datagram);
      Output out;
      Time now{0};
      for (int i = 0; i < 100; ++i) {
        now += Time(static_cast<std::int64_t>(input_rng.between(0, 2'000'000)));
        const std::size_t before = out.chunks.size();
        chain.on_chunk(Chunk{testing::pattern(input_rng.between(0, 64), i), now}, now, out);
        for (std::size_t k = before; k < out.chunks.size(); ++k) {
          ASSERT_GE(out.chunks[k].release, now);
        }
        // Each datagram emitted in this call came from one input datagram: never
        // longer than 64 bytes (no merging).
        for (std::size_t k = before; k < out.chunks.size(); ++k) {
          ASSERT_LE(out.chunks[k].bytes.size(), 64u);
        }
      }
      chain.on_end(testing::close_at(now), now, out);
      ASSERT_TRUE(out.end);
    }
  }
}

}  // namespace
}  // namespace faultline::fault
