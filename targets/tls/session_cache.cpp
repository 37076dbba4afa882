#include "targets/tls/session_cache.h"

namespace faultline::tls {

void SessionCache::store(const std::string& key, SSL_SESSION* session) {
  if (session == nullptr || SSL_SESSION_is_resumable(session) != 1) return;
  // Copies in and out: OpenSSL marks a session it shares with a connection
  // not resumable when that connection ends without close_notify, and one
  // aborted connection must not spoil the cache for the next.
  SslSessionPtr held(SSL_SESSION_dup(session));
  if (!held) return;
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(key);
  if (it != sessions_.end()) {
    it->second = std::move(held);
    return;
  }
  if (sessions_.size() >= max_entries_) sessions_.erase(sessions_.begin());
  sessions_.emplace(key, std::move(held));
}

SslSessionPtr SessionCache::find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return nullptr;
  return SslSessionPtr(SSL_SESSION_dup(it->second.get()));
}

void SessionCache::clear() {
  std::lock_guard lock(mutex_);
  sessions_.clear();
}

std::size_t SessionCache::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace faultline::tls
