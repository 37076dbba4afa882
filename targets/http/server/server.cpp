#include "targets/http/server/server.h"

#include <sys/socket.h>

#include <cerrno>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "targets/http/server/httpbin.h"
#include "targets/net/clock.h"
#include "targets/net/event_loop.h"
#include "targets/net/fd.h"
#include "targets/net/socket.h"
#include "targets/tls/tls_engine.h"

namespace faultline::http {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
// Reads per readiness event: a few keep one fast client from starving the rest.
constexpr int kReadsPerEvent = 4;
constexpr int kWritesPerEvent = 4;
// A lingering close discards at most this much before closing anyway.
constexpr std::size_t kMaxLingerBytes = 1 << 20;
// HTTPS: responses are encrypted only while less than this ciphertext waits to be sent.
constexpr std::size_t kMaxCiphertextBacklog = 256 * 1024;
// After EMFILE and friends, accepting pauses this long (the listener stays
// readable, so retrying at once would spin).
constexpr auto kAcceptPause = std::chrono::milliseconds(100);

// The answer to a connection over max_connections.
const std::string& service_unavailable() {
  static const std::string response = [] {
    const std::string body = "503 Service Unavailable: too many connections\n";
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  }();
  return response;
}

net::TimePoint now() {
  return net::SteadyClock::instance().now();
}

bool would_block(int err) {
  return err == EAGAIN || err == EWOULDBLOCK;
}

}  // namespace

struct HttpServer::Impl {
  struct Connection {
    net::Fd fd;
    ServerSession session;
    std::uint32_t watched = 0;
    net::EventLoop::TimerId timer = 0;
    net::TimePoint timer_at = net::kNoDeadline;
    bool lingering = false;
    std::size_t lingered = 0;
    // HTTPS only: the connection's TLS engine and the ciphertext owed to the peer.
    std::unique_ptr<tls::TlsEngine> tls = nullptr;
    std::string tls_output = {};
    bool tls_input_ended = false;
  };

  explicit Impl(HttpServerOptions options) : options_(std::move(options)) {
    handler_ = options_.handler ? options_.handler : httpbin_handler();
  }

  net::Status start();
  void stop();
  void begin_drain();
  void accept_ready();
  void pause_accepting();
  void on_event(int fd, std::uint32_t events);
  void on_timer(int fd);
  // service writes what it can, then closes, or updates the interest and timer.
  void service(Connection& connection);
  bool read_some(Connection& connection);
  bool write_some(Connection& connection);
  // HTTPS: pump_tls_input runs the handshake and hands decrypted bytes to the
  // session; encrypt_owed moves the session's output into the engine.
  bool pump_tls_input(Connection& connection);
  bool encrypt_owed(Connection& connection);
  void send_tls_output_best_effort(Connection& connection);
  void linger_read(Connection& connection, std::uint32_t events);
  void begin_close(Connection& connection);
  void update_interest(Connection& connection, std::uint32_t events);
  void refresh_timer(Connection& connection);
  void close_connection(int fd);

  HttpServerOptions options_;
  Handler handler_;
  net::Address address_;
  net::Fd listener_;
  std::unique_ptr<net::EventLoop> loop_;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  std::thread thread_;
  bool draining_ = false;
  bool accepting_paused_ = false;
  std::string read_buffer_ = std::string(kReadChunk, '\0');
  detail::LiveCounters counters_;
};

net::Status HttpServer::Impl::start() {
  if (thread_.joinable()) {
    return net::make_error(net::ErrorKind::invalid_argument, "http server already started");
  }
  auto loop = net::EventLoop::create();
  if (!loop) return tl::unexpected(loop.error());
  loop_ = std::move(*loop);
  auto listener = net::listen_bound(options_.listen);
  if (!listener) return tl::unexpected(listener.error());
  listener_ = std::move(listener->fd);
  address_ = listener->address;
  draining_ = false;
  accepting_paused_ = false;
  auto added = loop_->add(listener_.get(), EPOLLIN, [this](std::uint32_t) { accept_ready(); });
  if (!added) return added;
  thread_ = std::thread([this] { (void)loop_->run(); });
  return {};
}

