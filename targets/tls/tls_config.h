// targets/tls/tls_config.h: immutable TLS settings and the SSL_CTX built from them.
//
// A context is built once, validated, and shared (read-only) by every
// connection that uses it, as an Envoy fault config is. Certificates and keys
// are given as PEM text, so tests can use a PKI made in memory; the *_files
// helpers read them from disk for the CLI.
//
//   tls::ClientConfig config;
//   config.ca_pem = pki.ca_certificate_pem;            // empty: the system store
//   auto context = tls::ClientContext::make(config);   // or an Error naming the bad input
//   auto engine = tls::TlsEngine::client(**context, "localhost");
#pragma once

#include <memory>
#include <string>

#include "targets/net/error.h"
#include "targets/tls/openssl_handles.h"

namespace faultline::tls {

// TlsVersion: the protocol versions a context may negotiate.
enum class TlsVersion { tls1_2, tls1_3 };

// ClientConfig: how a client verifies the server it dials.
struct ClientConfig {
  // PEM CA certificates to trust; empty means the system store.
  std::string ca_pem;
  // insecure skips every certificate check. Only for --insecure, which says so loudly.
  bool insecure = false;
  // ALPN protocol offered ("http/1.1"); empty offers none.
  std::string alpn = "http/1.1";
  TlsVersion min_version = TlsVersion::tls1_2;
  TlsVersion max_version = TlsVersion::tls1_3;
};

// ServerConfig: the certificate chain and key a server presents.
struct ServerConfig {
  std::string certificate_chain_pem;
  std::string private_key_pem;
  // ALPN protocol selected when the client offers it.
  std::string alpn = "http/1.1";
  TlsVersion min_version = TlsVersion::tls1_2;
  TlsVersion max_version = TlsVersion::tls1_3;
};

// read_file_text reads a whole (small) file; not_found or io on failure.
net::Result<std::string> read_file_text(const std::string& path);

// ClientContext: a validated client SSL_CTX and the config it came from.
class ClientContext {
 public:
  static net::Result<std::shared_ptr<const ClientContext>> make(ClientConfig config);
  SSL_CTX* get() const { return context_.get(); }
  const ClientConfig& config() const { return config_; }

 private:
  ClientContext(SslCtxPtr context, ClientConfig config)
      : context_(std::move(context)), config_(std::move(config)) {}
  SslCtxPtr context_;
  ClientConfig config_;
};

// ServerContext: a validated server SSL_CTX (certificate and key match).
class ServerContext {
 public:
  static net::Result<std::shared_ptr<const ServerContext>> make(ServerConfig config);
  // from_files reads the chain and key from PEM files.
  static net::Result<std::shared_ptr<const ServerContext>> from_files(
      const std::string& certificate_file, const std::string& key_file);
  SSL_CTX* get() const { return context_.get(); }
  const ServerConfig& config() const { return config_; }

 private:
  ServerContext(SslCtxPtr context, ServerConfig config)
      : context_(std::move(context)), config_(std::move(config)) {}
  SslCtxPtr context_;
  ServerConfig config_;
  std::string alpn_wire_;  // the ALPN select callback reads it
};

}  // namespace faultline::tls
