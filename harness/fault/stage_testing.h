// harness/fault/stage_testing.h: helpers for the fault tests (test-only).
//
//   LatencySettings settings{.delay = 10ms};
//   LatencyStage stage(settings, testing::context(/*seed=*/1));
//   Output out = testing::feed(stage, {{"hello", 0ms}, {"world", 5ms}}, testing::close_at(9ms));
//   EXPECT_EQ(testing::joined(out.chunks), "helloworld");
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/fault/stage.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault::testing {

using namespace std::chrono_literals;

// Arrival: bytes entering a stage at `at` (used as both `now` and the release).
struct Arrival {
  std::string bytes;
  Time at{0};
};

inline StageContext context(std::uint64_t seed, Transport transport = Transport::stream,
                            std::string_view fault = "test") {
  return StageContext{Rng(seed), transport, 0, fault};
}

inline End close_at(Time at) {
  return End{EndKind::close, at};
}

// feed: every arrival through `stage` in order, then the end if given; one Output.
inline Output feed(Stage& stage, const std::vector<Arrival>& arrivals,
                   std::optional<End> end = std::nullopt) {
  Output out;
  for (const auto& arrival : arrivals) {
    if (out.end) break;
    stage.on_chunk(Chunk{arrival.bytes, arrival.at}, arrival.at, out);
  }
  if (end && !out.end) stage.on_end(*end, end->at, out);
  return out;
}

inline std::string joined(const std::vector<Chunk>& chunks) {
  std::string out;
  for (const auto& chunk : chunks)
    out += chunk.bytes;
  return out;
}

inline bool releases_non_decreasing(const std::vector<Chunk>& chunks) {
  for (std::size_t i = 1; i < chunks.size(); ++i) {
    if (chunks[i].release < chunks[i - 1].release) return false;
  }
  return true;
}

// pattern: `n` bytes of a recognisable, position-dependent pattern.
inline std::string pattern(std::size_t n, std::size_t salt = 0) {
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<char>('a' + (i * 7 + salt) % 26);
  return out;
}

inline std::size_t count_events(const Output& out, std::string_view what) {
  std::size_t n = 0;
  for (const auto& event : out.events)
    n += event.what == what ? 1 : 0;
  return n;
}

}  // namespace faultline::fault::testing
