// targets/net/clock.h: injected time, so the same code runs on real and virtual time.
//
// Code that waits or times out takes a Clock&: SteadyClock in production, the
// simulator's virtual clock (harness/sim) in deterministic tests and fuzzers.
// Times are nanoseconds since the clock's own epoch.
//
//   void retry_later(net::Clock& clock) {
//     auto deadline = clock.now() + std::chrono::milliseconds(100);
//     clock.sleep_until(deadline);          // real sleep, or a jump in virtual time
//   }
#pragma once

#include <chrono>
#include <thread>

namespace faultline::net {

// TimePoint: nanoseconds since the clock's epoch.
using TimePoint = std::chrono::nanoseconds;
inline constexpr TimePoint kNoDeadline = TimePoint::max();

// Clock: what time it is, and a way to let time pass.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  // sleep_until lets time pass until `when` (for backoff between retries; never
  // to wait for a condition).
  virtual void sleep_until(TimePoint when) = 0;
};

// SteadyClock: std::chrono::steady_clock.
class SteadyClock final : public Clock {
 public:
  TimePoint now() const override {
    return std::chrono::duration_cast<TimePoint>(
        std::chrono::steady_clock::now().time_since_epoch());
  }
  void sleep_until(TimePoint when) override {
    auto left = when - now();
    if (left > TimePoint::zero()) std::this_thread::sleep_for(left);
  }
  // instance: the process-wide steady clock.
  static SteadyClock& instance() {
    static SteadyClock clock;
    return clock;
  }
};

}  // namespace faultline::net
