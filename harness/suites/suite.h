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
#include <optional>
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
  // rerun_failures: rerun each failed scenario this many times with its own
  // seed, and as many times with fresh seeds (fresh_seed), and classify it
  // (ScenarioResult::stability). 0: no reruns.
  int rerun_failures = 0;
  // profile: replaces each selected scenario's own profile (--fault,
  // --profile); nullopt: each keeps its own.
  std::optional<std::string> profile;
};

// fresh_seed: the k-th fresh seed for reruns of a run with `seed` (printed
// with each rerun, so any of them replays).
std::uint64_t fresh_seed(std::uint64_t seed, int k);

// rerun: reruns a failed `result` of `scenario` as SuiteOptions::rerun_failures
// describes, and fills result.reruns and result.stability.
void rerun(Runner& runner, const Scenario& scenario, int times, ScenarioResult& result);

using ResultSink = std::function<void(const ScenarioResult&)>;

// builtin_target: the reference server for `protocol`, run in this process
// (echo-tcp: the epoll echo server; echo-udp: the UDP echo server; http: the
// httpbin-like server; ws-echo: the WebSocket echo server). `model` picks
// the echo-tcp server model.
std::unique_ptr<Target> builtin_target(Protocol protocol, std::string_view model = "epoll");

// check_target: starts the target and, for a stream protocol, connects to it
// once, before any scenario: "target refused: ..." rather than a table of
// refused scenarios. The result names the check and its replay command.
std::optional<ScenarioResult> check_target(Target& target, Protocol protocol);

// run_suite runs the selected catalog scenarios `repeat` times. It stops at
// the first result whose target did not start or refused (target_down).
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

// kill_table runs the echo-tcp catalog against every in-tree echo mutant, the
// echo-tls catalog against every TLS mutant (mutants/tls_mutants.h), the
// ws-echo catalog against every WebSocket mutant (mutants/ws_mutants.h) and the
// http catalog against every HTTP client mutant (side "http-client"); each
// only where options.scenarios selects some of its catalog. With
// stop_at_first_kill, a mutant's row ends at its first killing scenario.
// With `client_program` (the path of faultline-echo-client), the client
// mutants also run as programs through --client-cmd (side "program"), after
// a control row: the reference client as a program must survive.
std::vector<KillRow> kill_table(const SuiteOptions& options, bool stop_at_first_kill,
                                const ResultSink& sink = {},
                                const std::string& client_program = "");

// client_program_command: the --client-cmd template that runs `mutant`
// ("reference" for the reference client) through faultline-echo-client.
std::string client_program_command(const std::string& client_program, const std::string& mutant);

}  // namespace faultline::suites
