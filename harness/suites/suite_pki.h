// harness/suites/suite_pki.h: the test PKI the TLS suites run on.
//
// Made once per process at first use (tls::make_test_pki: fresh keys, dated
// from now): the reference TLS servers present its certificates (the good
// one, or the expired, wrong-host and self-signed ones a client must refuse),
// and the reference clients trust its CA. `--client-cmd` programs get the CA
// as a file (suite_pki_directory()).
//
//   auto server = suites::suite_server_context(suites::suite_pki().server);
//   auto client = suites::suite_client_context();   // trusts suite_pki().ca
#pragma once

#include <memory>
#include <string>

#include "targets/net/error.h"
#include "targets/tls/test_pki.h"
#include "targets/tls/tls_config.h"

namespace faultline::suites {

// suite_pki: the process's test PKI (throws std::runtime_error if OpenSSL
// cannot make one: nothing TLS could run then).
const tls::TestPki& suite_pki();

// suite_server_context: a server context presenting `identity`.
std::shared_ptr<const tls::ServerContext> suite_server_context(const tls::TestIdentity& identity);

// suite_client_context: a client context trusting the suite CA, no ALPN
// unless `alpn` is given.
std::shared_ptr<const tls::ClientContext> suite_client_context(const std::string& alpn = "");

// suite_pki_directory: the PKI written as PEM files (ca.pem, ...) into a
// private temporary directory ($TMPDIR, else /tmp), once; its path, or an
// error. The directory is removed when the process exits.
net::Result<std::string> suite_pki_directory();

}  // namespace faultline::suites
