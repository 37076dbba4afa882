#include "harness/fault/probability.h"

namespace faultline::fault {
namespace {

constexpr int kMaxDecimals = 4;  // 1 part per million = 0.0001%

net::Result<Probability> bad_percent(std::string_view text, std::string_view why) {
  return net::make_error(net::ErrorKind::invalid_argument,
                         "percentage '" + std::string(text) + "': " + std::string(why));
}

}  // namespace

std::string Probability::to_string() const {
  std::string out = std::to_string(ppm_ / 10'000);
  std::uint32_t fraction = ppm_ % 10'000;
  if (fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, static_cast<std::size_t>(kMaxDecimals) - digits.size(), '0');
    while (digits.back() == '0')
      digits.pop_back();
    out += '.';
    out += digits;
  }
  out += '%';
  return out;
}

net::Result<Probability> parse_percent(std::string_view text) {
  if (text.empty() || text.back() != '%') {
    return bad_percent(text, "expected a percentage like 25% or 0.5%");
  }
  std::string_view number = text.substr(0, text.size() - 1);
  // Decimal digits parsed by hand into an integer: exact, and no locale.
  std::uint64_t ppm = 0;
  std::size_t whole_digits = 0;
  int decimals = -1;  // -1 until the point is seen
  for (char c : number) {
    if (c == '.') {
      if (decimals >= 0) return bad_percent(text, "more than one '.'");
      decimals = 0;
      continue;
    }
    if (c < '0' || c > '9') return bad_percent(text, "expected a number before '%'");
    if (decimals >= 0) {
      if (++decimals > kMaxDecimals) {
        return bad_percent(text, "at most 4 decimal places (0.0001% is the resolution)");
      }
    } else {
      ++whole_digits;
    }
    ppm = ppm * 10 + static_cast<std::uint64_t>(c - '0');
    if (ppm > 100'000'000'000ULL) return bad_percent(text, "must be within 0%..100%");
  }
  if (whole_digits == 0 || decimals == 0) {
    return bad_percent(text, "expected a number before '%', like 25% or 0.5%");
  }
  for (int i = decimals < 0 ? 0 : decimals; i < kMaxDecimals; ++i)
    ppm *= 10;
  if (ppm > Probability::kOne) return bad_percent(text, "must be within 0%..100%");
  return Probability::from_parts_per_million(static_cast<std::uint32_t>(ppm));
}

}  // namespace faultline::fault
