#include "targets/http/client/retry.h"

#include <gtest/gtest.h>

#include <set>

namespace faultline::http::client {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(HttpClientRetry, SplitMix64ReplaysFromItsSeed) {
  SplitMix64 a(42);
  SplitMix64 b(42);
  SplitMix64 c(43);
  std::set<std::uint64_t> seen;
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    differs = differs || x != c.next();
    seen.insert(x);
  }
  EXPECT_TRUE(differs);
  EXPECT_EQ(seen.size(), 100u);
}

TEST(HttpClientRetry, SplitMix64UnitIsInHalfOpenRange) {
  SplitMix64 random(7);
  for (int i = 0; i < 10000; ++i) {
    const double u = random.next_unit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

TEST(HttpClientRetry, DelaysDoubleUpToTheCapWithoutJitter) {
  Backoff backoff(RetryOptions{
      .backoff_base = milliseconds(100), .backoff_max = milliseconds(700), .jitter = 0.0});
  EXPECT_EQ(backoff.delay(1), milliseconds(100));
  EXPECT_EQ(backoff.delay(2), milliseconds(200));
  EXPECT_EQ(backoff.delay(3), milliseconds(400));
  EXPECT_EQ(backoff.delay(4), milliseconds(700));
  EXPECT_EQ(backoff.delay(1000), milliseconds(700));  // no overflow on a huge retry number
}

TEST(HttpClientRetry, JitterTakesAtMostItsFractionOffEachDelay) {
  Backoff backoff(
      RetryOptions{.backoff_base = seconds(1), .backoff_max = seconds(1), .jitter = 0.5});
  for (int i = 0; i < 1000; ++i) {
    const net::Duration delay = backoff.delay(1);
    ASSERT_GT(delay, milliseconds(500));
    ASSERT_LE(delay, seconds(1));
  }
}

TEST(HttpClientRetry, SameSeedGivesTheSameDelays) {
  const RetryOptions options{.seed = 1234};
  Backoff a(options);
  Backoff b(options);
  Backoff other(RetryOptions{.seed = 1235});
  bool differs = false;
  for (int n = 1; n <= 8; ++n) {
    const net::Duration delay = a.delay(n);
    EXPECT_EQ(delay, b.delay(n));
    differs = differs || delay != other.delay(n);
  }
  EXPECT_TRUE(differs);
}

TEST(HttpClientRetry, IdempotentMethodsAreTheRfcOnes) {
  for (const char* method : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", "get"}) {
    EXPECT_TRUE(is_idempotent(method)) << method;
  }
  for (const char* method : {"POST", "PATCH", "CONNECT", ""}) {
    EXPECT_FALSE(is_idempotent(method)) << method;
  }
}

TEST(HttpClientRetry, RetryAfterAcceptsDeltaSecondsOnly) {
  EXPECT_EQ(parse_retry_after("120"), seconds(120));
  EXPECT_EQ(parse_retry_after(" 0 "), seconds(0));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(parse_retry_after("-1"), std::nullopt);
  EXPECT_EQ(parse_retry_after(""), std::nullopt);
  EXPECT_EQ(parse_retry_after("99999999999999999999"), std::nullopt);
}

}  // namespace
}  // namespace faultline::http::client
