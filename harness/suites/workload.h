// harness/suites/workload.h: what the clients of a scenario do, and what they report.
//
// A workload runs against `via` (the fault proxy in front of the target) and
// may also reach the target directly (`direct`) to check that service goes on.
// It returns an Outcome: the client's final status (an error is judged against
// the scenario's expected kinds by the runner) and any invariant the workload
// saw broken itself (integrity mismatch, isolation, hygiene).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "harness/fault/rng.h"
#include "harness/suites/echo_client_under_test.h"
#include "harness/suites/http_requests.h"
#include "harness/suites/scenario.h"
#include "harness/suites/target.h"
#include "targets/tls/tls_config.h"

namespace faultline::suites {

// WorkloadContext: where and how a workload runs.
struct WorkloadContext {
  net::Address via;
  net::Address direct;
  Target* target = nullptr;
  const EchoClientUnderTest* echo_client = nullptr;
  // client_command: the user's client program (--client-cmd), or null.
  const std::string* client_command = nullptr;
  // http_requests: the user's requests for a differential check (--request),
  // or null for the built-in httpbin checks.
  const HttpDifferential* http_requests = nullptr;
  // http_client: the HTTP client mutant the workloads use ("reference": none).
  std::string http_client = "reference";
  std::uint64_t seed = 0;
  net::Duration deadline{0};
  // close_proxied_connections: ends every connection through the proxy with a
  // FIN, as a server closing its idle keep-alive connections would.
  std::function<void()> close_proxied_connections;
  // tls_client: for https, how the session verifies the target (null: plain http).
  std::shared_ptr<const tls::ClientContext> tls_client;
  // cacert: over TLS, the test CA as a PEM file for a client program ({cacert}).
  std::string cacert;
  Protocol protocol = Protocol::echo_tcp;
};

// Outcome: what the workload observed.
struct Outcome {
  net::Status status;               // the client's result
  std::optional<Invariant> broken;  // an invariant the workload itself saw broken
  std::string detail;
};

// broken: an outcome where the workload saw `invariant` broken.
inline Outcome broken(Invariant invariant, std::string detail) {
  Outcome out;
  out.broken = invariant;
  out.detail = std::move(detail);
  return out;
}

// failed_with: an outcome where the client ended in `error` (judged later).
inline Outcome failed_with(net::Error error) {
  Outcome out;
  out.detail = error.to_string();
  out.status = tl::unexpected(std::move(error));
  return out;
}

Outcome run_echo_tcp_workload(const Scenario& scenario, const WorkloadContext& context);
Outcome run_echo_udp_workload(const Scenario& scenario, const WorkloadContext& context);
Outcome run_http_workload(const Scenario& scenario, const WorkloadContext& context);
// run_ws_workload: a ws-echo scenario (ws_workloads.cpp).
Outcome run_ws_workload(const Scenario& scenario, const WorkloadContext& context);
// run_tls_certificate_workload: the echo client under test against a
// reference TLS echo server presenting the scenario's bad certificate.
Outcome run_tls_certificate_workload(const Scenario& scenario, const WorkloadContext& context);
// is_tls_certificate_workload: the scenario tests a client's certificate checks.
bool is_tls_certificate_workload(const Scenario& scenario);
// run_client_command_workload: the scenario's messages (or HTTP bodies)
// through the client program; see client_command_workloads.cpp for the verdicts.
Outcome run_client_command_workload(const Scenario& scenario, const WorkloadContext& context);
// run_client_program_once: the client program once against `address`/`url`
// with `input` on stdin, judged as the client-command workloads judge a run
// (success means it printed `expected` and exited 0).
Outcome run_client_program_once(const Scenario& scenario, const WorkloadContext& context,
                                const net::Address& address, const std::string& url,
                                const std::string& input, const std::string& expected,
                                const std::string& what);
// applies_to_http_requests: the scenario makes sense for any HTTP service
// answering the user's requests (partial I/O, slow body, slow reader,
// truncation, reset, stall, slowloris isolation, refused).
bool applies_to_http_requests(const Scenario& scenario);
// applies_to_client_command: the scenario tests a client (exchanges, large
// payloads, datagrams, HTTP fetches), not a server property.
bool applies_to_client_command(const Scenario& scenario);

// payloads: seeded UTF-8 messages: the Korean greeting, then `count - 1` of
// sizes in [1, max_size].
std::vector<std::string> payloads(std::uint64_t seed, std::size_t count, std::size_t max_size);

// reply_mismatch: what differs between the messages sent and the replies
// (the count, or the first message that came back different and where), or
// nothing when every reply is its message.
std::optional<std::string> reply_mismatch(const std::vector<std::string>& sent,
                                          const std::vector<std::string>& got);

// utf8_text: `size` bytes of valid UTF-8 text mixing 1- to 4-byte characters.
std::string utf8_text(fault::Rng& rng, std::size_t size);

}  // namespace faultline::suites
