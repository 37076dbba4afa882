#include "harness/fault/corrupt.h"

#include <gtest/gtest.h>

#include <bit>

#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;

// differing_bits: bits that differ between two equal-length strings.
int differing_bits(const std::string& a, const std::string& b) {
  int bits = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    bits += std::popcount(static_cast<unsigned>(static_cast<unsigned char>(a[i] ^ b[i])));
  }
  return bits;
}

TEST(CorruptFaultTest, PerByteFlipsOneBitInAboutRateOfTheBytes) {
  CorruptSettings settings{.rate = Probability::percent(1)};
  CorruptStage stage(settings, testing::context(21));
  std::string input;
  Output out;
  for (int i = 0; i < 100; ++i) {
    std::string chunk = testing::pattern(1000, static_cast<std::size_t>(i));
    input += chunk;
    stage.on_chunk(Chunk{chunk, 1ms * i}, 1ms * i, out);
  }
  const std::string output = testing::joined(out.chunks);
  ASSERT_EQ(output.size(), input.size());  // corrupt never changes lengths
  const auto flips = testing::count_events(out, "bit_flip");
  EXPECT_NEAR(static_cast<double>(flips), 1000.0, 100.0);
  // Each event names the stream offset of a byte that now differs in one bit.
  for (const auto& event : out.events) {
    const auto offset = static_cast<std::size_t>(event.value);
    ASSERT_LT(offset, input.size());
    EXPECT_NE(output[offset], input[offset]);
  }
  // Two flips can land on one byte (and cancel), so compare against the events.
  EXPECT_LE(differing_bits(input, output), static_cast<int>(flips));
  EXPECT_GE(differing_bits(input, output), static_cast<int>(flips) - 10);
}

TEST(CorruptFaultTest, PerChunkFlipsExactlyOneBitInHitDatagrams) {
  CorruptSettings settings{.rate = Probability::percent(20), .per = CorruptSettings::Per::chunk};
  CorruptStage stage(settings, testing::context(4, Transport::datagram));
  std::size_t hit = 0;
  Output out;
  for (int i = 0; i < 5000; ++i) {
    const std::string datagram = testing::pattern(64, static_cast<std::size_t>(i));
    out.chunks.clear();
    out.events.clear();
    stage.on_chunk(Chunk{datagram, 0ms}, 0ms, out);
    ASSERT_EQ(out.chunks.size(), 1u);
    const int bits = differing_bits(datagram, out.chunks[0].bytes);
    ASSERT_EQ(bits, static_cast<int>(out.events.size()));
    ASSERT_LE(bits, 1);
    hit += static_cast<std::size_t>(bits);
  }
  EXPECT_NEAR(static_cast<double>(hit), 1000.0, 90.0);
}

TEST(CorruptFaultTest, ZeroRateNeverCorrupts) {
  CorruptSettings settings{.rate = Probability::never()};
  CorruptStage stage(settings, testing::context(1));
  const std::string input = testing::pattern(100'000);
  auto out = testing::feed(stage, {{input, 0ms}});
  EXPECT_EQ(testing::joined(out.chunks), input);
  EXPECT_TRUE(out.events.empty());
}

TEST(CorruptFaultTest, HundredPercentPerByteFlipsEveryByte) {
  CorruptSettings settings{.rate = Probability::always()};
  CorruptStage stage(settings, testing::context(1));
  const std::string input = testing::pattern(1000);
  auto out = testing::feed(stage, {{input, 0ms}});
  EXPECT_EQ(differing_bits(input, testing::joined(out.chunks)), 1000);
}

}  // namespace
}  // namespace faultline::fault
