// harness/suites/sim_suite.h: the suites on the simulated network
// (`faultline suite --network sim`).
//
// The same catalog scenarios, profiles and seeds as on real sockets, but the
// target is a simulated server (harness/sim) and the clients dial it through
// the simulator's dialer, in virtual time, on one thread: every run of a
// scenario gives the same trace hash. The simulator hosts the echo-tcp
// built-in target (the echo core, echo::EchoSession, as a sim::Peer) and the
// server mutants whose bug lives in the protocol core rather than in socket
// handling (utf8-per-read), and the workloads that need no second socket
// API: exchange and large. The rest is refused by name (sim_refusal).
//
//   auto target = suites::sim_target("mutant:utf8-per-read").value();
//   auto results = suites::run_sim_suite(target, {.scenarios = "echo-tcp/slicer*", .seed = 7});
//   results[0].trace_hash;   // identical on every run
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/sim/network.h"
#include "harness/suites/scenario.h"
#include "harness/suites/suite.h"

namespace faultline::suites {

// SimTarget: a built-in target the simulator can host.
struct SimTarget {
  std::string name;  // as --builtin names it: "echo-tcp", "mutant:utf8-per-read"
  sim::PeerFactory peer;
};

// sim_target: the simulated form of the --builtin target `builtin`, or
// nullopt where the simulator cannot host it.
std::optional<SimTarget> sim_target(std::string_view builtin);

// sim_target_names: every --builtin name sim_target accepts.
std::vector<std::string> sim_target_names();

// sim_refusal: why the simulator cannot run `scenario` ("" when it can).
std::string sim_refusal(const Scenario& scenario);

// run_in_sim: one scenario on a fresh simulated network. `replay_extra` is
// appended to both replay commands (result.replay runs it again in the
// simulator, result.other_replay on real sockets).
ScenarioResult run_in_sim(const SimTarget& target, const Scenario& scenario, std::uint64_t seed,
                          const std::string& replay_extra = "");

// run_sim_suite: run_suite's counterpart: the selected echo-tcp scenarios the
// simulator hosts (the others are left out), `repeat` times.
std::vector<ScenarioResult> run_sim_suite(const SimTarget& target, const SuiteOptions& options,
                                          const std::string& replay_extra = "",
                                          const ResultSink& sink = {});

}  // namespace faultline::suites
