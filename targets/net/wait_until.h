// targets/net/wait_until.h: for tests: wait for a condition another thread
// makes true, with a deadline, instead of sleeping.
//
//   EXPECT_TRUE(net::wait_until([&] { return server.counters().active == 0; }));
#pragma once

#include <chrono>
#include <thread>

#include "targets/net/deadline.h"

namespace faultline::net {

// wait_until polls `predicate` until it holds (true) or `limit` passes (false).
template <typename Predicate>
bool wait_until(Predicate predicate, Duration limit = std::chrono::seconds(5)) {
  const auto deadline = Deadline::after(limit);
  while (!predicate()) {
    if (deadline.expired()) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace faultline::net
