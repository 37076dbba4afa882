// harness/suites/mutants/ws_mutants.h: known-bad WebSocket echo servers.
//
// Each is the reference codec (targets/ws: handshake, Connection) in a
// thread-per-connection server, with one classic bug put in front of it or
// around it. The ws-echo catalog must kill every one (faultline suite
// --mutants prints them with the others):
//
//   ws-utf8-per-frame            each text frame validated as UTF-8 on its own: a
//                                character split across two frames is refused (1007)
//   ws-utf8-per-read             each read's text validated on its own: a
//                                character split across two reads is refused
//   ws-accepts-unmasked          an unmasked client frame taken as if masked
//   ws-accepts-fragmented-control  a control frame with FIN clear taken as whole
//   ws-no-close-handshake        the peer's close (or a violation) ends the TCP
//                                connection at once, with no close frame
//   ws-one-read-is-a-frame       each read decoded on its own, as if it held whole
//                                frames: nothing carried from one read to the next
//
//   auto server = suites::make_ws_server_mutant("ws-utf8-per-frame");  // an echo::EchoServer
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "targets/echo/echo_server.h"

namespace faultline::suites {

std::vector<std::string> ws_server_mutant_names();

// make_ws_server_mutant: the named buggy WebSocket echo server on loopback
// port 0; nullptr for an unknown name.
std::unique_ptr<echo::EchoServer> make_ws_server_mutant(std::string_view name);

}  // namespace faultline::suites
