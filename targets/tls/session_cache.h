// targets/tls/session_cache.h: client TLS sessions kept for resumption, per peer.
//
// A client that dials the same server again (the HTTP client's keep-alive pool
// refilling, a suite's next connection) resumes the last session the server
// gave it instead of running a full handshake: no certificate chain, no
// signature, one round trip less in TLS 1.2. Sessions arrive from OpenSSL's
// new-session callback (in TLS 1.3 after the handshake, as tickets read with
// the first response), so the engine stores them here itself.
//
//   auto cache = std::make_shared<tls::SessionCache>();
//   tls::TlsDialer dialer(tcp, context, std::chrono::seconds(5), cache);
//   dialer.dial("localhost", 8443, deadline);   // full handshake, ticket stored
//   dialer.dial("localhost", 8443, deadline);   // resumed
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include "targets/tls/openssl_handles.h"

namespace faultline::tls {

// SessionCache: the latest resumable session per key ("host:port"), bounded.
// Thread-safe: dialers on several threads may share one.
class SessionCache {
 public:
  explicit SessionCache(std::size_t max_entries = 256) : max_entries_(max_entries) {}

  // store keeps a copy of `session` for `key`, replacing the older one.
  void store(const std::string& key, SSL_SESSION* session);
  // find returns a copy of the session for `key`, or null.
  SslSessionPtr find(const std::string& key) const;
  void clear();
  std::size_t size() const;

 private:
  std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::map<std::string, SslSessionPtr> sessions_;
};

}  // namespace faultline::tls
