// fuzz/schedule_cases.h: the cases of the schedule fuzzers (echo_schedule,
// http_client) as code the CLI shares: decoding a fuzzer input, running it
// in the simulator under its own or another fault profile, and checking the
// fuzzer's properties, a broken one reported as a Violation.
//
// The fuzzers trap on the first Violation; `faultline fuzz replay` prints it,
// on the simulated network or on real sockets (fuzz/schedule_real.h), and
// `faultline shrink --fuzzer` delta-debugs the profile while the same
// property still breaks. The errors a profile explains are worked out from
// the profile itself (explain), so a narrowed or hand-written profile is
// judged by the same rules as the one the fuzzer's table made.
//
//   auto echo = fuzz::read_echo_case(bytes).value();
//   fuzz::CaseRun run = fuzz::run_echo_case(echo, echo.schedule.profile);
//   if (run.violation) std::cout << run.violation->property;   // "the reply differs ..."
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fault_schedule.h"
#include "harness/fault/profile.h"
#include "harness/sim/network.h"
#include "targets/http/client/session.h"
#include "targets/net/error.h"

namespace faultline::fuzz {

// Explanation: what a profile's faults may do to an exchange.
struct Explanation {
  std::set<net::ErrorKind> errors;  // error kinds some fault can cause
  bool may_corrupt = false;         // bytes may arrive changed (same length)

  bool allows(net::ErrorKind kind) const { return errors.count(kind) != 0; }
};

// explain: a stall explains a timeout (close_after: closed; reset_after:
// reset), reset a reset, limit_data and half_close a close, corrupt changed
// bytes, down mode=refuse a refusal and mode=blackhole a timeout.
Explanation explain(const fault::Profile& profile);

// Violation: a broken property, in the fuzzer's words, and this input's details.
struct Violation {
  std::string property;  // the same from input to input (crash triage keys on it)
  std::string detail;
};

// CaseRun: one run of a case, described, and the first broken property.
struct CaseRun {
  std::string outcome;  // "reply \"hi\" after 2000000ns virtual, 14 events, trace 123"
  std::optional<Violation> violation;
};

// ---- echo_schedule ----
// Input: [schedule, up to 4 clauses][seed: 8 bytes][message: the rest, at most 1KiB]

inline constexpr std::size_t kEchoMaxMessage = 1024;
inline constexpr net::TimePoint kEchoDeadline = std::chrono::hours(24);

struct EchoCase {
  Schedule schedule;
  std::uint64_t seed = 0;
  std::string message;
};

// read_echo_case: never fails on any input but when the schedule table makes
// a profile the parser rejects (a bug the fuzzer reports as a property).
net::Result<EchoCase> read_echo_case(std::string_view bytes);

// EchoOutcome: what one echo exchange gave, on either back end.
struct EchoOutcome {
  net::Result<std::string> reply = std::string();
  net::Duration elapsed{0};
  std::uint64_t trace_hash = 0;  // simulated runs only
  std::uint64_t events = 0;      // simulated runs only
  bool simulated = true;
};

std::string describe(const EchoOutcome& outcome);

// check_echo: integrity (the reply is the message, or the same length when
// the profile may corrupt), clarity (an error has a message and a kind the
// profile explains) and liveness (the outcome inside `deadline`).
std::optional<Violation> check_echo(const std::string& message, const Explanation& explanation,
                                    const EchoOutcome& outcome, net::Duration deadline);

// run_echo_case: the exchange under `profile` in the simulator, twice: the
// checks above, then determinism (same outcome, trace and event count).
CaseRun run_echo_case(const EchoCase& echo, const fault::Profile& profile);

// echo_context: the details every echo violation carries, with the command
// that replays the exchange alone in the simulator.
std::string echo_context(const EchoCase& echo, const fault::Profile& profile);

// ---- http_client ----
// Input: [config][schedule, up to 3 clauses][script][response bytes: the rest]
// (see http_client_fuzzer.cpp for the layout).

enum class ScriptEnding { close, stay_open, reset, close_early };

// Script: what the fuzzed server sends on each connection.
struct Script {
  std::vector<std::string> pieces;
  std::vector<std::chrono::milliseconds> delays;  // before each piece
  ScriptEnding ending = ScriptEnding::close;
};

struct HttpClientCase {
  std::uint8_t config = 0;
  Schedule schedule;
  std::shared_ptr<const Script> script;
  std::string response;  // every piece, joined
};

inline constexpr net::Duration kHttpTotalTimeout = std::chrono::seconds(10);

net::Result<HttpClientCase> read_http_client_case(std::string_view bytes);

// http_method: GET, HEAD, POST (with a body) or DELETE, from the config byte.
std::string http_method(const HttpClientCase& http);

// http_session_options: the session the fuzzer drives, for `base_url`.
http::client::SessionOptions http_session_options(const HttpClientCase& http, std::string base_url);

// make_script_peer: the server that plays the script, for the simulated
// network or a PeerServer on real sockets. It sends the pieces, each after
// its delay, once the request's first bytes arrive (at once for
// close_early), then ends as the script says.
std::unique_ptr<sim::Peer> make_script_peer(std::shared_ptr<const Script> script);

// HttpOutcome: what one request gave, on either back end.
struct HttpOutcome {
  net::Result<http::client::Response> result = tl::unexpected(net::Error{});
  net::Duration elapsed{0};
  std::uint64_t trace_hash = 0;  // simulated runs only
  bool simulated = true;
};

std::string describe(const HttpOutcome& outcome);

// check_http_client: a response is final and within the session limits (HEAD
// without a body); an error is a client error that names the request; the
// call ends inside the total timeout (plus `slack` on real sockets).
std::optional<Violation> check_http_client(const HttpClientCase& http, const HttpOutcome& outcome,
                                           net::Duration slack = net::Duration::zero());

// run_http_client_case: the request under `profile` in the simulator, twice:
// the checks above, then determinism.
CaseRun run_http_client_case(const HttpClientCase& http, const fault::Profile& profile);

std::string http_client_context(const HttpClientCase& http, const fault::Profile& profile);

}  // namespace faultline::fuzz
