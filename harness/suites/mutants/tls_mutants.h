// harness/suites/mutants/tls_mutants.h: known-bad TLS echo servers and clients.
//
// The classic TLS bugs, one per mutant, each of which the echo-tls catalog
// must kill (faultline suite --mutants prints them under the echo-tcp ones):
//
//   server mutants
//     tls-one-read-is-a-message    each SSL_read taken as a whole message (decoded
//                                  as UTF-8 on its own): right while a message fits
//                                  one record, wrong once it spans two
//   client mutants
//     tls-skips-verification       accepts any certificate ("for testing")
//     tls-eof-is-end-of-reply      an EOF without close_notify taken as the end
//     tls-no-handshake-timeout     waits for the handshake forever
//
//   auto server = suites::make_tls_server_mutant("tls-one-read-is-a-message");
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/suites/echo_client_under_test.h"
#include "targets/echo/echo_server.h"

namespace faultline::suites {

std::vector<std::string> tls_server_mutant_names();
std::vector<std::string> tls_client_mutant_names();

// make_tls_server_mutant: the named buggy TLS echo server on loopback port 0
// presenting the suite PKI's server certificate; nullptr for an unknown name.
std::unique_ptr<echo::EchoServer> make_tls_server_mutant(std::string_view name);

// tls_client_mutant: the named buggy TLS echo client; nullopt for an unknown name.
std::optional<EchoClientUnderTest> tls_client_mutant(std::string_view name);

}  // namespace faultline::suites
