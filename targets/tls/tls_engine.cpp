#include "targets/tls/tls_engine.h"

#include <arpa/inet.h>

#include <openssl/x509v3.h>

namespace faultline::tls {
namespace {

bool is_ip_address(const std::string& host) {
  unsigned char scratch[16];
  return inet_pton(AF_INET, host.c_str(), scratch) == 1 ||
         inet_pton(AF_INET6, host.c_str(), scratch) == 1;
}

// verify_kind sorts X509 verification results into the kinds a caller branches on.
net::ErrorKind verify_kind(long result) {
  switch (result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return net::ErrorKind::tls_expired;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return net::ErrorKind::tls_wrong_host;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
      return net::ErrorKind::tls_unknown_ca;
    default:
      return net::ErrorKind::tls_bad_certificate;
  }
}

}  // namespace

// store_new_session is the client contexts' new-session callback (see
// tls_config.cpp): it files the session under the engine's cache key.
int store_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* engine = static_cast<TlsEngine*>(SSL_get_app_data(ssl));
  if (engine != nullptr && engine->sessions_) engine->sessions_->store(engine->session_key_, session);
  return 0;  // the cache took its own reference
}

net::Result<std::unique_ptr<TlsEngine>> TlsEngine::make(SSL_CTX* context, std::string peer,
                                                        bool is_client) {
  SslPtr ssl(SSL_new(context));
  if (!ssl) return net::make_error(net::ErrorKind::io, "SSL_new: " + openssl_error_text());
  BIO* input = BIO_new(BIO_s_mem());
  BIO* output = BIO_new(BIO_s_mem());
  if (input == nullptr || output == nullptr) {
    BIO_free(input);
    BIO_free(output);
    return net::make_error(net::ErrorKind::io, "BIO_new: " + openssl_error_text());
  }
  // An empty input BIO means "wait for more", never EOF: EOF is feed_eof()'s to say.
  BIO_set_mem_eof_return(input, -1);
  SSL_set_bio(ssl.get(), input, output);  // ssl owns both from here
  std::unique_ptr<TlsEngine> engine(new TlsEngine(std::move(ssl), std::move(peer), is_client));
  engine->input_ = input;
  engine->output_ = output;
  SSL_set_app_data(engine->ssl_.get(), engine.get());
  SSL_set_info_callback(engine->ssl_.get(), &TlsEngine::on_info);
  if (is_client) {
    SSL_set_connect_state(engine->ssl_.get());
  } else {
    SSL_set_accept_state(engine->ssl_.get());
  }
  return engine;
}

net::Result<std::unique_ptr<TlsEngine>> TlsEngine::client(
    std::shared_ptr<const ClientContext> context, const std::string& host,
    std::shared_ptr<SessionCache> sessions, std::string session_key) {
  auto engine = make(context->get(), host, true);
  if (!engine) return engine;
  SSL* ssl = (*engine)->ssl_.get();
  if (sessions) {
    if (SslSessionPtr cached = sessions->find(session_key)) (void)SSL_set_session(ssl, cached.get());
    (*engine)->sessions_ = std::move(sessions);
    (*engine)->session_key_ = std::move(session_key);
  }
  const bool ip = is_ip_address(host);
  if (!ip && !host.empty() && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1)
    return net::make_error(net::ErrorKind::invalid_argument, "tls: SNI name " + host);
  if (!context->config().insecure) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    if (ok != 1 || host.empty())
      return net::make_error(net::ErrorKind::invalid_argument,
                             "tls: cannot verify host '" + host + "'");
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  }
  (*engine)->context_keepalive_ = std::move(context);
  return engine;
}

net::Result<std::unique_ptr<TlsEngine>> TlsEngine::server(
    std::shared_ptr<const ServerContext> context) {
  auto engine = make(context->get(), "client", false);
  if (engine) (*engine)->context_keepalive_ = std::move(context);
  return engine;
}

void TlsEngine::on_info(const SSL* ssl, int where, int value) {
  // SSL_CB_READ_ALERT shares its SSL_CB_ALERT bit with SSL_CB_WRITE_ALERT: test both bits.
  if ((where & SSL_CB_ALERT) == 0 || (where & SSL_CB_READ) == 0) return;
  auto* engine = static_cast<TlsEngine*>(SSL_get_app_data(ssl));
  // value: level << 8 | description; close_notify is a clean end, not an alert to report.
  if (engine != nullptr && (value & 0xff) != SSL_AD_CLOSE_NOTIFY)
    engine->alert_received_ = SSL_alert_desc_string_long(value);
}

