#include "targets/http/client/retry.h"

#include <algorithm>
#include <array>

#include "targets/http/message.h"

namespace faultline::http::client {

std::uint64_t SplitMix64::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double SplitMix64::next_unit() {
  // The top 53 bits fill a double's mantissa exactly.
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

net::Duration Backoff::delay(int retry_number) {
  net::Duration delay = std::max(base_, net::Duration::zero());
  // Double without overflowing: stop as soon as the cap is reached.
  for (int i = 1; i < retry_number && delay < max_; ++i) {
    delay = delay > max_ / 2 ? max_ : delay * 2;
  }
  delay = std::min(delay, max_);
  const double jitter = std::clamp(jitter_, 0.0, 1.0);
  const double cut = jitter * random_.next_unit();
  return net::Duration(
      static_cast<net::Duration::rep>(static_cast<double>(delay.count()) * (1.0 - cut)));
}

bool is_idempotent(std::string_view method) {
  static constexpr std::array<std::string_view, 6> kIdempotent = {"GET",    "HEAD",    "PUT",
                                                                  "DELETE", "OPTIONS", "TRACE"};
  return std::any_of(kIdempotent.begin(), kIdempotent.end(),
                     [&](std::string_view m) { return iequals(m, method); });
}

std::optional<net::Duration> parse_retry_after(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
    value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
    value.remove_suffix(1);
  if (value.empty() || value.size() > 9) return std::nullopt;  // 9 digits: ~31 years
  std::int64_t seconds = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::seconds(seconds);
}

}  // namespace faultline::http::client
