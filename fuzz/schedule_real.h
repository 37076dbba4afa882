// fuzz/schedule_real.h: the schedule fuzzers' cases on real sockets. The same
// client code, the same profile and seed, and the same properties as in the
// simulator (fuzz/schedule_cases.h), with the simulated network replaced by
// real loopback TCP through the real fault proxy:
//
//   echo_schedule: the reference echo client -> TcpProxy(profile, seed) -> the epoll echo server
//   http_client:   the HTTP client Session   -> TcpProxy(profile, seed) -> the script's server
//                                                                          (sim::PeerServer)
//
// Time is real here: the echo exchange gets `deadline` instead of the
// simulator's virtual day, and determinism is not a property (the scheduler
// decides how bytes group into reads).
//
//   fuzz::CaseRun run = fuzz::run_echo_case_real(echo, profile, std::chrono::seconds(30));
#pragma once

#include <functional>
#include <string>

#include "fuzz/schedule_cases.h"
#include "targets/net/address.h"

namespace faultline::fuzz {

// EchoClient: a client in place of the reference one: sends `message` to
// `server` and returns what came back, giving up by `deadline` (steady clock).
using EchoClient = std::function<net::Result<std::string>(
    const net::Address& server, const std::string& message, net::Duration deadline)>;

// run_echo_case_real: with `client` empty, the reference client. A client
// that ignores its deadline is cut off: the proxy stops `deadline` plus a
// grace period after the start, which ends its connection.
CaseRun run_echo_case_real(const EchoCase& echo, const fault::Profile& profile,
                           net::Duration deadline, const EchoClient& client = {});

CaseRun run_http_client_case_real(const HttpClientCase& http, const fault::Profile& profile);

}  // namespace faultline::fuzz
