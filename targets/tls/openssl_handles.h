// targets/tls/openssl_handles.h: RAII owners for OpenSSL objects, and the
// error queue as text.
//
// Every SSL_CTX*, SSL*, X509*, EVP_PKEY* and BIO* the TLS layer makes is owned
// by one of these from the moment it is created, so no early return leaks one.
//
//   tls::X509Ptr cert(X509_new());
//   if (!cert) return net::make_error(net::ErrorKind::io, "X509_new: " +
//   tls::openssl_error_text());
#pragma once

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace faultline::tls {

namespace detail {
template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* object) const { Free(object); }
};
inline void free_bio(BIO* bio) {
  BIO_free_all(bio);
}
}  // namespace detail

using SslCtxPtr = std::unique_ptr<SSL_CTX, detail::OpenSslDeleter<SSL_CTX, SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, detail::OpenSslDeleter<SSL, SSL_free>>;
using X509Ptr = std::unique_ptr<X509, detail::OpenSslDeleter<X509, X509_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, detail::OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using SslSessionPtr =
    std::unique_ptr<SSL_SESSION, detail::OpenSslDeleter<SSL_SESSION, SSL_SESSION_free>>;
using BioPtr = std::unique_ptr<BIO, detail::OpenSslDeleter<BIO, detail::free_bio>>;

// openssl_error_text drains this thread's OpenSSL error queue into one line
// ("error:0A000086:SSL routines::certificate verify failed"); "no detail" when empty.
inline std::string openssl_error_text() {
  std::string text;
  char line[256];
  while (unsigned long code = ERR_get_error()) {
    ERR_error_string_n(code, line, sizeof(line));
    if (!text.empty()) text += "; ";
    text += line;
  }
  return text.empty() ? "no detail" : text;
}

}  // namespace faultline::tls
