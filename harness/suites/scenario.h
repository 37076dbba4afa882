// harness/suites/scenario.h: what a failure-mode scenario is, and what a run
// of one produces.
//
// A scenario = a fault profile + a workload + invariants + a deadline. The
// runner puts a fault proxy (real sockets) with the profile in front of the
// target, runs the workload's clients through it, and checks the invariants:
//
//   integrity  every byte back, in order, or a clear error
//   liveness   done, or a named error, inside the deadline
//   isolation  a bad peer does not hurt the other clients
//   hygiene    fd count bounded after many faulty connections
//   clarity    the error kind matches the fault (timeout vs reset vs refused ...)
//
//   Scenario s{.name = "echo-tcp/slicer-1-byte", .protocol = Protocol::echo_tcp,
//              .profile = "slicer min=1B max=1B", .workload = Workload::exchange};
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "targets/net/deadline.h"
#include "targets/net/error.h"

namespace faultline::suites {

// Protocol: what the target speaks.
// echo_tls and https are echo-tcp and http over TLS: the proxy stays
// TLS-blind, so byte-level faults hit records (a corrupt bit is a bad record
// MAC, a cut is a truncation without close_notify). ws_echo is a WebSocket
// echo server (RFC 6455): text back as text, binary as binary.
enum class Protocol { echo_tcp, echo_udp, http, echo_tls, https, ws_echo };
std::string_view protocol_name(Protocol protocol);
net::Result<Protocol> parse_protocol(std::string_view text);

// Workload: what the clients do.
enum class Workload {
  exchange,    // clients x messages, each echoed whole (the Korean greeting among them)
  large,       // one multi-MiB payload (partial writes, backpressure)
  half_close,  // send, FIN, read to the end: owed bytes must arrive
  isolation,   // one client misbehaves (holds the server, never reads); others must be served
  hygiene,     // many connections ended by faults, then fd count must settle and service go on
  datagrams,   // UDP exchanges with retries
  http_get,    // HTTP GET /get?key=value through the session
  http_post,   // HTTP POST /post with JSON
  http_keepalive_stale,  // a pooled connection the server closed must be retried transparently
  http_slow_headers,     // a slowloris client must not stop others being served
  // TLS: the client under test dials a reference TLS echo server presenting a
  // bad certificate from the test PKI, and must refuse it.
  tls_expired_certificate,
  tls_wrong_host_certificate,
  tls_self_signed_certificate,
  http_post_once,        // one POST answered 503 by the proxy: the client must not re-send it
  // WebSocket (ws-echo): a scripted peer that breaks one rule or goes
  // silent; the server must answer as RFC 6455 says, inside the deadline.
  ws_close_unanswered,   // the server's close (after invalid UTF-8) is never answered
  ws_pong_missing,       // the peer never answers the server's pings
  ws_frame_over_limit,   // a frame header announcing 1 GiB: close 1009 before the payload
  ws_unmasked_frame,     // a client frame without a mask: close 1002, never an echo
  ws_fragmented_control, // a ping with FIN clear: close 1002, never a pong
  ws_ping_between_fragments,  // a ping inside a fragmented message: pong at once, then the echo
};
std::string_view workload_name(Workload workload);

// Invariant: which property a failure broke.
enum class Invariant { integrity, liveness, isolation, hygiene, clarity };
std::string_view invariant_name(Invariant invariant);

// Scenario: one entry of the catalog.
struct Scenario {
  std::string name;  // "echo-tcp/slicer-1-byte": protocol/short-name, stable for --scenarios
  Protocol protocol = Protocol::echo_tcp;
  std::string profile;  // fault spec text; "" = no faults
  Workload workload = Workload::exchange;
  // Clarity: the error kinds that are a correct outcome under this fault. Empty
  // means the workload must succeed.
  std::vector<net::ErrorKind> expected_errors;
  net::Duration deadline = std::chrono::seconds(10);
  std::string description;
  // Largest message of an exchange workload (sizes are seeded, 1..this); the
  // payload size of the large and half-close workloads.
  std::size_t max_message_bytes = 3000;
};

// uses_http_faults: the profile has HTTP-aware faults (http_abort, ...). Their
// match= keys and verdicts are written for the built-in httpbin target and the
// reference client's retry policy, so neither --request nor --client-cmd
// runs them.
bool uses_http_faults(const Scenario& scenario);

// Stability: what reruns of a failed scenario said (--rerun-failures N):
//   flaky           a rerun with the same seed passed: the verdict is not
//                   reproducible, so the harness (or the machine) decided it
//   seed-dependent  every same-seed rerun failed, but a fresh seed passed:
//                   a real failure that this seed's fault schedule finds
//   consistent      every rerun failed, whatever the seed
enum class Stability { not_rerun, flaky, seed_dependent, consistent };
std::string_view stability_name(Stability stability);

// RerunResult: one rerun of a failed scenario.
struct RerunResult {
  std::uint64_t seed = 0;
  bool same_seed = true;
  bool passed = false;
  Invariant broken = Invariant::integrity;  // meaningful when !passed
  std::string detail;
  net::Duration elapsed{0};
};

// classify: the Stability that `reruns` show (not_rerun when empty).
Stability classify(const std::vector<RerunResult>& reruns);

// ClauseCoverage: how often one clause of the scenario's profile fired.
struct ClauseCoverage {
  std::string clause;       // canonical text
  std::uint64_t fired = 0;  // times it acted (see fault::ClauseTally::times_fired)
};

// ScenarioResult: the outcome of one scenario run.
struct ScenarioResult {
  std::string scenario;
  std::string target;
  bool passed = false;
  Invariant broken = Invariant::integrity;  // meaningful when !passed
  std::string detail;                       // what happened, in a sentence
  std::uint64_t seed = 0;
  net::Duration elapsed{0};
  std::string replay;  // the command that replays this run
  // target_down: the target did not start or refused connections; a suite
  // stops at the first such result (nothing after it could pass).
  bool target_down = false;
  // Reruns after a failure (same seed first, then fresh seeds) and their verdict.
  std::vector<RerunResult> reruns;
  Stability stability = Stability::not_rerun;
  // Fault coverage: one entry per clause of the profile. `vacuous`: the
  // profile has clauses and none of them fired, so the run proved nothing
  // about them.
  std::vector<ClauseCoverage> coverage;
  bool vacuous = false;
  // trace_hash: on the simulated network (--network sim), the hash of the
  // run's event trace: the same on every run of the same scenario and seed.
  std::optional<std::uint64_t> trace_hash;
  // other_replay: the command that replays this run on the other back end
  // (real sockets for a simulated run, the simulator for a real one); "" when
  // the simulator cannot host it.
  std::string other_replay;
};

}  // namespace faultline::suites