void HttpServer::Impl::stop() {
  if (!thread_.joinable()) return;
  loop_->post([this] { begin_drain(); });
  thread_.join();
  connections_.clear();
  listener_.reset();
}

void HttpServer::Impl::begin_drain() {
  if (draining_) return;
  draining_ = true;
  if (listener_) {
    loop_->remove(listener_.get());
    listener_.reset();
  }
  std::vector<int> fds;
  for (auto& [fd, connection] : connections_)
    fds.push_back(fd);
  for (int fd : fds) {
    auto it = connections_.find(fd);
    if (it == connections_.end() || it->second->lingering) continue;
    it->second->session.shutdown(now());
    service(*it->second);
  }
  if (connections_.empty()) {
    loop_->stop();
    return;
  }
  loop_->add_timer(options_.drain_timeout, [this] {
    std::vector<int> remaining;
    for (auto& [fd, connection] : connections_)
      remaining.push_back(fd);
    for (int fd : remaining)
      close_connection(fd);
    loop_->stop();
  });
}

void HttpServer::Impl::pause_accepting() {
  if (accepting_paused_ || !listener_) return;
  accepting_paused_ = true;
  (void)loop_->modify(listener_.get(), 0);
  loop_->add_timer(kAcceptPause, [this] {
    accepting_paused_ = false;
    if (listener_) (void)loop_->modify(listener_.get(), EPOLLIN);
  });
}

void HttpServer::Impl::accept_ready() {
  for (int i = 0; i < 256 && listener_; ++i) {
    net::Address peer;
    auto accepted = net::accept_connection(listener_.get(), &peer);
    if (!accepted) {
      int err = accepted.error().sys_errno;
      if (would_block(err)) return;
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        pause_accepting();
        return;
      }
      continue;  // ECONNABORTED and friends: that one connection is gone
    }
    if (connections_.size() >= options_.max_connections) {
      ++counters_.connections_rejected;
      counters_.count_response(503);
      // Best effort, never blocking: the Fd closes at the end of this scope.
      const std::string& refusal = service_unavailable();
      [[maybe_unused]] auto sent =
          ::send(accepted->get(), refusal.data(), refusal.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      continue;
    }
    (void)net::set_nodelay(accepted->get());
    const int fd = accepted->get();
    auto local = net::local_address(fd);
    RequestContext context{peer.host(), local ? local->to_string() : address_.to_string(),
                           options_.tls ? "https" : "http"};
    auto connection = std::make_unique<Connection>(Connection{
        std::move(*accepted),
        ServerSession(handler_, std::move(context), options_.session, &counters_, now())});
    if (options_.tls) {
      auto engine = tls::TlsEngine::server(options_.tls);
      if (!engine) continue;
      connection->tls = std::move(*engine);
    }
    auto added =
        loop_->add(fd, EPOLLIN, [this, fd](std::uint32_t events) { on_event(fd, events); });
    if (!added) continue;
    connection->watched = EPOLLIN;
    auto& inserted = *connections_.emplace(fd, std::move(connection)).first->second;
    ++counters_.connections_accepted;
    ++counters_.connections_active;
    refresh_timer(inserted);
  }
}

void HttpServer::Impl::on_event(int fd, std::uint32_t events) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  Connection& connection = *it->second;
  if (connection.lingering) {
    linger_read(connection, events);
    return;
  }
  if (events & (EPOLLERR | EPOLLHUP)) {
    close_connection(fd);  // reset, or both directions shut: nothing can be delivered
    return;
  }
  if ((events & EPOLLIN) && !read_some(connection)) return;
  service(connection);
}

void HttpServer::Impl::on_timer(int fd) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  Connection& connection = *it->second;
  connection.timer = 0;
  connection.timer_at = net::kNoDeadline;
  if (connection.lingering) {
    close_connection(fd);
    return;
  }
  connection.session.on_tick(now());
  service(connection);
}

