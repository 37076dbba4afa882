#include "targets/tls/tls_stream.h"

#include <algorithm>

namespace faultline::tls {
namespace {

constexpr std::size_t kTransportChunk = 16 * 1024 + 512;  // one TLS record and its overhead
constexpr auto kCloseNotifyBudget = std::chrono::milliseconds(500);

}  // namespace

net::Result<std::unique_ptr<TlsStream>> TlsStream::connect(
    std::unique_ptr<net::Stream> transport, std::shared_ptr<const ClientContext> context,
    const std::string& host, net::Clock& clock, net::TimePoint handshake_deadline,
    std::shared_ptr<SessionCache> sessions, std::string session_key) {
  auto engine =
      TlsEngine::client(std::move(context), host, std::move(sessions), std::move(session_key));
  if (!engine) return tl::unexpected(engine.error());
  std::unique_ptr<TlsStream> stream(new TlsStream(std::move(transport), std::move(*engine), clock));
  if (auto done = stream->run_handshake(handshake_deadline); !done) {
    return tl::unexpected(done.error());
  }
  return stream;
}

net::Result<std::unique_ptr<TlsStream>> TlsStream::accept(
    std::unique_ptr<net::Stream> transport, std::shared_ptr<const ServerContext> context,
    net::Clock& clock, net::TimePoint handshake_deadline) {
  auto engine = TlsEngine::server(std::move(context));
  if (!engine) return tl::unexpected(engine.error());
  std::unique_ptr<TlsStream> stream(new TlsStream(std::move(transport), std::move(*engine), clock));
  if (auto done = stream->run_handshake(handshake_deadline); !done) {
    return tl::unexpected(done.error());
  }
  return stream;
}

net::Status TlsStream::flush(net::TimePoint deadline) {
  if (!engine_->has_output()) return {};
  return transport_->write_all(engine_->take_output(), deadline);
}

net::Status TlsStream::run_handshake(net::TimePoint deadline) {
  std::string chunk(kTransportChunk, '\0');
  for (;;) {
    auto done = engine_->handshake();
    // Flush even after a failure: the alert tells the peer why.
    auto flushed = flush(deadline);
    if (!done) {
      closed_ = true;
      transport_->close();
      return tl::unexpected(done.error());
    }
    if (!flushed) return flushed;
    if (*done) return {};
    auto n = transport_->read_some(chunk.data(), chunk.size(), deadline);
    if (!n) {
      if (n.error().kind == net::ErrorKind::timeout) {
        return net::make_error(net::ErrorKind::tls_handshake_timeout,
                               "tls handshake with " + transport_->describe() +
                                   ": not finished before its deadline (" + n.error().message +
                                   ")");
      }
      return tl::unexpected(
          net::Error{n.error().kind, n.error().sys_errno, "tls handshake: " + n.error().message});
    }
    if (*n == 0) {
      engine_->feed_eof();
    } else {
      engine_->feed(std::string_view(chunk.data(), *n));
    }
  }
}

net::Status TlsStream::write_all(std::string_view bytes, net::TimePoint deadline) {
  if (closed_) return net::make_error(net::ErrorKind::closed, describe_ + ": stream closed");
  if (auto written = engine_->write(bytes); !written) return written;
  return flush(deadline);
}

net::Result<std::size_t> TlsStream::read_some(char* buffer, std::size_t capacity,
                                              net::TimePoint deadline) {
  if (closed_) return net::make_error(net::ErrorKind::closed, describe_ + ": stream closed");
  std::string chunk;
  for (;;) {
    auto outcome = engine_->read(buffer, capacity);
    if (!outcome) return tl::unexpected(outcome.error());
    // Reads can produce output too (TLS 1.3 key updates, alerts).
    if (auto flushed = flush(deadline); !flushed) return tl::unexpected(flushed.error());
    if (outcome->bytes > 0) return outcome->bytes;
    if (outcome->closed) return std::size_t{0};
    if (chunk.empty()) chunk.resize(kTransportChunk);
    auto n = transport_->read_some(chunk.data(), chunk.size(), deadline);
    if (!n) return tl::unexpected(n.error());
    if (*n == 0) {
      engine_->feed_eof();
    } else {
      engine_->feed(std::string_view(chunk.data(), *n));
    }
  }
}

bool TlsStream::readable_now() {
  return closed_ || engine_->pending_plaintext() || transport_->readable_now();
}

void TlsStream::close() {
  if (closed_) return;
  closed_ = true;
  engine_->close();
  (void)flush(clock_.now() + kCloseNotifyBudget);
  transport_->close();
}

net::Result<std::unique_ptr<net::Stream>> TlsDialer::dial(const std::string& host,
                                                          std::uint16_t port,
                                                          net::TimePoint deadline) {
  auto transport = inner_.dial(host, port, deadline);
  if (!transport) return tl::unexpected(transport.error());
  const net::TimePoint now = inner_.clock().now();
  const net::TimePoint handshake_deadline = deadline == net::kNoDeadline
                                                ? now + handshake_timeout_
                                                : std::min(deadline, now + handshake_timeout_);
  auto stream = TlsStream::connect(std::move(*transport), context_, host, inner_.clock(),
                                  handshake_deadline, sessions_,
                                  host + ":" + std::to_string(port));
  if (!stream) return tl::unexpected(stream.error());
  return std::unique_ptr<net::Stream>(std::move(*stream));
}

}  // namespace faultline::tls
