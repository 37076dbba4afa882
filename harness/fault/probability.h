// harness/fault/probability.h: a probability as the profile language writes it
// ("25%", "0.5%"), held as an integer so it prints back exactly and compares
// exactly: no floating point between the text and the dice.
//
//   auto p = fault::parse_percent("12.5%").value();   // 125'000 parts per million
//   p.to_string();                                    // "12.5%"
//   rng.chance(p);                                    // true 12.5% of the time
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "targets/net/error.h"

namespace faultline::fault {

// Probability: from 0 (never) to kOne parts per million (always).
class Probability {
 public:
  static constexpr std::uint32_t kOne = 1'000'000;

  constexpr Probability() = default;
  static constexpr Probability never() { return Probability(0); }
  static constexpr Probability always() { return Probability(kOne); }
  // percent: a whole percentage, clamped to [0, 100].
  static constexpr Probability percent(std::uint32_t whole) {
    return Probability(whole >= 100 ? kOne : whole * 10'000);
  }
  // from_parts_per_million: clamped to [0, kOne].
  static constexpr Probability from_parts_per_million(std::uint32_t ppm) {
    return Probability(ppm > kOne ? kOne : ppm);
  }

  constexpr std::uint32_t parts_per_million() const { return ppm_; }
  constexpr double as_double() const { return static_cast<double>(ppm_) / kOne; }
  constexpr bool is_never() const { return ppm_ == 0; }
  constexpr bool is_always() const { return ppm_ == kOne; }

  // to_string: the canonical percentage, "25%", "12.5%", "0.0001%".
  std::string to_string() const;

  friend constexpr bool operator==(Probability, Probability) = default;

 private:
  constexpr explicit Probability(std::uint32_t ppm) : ppm_(ppm) {}
  std::uint32_t ppm_ = 0;
};

// parse_percent accepts "N%" or "N.NNNN%" (at most 4 decimals) within 0%..100%.
net::Result<Probability> parse_percent(std::string_view text);

}  // namespace faultline::fault