bool HttpServer::Impl::read_some(Connection& connection) {
  for (int i = 0; i < kReadsPerEvent && connection.session.wants_input(); ++i) {
    ssize_t n = ::recv(connection.fd.get(), read_buffer_.data(), read_buffer_.size(), 0);
    if (n > 0) {
      counters_.bytes_received += static_cast<std::uint64_t>(n);
      const std::string_view bytes(read_buffer_.data(), static_cast<std::size_t>(n));
      if (connection.tls) {
        connection.tls->feed(bytes);
      } else {
        connection.session.on_receive(bytes, now());
      }
      if (static_cast<std::size_t>(n) < read_buffer_.size()) break;
      continue;
    }
    if (n == 0) {
      if (connection.tls) {
        connection.tls->feed_eof();  // pump_tls_input tells close_notify from truncation
      } else {
        connection.session.on_peer_closed(now());  // half-close: still answer what was asked
      }
      break;
    }
    if (errno == EINTR) continue;
    if (would_block(errno)) break;
    close_connection(connection.fd.get());
    return false;
  }
  return true;
}

bool HttpServer::Impl::pump_tls_input(Connection& connection) {
  tls::TlsEngine& engine = *connection.tls;
  if (!engine.handshake_done()) {
    auto done = engine.handshake();
    if (!done) {
      // A failed handshake (bad client, unknown CA on its side, garbage):
      // the alert goes out if it can, then the connection closes.
      send_tls_output_best_effort(connection);
      close_connection(connection.fd.get());
      return false;
    }
    if (!*done) return true;
  }
  // Bounded: the session stops wanting input once its queue is full.
  while (!connection.tls_input_ended && connection.session.wants_input()) {
    auto outcome = engine.read(read_buffer_.data(), read_buffer_.size());
    if (!outcome) {
      if (outcome.error().kind != net::ErrorKind::tls_truncated) {
        send_tls_output_best_effort(connection);
        close_connection(connection.fd.get());
        return false;
      }
      // EOF without close_notify: a request cut short is never complete,
      // and what was received whole is still answered, as on a half-close.
      connection.tls_input_ended = true;
      connection.session.on_peer_closed(now());
      break;
    }
    if (outcome->bytes > 0) {
      connection.session.on_receive(std::string_view(read_buffer_.data(), outcome->bytes), now());
      continue;
    }
    if (outcome->closed) {
      connection.tls_input_ended = true;
      connection.session.on_peer_closed(now());
    }
    break;
  }
  return true;
}

bool HttpServer::Impl::encrypt_owed(Connection& connection) {
  tls::TlsEngine& engine = *connection.tls;
  if (engine.handshake_done() && connection.tls_output.size() < kMaxCiphertextBacklog &&
      !connection.session.output().empty()) {
    const std::string_view owed = connection.session.output();
    if (!engine.write(owed)) {
      close_connection(connection.fd.get());
      return false;
    }
    connection.session.on_sent(owed.size(), now());
  }
  if (engine.has_output()) connection.tls_output += engine.take_output();
  return true;
}

void HttpServer::Impl::send_tls_output_best_effort(Connection& connection) {
  connection.tls_output += connection.tls->take_output();
  if (connection.tls_output.empty()) return;
  ssize_t n = ::send(connection.fd.get(), connection.tls_output.data(),
                     connection.tls_output.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n > 0) connection.tls_output.erase(0, static_cast<std::size_t>(n));
}

