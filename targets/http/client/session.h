// targets/http/client/session.h: a requests-like HTTP/1.1 client session:
// base URL, default headers, timeouts, retries with seeded backoff,
// redirects, response limits and a keep-alive connection pool.
//
//   namespace client = faultline::http::client;
//   client::Session session({.base_url = "http://127.0.0.1:8080"});
//   auto r = session.get("/get", {.params = {{"key", "value"}}});
//   if (!r) return r.error();      // timeout, reset, refused, closed, bad_data, too_large, ...
//   r->status;                     // 200 (4xx/5xx are responses too; see ok())
//   auto body = r->json();         // net::Result<nlohmann::json>
//
//   auto created = session.post("/post", {.json = {{"name", "Python"}, {"version", "3.9"}}});
//
// https:// URLs go through a tls::TlsDialer over the same dialer: the server
// is verified (chain to SessionOptions::tls's CA or the system store, host
// name, dates) unless that context is insecure, SNI and ALPN http/1.1 are
// sent, the handshake is bounded by the connect timeout (its own error kind,
// tls_handshake_timeout), and a new connection to a server already dialled
// resumes its TLS session (SessionCounters::tls_resumed).
//
//   auto context = tls::ClientContext::make({.ca_pem = ca});
//   client::Session session({.tls = *context});
//   session.get("https://localhost:8443/get");
//
// All I/O goes through a net::Dialer and all waiting through its Clock:
// TcpDialer (the default, owned by the session) in production, the
// simulator's dialer with a virtual clock in deterministic tests and fuzzers.
// Every wait has a deadline, every buffer a bound, so whatever a server sends
// (or doesn't), a request ends in a response or a net::Error naming the URL:
//
//   request("GET", url)
//     |  for each redirect hop (at most max_redirects):
//     |    for each attempt (at most 1 + max_retries, backoff between):
//     |      connection: an idle pooled one (not readable_now) or a new dial
//     |      write the request, read until the parser yields a final response
//     |      a pooled connection the server had closed -> once more, fresh
//     v
//   Response, or Error{timeout|reset|refused|closed|bad_data|too_large|...}
//
// A Session is not thread-safe: one per thread (the pool is not shared).
//
// The client lives in its own namespace, http::client, because the parser,
// the server and the client share faultline::http and their natural names
// (Response, SessionOptions) would otherwise collide.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "targets/http/client/connection_pool.h"
#include "targets/http/client/response.h"
#include "targets/http/client/retry.h"
#include "targets/http/message.h"
#include "targets/http/url.h"
#include "targets/net/deadline.h"
#include "targets/net/error.h"
#include "targets/net/stream.h"
#include "targets/tls/tls_config.h"

