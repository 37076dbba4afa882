#include "targets/tls/tls_config.h"

#include <fstream>
#include <sstream>

#include <openssl/pem.h>

namespace faultline::tls {
namespace {

constexpr std::size_t kMaxPemBytes = 1 << 20;

int version_number(TlsVersion version) {
  return version == TlsVersion::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;
}

tl::unexpected<net::Error> openssl_failure(net::ErrorKind kind, const std::string& context) {
  return net::make_error(kind, context + ": " + openssl_error_text());
}

net::Result<SslCtxPtr> new_context(const SSL_METHOD* method, TlsVersion min, TlsVersion max) {
  if (version_number(min) > version_number(max)) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "tls: minimum version is above the maximum");
  }
  SslCtxPtr context(SSL_CTX_new(method));
  if (!context) return openssl_failure(net::ErrorKind::io, "SSL_CTX_new");
  SSL_CTX_set_min_proto_version(context.get(), version_number(min));
  SSL_CTX_set_max_proto_version(context.get(), version_number(max));
  // Renegotiation is a TLS 1.2 attack surface the targets do not need.
  SSL_CTX_set_options(context.get(), SSL_OP_NO_RENEGOTIATION);
  return context;
}

// alpn_wire encodes one protocol name as the ALPN wire format (length-prefixed).
std::string alpn_wire(const std::string& protocol) {
  std::string wire;
  wire.push_back(static_cast<char>(protocol.size()));
  wire += protocol;
  return wire;
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length,
                const unsigned char* offered, unsigned int offered_length, void* arg) {
  const auto* wire = static_cast<const std::string*>(arg);
  unsigned char* selected = nullptr;
  int rc = SSL_select_next_proto(&selected, out_length,
                                 reinterpret_cast<const unsigned char*>(wire->data()),
                                 static_cast<unsigned int>(wire->size()), offered, offered_length);
  if (rc != OPENSSL_NPN_NEGOTIATED) return SSL_TLSEXT_ERR_NOACK;  // no overlap: carry on without
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

int accept_server_name(SSL*, int*, void*) {
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

int store_new_session(SSL* ssl, SSL_SESSION* session);  // tls_engine.cpp

net::Result<std::string> read_file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return net::make_error(net::ErrorKind::not_found, "tls: cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxPemBytes) {
    return net::make_error(net::ErrorKind::too_large, "tls: " + path + " is over 1MiB");
  }
  return text.str();
}

net::Result<std::shared_ptr<const ClientContext>> ClientContext::make(ClientConfig config) {
  auto context = new_context(TLS_client_method(), config.min_version, config.max_version);
  if (!context) return tl::unexpected(context.error());
  SSL_CTX* ctx = context->get();
  if (config.insecure) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (config.ca_pem.empty()) {
      if (SSL_CTX_set_default_verify_paths(ctx) != 1)
        return openssl_failure(net::ErrorKind::io, "tls: loading the system CA store");
    } else {
      BioPtr bio(BIO_new_mem_buf(config.ca_pem.data(), static_cast<int>(config.ca_pem.size())));
      X509_STORE* store = SSL_CTX_get_cert_store(ctx);
      int added = 0;
      while (X509Ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
        if (X509_STORE_add_cert(store, cert.get()) != 1)
          return openssl_failure(net::ErrorKind::bad_data, "tls: adding a CA certificate");
        ++added;
      }
      ERR_clear_error();  // the loop ends on "no start line"
      if (added == 0) {
        return net::make_error(net::ErrorKind::bad_data,
                               "tls: the CA file holds no PEM certificate");
      }
    }
  }
  // Sessions go to the engine's SessionCache (if it has one), never to
  // OpenSSL's internal store, which a client never looks up by itself.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, store_new_session);
  if (!config.alpn.empty()) {
    std::string wire = alpn_wire(config.alpn);
    // SSL_CTX_set_alpn_protos returns 0 on success, unlike most of OpenSSL.
    if (SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(wire.data()),
                                static_cast<unsigned int>(wire.size())) != 0)
      return openssl_failure(net::ErrorKind::invalid_argument, "tls: ALPN " + config.alpn);
  }
  return std::shared_ptr<const ClientContext>(
      new ClientContext(std::move(*context), std::move(config)));
}

net::Result<std::shared_ptr<const ServerContext>> ServerContext::make(ServerConfig config) {
  auto context = new_context(TLS_server_method(), config.min_version, config.max_version);
  if (!context) return tl::unexpected(context.error());
  SSL_CTX* ctx = context->get();
  BioPtr chain(BIO_new_mem_buf(config.certificate_chain_pem.data(),
                               static_cast<int>(config.certificate_chain_pem.size())));
  X509Ptr leaf(PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr));
  if (!leaf || SSL_CTX_use_certificate(ctx, leaf.get()) != 1)
    return openssl_failure(net::ErrorKind::bad_data, "tls: reading the server certificate");
  while (X509Ptr extra{PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr)}) {
    if (SSL_CTX_add0_chain_cert(ctx, extra.get()) != 1)
      return openssl_failure(net::ErrorKind::bad_data, "tls: adding a chain certificate");
    (void)extra.release();  // add0: the context owns it now
  }
  ERR_clear_error();
  BioPtr key_bio(BIO_new_mem_buf(config.private_key_pem.data(),
                                 static_cast<int>(config.private_key_pem.size())));
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) return openssl_failure(net::ErrorKind::bad_data, "tls: reading the private key");
  if (X509_check_private_key(leaf.get(), key.get()) != 1) {
    return openssl_failure(net::ErrorKind::invalid_argument,
                           "tls: the private key does not match the certificate");
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1)
    return openssl_failure(net::ErrorKind::bad_data, "tls: using the private key");
  // Acknowledging the client's SNI files the name with the session, which a
  // client resuming under that name needs.
  SSL_CTX_set_tlsext_servername_callback(ctx, accept_server_name);
  auto made = std::shared_ptr<ServerContext>(new ServerContext(std::move(*context), config));
  if (!made->config_.alpn.empty()) {
    made->alpn_wire_ = alpn_wire(made->config_.alpn);
    SSL_CTX_set_alpn_select_cb(made->get(), select_alpn, &made->alpn_wire_);
  }
  return std::shared_ptr<const ServerContext>(std::move(made));
}

net::Result<std::shared_ptr<const ServerContext>> ServerContext::from_files(
    const std::string& certificate_file, const std::string& key_file) {
  ServerConfig config;
  auto chain = read_file_text(certificate_file);
  if (!chain) return tl::unexpected(chain.error());
  auto key = read_file_text(key_file);
  if (!key) return tl::unexpected(key.error());
  config.certificate_chain_pem = std::move(*chain);
  config.private_key_pem = std::move(*key);
  return make(std::move(config));
}

}  // namespace faultline::tls
