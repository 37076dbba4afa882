// targets/net/deadline.h: a point on the steady clock that an operation must
// finish by.
//
//   auto deadline = net::Deadline::after(std::chrono::seconds(2));
//   while (!deadline.expired()) { poll(fds, n, deadline.poll_timeout_ms()); ... }
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace faultline::net {

using MonotonicClock = std::chrono::steady_clock;
using Duration = std::chrono::nanoseconds;

// Deadline: an instant on the steady clock, or "never".
class Deadline {
 public:
  // never: no deadline at all.
  static Deadline never() { return Deadline(MonotonicClock::time_point::max()); }
  // after: now + `d`.
  static Deadline after(Duration d) { return Deadline(MonotonicClock::now() + d); }
  static Deadline at(MonotonicClock::time_point t) { return Deadline(t); }

  bool is_never() const { return when_ == MonotonicClock::time_point::max(); }
  bool expired() const { return !is_never() && MonotonicClock::now() >= when_; }
  MonotonicClock::time_point when() const { return when_; }

  // remaining: time left (zero once expired; Duration::max() for never).
  Duration remaining() const {
    if (is_never()) return Duration::max();
    auto left = when_ - MonotonicClock::now();
    return left > Duration::zero() ? std::chrono::duration_cast<Duration>(left) : Duration::zero();
  }

  // poll_timeout_ms: the value to pass to poll/epoll_wait: -1 for never,
  // else the remaining milliseconds rounded up so a wait never ends early.
  int poll_timeout_ms() const {
    if (is_never()) return -1;
    auto left = remaining();
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    return static_cast<int>(std::min<std::int64_t>(ms, 1'000'000'000));
  }

  // earlier: the sooner of two deadlines.
  static Deadline earlier(Deadline a, Deadline b) { return a.when_ <= b.when_ ? a : b; }

 private:
  explicit Deadline(MonotonicClock::time_point when) : when_(when) {}
  MonotonicClock::time_point when_;
};

}  // namespace faultline::net
