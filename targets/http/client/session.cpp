#include "targets/http/client/session.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "targets/http/parser.h"
#include "targets/http/serialize.h"
#include "targets/net/duration.h"
#include "targets/tls/tls_stream.h"

namespace faultline::http::client {
namespace {

constexpr std::size_t kReadChunkBytes = 16 * 1024;
constexpr std::size_t kMaxMethodLength = 32;

net::TimePoint add_saturating(net::TimePoint when, net::Duration duration) {
  if (duration <= net::Duration::zero()) return when;
  if (when >= net::kNoDeadline - duration) return net::kNoDeadline;
  return when + duration;
}

bool is_token_char(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return is_token_char(static_cast<unsigned char>(c));
  });
}

// set_header replaces every header named `name` (any case) with one line.
void set_header(Headers& headers, std::string name, std::string value) {
  std::erase_if(headers, [&](const Header& h) { return iequals(h.name, name); });
  headers.push_back(Header{std::move(name), std::move(value)});
}

void remove_header(Headers& headers, std::string_view name) {
  std::erase_if(headers, [&](const Header& h) { return iequals(h.name, name); });
}

// check_headers refuses what would let a caller's value break the framing
// of the request: a name that is not a token, CR/LF/NUL in a value.
net::Status check_headers(const Headers& headers) {
  for (const Header& header : headers) {
    if (!is_token(header.name)) {
      return net::make_error(net::ErrorKind::invalid_argument,
                             "header name '" + header.name + "' is not a token");
    }
    if (header.value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return net::make_error(net::ErrorKind::invalid_argument,
                             "header '" + header.name + "' has CR, LF or NUL in its value");
    }
  }
  return {};
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool same_origin(const Url& a, const Url& b) {
  return a.scheme == b.scheme && a.host == b.host && a.port == b.port;
}

std::string host_port(const Url& url) {
  return (url.is_ipv6() ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
}

// pool_key: http and https connections to one host:port are not interchangeable.
std::string pool_key(const Url& url) {
  return url.is_https() ? "https://" + host_port(url) : host_port(url);
}

// Hop: one request message to send (a redirect makes a new one).
struct Hop {
  std::string method;
  Url url;
  Headers headers;  // without Host (added per URL)
  std::string body;
};

// Call: what stays fixed across the hops and attempts of one request() call.
struct Call {
  std::string original_url;
  net::Duration connect_timeout{};
  net::Duration read_timeout{};
  net::Duration total_timeout{};
  net::TimePoint deadline{};
  bool follow_redirects = true;
};

// AttemptFailure: an error and where it struck, which decides whether a
// retry is safe.
struct AttemptFailure {
  net::Error error;
  bool during_connect = false;    // no byte of the request left the client
  bool response_started = false;  // some response byte had arrived
};

using AttemptResult = tl::expected<Message, AttemptFailure>;

tl::unexpected<AttemptFailure> fail(net::ErrorKind kind, std::string message,
                                    bool during_connect = false, bool response_started = false,
                                    int sys_errno = 0) {
  return tl::unexpected(AttemptFailure{net::Error{kind, sys_errno, std::move(message)},
                                       during_connect, response_started});
}

std::string describe(const Hop& hop) {
  return hop.method + " " + hop.url.to_string();
}

}  // namespace

struct Session::Impl {
  Impl(net::Dialer* dialer_in, std::unique_ptr<net::TcpDialer> owned, SessionOptions options_in);

  net::Result<Response> request(std::string_view method, std::string_view url,
                                const RequestOptions& request_options);
  net::Result<Url> resolve_url(std::string_view url, const QueryParams& params) const;

  AttemptResult send_with_retries(const Call& call, const Hop& hop);
  AttemptResult send_once(const Call& call, const Hop& hop);
  AttemptResult exchange(const Call& call, const Hop& hop, const std::string& wire,
                         std::unique_ptr<net::Stream> stream);
  net::Result<std::unique_ptr<net::Stream>> dial(const Call& call, const Hop& hop);
  bool retryable(const AttemptFailure& failure, const Hop& hop) const;
  // dialer_for gives the TLS dialer for https (made at first use), else the plain one.
  net::Result<net::Dialer*> dialer_for(const Url& url);
  bool method_retryable(const Hop& hop) const {
    return is_idempotent(hop.method) || options.retry.retry_non_idempotent;
  }

  std::unique_ptr<net::TcpDialer> owned_dialer;
  net::Dialer* dialer;
  std::unique_ptr<tls::TlsDialer> tls_dialer;
  std::shared_ptr<tls::SessionCache> tls_sessions;
  SessionOptions options;
  std::optional<Url> base;
  std::optional<net::Error> base_error;  // a bad base_url fails every relative request
  Headers default_headers;
  ParserOptions parser_options;
  ConnectionPool pool;
  Backoff backoff;
  SessionCounters counters;
  std::vector<char> buffer;
};

Session::Impl::Impl(net::Dialer* dialer_in, std::unique_ptr<net::TcpDialer> owned,
                    SessionOptions options_in)
    : owned_dialer(std::move(owned)),
      dialer(dialer_in != nullptr ? dialer_in : owned_dialer.get()),
      options(std::move(options_in)),
      pool(options.pool),
      backoff(options.retry),
      buffer(kReadChunkBytes) {
  if (!options.base_url.empty()) {
    auto parsed = Url::parse(options.base_url);
    if (parsed) {
      base = std::move(*parsed);
    } else {
      base_error =
          net::Error{net::ErrorKind::invalid_argument, 0, "base URL: " + parsed.error().message};
    }
  }
  default_headers = {{"User-Agent", std::string(kDefaultUserAgent)}, {"Accept", "*/*"}};
  for (const Header& header : options.headers)
    set_header(default_headers, header.name, header.value);
  if (options.pool.max_idle_per_host == 0 || options.pool.max_idle_total == 0) {
    // Without a pool, tell the server not to keep the connection open for us.
    set_header(default_headers, "Connection", "close");
  }
  parser_options.limits.max_header_bytes = options.limits.max_header_bytes;
  parser_options.limits.max_header_count = options.limits.max_header_count;
  parser_options.limits.max_body_bytes = options.limits.max_body_bytes;
  // Every response is taken before the read buffer is reused: no copy at feed().
  parser_options.borrow_input = true;
}

net::Result<Url> Session::Impl::resolve_url(std::string_view url, const QueryParams& params) const {
  net::Result<Url> resolved = [&]() -> net::Result<Url> {
    const bool absolute = url.find("://") != std::string_view::npos;
    if (absolute || !base) {
      if (!absolute && base_error) return tl::unexpected(*base_error);
      if (!absolute) {
        return net::make_error(
            net::ErrorKind::invalid_argument,
            "'" + std::string(url) + "' is not an absolute URL and the session has no base URL");
      }
      return Url::parse(url);
    }
    return join(*base, url);
  }();
  if (!resolved) return resolved;
  if (params.empty()) return resolved;
  return with_params(std::move(*resolved), params);
}

net::Result<Response> Session::Impl::request(std::string_view method_in, std::string_view url,
                                             const RequestOptions& request_options) {
  net::Clock& clock = dialer->clock();
  const net::TimePoint started = clock.now();
  ++counters.requests;

  std::string method(method_in);
  auto invalid = [&](std::string message) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           method + " " + std::string(url) + ": " + std::move(message));
  };
  if (!is_token(method) || method.size() > kMaxMethodLength) {
    return invalid("method '" + method + "' is not a token");
  }
  auto target = resolve_url(url, request_options.params);
  if (!target) return invalid(target.error().message);

  Hop hop{method, std::move(*target), default_headers, {}};
  for (const Header& header : request_options.headers) {
    set_header(hop.headers, header.name, header.value);
  }
  const bool has_json = !request_options.json.is_null();
  if (has_json && request_options.data) {
    return invalid("give json or data, not both");
  }
  if (has_json) {
    try {
      hop.body = request_options.json.dump();
    } catch (const nlohmann::json::exception& error) {
      return invalid(std::string("json body: ") + error.what());
    }
    if (!find_header(hop.headers, "Content-Type")) {
      hop.headers.push_back({"Content-Type", "application/json"});
    }
  } else if (request_options.data) {
    hop.body = *request_options.data;
    if (!request_options.content_type.empty()) {
      set_header(hop.headers, "Content-Type", request_options.content_type);
    }
  }
  if (auto checked = check_headers(hop.headers); !checked) return invalid(checked.error().message);

  Call call;
  call.original_url = hop.url.to_string();
  call.connect_timeout = request_options.timeout.value_or(options.timeouts.connect);
  call.read_timeout = request_options.timeout.value_or(options.timeouts.read);
  call.total_timeout = request_options.total_timeout.value_or(options.timeouts.total);
  call.deadline = add_saturating(started, call.total_timeout);
  call.follow_redirects = request_options.follow_redirects.value_or(options.follow_redirects);

  std::vector<int> history;
  for (;;) {
    AttemptResult attempt = send_with_retries(call, hop);
    if (!attempt) return tl::unexpected(std::move(attempt.error().error));
    Message& message = *attempt;
    auto location = message.header("Location");
    if (!call.follow_redirects || !is_redirect(message.status_code) || !location) {
      Response response;
      response.status = message.status_code;
      response.reason = std::move(message.reason);
      response.version_major = message.version_major;
      response.version_minor = message.version_minor;
      response.headers = std::move(message.headers);
      response.body = std::move(message.body);
      response.url = hop.url.to_string();
      response.history = std::move(history);
      response.elapsed = clock.now() - started;
      return response;
    }
    if (static_cast<int>(history.size()) >= options.max_redirects) {
      return net::make_error(net::ErrorKind::too_many_redirects,
                             method + " " + call.original_url + ": more than " +
                                 std::to_string(options.max_redirects) + " redirects (the last, " +
                                 std::to_string(message.status_code) + " from " +
                                 hop.url.to_string() + " to '" + std::string(*location) + "')");
    }
    auto next = resolve(hop.url, *location);
    if (!next) {
      return net::make_error(net::ErrorKind::bad_data,
                             describe(hop) + ": " + std::to_string(message.status_code) +
                                 " redirect to an invalid Location '" + std::string(*location) +
                                 "': " + next.error().message);
    }
    if (hop.url.is_https() && !next->is_https()) {
      return net::make_error(net::ErrorKind::invalid_argument,
                             describe(hop) + ": refusing a redirect from https to " +
                                 next->to_string() + " (it would go unencrypted)");
    }
    history.push_back(message.status_code);
    ++counters.redirects;
    // 301/302/303 become a GET without a body, as browsers and requests do
    // (HEAD stays HEAD); 307 and 308 repeat the method and body exactly.
    const int status = message.status_code;
    if (status == 301 || status == 302 || status == 303) {
      if (hop.method != "HEAD") hop.method = "GET";
      hop.body.clear();
      for (std::string_view name : {"Content-Type", "Content-Length", "Transfer-Encoding"}) {
        remove_header(hop.headers, name);
      }
    }
    // Credentials meant for one origin must not leak to another.
    if (!same_origin(hop.url, *next)) {
      remove_header(hop.headers, "Authorization");
      remove_header(hop.headers, "Proxy-Authorization");
      remove_header(hop.headers, "Cookie");
    }
    hop.url = std::move(*next);
  }
}

