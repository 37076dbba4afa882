// targets/http/client/retry.h: when the session retries a request, and how
// long it waits before each retry.
//
// Delays grow exponentially from `backoff_base` up to `backoff_max`, and a
// seeded generator (SplitMix64) takes a random fraction off each one, so two
// clients that failed together do not retry in lockstep, yet a run with the
// same seed waits exactly as long again.
//
//   client::RetryOptions retry{.max_retries = 3, .seed = 42};
//   client::Backoff backoff(retry);
//   net::Duration first = backoff.delay(1);    // in [50ms, 100ms] with the defaults
//   net::Duration second = backoff.delay(2);   // in [100ms, 200ms]
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "targets/net/deadline.h"

namespace faultline::http::client {

// RetryOptions: the retry policy of a Session (see SessionOptions::retry).
struct RetryOptions {
  // Retries after the first attempt; 0 turns policy retries off (the one
  // immediate re-send over a fresh connection after a stale pooled one is
  // separate and always on).
  int max_retries = 0;
  // Delay before retry n (1-based): min(backoff_max, backoff_base * 2^(n-1)),
  // less a random fraction of up to `jitter` of it.
  net::Duration backoff_base = std::chrono::milliseconds(100);
  net::Duration backoff_max = std::chrono::seconds(10);
  double jitter = 0.5;  // 0 = exact delays, 1 = anywhere in [0, delay]
  std::uint64_t seed = 0x5eed;
  // Response statuses worth another attempt (the response is returned as is
  // once retries run out).
  std::vector<int> statuses = {502, 503, 504};
  // Retry POST/PATCH too. Off by default: a non-idempotent request that
  // reached the server may have taken effect. (Connect failures are retried
  // for every method: nothing was sent.)
  bool retry_non_idempotent = false;
  // Wait at least a 503/429 response's Retry-After (delta-seconds), capped
  // at backoff_max.
  bool respect_retry_after = true;
};

// SplitMix64: a tiny, fast, seeded generator (Steele, Lea, Flood 2014). Good
// enough for jitter, and it replays exactly from its seed.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // next_unit: uniform in [0, 1).
  double next_unit();

 private:
  std::uint64_t state_;
};

// Backoff: the delays of one retry policy, drawing jitter from its own generator.
class Backoff {
 public:
  explicit Backoff(const RetryOptions& options)
      : base_(options.backoff_base),
        max_(options.backoff_max),
        jitter_(options.jitter),
        random_(options.seed) {}
  // delay gives the wait before retry `retry_number` (1-based); each call
  // draws from the generator.
  net::Duration delay(int retry_number);

 private:
  net::Duration base_;
  net::Duration max_;
  double jitter_;
  SplitMix64 random_;
};

// is_idempotent: GET, HEAD, PUT, DELETE, OPTIONS and TRACE (RFC 9110 9.2.2).
bool is_idempotent(std::string_view method);

// parse_retry_after reads a Retry-After value in delta-seconds ("120").
// HTTP-dates are not supported (they need a wall clock): nullopt.
std::optional<net::Duration> parse_retry_after(std::string_view value);

}  // namespace faultline::http::client
