// targets/http/client/connection_pool.h: idle keep-alive connections kept for
// reuse, per "host:port", bounded.
//
// A connection goes back into the pool only after a complete response that
// allows keep-alive; take() hands out the most recently used one first (the
// one least likely to have been closed by the server's idle timer) and drops
// any that is readable while idle: a server sends nothing unasked, so bytes
// or an EOF waiting there mean the connection is closing or out of step.
//
//   client::ConnectionPool pool({.max_idle_per_host = 4});
//   std::unique_ptr<net::Stream> stream = pool.take("127.0.0.1:8080");  // or nullptr
//   if (!stream) stream = std::move(dialer.dial("127.0.0.1", 8080, deadline).value());
//   ... one request and its complete response ...
//   pool.put("127.0.0.1:8080", std::move(stream));
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "targets/net/stream.h"

namespace faultline::http::client {

// PoolOptions: the bounds of a ConnectionPool; 0 idle connections turns pooling off.
struct PoolOptions {
  std::size_t max_idle_per_host = 4;
  std::size_t max_idle_total = 64;
};

// ConnectionPool: idle streams by key. Not thread-safe (one per Session).
class ConnectionPool {
 public:
  explicit ConnectionPool(PoolOptions options = {}) : options_(options) {}

  // take gives the most recently returned idle stream for `key` that is not
  // readable_now(), closing stale ones on the way; nullptr when none.
  std::unique_ptr<net::Stream> take(const std::string& key);
  // put keeps `stream` for reuse, closing the oldest idle stream of its key
  // (or of any key) when a bound is reached.
  void put(const std::string& key, std::unique_ptr<net::Stream> stream);
  // clear closes every idle stream.
  void clear();

  std::size_t idle() const { return idle_.size(); }
  std::size_t idle(const std::string& key) const;
  // stale_discarded: idle streams found readable (closed or out of step) and dropped.
  std::uint64_t stale_discarded() const { return stale_discarded_; }

 private:
  struct Idle {
    std::string key;
    std::unique_ptr<net::Stream> stream;
  };
  PoolOptions options_;
  std::deque<Idle> idle_;  // oldest first
  std::uint64_t stale_discarded_ = 0;
};

}  // namespace faultline::http::client
