// targets/tls/test_pki.h: a throwaway PKI made at run time with OpenSSL's API.
//
// Tests and `faultline tls make-test-pki DIR` need a CA and certificates that
// fail verification in each classic way. Every key is generated fresh (EC
// P-256), nothing is copied from elsewhere, and the certificates are dated from
// the moment they are made.
//
//   auto pki = tls::make_test_pki();                  // in memory
//   config.ca_pem = pki->ca.certificate_pem;
//   server.certificate_chain_pem = pki->server.certificate_pem;
//   (void)tls::write_test_pki(*pki, "/tmp/pki");      // ca.pem, server.pem, server-key.pem...
#pragma once

#include <string>
#include <vector>

#include "targets/net/error.h"

namespace faultline::tls {

// TestIdentity: one certificate (PEM) and its private key (PEM).
struct TestIdentity {
  std::string name;  // the file stem: "server", "expired"...
  std::string certificate_pem;
  std::string private_key_pem;
};

// TestPki: a CA and the leaf certificates it issued, plus a self-signed one.
struct TestPki {
  TestIdentity ca;           // "faultline test CA"
  TestIdentity server;       // localhost and 127.0.0.1, valid, issued by ca
  TestIdentity expired;      // localhost and 127.0.0.1, expired yesterday, issued by ca
  TestIdentity wrong_host;   // wrong.example only, valid, issued by ca
  TestIdentity self_signed;  // localhost and 127.0.0.1, valid, issued by itself

  std::vector<const TestIdentity*> all() const {
    return {&ca, &server, &expired, &wrong_host, &self_signed};
  }
};

// make_test_pki generates a fresh TestPki.
net::Result<TestPki> make_test_pki();

// write_test_pki writes NAME.pem and NAME-key.pem for each identity into
// `directory` (created if missing); keys are written mode 0600.
net::Status write_test_pki(const TestPki& pki, const std::string& directory);

}  // namespace faultline::tls
