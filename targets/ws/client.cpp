#include "targets/ws/client.h"

#include <fmt/core.h>

#include "targets/http/url.h"

namespace faultline::ws {
namespace {
constexpr std::size_t kReadChunk = 64 * 1024;

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && http::iequals(text.substr(0, prefix.size()), prefix);
}
}  // namespace

net::Result<WsUrl> WsUrl::parse(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           fmt::format("websocket URL '{}': {}", text.substr(0, 200), why));
  };
  WsUrl url;
  std::string as_http;
  if (starts_with_ignoring_case(text, "ws://")) {
    as_http = "http://" + std::string(text.substr(5));
  } else if (starts_with_ignoring_case(text, "wss://")) {
    url.secure = true;
    as_http = "https://" + std::string(text.substr(6));
  } else {
    return bad("the scheme must be ws:// or wss://");
  }
  if (text.find('#') != std::string_view::npos) return bad("a fragment (#...) is not allowed");
  auto parsed = http::Url::parse(as_http);
  if (!parsed) {
    std::string why = parsed.error().message;
    // The HTTP URL parser names the http:// form; name the text given instead.
    if (auto colon = why.find("': "); colon != std::string::npos) why = why.substr(colon + 3);
    return bad(why);
  }
  url.host = parsed->host;
  url.port = parsed->port;
  url.target = parsed->request_target();
  url.host_header = parsed->host_header();
  return url;
}

std::string WsUrl::to_string() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  const std::uint16_t default_port = secure ? 443 : 80;
  return fmt::format("{}://{}{}{}{}", secure ? "wss" : "ws", ipv6 ? "[" + host + "]" : host,
                     port == default_port ? "" : ":",
                     port == default_port ? "" : std::to_string(port), target);
}

Client::Client(std::unique_ptr<net::Stream> stream, net::Clock& clock, WsUrl url,
               ClientOptions options, std::string protocol)
    : stream_(std::move(stream)),
      clock_(clock),
      url_(std::move(url)),
      options_(std::move(options)),
      connection_(ConnectionOptions{
          .role = Role::client, .limits = options_.limits, .mask_seed = options_.seed + 1}),
      protocol_(std::move(protocol)) {}

net::Error Client::error(net::ErrorKind kind, std::string what) const {
  return net::Error{kind, 0, fmt::format("websocket {}: {}", url_.to_string(), what)};
}

net::Result<std::unique_ptr<Client>> Client::connect(net::Dialer& dialer, const WsUrl& url,
                                                     ClientOptions options) {
  auto& clock = dialer.clock();
  const net::TimePoint deadline = clock.now() + options.connect_timeout;
  auto prefix = [&](net::Error e) {
    e.message = fmt::format("websocket {}: {}", url.to_string(), e.message);
    return tl::unexpected(std::move(e));
  };
  auto stream = dialer.dial(url.host, url.port, deadline);
  if (!stream) return prefix(stream.error());
  ClientHandshake handshake({.host = url.host_header,
                             .target = url.target,
                             .subprotocols = options.subprotocols,
                             .key_seed = options.seed});
  if (auto written = (*stream)->write_all(handshake.request(), deadline); !written)
    return prefix(written.error());
  char buffer[kReadChunk];
  // Bounded: the response parser refuses more than max_response_bytes.
  while (true) {
    auto n = (*stream)->read_some(buffer, sizeof(buffer), deadline);
    if (!n) return prefix(n.error());
    if (*n == 0)
      return prefix(net::Error{net::ErrorKind::closed, 0,
                               "the server closed the connection during the handshake"});
    auto step = handshake.feed(std::string_view(buffer, *n));
    if (!step) return prefix(step.error());
    if (*step == HandshakeStep::accepted) break;
  }
  std::unique_ptr<Client> client(
      new Client(std::move(*stream), clock, url, std::move(options), handshake.protocol()));
  // Frames that came with the 101: a ping among them is answered now.
  (void)client->connection_.receive(handshake.take_leftover());
  if (auto flushed = client->flush(deadline); !flushed) return tl::unexpected(flushed.error());
  return client;
}

net::Status Client::flush(net::TimePoint deadline) {
  if (connection_.output().empty()) return {};
  std::string bytes = connection_.take_output();
  if (auto written = stream_->write_all(bytes, deadline); !written) {
    auto e = written.error();
    e.message = fmt::format("websocket {}: {}", url_.to_string(), e.message);
    return tl::unexpected(std::move(e));
  }
  return {};
}

