#include "cli/tls_flags.h"

#include <cstdio>

#include <fmt/core.h>

namespace faultline::cli {

net::Result<std::shared_ptr<const tls::ClientContext>> client_tls_context(
    const std::string& cacert, bool insecure, const std::string& alpn) {
  if (insecure && !cacert.empty()) {
    return net::make_error(net::ErrorKind::invalid_argument, "--insecure and --cacert conflict");
  }
  tls::ClientConfig config;
  config.alpn = alpn;
  if (insecure) {
    fmt::print(stderr,
               "faultline: WARNING: --insecure: the server's certificate is NOT verified "
               "(any host, any issuer, any date is accepted); never use this outside a test\n");
    config.insecure = true;
  } else if (!cacert.empty()) {
    auto ca = tls::read_file_text(cacert);
    if (!ca) return net::make_error(ca.error().kind, "--cacert: " + ca.error().message);
    config.ca_pem = std::move(*ca);
  }
  auto context = tls::ClientContext::make(config);
  if (!context && !cacert.empty()) {
    return net::make_error(context.error().kind,
                           "--cacert " + cacert + ": " + context.error().message);
  }
  return context;
}

net::Result<std::shared_ptr<const tls::ServerContext>> server_tls_context(
    const std::string& certificate_file, const std::string& key_file) {
  if (certificate_file.empty() != key_file.empty()) {
    return net::make_error(net::ErrorKind::invalid_argument, "--tls-cert and --tls-key go together");
  }
  if (certificate_file.empty()) return std::shared_ptr<const tls::ServerContext>();
  return tls::ServerContext::from_files(certificate_file, key_file);
}

}  // namespace faultline::cli
