#include "harness/fault/rng.h"

#include <gtest/gtest.h>

#include <array>
#include <set>

namespace faultline::fault {
namespace {

TEST(FaultRngTest, SameSeedGivesSameSequence) {
  Rng a(42);
  Rng b(42);
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(a.next(), b.next());
}

TEST(FaultRngTest, PinnedOutputNeverChangesAcrossPlatformsOrReleases) {
  // Replays depend on these exact values: a change here breaks every recorded
  // seed. (xoshiro256** seeded by splitmix64, checked against an independent
  // implementation.)
  Rng zero(0);
  EXPECT_EQ(zero.next(), 0x99ec5f36cb75f2b4ULL);
  EXPECT_EQ(zero.next(), 0xbf6e1f784956452aULL);
  EXPECT_EQ(zero.next(), 0x1a5f849d4933e6e0ULL);
  Rng answer(42);
  EXPECT_EQ(answer.next(), 0x15780b2e0c2ec716ULL);
  Rng bounded(42);
  const std::uint64_t expected[] = {42, 2, 9, 93, 76};
  for (std::uint64_t value : expected)
    EXPECT_EQ(bounded.below(100), value);
  EXPECT_EQ(mix64(0), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(derive_seed(42, 7, Direction::up, 3), 0x70321050f9ba846bULL);
}

TEST(FaultRngTest, BelowStaysInRangeAndCoversIt) {
  Rng rng(7);
  std::array<int, 6> counts{};
  for (int i = 0; i < 60'000; ++i) {
    auto x = rng.below(6);
    ASSERT_LT(x, 6u);
    ++counts[x];
  }
  for (int count : counts)
    EXPECT_NEAR(count, 10'000, 500);
  EXPECT_EQ(rng.below(0), 0u);
  EXPECT_EQ(rng.below(1), 0u);
}

TEST(FaultRngTest, BetweenIsInclusiveAndHandlesDegenerateRanges) {
  Rng rng(9);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    auto x = rng.between(3, 5);
    ASSERT_GE(x, 3u);
    ASSERT_LE(x, 5u);
    seen.insert(x);
  }
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(rng.between(8, 8), 8u);
  EXPECT_EQ(rng.between(9, 2), 9u);
  rng.between(0, UINT64_MAX);  // full range: no overflow
}

TEST(FaultRngTest, UniformIsInUnitInterval) {
  Rng rng(11);
  double sum = 0;
  for (int i = 0; i < 100'000; ++i) {
    double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 100'000, 0.5, 0.01);
}

TEST(FaultRngTest, BernoulliAndChanceHitTheirRate) {
  Rng rng(13);
  int bernoulli_hits = 0;
  int chance_hits = 0;
  for (int i = 0; i < 100'000; ++i) {
    bernoulli_hits += rng.bernoulli(0.25) ? 1 : 0;
    chance_hits += rng.chance(Probability::percent(25)) ? 1 : 0;
  }
  EXPECT_NEAR(bernoulli_hits, 25'000, 600);
  EXPECT_NEAR(chance_hits, 25'000, 600);
}

TEST(FaultRngTest, ZeroPercentNeverAndHundredPercentAlways) {
  Rng rng(17);
  for (int i = 0; i < 10'000; ++i) {
    ASSERT_FALSE(rng.chance(Probability::never()));
    ASSERT_TRUE(rng.chance(Probability::always()));
    ASSERT_FALSE(rng.bernoulli(0.0));
    ASSERT_TRUE(rng.bernoulli(1.0));
  }
}

TEST(FaultRngTest, DerivedSeedsDependOnEveryField) {
  const std::uint64_t base = derive_seed(42, 0, Direction::up, 0);
  EXPECT_EQ(base, derive_seed(42, 0, Direction::up, 0));
  EXPECT_NE(base, derive_seed(43, 0, Direction::up, 0));
  EXPECT_NE(base, derive_seed(42, 1, Direction::up, 0));
  EXPECT_NE(base, derive_seed(42, 0, Direction::down, 0));
  EXPECT_NE(base, derive_seed(42, 0, Direction::up, 1));
  // Swapped fields do not collide.
  EXPECT_NE(derive_seed(42, 1, Direction::up, 0), derive_seed(42, 0, Direction::up, 1));
  EXPECT_NE(derive_connection_seed(42, 0, 0), base);
  EXPECT_NE(derive_connection_seed(42, 0, 0), derive_seed(42, 0, Direction::down, 0));
}

TEST(FaultRngTest, DerivedSeedsAreDistinctOverAGrid) {
  std::set<std::uint64_t> seeds;
  for (std::uint64_t connection = 0; connection < 100; ++connection) {
    for (std::uint64_t stage = 0; stage < 10; ++stage) {
      seeds.insert(derive_seed(1, connection, Direction::up, stage));
      seeds.insert(derive_seed(1, connection, Direction::down, stage));
      seeds.insert(derive_connection_seed(1, connection, stage));
    }
  }
  EXPECT_EQ(seeds.size(), 100u * 10u * 3u);
}

}  // namespace
}  // namespace faultline::fault
