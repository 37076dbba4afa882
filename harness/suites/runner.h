// harness/suites/runner.h: runs scenarios against a target and judges them.
//
// For each scenario: a fault proxy (TCP or UDP, real sockets) with the
// scenario's profile and seed goes in front of the target; the workload runs
// through it on its own thread; the runner waits at most the scenario's
// deadline (plus a grace). A workload still running then is a liveness
// failure: the proxy is stopped, which unblocks any client stuck in a read.
//
//   suites::Runner runner(target, suites::Protocol::echo_tcp);
//   auto result = runner.run(scenario, /*seed=*/7);
//   if (!result.passed) std::cout << result.detail << "\n  replay: " << result.replay;
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/fault/tally.h"
#include "harness/suites/echo_client_under_test.h"
#include "harness/suites/http_requests.h"
#include "harness/suites/scenario.h"
#include "harness/suites/target.h"
#include "targets/tls/tls_config.h"

namespace faultline::suites {

// RunnerOptions: how results name themselves and what drives the workloads.
struct RunnerOptions {
  // The echo client the workloads use: the reference one, or a mutant.
  EchoClientUnderTest echo_client = reference_echo_client();
  // client_command: a client program to drive instead (--client-cmd
  // 'CMD {host} {port}'); the target is then the reference server.
  std::string client_command;
  // A short name for the client program in the table ("" = the command).
  std::string client_name;
  // http_requests: the user's requests (--request, --requests) for a
  // differential check of any HTTP service; null: the built-in httpbin checks.
  std::shared_ptr<const HttpDifferential> http_requests;
  // The HTTP client the http workloads use: "reference" or an HTTP client
  // mutant (mutants/http_mutants.h).
  std::string http_client = "reference";
  // Extra flags for the replay command (a client mutant's name, say).
  std::string replay_extra;
  // tls_client: how the https workloads verify the target (null: they trust
  // the suites' test PKI, as the built-in targets use). echo-tls clients
  // carry their own context (tls_echo_client).
  std::shared_ptr<const tls::ClientContext> tls_client;
};

// Runner: see the file comment.
class Runner {
 public:
  // For echo-tls, an echo client that does not speak TLS is replaced by the
  // reference TLS client trusting the suites' test PKI.
  Runner(Target& target, Protocol protocol, RunnerOptions options = {});

  ScenarioResult run(const Scenario& scenario, std::uint64_t seed);

 private:
  Target& target_;
  Protocol protocol_;
  RunnerOptions options_;
};

// record_coverage: fills result.coverage and result.vacuous from a proxy's tally.
void record_coverage(const std::vector<fault::ClauseTally>& tally, ScenarioResult& result);

// judge: the verdict on a workload's outcome for a scenario (exposed for tests).
struct Outcome;
void judge(const Scenario& scenario, const Outcome& outcome, ScenarioResult& result);

}  // namespace faultline::suites