namespace faultline::http::client {

// Timeouts: the waits of one request. Each one ends in ErrorKind::timeout.
struct Timeouts {
  net::Duration connect = std::chrono::seconds(10);  // per dial
  // read: the longest the server may stay silent: no response byte (or no
  // progress sending the request) for this long.
  net::Duration read = std::chrono::seconds(30);
  // total: the whole call, retries, backoff and redirects included.
  net::Duration total = std::chrono::seconds(60);
};

// ResponseLimits: bounds on what a server may make the session hold.
// Each ends in ErrorKind::too_large.
struct ResponseLimits {
  std::size_t max_header_bytes = 64 * 1024;  // status line and header section
  std::size_t max_header_count = 100;
  std::uint64_t max_body_bytes = 8 * 1024 * 1024;  // decoded
  std::size_t max_informational = 32;              // 1xx responses before the final one
};

// SessionOptions: set once, for every request of a session.
struct SessionOptions {
  // base_url: relative URLs are joined to it ("http://host:8080/api" +
  // "/items" -> "http://host:8080/api/items"); absolute ones are used as is.
  // Empty: every URL must be absolute.
  std::string base_url{};
  // headers: sent with every request, after (and replacing, by name) the
  // built-in defaults User-Agent: faultline/0.1 and Accept: */*.
  Headers headers{};
  Timeouts timeouts{};
  RetryOptions retry{};
  bool follow_redirects = true;
  int max_redirects = 10;
  ResponseLimits limits{};
  PoolOptions pool{};
  // tls: how https:// servers are verified; null: against the system CA
  // store (built at the first https request).
  std::shared_ptr<const tls::ClientContext> tls{};
  // tls_resume_sessions: offer each server the last TLS session it issued.
  bool tls_resume_sessions = true;
};

// RequestOptions: one request's additions.
struct RequestOptions {
  QueryParams params{};  // appended to the URL's query, form-encoded
  Headers headers{};     // replace session headers of the same name
  // json: sent as the body (dumped compactly) with Content-Type:
  // application/json. null (the default) means no JSON body, as json=None
  // does in requests; to send a literal null, use data = "null".
  nlohmann::json json{};
  // data: a raw body, sent with `content_type` when that is not empty.
  // At most one of json and data.
  std::optional<std::string> data{};
  std::string content_type{};
  // timeout: replaces the connect and read timeouts (like requests' timeout=).
  std::optional<net::Duration> timeout{};
  // total_timeout: replaces Timeouts::total.
  std::optional<net::Duration> total_timeout{};
  std::optional<bool> follow_redirects{};
};

// SessionCounters: what the session did, for tests and reports.
struct SessionCounters {
  std::uint64_t requests = 0;            // calls to request() and friends
  std::uint64_t attempts = 0;            // request messages written (retries and redirects too)
  std::uint64_t connections_opened = 0;  // successful dials
  std::uint64_t connections_reused = 0;  // requests sent over a pooled connection
  std::uint64_t retries = 0;             // policy retries (after a backoff)
  // stale_retries: immediate re-sends on a fresh connection after a pooled
  // one turned out closed by the server before any response byte.
  std::uint64_t stale_retries = 0;
  std::uint64_t redirects = 0;        // redirect hops followed
  std::uint64_t stale_discarded = 0;  // idle pooled connections found readable and dropped
  std::uint64_t tls_handshakes = 0;   // https connections opened
  std::uint64_t tls_resumed = 0;      // of those, handshakes that resumed a session
};

// kDefaultUserAgent: the User-Agent every session sends unless told otherwise.
inline constexpr std::string_view kDefaultUserAgent = "faultline/0.1";

// Session: a client with a connection pool. Move-only.
class Session {
 public:
  // Session over real TCP (a TcpDialer the session owns).
  explicit Session(SessionOptions options = {});
  // Session over `dialer` (which must outlive the session).
  Session(net::Dialer& dialer, SessionOptions options = {});
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  // request sends `method` to `url` (joined to the base URL when relative)
  // and returns the final response after redirects, or the error that ended
  // the attempt; the error message names the method and URL.
  net::Result<Response> request(std::string_view method, std::string_view url,
                                const RequestOptions& options = {});

  net::Result<Response> get(std::string_view url, const RequestOptions& options = {}) {
    return request("GET", url, options);
  }
  net::Result<Response> post(std::string_view url, const RequestOptions& options = {}) {
    return request("POST", url, options);
  }
  net::Result<Response> put(std::string_view url, const RequestOptions& options = {}) {
    return request("PUT", url, options);
  }
  net::Result<Response> patch(std::string_view url, const RequestOptions& options = {}) {
    return request("PATCH", url, options);
  }
  net::Result<Response> del(std::string_view url, const RequestOptions& options = {}) {
    return request("DELETE", url, options);
  }
  net::Result<Response> head(std::string_view url, const RequestOptions& options = {}) {
    return request("HEAD", url, options);
  }
  net::Result<Response> options(std::string_view url, const RequestOptions& request_options = {}) {
    return request("OPTIONS", url, request_options);
  }

  // resolve_url gives the URL a request for `url` with `params` would go to.
  net::Result<Url> resolve_url(std::string_view url, const QueryParams& params = {}) const;

  const SessionCounters& counters() const;
  const SessionOptions& session_options() const;
  // idle_connections: connections waiting in the pool.
  std::size_t idle_connections() const;
  // close_idle_connections empties the pool.
  void close_idle_connections();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faultline::http::client
