// harness/shrink/shrink.h: delta-debugging a failing fault profile.
//
// Given a profile under which a run fails, and a predicate that reruns it,
// shrink_profile looks for a smaller profile under which the run still fails
// the same way: it removes clauses (ddmin), then narrows each clause's
// numbers (byte offsets and sizes, times, probabilities, counts) towards the
// least value that still fails, by binary search, and drops the words it can
// (dir=down, mode=...). Rates are left as they are. Every candidate is tried
// at most once (the verdicts are remembered), so the same predicate gives the
// same steps and the same result.
//
//   shrink::Options options;  options.max_attempts = 100;
//   auto result = shrink::shrink_profile(failing, [&](const fault::Profile& p) {
//     auto run = runner.run(with_profile(scenario, p), seed);
//     return shrink::Verdict{!run.passed && run.broken == broken, run.detail};
//   }, options, [](const shrink::Step& step) { std::cout << format_step(step) << "\n"; });
//   result.smallest.to_string();   // "bandwidth rate=4MiB/s dir=down"
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "harness/fault/profile.h"
#include "targets/net/clock.h"
#include "targets/net/deadline.h"

namespace faultline::shrink {

// Verdict: what one rerun under a candidate profile said.
struct Verdict {
  bool still_fails = false;  // the same failure as the original run
  std::string detail;        // what happened, in a sentence
};

using Predicate = std::function<Verdict(const fault::Profile&)>;

// Step: one candidate tried.
struct Step {
  int attempt = 0;      // 1-based
  std::string action;   // "remove clause 2 of 3", "narrow latency delay=20ms to 10ms"
  std::string profile;  // the candidate, canonical
  Verdict verdict;
  net::Duration elapsed{0};
};

// Options: the bounds of one shrink.
struct Options {
  int max_attempts = 200;
  net::Duration time_budget = std::chrono::minutes(3);
  // narrow_steps: at most this many binary-search steps per number.
  int narrow_steps = 10;
  // precision: narrowing stops once the failing value is within this
  // fraction of the passing one below it (0: down to the unit). Runs whose
  // outcome the scheduler sways (real sockets) get a coarse value such as
  // 10us instead of a noise-driven 8031ns.
  double precision = 0.0;
  // transport: candidates that do not validate for it are skipped unrun.
  fault::Transport transport = fault::Transport::stream;
  net::Clock* clock = &net::SteadyClock::instance();
};

// Result: the smallest profile found and how the search ended.
struct Result {
  fault::Profile smallest;
  int attempts = 0;
  // out_of_budget: the time or attempt bound stopped the search before it
  // had tried everything; `smallest` still fails, but may not be the least.
  bool out_of_budget = false;
  std::string stopped_by;  // "time", "attempts" or ""
};

// shrink_profile: see the file comment. `failing` must already be known to
// fail (the caller ran it); it is not rerun.
Result shrink_profile(const fault::Profile& failing, const Predicate& predicate,
                      const Options& options, const std::function<void(const Step&)>& on_step = {});

// format_step: "attempt 3: remove clause 1 of 3 -> still fails [0.41s]: ...".
std::string format_step(const Step& step);

}  // namespace faultline::shrink
