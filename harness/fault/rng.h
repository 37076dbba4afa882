// harness/fault/rng.h: the seeded generator behind every random choice a fault
// makes, and the seed derivation that makes a run replayable.
//
// xoshiro256** seeded through splitmix64, with our own bounded-integer, uniform
// and chance functions: std:: distributions are implementation-defined, so the
// same seed would give different faults under libstdc++ and libc++.
//
// Each stage gets its own generator from derive_seed(seed, connection index,
// direction, stage index), so what one connection draws never depends on how
// many draws another connection made before it (connections interleave
// differently from run to run; the faults must not).
//
//   fault::Rng rng(fault::derive_seed(/*seed=*/42, /*connection_index=*/7,
//                                     fault::Direction::up, /*stage_index=*/0));
//   auto piece = rng.between(1, 64);                  // inclusive
//   if (rng.chance(fault::Probability::percent(25))) { ... }
#pragma once

#include <array>
#include <cstdint>

#include "harness/fault/probability.h"
#include "harness/fault/stage.h"

namespace faultline::fault {

// mix64: the splitmix64 finaliser; a bijection that scrambles every input bit
// into every output bit.
std::uint64_t mix64(std::uint64_t x);

// derive_seed: the seed of one stage's generator. Distinct inputs give
// unrelated seeds; the result depends on nothing else.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t connection_index, Direction direction,
                          std::uint64_t stage_index);

// derive_connection_seed: like derive_seed, for choices made once per
// connection for both directions (a fault's toxicity, the down policy), so a
// `dir=both` fault with p=25% hits 25% of connections, both ways at once.
std::uint64_t derive_connection_seed(std::uint64_t seed, std::uint64_t connection_index,
                                     std::uint64_t stage_index);

// Rng: xoshiro256** (Blackman & Vigna), 2^256-1 period, fast, good statistics.
class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  // next: 64 uniformly random bits.
  std::uint64_t next();
  // below: uniform in [0, bound), without modulo bias; 0 when bound is 0.
  std::uint64_t below(std::uint64_t bound);
  // between: uniform in [low, high], inclusive; low when high <= low.
  std::uint64_t between(std::uint64_t low, std::uint64_t high);
  // uniform: a double in [0, 1) with 53 random bits.
  double uniform();
  // bernoulli: true with probability p (clamped to [0, 1]).
  bool bernoulli(double p);
  // chance: true with probability p, in exact integer arithmetic: 0% never
  // and 100% always, on every platform.
  bool chance(Probability p);

 private:
  std::array<std::uint64_t, 4> state_;
};

}  // namespace faultline::fault
