#include "harness/suites/mutants/tls_mutants.h"

#include "harness/suites/mutants/echo_mutants.h"
#include "harness/suites/suite_pki.h"
#include "harness/suites/tls_echo_client.h"
#include "targets/echo/tls_echo_server.h"

namespace faultline::suites {

std::vector<std::string> tls_server_mutant_names() {
  return {"tls-one-read-is-a-message"};
}

std::vector<std::string> tls_client_mutant_names() {
  return {"tls-skips-verification", "tls-eof-is-end-of-reply", "tls-no-handshake-timeout"};
}

std::unique_ptr<echo::EchoServer> make_tls_server_mutant(std::string_view name) {
  if (name != "tls-one-read-is-a-message") return nullptr;
  echo::EchoServerOptions options;
  options.listen = net::Address::loopback(0);
  // Under a byte-level slicer TLS still hands over whole records, so this
  // looks right until a message outgrows one record (16 KiB) and a
  // character is split across two reads.
  return std::make_unique<echo::TlsEchoServer>(
      options, suite_server_context(suite_pki().server), std::chrono::seconds(10),
      [](std::string_view read) { return decode_utf8_replacing(read); });
}

std::optional<EchoClientUnderTest> tls_client_mutant(std::string_view name) {
  TlsClientBugs bugs;
  if (name == "tls-skips-verification") {
    bugs.skip_verification = true;
  } else if (name == "tls-eof-is-end-of-reply") {
    bugs.eof_ends_reply = true;
  } else if (name == "tls-no-handshake-timeout") {
    bugs.no_handshake_timeout = true;
  } else {
    return std::nullopt;
  }
  return tls_echo_client(nullptr, std::string(name), bugs);
}

}  // namespace faultline::suites
