// harness/sim/echo_workload.h: one echo exchange on a fresh simulated network.
//
// The unit the simulator tests, the echo schedule fuzzer and the benchmarks
// run: a profile and a seed in, the outcome and the trace out. Same inputs,
// same trace hash, every time.
//
//   auto run = sim::run_echo_exchange(profile, /*seed=*/7, "안녕하세요!", 5s);
//   if (!run.reply) std::cout << run.reply.error().to_string();
//   std::cout << run.trace_hash;
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/fault/profile.h"
#include "targets/net/clock.h"
#include "targets/net/error.h"

namespace faultline::sim {

// EchoRun: what one simulated exchange produced.
struct EchoRun {
  net::Result<std::string> reply = std::string();
  net::TimePoint elapsed{0};  // virtual time from dial to the outcome
  std::uint64_t trace_hash = 0;
  std::vector<std::string> trace;
  std::uint64_t events = 0;
};

// run_echo_exchange dials an EchoPeer through `profile`, sends `message`,
// reads it back, and closes; the exchange must end inside `deadline` (virtual).
EchoRun run_echo_exchange(const fault::Profile& profile, std::uint64_t seed,
                          const std::string& message, net::TimePoint deadline,
                          bool keep_trace = true);

}  // namespace faultline::sim
