#include "harness/suites/suite_pki.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace faultline::suites {

const tls::TestPki& suite_pki() {
  static const tls::TestPki pki = [] {
    auto made = tls::make_test_pki();
    if (!made) throw std::runtime_error("suite test PKI: " + made.error().to_string());
    return std::move(*made);
  }();
  return pki;
}

std::shared_ptr<const tls::ServerContext> suite_server_context(const tls::TestIdentity& identity) {
  tls::ServerConfig config;
  config.certificate_chain_pem = identity.certificate_pem;
  config.private_key_pem = identity.private_key_pem;
  auto context = tls::ServerContext::make(config);
  if (!context) throw std::runtime_error("suite server context: " + context.error().to_string());
  return *context;
}

std::shared_ptr<const tls::ClientContext> suite_client_context(const std::string& alpn) {
  tls::ClientConfig config;
  config.ca_pem = suite_pki().ca.certificate_pem;
  config.alpn = alpn;
  auto context = tls::ClientContext::make(config);
  if (!context) throw std::runtime_error("suite client context: " + context.error().to_string());
  return *context;
}

namespace {
// PkiDirectory removes the written PKI when the process ends: the programs
// that read it (a --client-cmd) have ended by then.
struct PkiDirectory {
  std::string path;
  PkiDirectory() = default;
  PkiDirectory(const PkiDirectory&) = delete;
  PkiDirectory& operator=(const PkiDirectory&) = delete;
  ~PkiDirectory() {
    if (path.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};
}  // namespace

net::Result<std::string> suite_pki_directory() {
  static std::mutex mutex;
  static PkiDirectory directory;
  std::lock_guard lock(mutex);
  if (!directory.path.empty()) return directory.path;
  const char* tmpdir = std::getenv("TMPDIR");
  std::string pattern = (tmpdir != nullptr && *tmpdir != '\0' ? std::string(tmpdir) : "/tmp") +
                        "/faultline-pki-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return net::from_errno(errno, "suite test PKI: mkdtemp " + pattern);
  }
  if (auto written = tls::write_test_pki(suite_pki(), pattern); !written) {
    std::error_code ignored;
    std::filesystem::remove_all(pattern, ignored);
    return tl::unexpected(written.error());
  }
  directory.path = pattern;
  return directory.path;
}

}  // namespace faultline::suites