bool Session::Impl::retryable(const AttemptFailure& failure, const Hop& hop) const {
  using net::ErrorKind;
  const ErrorKind kind = failure.error.kind;
  if (failure.during_connect) {
    // Nothing was sent: safe to retry whatever the method.
    return kind == ErrorKind::refused || kind == ErrorKind::unreachable ||
           kind == ErrorKind::timeout || kind == ErrorKind::reset || kind == ErrorKind::closed ||
           kind == ErrorKind::io || kind == ErrorKind::tls_handshake_timeout;
  }
  if (failure.response_started || !method_retryable(hop)) return false;
  return kind == ErrorKind::reset || kind == ErrorKind::closed || kind == ErrorKind::timeout;
}

AttemptResult Session::Impl::send_with_retries(const Call& call, const Hop& hop) {
  net::Clock& clock = dialer->clock();
  const RetryOptions& retry = options.retry;
  for (int retries_done = 0;; ++retries_done) {
    AttemptResult result = send_once(call, hop);
    bool again = false;
    std::optional<net::Duration> server_asked;
    if (result) {
      const int status = result->status_code;
      again = method_retryable(hop) && std::find(retry.statuses.begin(), retry.statuses.end(),
                                                 status) != retry.statuses.end();
      if (again && retry.respect_retry_after && (status == 503 || status == 429)) {
        if (auto value = result->header("Retry-After")) server_asked = parse_retry_after(*value);
      }
    } else {
      again = retryable(result.error(), hop);
    }
    if (!again || retries_done >= retry.max_retries) {
      if (!result && retries_done > 0) {
        result.error().error.message += " (after " + std::to_string(retries_done) +
                                        (retries_done == 1 ? " retry)" : " retries)");
      }
      return result;
    }
    net::Duration delay = backoff.delay(retries_done + 1);
    if (server_asked) delay = std::max(delay, std::min(*server_asked, retry.backoff_max));
    const net::TimePoint wake = add_saturating(clock.now(), delay);
    // No time left for another attempt: the last outcome is the answer.
    if (wake >= call.deadline) return result;
    clock.sleep_until(wake);
    ++counters.retries;
  }
}

