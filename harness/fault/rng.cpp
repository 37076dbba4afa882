#include "harness/fault/rng.h"

namespace faultline::fault {
namespace {

constexpr std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

// Distinct salts keep the connection-wide seeds apart from every per-direction one.
constexpr std::uint64_t kDirectionUp = 0x75702d2d2d2d2d01;
constexpr std::uint64_t kDirectionDown = 0x646f776e2d2d2d02;
constexpr std::uint64_t kConnectionWide = 0x636f6e6e2d2d2d03;

std::uint64_t derive(std::uint64_t seed, std::uint64_t connection_index, std::uint64_t salt,
                     std::uint64_t stage_index) {
  // Chained mixing: each field is folded into an already-scrambled value, so
  // swapping two fields' values gives an unrelated seed.
  std::uint64_t h = mix64(seed);
  h = mix64(h ^ connection_index);
  h = mix64(h ^ salt);
  h = mix64(h ^ stage_index);
  return h;
}

}  // namespace

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  return x ^ (x >> 31);
}

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t connection_index, Direction direction,
                          std::uint64_t stage_index) {
  return derive(seed, connection_index, direction == Direction::up ? kDirectionUp : kDirectionDown,
                stage_index);
}

std::uint64_t derive_connection_seed(std::uint64_t seed, std::uint64_t connection_index,
                                     std::uint64_t stage_index) {
  return derive(seed, connection_index, kConnectionWide, stage_index);
}

Rng::Rng(std::uint64_t seed) {
  // splitmix64 as the seeding generator, as the xoshiro authors recommend: it
  // never yields the all-zero state xoshiro cannot leave.
  for (auto& word : state_) {
    seed += 0x9e3779b97f4a7c15;
    std::uint64_t z = seed;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    word = z ^ (z >> 31);
  }
}

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

std::uint64_t Rng::below(std::uint64_t bound) {
  if (bound == 0) return 0;
  // Rejection below the largest multiple of `bound` (as OpenBSD's
  // arc4random_uniform): unbiased, and needs no 128-bit arithmetic.
  const std::uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    const std::uint64_t x = next();
    if (x >= threshold) return x % bound;
  }
}

std::uint64_t Rng::between(std::uint64_t low, std::uint64_t high) {
  if (high <= low) return low;
  const std::uint64_t span = high - low;
  if (span == UINT64_MAX) return next();
  return low + below(span + 1);
}

double Rng::uniform() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

bool Rng::bernoulli(double p) {
  if (!(p > 0)) return false;
  if (p >= 1) return true;
  return uniform() < p;
}

bool Rng::chance(Probability p) {
  if (p.parts_per_million() == 0) return false;
  if (p.parts_per_million() >= Probability::kOne) return true;
  return below(Probability::kOne) < p.parts_per_million();
}

}  // namespace faultline::fault
