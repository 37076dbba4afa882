// harness/suites/tls_echo_client.h: the echo client the echo-tls workloads drive.
//
// One TLS connection (TlsDialer over TCP, verified against the context's CA
// and the address dialled), every message written in record-sized pieces
// while the echo is read back in between, so neither side's buffers decide
// the outcome. The handshake gets the connect timeout and its own error kind.
// TlsClientBugs turns on the classic TLS client bugs for the mutants
// (mutants/tls_mutants.h); the reference client has none.
//
//   auto client = suites::tls_echo_client(context);           // an EchoClientUnderTest
//   auto replies = client.run(address, {"hello"}, echo::EchoTimeouts{});
#pragma once

#include <memory>

#include "harness/suites/echo_client_under_test.h"
#include "targets/tls/tls_config.h"

namespace faultline::suites {

// TlsClientBugs: what a mutant client gets wrong.
struct TlsClientBugs {
  bool skip_verification = false;   // accepts any certificate
  bool eof_ends_reply = false;      // an EOF without close_notify taken as the end of the reply
  bool no_handshake_timeout = false;  // waits for the handshake forever
};

// tls_echo_client: the client over `context` (null: a context trusting the
// suites' test PKI), named `name`.
EchoClientUnderTest tls_echo_client(std::shared_ptr<const tls::ClientContext> context,
                                    std::string name = "reference", TlsClientBugs bugs = {});

}  // namespace faultline::suites