net::Result<net::Dialer*> Session::Impl::dialer_for(const Url& url) {
  if (!url.is_https()) return dialer;
  if (!tls_dialer) {
    std::shared_ptr<const tls::ClientContext> context = options.tls;
    if (!context) {
      auto made = tls::ClientContext::make({});
      if (!made) return tl::unexpected(made.error());
      context = std::move(*made);
    }
    if (options.tls_resume_sessions) tls_sessions = std::make_shared<tls::SessionCache>();
    // The handshake is part of connecting: the dial deadline bounds it too.
    tls_dialer = std::make_unique<tls::TlsDialer>(*dialer, std::move(context),
                                                  options.timeouts.connect, tls_sessions);
  }
  return tls_dialer.get();
}

net::Result<std::unique_ptr<net::Stream>> Session::Impl::dial(const Call& call, const Hop& hop) {
  net::Clock& clock = dialer->clock();
  const net::TimePoint dial_deadline =
      std::min(call.deadline, add_saturating(clock.now(), call.connect_timeout));
  auto chosen = dialer_for(hop.url);
  if (!chosen) {
    return net::make_error(chosen.error().kind, describe(hop) + ": " + chosen.error().message);
  }
  auto stream = (*chosen)->dial(hop.url.host, hop.url.port, dial_deadline);
  if (!stream) {
    net::Error error = std::move(stream.error());
    if (error.kind == net::ErrorKind::timeout) {
      error.message = dial_deadline == call.deadline
                          ? "no connection to " + host_port(hop.url) +
                                " within the total timeout of " +
                                net::format_duration(call.total_timeout)
                          : "no connection to " + host_port(hop.url) + " within " +
                                net::format_duration(call.connect_timeout);
    }
    error.message = describe(hop) + ": " + error.message;
    return tl::unexpected(std::move(error));
  }
  ++counters.connections_opened;
  if (hop.url.is_https()) {
    ++counters.tls_handshakes;
    if (static_cast<tls::TlsStream&>(**stream).engine().session_reused()) ++counters.tls_resumed;
  }
  return stream;
}

