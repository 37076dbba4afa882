// harness/suites/echo_client_under_test.h: an echo client as the suite drives it.
//
// The workloads talk to servers through this, so the same scenario checks a
// server (with the reference client) or a client (a mutant, against the
// reference server).
//
//   auto client = suites::reference_echo_client();
//   auto replies = client.run(address, {"hello", "안녕하세요!"}, echo::EchoTimeouts{});
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "targets/echo/echo_client.h"
#include "targets/net/address.h"
#include "targets/net/error.h"

namespace faultline::suites {

// EchoClientUnderTest: a name and "send these messages on one connection,
// return what came back for each".
struct EchoClientUnderTest {
  std::string name;
  std::function<net::Result<std::vector<std::string>>(
      const net::Address&, const std::vector<std::string>& messages, const echo::EchoTimeouts&)>
      run;
  // speaks_tls: the client dials TLS (tls_echo_client and its mutants).
  bool speaks_tls = false;
};

// reference_echo_client: echo::TcpEchoClient, one connection, every message in turn.
EchoClientUnderTest reference_echo_client();

}  // namespace faultline::suites