void TlsEngine::feed(std::string_view ciphertext) {
  while (!ciphertext.empty()) {
    int n = BIO_write(input_, ciphertext.data(), static_cast<int>(ciphertext.size()));
    if (n <= 0) return;  // a memory BIO only fails on allocation failure
    ciphertext.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string TlsEngine::take_output() {
  std::string out;
  const std::size_t pending = BIO_ctrl_pending(output_);
  out.resize(pending);
  std::size_t read = 0;
  if (pending > 0 && BIO_read_ex(output_, out.data(), pending, &read) != 1) read = 0;
  out.resize(read);
  return out;
}

bool TlsEngine::has_output() const {
  return BIO_ctrl_pending(output_) > 0;
}

net::Result<bool> TlsEngine::handshake() {
  if (handshake_done_) return true;
  ERR_clear_error();
  int rc = SSL_do_handshake(ssl_.get());
  if (rc == 1) {
    handshake_done_ = true;
    return true;
  }
  int error = SSL_get_error(ssl_.get(), rc);
  if (error == SSL_ERROR_WANT_READ) {
    if (transport_eof_) {
      return net::make_error(net::ErrorKind::closed,
                             "tls handshake with " + peer_ + ": the peer closed the connection");
    }
    return false;
  }
  return tl::unexpected(failure(error, "tls handshake with " + peer_));
}

net::Result<ReadOutcome> TlsEngine::read(char* buffer, std::size_t capacity) {
  ERR_clear_error();
  std::size_t n = 0;
  int rc = SSL_read_ex(ssl_.get(), buffer, capacity, &n);
  if (rc == 1) return ReadOutcome{n, false};
  int error = SSL_get_error(ssl_.get(), rc);
  if (error == SSL_ERROR_ZERO_RETURN) return ReadOutcome{0, true};
  if (error == SSL_ERROR_WANT_READ) {
    if (transport_eof_) {
      return net::make_error(
          net::ErrorKind::tls_truncated,
          "tls read from " + peer_ +
              ": the connection ended without close_notify (data may be cut short)");
    }
    return ReadOutcome{};
  }
  return tl::unexpected(failure(error, "tls read from " + peer_));
}

bool TlsEngine::pending_plaintext() const {
  return SSL_pending(ssl_.get()) > 0;
}

net::Status TlsEngine::write(std::string_view plaintext) {
  if (!handshake_done_) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "tls write to " + peer_ + ": the handshake is not done");
  }
  while (!plaintext.empty()) {
    ERR_clear_error();
    std::size_t written = 0;
    int rc = SSL_write_ex(ssl_.get(), plaintext.data(), plaintext.size(), &written);
    if (rc != 1)
      return tl::unexpected(failure(SSL_get_error(ssl_.get(), rc), "tls write to " + peer_));
    plaintext.remove_prefix(written);
  }
  return {};
}

void TlsEngine::close() {
  if (!handshake_done_) return;
  ERR_clear_error();
  (void)SSL_shutdown(ssl_.get());  // queues close_notify; we never wait for the peer's
}

std::string TlsEngine::version() const {
  return SSL_get_version(ssl_.get());
}

bool TlsEngine::session_reused() const {
  return SSL_session_reused(ssl_.get()) == 1;
}

std::string TlsEngine::alpn() const {
  const unsigned char* data = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl_.get(), &data, &length);
  return std::string(reinterpret_cast<const char*>(data), data == nullptr ? 0 : length);
}

net::Error TlsEngine::failure(int ssl_error, std::string_view operation) {
  std::string context(operation);
  if (is_client_ && !handshake_done_) {
    long verify = SSL_get_verify_result(ssl_.get());
    if (verify != X509_V_OK) {
      ERR_clear_error();
      return net::Error{
          verify_kind(verify), 0,
          context + ": certificate verify failed: " + X509_verify_cert_error_string(verify)};
    }
  }
  if (!alert_received_.empty()) {
    ERR_clear_error();
    return net::Error{net::ErrorKind::tls_alert, 0,
                      context + ": peer sent alert: " + alert_received_};
  }
  const unsigned long code = ERR_peek_error();
  std::string detail = openssl_error_text();
  if (ssl_error == SSL_ERROR_SSL && ERR_GET_LIB(code) == ERR_LIB_SSL &&
      ERR_GET_REASON(code) == SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC) {
    return net::Error{net::ErrorKind::tls_protocol, 0,
                      context + ": bad record mac (" + detail + ")"};
  }
  return net::Error{net::ErrorKind::tls_protocol, 0, context + ": " + detail};
}

}  // namespace faultline::tls