AttemptResult Session::Impl::send_once(const Call& call, const Hop& hop) {
  Request request;
  request.method = hop.method;
  request.target = hop.url.request_target();
  request.headers.reserve(hop.headers.size() + 1);
  if (!find_header(hop.headers, "Host")) request.headers.push_back({"Host", hop.url.host_header()});
  request.headers.insert(request.headers.end(), hop.headers.begin(), hop.headers.end());
  request.body = hop.body;
  const std::string wire = serialize(request);
  const std::string key = pool_key(hop.url);

  const std::uint64_t discarded_before = pool.stale_discarded();
  std::unique_ptr<net::Stream> pooled = pool.take(key);
  counters.stale_discarded += pool.stale_discarded() - discarded_before;
  if (pooled) {
    ++counters.connections_reused;
    AttemptResult result = exchange(call, hop, wire, std::move(pooled));
    // A server may close an idle keep-alive connection just as we reuse it:
    // EOF or RST before any response byte. The request did not reach it (or
    // it was not acted on, RFC 9112 9.3.1), so send it again, once, fresh.
    const bool server_had_closed = !result && !result.error().response_started &&
                                   (result.error().error.kind == net::ErrorKind::closed ||
                                    result.error().error.kind == net::ErrorKind::reset);
    if (!server_had_closed || !method_retryable(hop)) return result;
    ++counters.stale_retries;
  }
  auto stream = dial(call, hop);
  if (!stream)
    return fail(stream.error().kind, stream.error().message, /*during_connect=*/true, false,
                stream.error().sys_errno);
  return exchange(call, hop, wire, std::move(*stream));
}

