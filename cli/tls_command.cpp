// cli/tls_command.cpp: `faultline tls make-test-pki DIR`.
#include <memory>
#include <string>

#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "targets/tls/test_pki.h"

namespace faultline::cli {
namespace {

int run_make_test_pki(const std::string& directory) {
  auto pki = tls::make_test_pki();
  if (!pki) return runtime_error(pki.error());
  if (auto written = tls::write_test_pki(*pki, directory); !written)
    return runtime_error(written.error());
  fmt::print("faultline tls: test PKI written to {} (fresh EC P-256 keys, for tests only)\n",
             directory);
  fmt::print("  ca.pem               the CA: pass it as --cacert\n");
  fmt::print("  server.pem           localhost, 127.0.0.1, ::1; valid 30 days\n");
  fmt::print("  expired.pem          localhost; expired yesterday (clients must refuse)\n");
  fmt::print("  wrong-host.pem       wrong.example only (clients must refuse)\n");
  fmt::print("  self-signed.pem      localhost; issued by itself (clients must refuse)\n");
  fmt::print("  NAME-key.pem         each private key, mode 0600\n");
  return 0;
}

}  // namespace

void register_tls_command(CLI::App& app, int& exit_code) {
  auto* tls = app.add_subcommand("tls", "TLS helpers: make-test-pki");
  tls->require_subcommand(1);
  auto directory = std::make_shared<std::string>();
  auto* make = tls->add_subcommand(
      "make-test-pki",
      "Write a throwaway CA, a valid server certificate, and expired, wrong-host and\n"
      "self-signed ones (with keys) into DIR, for testing TLS clients and servers.");
  make->add_option("DIR", *directory, "output directory (created if missing)")->required();
  make->callback([directory, &exit_code] { exit_code = run_make_test_pki(*directory); });
}

}  // namespace faultline::cli
