// harness/suites/client_command.h: the user's client program under test
// (`faultline suite --client-cmd 'my-client {host} {port}'`).
//
// The contract a client program keeps:
//   - {host}, {port} and {url} in the command are replaced by where to
//     connect (the fault proxy); the same values are in the environment as
//     FAULTLINE_HOST, FAULTLINE_PORT and FAULTLINE_URL.
//   - over TLS (echo-tls, https), {cacert} is the PEM file of the CA the
//     reference server's certificate chains to (also FAULTLINE_CACERT); the
//     client must verify against it, and refuse the expired, wrong-host and
//     self-signed certificates some scenarios present.
//   - echo clients read the message from stdin (to EOF), send it, and write
//     what came back to stdout; HTTP clients fetch {url} and write the body;
//     WebSocket clients (ws-echo) connect to {url} (ws://HOST:PORT/), send
//     stdin as one text message and write the echoed message to stdout.
//   - exit 0 on success; non-zero with a message on stderr on failure.
// The harness kills the program's whole process group at the deadline.
//
//   auto run = suites::run_client_command("my-client {host} {port}", proxy, "", "hello", 10s);
//   if (run && run->finished && run->exit_status == 0 && run->out == "hello") ...
#pragma once

#include <string>

#include "targets/net/address.h"
#include "targets/net/deadline.h"
#include "targets/net/error.h"

namespace faultline::suites {

// ClientRun: how one run of the client program ended.
struct ClientRun {
  bool finished = false;       // exited by itself before the deadline
  int exit_status = -1;        // its exit status (finished, not signalled)
  std::string how;             // "exited with status 1", "was killed by signal 11 (...)"
  std::string out;             // stdout (bounded)
  std::string err;             // stderr (bounded)
  bool out_truncated = false;  // stdout went over its bound
  net::Duration elapsed{0};
};

// substitute_placeholders replaces {host}, {port}, {url} and {cacert} in `command`.
std::string substitute_placeholders(std::string command, const net::Address& address,
                                    const std::string& url, const std::string& cacert = "");

// check_client_template: an error unless `command` names where to connect
// ({host} and {port}, or {url}), or relies on the FAULTLINE_* variables ($FAULTLINE_).
net::Status check_client_template(const std::string& command, bool http);

// run_client_command runs the client once: `input` on its stdin, stdout and
// stderr collected (stdout up to `max_out` bytes), its whole process group
// killed (SIGKILL) when `deadline` passes.
net::Result<ClientRun> run_client_command(const std::string& command_template,
                                          const net::Address& address, const std::string& url,
                                          const std::string& input, net::Duration deadline,
                                          std::size_t max_out = 64 << 20,
                                          const std::string& cacert = "");

}  // namespace faultline::suites
