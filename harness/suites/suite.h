// harness/suites/suite.h: whole suites: the built-in targets, repeats with
// seeds, and the kill table that proves the suite has teeth.
//
//   auto target = suites::builtin_target(suites::Protocol::echo_tcp);
//   auto results = suites::run_suite(*target, suites::Protocol::echo_tcp, {.seed = 7});
//   auto table = suites::kill_table({}, /*stop_at_first_kill=*/false);
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "harness/suites/runner.h"
#include "harness/suites/scenario.h"
#include "harness/suites/target.h"

namespace faultline::suites {

// SuiteOptions: which scenarios, which seeds.
struct SuiteOptions {
  std::string scenarios;  // comma-separated globs; "" = all
  std::uint64_t seed = 1;
  int repeat = 1;  // run i uses seed + i
};

using ResultSink = std::function<void(const ScenarioResult&)>;

// builtin_target: the reference server for `protocol`, run in this process
// (echo-tcp: the epoll echo server; echo-udp: the UDP echo server; http: the
// httpbin-like server). `model` picks the echo-tcp server model.
std::unique_ptr<Target> builtin_target(Protocol protocol, std::string_view model = "epoll");

// run_suite runs the selected catalog scenarios `repeat` times.
std::vector<ScenarioResult> run_suite(Target& target, Protocol protocol,
                                      const SuiteOptions& options,
                                      RunnerOptions runner_options = {},
                                      const ResultSink& sink = {});

// KillRow: one mutant and the scenarios that caught it.
struct KillRow {
  std::string mutant;
  std::string side;  // "server" or "client"
  std::vector<std::string> killed_by;
  std::vector<std::string> details;  // why, per killing scenario
};

// kill_table runs the echo-tcp catalog against every in-tree mutant. With
// stop_at_first_kill, a mutant's row ends at its first killing scenario.
std::vector<KillRow> kill_table(const SuiteOptions& options, bool stop_at_first_kill,
                                const ResultSink& sink = {});

}  // namespace faultline::suites