bool HttpServer::Impl::write_some(Connection& connection) {
  // Bounded per event: each send's on_sent() may handle more pipelined
  // requests, and one connection must not keep the loop from the others. The
  // rest goes out at the next EPOLLOUT (the interest stays while output waits).
  // Over TLS what goes out is the ciphertext the session's output became.
  for (int i = 0; i < kWritesPerEvent; ++i) {
    if (connection.tls && !encrypt_owed(connection)) return false;
    const std::string_view owed = connection.tls ? std::string_view(connection.tls_output)
                                                 : connection.session.output();
    if (owed.empty()) break;
    ssize_t n = ::send(connection.fd.get(), owed.data(), owed.size(), MSG_NOSIGNAL);
    if (n > 0) {
      counters_.bytes_sent += static_cast<std::uint64_t>(n);
      if (connection.tls) {
        connection.tls_output.erase(0, static_cast<std::size_t>(n));
      } else {
        connection.session.on_sent(static_cast<std::size_t>(n), now());
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && would_block(errno)) break;
    close_connection(connection.fd.get());
    return false;
  }
  return true;
}

void HttpServer::Impl::service(Connection& connection) {
  if (connection.tls && !pump_tls_input(connection)) return;
  if (!write_some(connection)) return;
  if (connection.session.finished() && connection.tls_output.empty()) {
    begin_close(connection);
    return;
  }
  std::uint32_t events = 0;
  if (connection.session.wants_input() && !connection.tls_input_ended) events |= EPOLLIN;
  if (!connection.session.output().empty() || !connection.tls_output.empty()) events |= EPOLLOUT;
  update_interest(connection, events);
  refresh_timer(connection);
}

void HttpServer::Impl::begin_close(Connection& connection) {
  const int fd = connection.fd.get();
  if (connection.session.abortive()) {
    close_connection(fd);
    return;
  }
  // HTTPS: close_notify before the FIN, so the client can tell this end
  // from a truncation.
  if (connection.tls) {
    connection.tls->close();
    send_tls_output_best_effort(connection);
  }
  // Lingering close: FIN first, then read and discard until the client closes
  // too (or a bound). Closing with unread bytes would send RST, and the
  // client could lose the response it has not read yet.
  if (::shutdown(fd, SHUT_WR) < 0) {
    close_connection(fd);
    return;
  }
  connection.lingering = true;
  if (connection.timer != 0) loop_->cancel_timer(connection.timer);
  connection.timer_at = net::kNoDeadline;
  connection.timer = loop_->add_timer(options_.linger_timeout, [this, fd] { on_timer(fd); });
  update_interest(connection, EPOLLIN);
}

void HttpServer::Impl::linger_read(Connection& connection, std::uint32_t events) {
  const int fd = connection.fd.get();
  if (events & EPOLLERR) {
    close_connection(fd);
    return;
  }
  for (;;) {
    ssize_t n = ::recv(fd, read_buffer_.data(), read_buffer_.size(), 0);
    if (n > 0) {
      connection.lingered += static_cast<std::size_t>(n);
      if (connection.lingered > kMaxLingerBytes) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && would_block(errno)) return;  // wait for more, or for the linger timer
    break;                                    // EOF or an error: done
  }
  close_connection(fd);
}

void HttpServer::Impl::update_interest(Connection& connection, std::uint32_t events) {
  if (events == connection.watched) return;
  connection.watched = events;
  (void)loop_->modify(connection.fd.get(), events);
}

void HttpServer::Impl::refresh_timer(Connection& connection) {
  const net::TimePoint at = connection.session.next_wakeup();
  if (at == connection.timer_at) return;
  // Lazy: an armed timer that fires too early re-arms from on_timer.
  if (connection.timer != 0 && at > connection.timer_at) return;
  if (connection.timer != 0) loop_->cancel_timer(connection.timer);
  connection.timer = 0;
  connection.timer_at = net::kNoDeadline;
  if (at == net::kNoDeadline) return;
  const net::Duration after = std::max(net::Duration::zero(), at - now());
  const int fd = connection.fd.get();
  connection.timer = loop_->add_timer(after, [this, fd] { on_timer(fd); });
  connection.timer_at = at;
}

void HttpServer::Impl::close_connection(int fd) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  loop_->remove(fd);
  if (it->second->timer != 0) loop_->cancel_timer(it->second->timer);
  connections_.erase(it);
  --counters_.connections_active;
  if (draining_ && connections_.empty()) loop_->stop();
}

HttpServer::HttpServer(HttpServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpServer::~HttpServer() {
  stop();
}

net::Status HttpServer::start() {
  return impl_->start();
}
net::Address HttpServer::address() const {
  return impl_->address_;
}
void HttpServer::stop() {
  impl_->stop();
}
HttpServerCounters HttpServer::counters() const {
  return impl_->counters_.snapshot();
}

}  // namespace faultline::http
