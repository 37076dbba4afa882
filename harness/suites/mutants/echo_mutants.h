// harness/suites/mutants/echo_mutants.h: known-bad echo servers and clients.
//
// Each mutant carries one classic bug, and exists to prove that the suite
// catches what it claims to catch: the kill table (faultline suite --mutants)
// must show every mutant killed by at least one scenario, while the reference
// targets pass every scenario. Never use these for anything else.
//
//   server mutants
//     send-no-loop           one send(), partial writes dropped
//     utf8-per-read          each read decoded as UTF-8 alone (split characters mangled)
//     one-client-at-a-time   serves connections one after another
//     half-close-drops-owed  closes on the peer's FIN without sending what is owed
//     leaks-fd-on-reset      forgets to close a connection that was reset
//   client mutants (also run as programs: faultline-echo-client --mutant NAME)
//     one-recv-is-a-message  one recv() taken as the whole reply
//     no-timeouts            blocking I/O with no deadline
//     tutorial-client        the classic tutorial: no timeout, one send(), one
//                            recv(1024) decoded as UTF-8
//
//   auto server = suites::make_server_mutant("utf8-per-read");   // an echo::EchoServer
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/suites/echo_client_under_test.h"
#include "targets/echo/echo_server.h"

namespace faultline::suites {

// server_mutant_names / client_mutant_names: every in-tree mutant, in order.
std::vector<std::string> server_mutant_names();
std::vector<std::string> client_mutant_names();

// make_server_mutant: the named buggy TCP echo server (listening on loopback
// port 0 once started); nullptr for an unknown name.
std::unique_ptr<echo::EchoServer> make_server_mutant(std::string_view name);

// client_mutant: the named buggy echo client; nullopt for an unknown name.
// "reference" is not a mutant: see reference_echo_client().
std::optional<EchoClientUnderTest> client_mutant(std::string_view name);

// decode_utf8_replacing: `bytes` decoded as UTF-8 and encoded back, each byte
// that does not start a complete character replaced by U+FFFD (what a text
// peer that decodes each read on its own does to a split character).
std::string decode_utf8_replacing(std::string_view bytes);

}  // namespace faultline::suites