net::Result<bool> Client::pump(net::TimePoint deadline) {
  if (eof_) return false;
  char buffer[kReadChunk];
  auto n = stream_->read_some(buffer, sizeof(buffer), deadline);
  if (!n) {
    auto e = n.error();
    e.message = fmt::format("websocket {}: {}", url_.to_string(), e.message);
    return tl::unexpected(std::move(e));
  }
  if (*n == 0) {
    eof_ = true;
    return false;
  }
  (void)connection_.receive(std::string_view(buffer, *n));
  if (auto flushed = flush(deadline); !flushed) return tl::unexpected(flushed.error());
  return true;
}

net::Status Client::send(Opcode opcode, std::string_view payload, std::size_t fragment_size) {
  if (connection_.state() != State::open)
    return tl::unexpected(
        error(net::ErrorKind::closed,
              fmt::format("send on a connection that is {}", state_name(connection_.state()))));
  connection_.send(opcode, payload, fragment_size);
  return flush(clock_.now() + options_.io_timeout);
}

net::Result<Message> Client::receive() {
  if (!held_.empty()) {
    Message message = std::move(held_.front());
    held_.erase(held_.begin());
    return message;
  }
  const net::TimePoint deadline = clock_.now() + options_.io_timeout;
  // Bounded by the deadline: each turn reads at least one byte or fails.
  while (true) {
    while (auto event = connection_.next_event()) {
      if (event->kind == EventKind::message)
        return Message{event->opcode, std::move(event->payload)};
      if (event->kind == EventKind::close) {
        (void)flush(deadline);
        return tl::unexpected(
            error(net::ErrorKind::closed,
                  fmt::format("the server closed the connection ({} {}{}{})", event->close_code,
                              close_code_name(event->close_code),
                              event->close_reason.empty() ? "" : ": ", event->close_reason)));
      }
    }
    if (connection_.state() == State::failed) {
      (void)flush(deadline);
      auto e = to_net_error(*connection_.error());
      e.message = fmt::format("websocket {}: {}", url_.to_string(), e.message);
      return tl::unexpected(std::move(e));
    }
    if (connection_.state() == State::closed)
      return tl::unexpected(error(net::ErrorKind::closed, "the connection is closed"));
    if (eof_)
      return tl::unexpected(error(net::ErrorKind::closed,
                                  "the server closed the TCP connection without a close "
                                  "frame (1006 abnormal)"));
    auto pumped = pump(deadline);
    if (!pumped) return tl::unexpected(pumped.error());
  }
}

net::Status Client::ping(std::string_view payload) {
  connection_.send_ping(payload);
  const net::TimePoint deadline = clock_.now() + options_.io_timeout;
  if (auto flushed = flush(deadline); !flushed) return flushed;
  const std::string expected(payload.substr(0, kMaxControlPayload));
  while (true) {
    while (auto event = connection_.next_event()) {
      if (event->kind == EventKind::pong && event->payload == expected) return {};
      if (event->kind == EventKind::message)
        held_.push_back(Message{event->opcode, std::move(event->payload)});
      if (event->kind == EventKind::close)
        return tl::unexpected(error(net::ErrorKind::closed, "closed while waiting for a pong"));
    }
    if (connection_.state() == State::failed) {
      auto e = to_net_error(*connection_.error());
      e.message = fmt::format("websocket {}: {}", url_.to_string(), e.message);
      return tl::unexpected(std::move(e));
    }
    if (eof_) return tl::unexpected(error(net::ErrorKind::closed, "EOF while waiting for a pong"));
    auto pumped = pump(deadline);
    if (!pumped) return tl::unexpected(pumped.error());
  }
}

net::Result<CloseResult> Client::close(std::uint16_t code, std::string_view reason) {
  const net::TimePoint deadline = clock_.now() + options_.close_timeout;
  connection_.close(code, reason);
  if (auto flushed = flush(deadline); !flushed) {
    stream_->close();
    return tl::unexpected(flushed.error());
  }
  // Wait for the server's close frame, then for its FIN (the server closes
  // the TCP connection first, RFC 6455 section 7.1.1).
  while (!connection_.close_received() && connection_.state() != State::failed && !eof_) {
    while (connection_.next_event()) {
    }
    auto pumped = pump(deadline);
    if (!pumped) {
      stream_->close();
      if (pumped.error().kind == net::ErrorKind::timeout)
        return tl::unexpected(
            error(net::ErrorKind::timeout,
                  fmt::format(
                      "no close frame from the server within {} ms",
                      std::chrono::duration_cast<std::chrono::milliseconds>(options_.close_timeout)
                          .count())));
      return tl::unexpected(pumped.error());
    }
  }
  CloseResult result;
  result.peer_code = connection_.peer_close_code();
  while (!eof_) {
    auto pumped = pump(deadline);
    if (!pumped) break;  // no FIN in time: we close our side ourselves
  }
  result.clean = connection_.close_received() && eof_;
  stream_->close();
  return result;
}

}  // namespace faultline::ws
