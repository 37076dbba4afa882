// targets/tls/tls_stream.h: a net::Stream that speaks TLS over another Stream,
// and the Dialer that makes them.
//
// Anything written against net::Stream/net::Dialer (the HTTP client session,
// the echo exchange, suite workloads) runs over TLS by swapping the dialer:
//
//   auto context = tls::ClientContext::make(config);           // CA, ALPN...
//   net::TcpDialer tcp;
//   tls::TlsDialer dialer(tcp, *context, std::chrono::seconds(5));
//   auto stream = dialer.dial("localhost", 8443, deadline);   // TCP + handshake
//
// The handshake has its own deadline and its own error kind
// (tls_handshake_timeout), apart from a read that times out later (timeout).
// read_some returns 0 only after the peer's close_notify; an EOF without one
// is tls_truncated.
#pragma once

#include <memory>
#include <string>

#include "targets/net/duration.h"
#include "targets/net/stream.h"
#include "targets/tls/tls_engine.h"

namespace faultline::tls {

// TlsStream: see the file comment.
class TlsStream final : public net::Stream {
 public:
  // connect runs the client handshake over `transport` before `handshake_deadline`.
  static net::Result<std::unique_ptr<TlsStream>> connect(
      std::unique_ptr<net::Stream> transport, std::shared_ptr<const ClientContext> context,
      const std::string& host, net::Clock& clock, net::TimePoint handshake_deadline,
      std::shared_ptr<SessionCache> sessions = nullptr, std::string session_key = {});
  // accept runs the server handshake.
  static net::Result<std::unique_ptr<TlsStream>> accept(
      std::unique_ptr<net::Stream> transport, std::shared_ptr<const ServerContext> context,
      net::Clock& clock, net::TimePoint handshake_deadline);

  ~TlsStream() override { close(); }

  net::Status write_all(std::string_view bytes, net::TimePoint deadline) override;
  net::Result<std::size_t> read_some(char* buffer, std::size_t capacity,
                                     net::TimePoint deadline) override;
  bool readable_now() override;
  // close sends close_notify (bounded by a short deadline) and closes the transport.
  void close() override;
  std::string describe() const override { return describe_; }
  // abandon closes the transport without close_notify: the peer sees a
  // truncation. For tests and mutants that must produce one.
  void abandon() {
    closed_ = true;
    transport_->close();
  }

  const TlsEngine& engine() const { return *engine_; }

 private:
  TlsStream(std::unique_ptr<net::Stream> transport, std::unique_ptr<TlsEngine> engine,
            net::Clock& clock)
      : transport_(std::move(transport)),
        engine_(std::move(engine)),
        clock_(clock),
        describe_("tls " + transport_->describe()) {}
  net::Status run_handshake(net::TimePoint deadline);
  net::Status flush(net::TimePoint deadline);

  std::unique_ptr<net::Stream> transport_;
  std::unique_ptr<TlsEngine> engine_;
  net::Clock& clock_;
  std::string describe_;
  bool closed_ = false;
};

// TlsDialer: dials through an inner Dialer, then runs the client handshake
// with `handshake_timeout` (and never past the dial's own deadline). With a
// SessionCache it resumes the last session of each "host:port".
class TlsDialer final : public net::Dialer {
 public:
  TlsDialer(net::Dialer& inner, std::shared_ptr<const ClientContext> context,
            net::Duration handshake_timeout = std::chrono::seconds(10),
            std::shared_ptr<SessionCache> sessions = nullptr)
      : inner_(inner),
        context_(std::move(context)),
        handshake_timeout_(handshake_timeout),
        sessions_(std::move(sessions)) {}
  net::Result<std::unique_ptr<net::Stream>> dial(const std::string& host, std::uint16_t port,
                                                 net::TimePoint deadline) override;
  net::Clock& clock() override { return inner_.clock(); }

 private:
  net::Dialer& inner_;
  std::shared_ptr<const ClientContext> context_;
  net::Duration handshake_timeout_;
  std::shared_ptr<SessionCache> sessions_;
};

}  // namespace faultline::tls
