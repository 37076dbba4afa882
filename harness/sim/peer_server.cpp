#include "harness/sim/peer_server.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <map>
#include <string>

#include "targets/net/event_loop.h"
#include "targets/net/fd.h"
#include "targets/net/socket.h"

namespace faultline::sim {

class PeerServer::Impl {
 public:
  Impl(PeerServer& owner, std::unique_ptr<net::EventLoop> loop, net::Fd listener)
      : owner_(owner), loop_(std::move(loop)), listener_(std::move(listener)) {}

  net::Status watch_listener() {
    return loop_->add(listener_.get(), EPOLLIN, [this](std::uint32_t) { accept_all(); });
  }
  net::EventLoop& loop() { return *loop_; }
  // close_all: after the loop has stopped; on the thread that joined it.
  void close_all() {
    for (auto& [fd, connection] : connections_)
      connection->dead = true;
    connections_.clear();
    listener_.reset();
  }

 private:
  // Connection: one accepted socket, its peer, and what waits to be written.
  struct Connection final : Endpoint {
    Impl* impl = nullptr;
    net::Fd fd;
    std::unique_ptr<Peer> peer;
    std::string queued;
    bool fin_wanted = false;  // close() asked: FIN once `queued` is written
    bool fin_sent = false;
    bool client_ended = false;
    bool dead = false;
    net::EventLoop::TimerId idle_timer = 0;

    void send(std::string_view bytes) override {
      if (dead || fin_wanted) return;
      queued.append(bytes);
      impl->flush(*this);
    }
    void close() override {
      if (dead || fin_wanted) return;
      fin_wanted = true;
      impl->flush(*this);
    }
    void reset() override {
      if (dead) return;
      (void)net::set_linger_reset(fd.get());
      impl->drop(*this);
    }
    net::TimePoint now() const override { return net::SteadyClock::instance().now(); }
    void after(net::TimePoint delay, std::function<void()> task) override {
      if (dead) return;
      impl->loop_->add_timer(delay, [self = impl->find(fd.get()), task = std::move(task)] {
        if (self && !self->dead) task();
      });
    }
  };

  std::shared_ptr<Connection> find(int fd) {
    auto it = connections_.find(fd);
    return it == connections_.end() ? nullptr : it->second;
  }

  void accept_all() {
    // Bounded: at most one backlog's worth per turn, so the loop stays fair.
    for (int i = 0; i < 64; ++i) {
      auto accepted = net::accept_connection(listener_.get());
      if (!accepted) return;  // EAGAIN, or an error the next turn sees again
      ++owner_.accepted_;
      if (connections_.size() >= owner_.options_.max_connections) continue;  // closed at once
      (void)net::set_nodelay(accepted->get());
      auto connection = std::make_shared<Connection>();
      connection->impl = this;
      connection->fd = std::move(*accepted);
      connection->peer = owner_.factory_();
      const int fd = connection->fd.get();
      if (!loop_->add(fd, EPOLLIN, [this, fd](std::uint32_t events) { on_ready(fd, events); })) {
        continue;
      }
      connections_[fd] = connection;
      touch(*connection);
      connection->peer->on_open(*connection);
    }
  }

  void on_ready(int fd, std::uint32_t events) {
    auto connection = find(fd);
    if (!connection) return;
    if ((events & EPOLLOUT) != 0) flush(*connection);
    if (connection->dead) return;
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) read(*connection);
  }

  void read(Connection& connection) {
    char buffer[16 * 1024];
    // Bounded: a fast client cannot keep one connection in this loop forever.
    for (int i = 0; i < 16 && !connection.dead; ++i) {
      const ssize_t n = ::recv(connection.fd.get(), buffer, sizeof buffer, 0);
      if (n > 0) {
        touch(connection);
        if (!connection.fin_sent) {
          connection.peer->on_data(connection, std::string_view(buffer, n));
        }
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n < 0 && errno == EINTR) continue;
      // FIN (n == 0) or an error (an RST shows as ECONNRESET).
      const bool orderly = n == 0;
      connection.client_ended = true;
      if (!connection.fin_sent) {
        connection.peer->on_end(connection,
                                orderly ? fault::EndKind::close : fault::EndKind::reset);
      }
      if (connection.dead) return;
      if (!orderly || connection.fin_sent) {
        drop(connection);
        return;
      }
      update_interest(connection);  // stop watching for reads: the client is done
      return;
    }
  }

  void flush(Connection& connection) {
    while (!connection.queued.empty()) {
      const ssize_t n = ::send(connection.fd.get(), connection.queued.data(),
                               connection.queued.size(), MSG_NOSIGNAL);
      if (n > 0) {
        connection.queued.erase(0, static_cast<std::size_t>(n));
        touch(connection);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      drop(connection);  // EPIPE, ECONNRESET: the client is gone
      return;
    }
    if (connection.queued.size() > owner_.options_.max_queued_bytes) {
      (void)net::set_linger_reset(connection.fd.get());
      drop(connection);
      return;
    }
    if (connection.queued.empty() && connection.fin_wanted && !connection.fin_sent) {
      connection.fin_sent = true;
      ::shutdown(connection.fd.get(), SHUT_WR);
      if (connection.client_ended) {
        drop(connection);
        return;
      }
    }
    update_interest(connection);
  }

  void update_interest(Connection& connection) {
    std::uint32_t events = 0;
    if (!connection.client_ended) events |= EPOLLIN;
    if (!connection.queued.empty()) events |= EPOLLOUT;
    (void)loop_->modify(connection.fd.get(), events);
  }

  void touch(Connection& connection) {
    if (connection.idle_timer != 0) loop_->cancel_timer(connection.idle_timer);
    const int fd = connection.fd.get();
    connection.idle_timer = loop_->add_timer(owner_.options_.idle_timeout, [this, fd] {
      if (auto idle = find(fd)) {
        idle->idle_timer = 0;
        drop(*idle);
      }
    });
  }

  void drop(Connection& connection) {
    if (connection.dead) return;
    connection.dead = true;
    if (connection.idle_timer != 0) loop_->cancel_timer(connection.idle_timer);
    const int fd = connection.fd.get();
    loop_->remove(fd);
    // Every caller holds a shared_ptr to the connection (the loop's callbacks
    // and the peer's timers take one), so erasing here never frees it under them.
    connections_.erase(fd);
    connection.fd.reset();
  }

  PeerServer& owner_;
  std::unique_ptr<net::EventLoop> loop_;
  net::Fd listener_;
  std::map<int, std::shared_ptr<Connection>> connections_;
};

PeerServer::PeerServer(PeerFactory factory, PeerServerOptions options)
    : factory_(std::move(factory)), options_(std::move(options)) {}

PeerServer::~PeerServer() {
  stop();
}

net::Status PeerServer::start() {
  if (impl_) return net::make_error(net::ErrorKind::invalid_argument, "peer server: started twice");
  auto loop = net::EventLoop::create();
  if (!loop) return tl::unexpected(loop.error());
  auto bound = net::listen_bound(options_.listen);
  if (!bound) return tl::unexpected(bound.error());
  address_ = bound->address;
  impl_ = std::make_unique<Impl>(*this, std::move(*loop), std::move(bound->fd));
  if (auto watched = impl_->watch_listener(); !watched) {
    impl_.reset();
    return watched;
  }
  thread_ = std::thread([this] { (void)impl_->loop().run(); });
  return {};
}

void PeerServer::stop() {
  if (!impl_) return;
  impl_->loop().stop();
  if (thread_.joinable()) thread_.join();
  impl_->close_all();
  impl_.reset();
}

}  // namespace faultline::sim