AttemptResult Session::Impl::exchange(const Call& call, const Hop& hop, const std::string& wire,
                                      std::unique_ptr<net::Stream> stream) {
  net::Clock& clock = dialer->clock();
  ++counters.attempts;
  auto timed_out_at = [&](net::TimePoint wait_deadline) { return wait_deadline == call.deadline; };

  const net::TimePoint write_deadline =
      std::min(call.deadline, add_saturating(clock.now(), call.read_timeout));
  if (auto written = stream->write_all(wire, write_deadline); !written) {
    net::Error& error = written.error();
    std::string message =
        error.kind == net::ErrorKind::timeout
            ? (timed_out_at(write_deadline)
                   ? "request not sent within the total timeout of " +
                         net::format_duration(call.total_timeout)
                   : "request not sent within " + net::format_duration(call.read_timeout))
            : error.message;
    return fail(error.kind, describe(hop) + ": " + message, false, false, error.sys_errno);
  }

  Parser parser(MessageType::response, parser_options);
  parser.expect_response_to(hop.method);
  std::uint64_t received = 0;
  std::size_t informational = 0;
  bool at_eof = false;
  auto parse_failure = [&](const ParseError& error) {
    net::Error converted = to_net_error(error);
    std::string what = converted.kind == net::ErrorKind::too_large ? "response too large: "
                       : converted.kind == net::ErrorKind::closed
                           ? "connection closed mid-response: "
                           : "malformed response: ";
    return fail(converted.kind, describe(hop) + ": " + what + error.to_string(), false,
                received > 0);
  };

  for (;;) {
    // Take what the parser completed: skip 1xx (except 101, which ends HTTP
    // on this connection), stop at the final response.
    while (std::optional<Message> message = parser.next()) {
      if (message->status_code < 200 && message->status_code != 101) {
        if (++informational > options.limits.max_informational) {
          return fail(net::ErrorKind::too_large,
                      describe(hop) + ": more than " +
                          std::to_string(options.limits.max_informational) +
                          " informational (1xx) responses",
                      false, true);
        }
        continue;
      }
      // Reuse only a connection that is exactly at a message boundary.
      const bool reusable = message->keep_alive && !message->upgrade && !parser.upgraded() &&
                            !at_eof && !parser.error() && parser.pending() == 0 &&
                            !parser.message_in_progress();
      if (reusable) {
        pool.put(pool_key(hop.url), std::move(stream));
      } else {
        stream->close();
      }
      return std::move(*message);
    }
    if (parser.error()) return parse_failure(*parser.error());
    if (at_eof) {
      if (received == 0) {
        return fail(net::ErrorKind::closed, describe(hop) + ": " + stream->describe() +
                                                " closed the connection before sending a response");
      }
      return fail(net::ErrorKind::closed,
                  describe(hop) + ": connection closed after " + std::to_string(informational) +
                      " informational response(s) and no final response",
                  false, true);
    }

    const net::TimePoint read_deadline =
        std::min(call.deadline, add_saturating(clock.now(), call.read_timeout));
    auto n = stream->read_some(buffer.data(), buffer.size(), read_deadline);
    if (!n) {
      net::Error& error = n.error();
      std::string message = error.message;
      if (error.kind == net::ErrorKind::timeout) {
        if (timed_out_at(read_deadline)) {
          message = "no complete response within the total timeout of " +
                    net::format_duration(call.total_timeout) + " (" + std::to_string(received) +
                    " bytes received)";
        } else if (received == 0) {
          message = "no response byte within " + net::format_duration(call.read_timeout);
        } else {
          message = "response stalled: no byte for " + net::format_duration(call.read_timeout) +
                    " after " + std::to_string(received) + " bytes";
        }
      }
      return fail(error.kind, describe(hop) + ": " + message, false, received > 0, error.sys_errno);
    }
    if (*n == 0) {
      at_eof = true;
      // finish() completes a body that runs to EOF, or reports truncation;
      // the error (if any) surfaces above once queued messages are taken.
      (void)parser.finish();
      continue;
    }
    received += *n;
    (void)parser.feed(std::string_view(buffer.data(), *n));
  }
}

// ---------------------------------------------------------------------------
// Session

Session::Session(SessionOptions options)
    : impl_(std::make_unique<Impl>(nullptr, std::make_unique<net::TcpDialer>(),
                                   std::move(options))) {}

Session::Session(net::Dialer& dialer, SessionOptions options)
    : impl_(std::make_unique<Impl>(&dialer, nullptr, std::move(options))) {}

Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

net::Result<Response> Session::request(std::string_view method, std::string_view url,
                                       const RequestOptions& options) {
  return impl_->request(method, url, options);
}

net::Result<Url> Session::resolve_url(std::string_view url, const QueryParams& params) const {
  return impl_->resolve_url(url, params);
}

const SessionCounters& Session::counters() const {
  return impl_->counters;
}
const SessionOptions& Session::session_options() const {
  return impl_->options;
}
std::size_t Session::idle_connections() const {
  return impl_->pool.idle();
}
void Session::close_idle_connections() {
  impl_->pool.clear();
}

}  // namespace faultline::http::client
