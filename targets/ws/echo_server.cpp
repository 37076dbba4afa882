#include "targets/ws/echo_server.h"

#include <sys/socket.h>

#include <cerrno>

#include <fmt/core.h>

#include "targets/net/socket.h"

namespace faultline::ws {
namespace {
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr int kReadsPerEvent = 4;
}  // namespace

WsServerCounters WsEchoServer::counters() const {
  const auto& c = counters_;
  return WsServerCounters{
      c.accepted.load(),       c.rejected.load(),           c.active.load(),
      c.handshakes.load(),     c.handshakes_refused.load(), c.handshake_timeouts.load(),
      c.messages.load(),       c.protocol_errors.load(),    c.clean_closes.load(),
      c.close_timeouts.load(), c.pings_sent.load(),         c.pong_timeouts.load(),
      c.abnormal_closes.load()};
}

net::Status WsEchoServer::start() {
  if (thread_.joinable())
    return net::make_error(net::ErrorKind::invalid_argument, "websocket server already started");
  auto loop = net::EventLoop::create();
  if (!loop) return tl::unexpected(loop.error());
  loop_ = std::move(*loop);
  auto listener = net::listen_bound(options_.listen);
  if (!listener) return tl::unexpected(listener.error());
  listener_ = std::move(listener->fd);
  address_ = listener->address;
  auto added = loop_->add(listener_.get(), EPOLLIN, [this](std::uint32_t) { accept_ready(); });
  if (!added) return added;
  thread_ = std::thread([this] { (void)loop_->run(); });
  return {};
}

void WsEchoServer::stop() {
  if (!thread_.joinable()) return;
  loop_->post([this] { begin_stop(); });
  thread_.join();
  clients_.clear();
  listener_.reset();
}

void WsEchoServer::begin_stop() {
  if (stopping_) return;
  stopping_ = true;
  loop_->remove(listener_.get());
  listener_.reset();
  std::vector<int> fds;
  for (auto& [fd, client] : clients_)
    fds.push_back(fd);
  for (int fd : fds) {
    Client& client = *clients_.at(fd);
    if (client.phase == Phase::handshake) {
      close_client(fd);
      continue;
    }
    if (client.phase == Phase::open && client.connection->state() == State::open) {
      client.connection->close(close_code::kGoingAway, "server stopping");
      client.out += client.connection->take_output();
      client.deadline = net::MonotonicClock::now() + options_.close_timeout;
      arm_timer(client);
      if (!flush(client)) continue;
      update_interest(client);
    }
  }
  if (clients_.empty()) {
    loop_->stop();
    return;
  }
  // However the peers behave, stop() ends.
  loop_->add_timer(options_.close_timeout * 2 + std::chrono::milliseconds(100), [this] {
    std::vector<int> remaining;
    for (auto& [fd, client] : clients_)
      remaining.push_back(fd);
    for (int fd : remaining)
      close_client(fd);
    loop_->stop();
  });
}

void WsEchoServer::accept_ready() {
  for (int i = 0; i < 256 && listener_; ++i) {
    auto accepted = net::accept_connection(listener_.get());
    if (!accepted) {
      const int err = accepted.error().sys_errno;
      if (err == EAGAIN || err == EWOULDBLOCK || err == EMFILE || err == ENFILE || err == ENOBUFS ||
          err == ENOMEM)
        return;  // nothing pending, or out of descriptors: the next readiness retries
      continue;
    }
    if (clients_.size() >= options_.max_connections) {
      ++counters_.rejected;
      continue;
    }
    (void)net::set_nodelay(accepted->get());
    const int fd = accepted->get();
    auto client = std::make_unique<Client>();
    client->fd = std::move(*accepted);
    client->handshake = ServerHandshake({.subprotocols = options_.subprotocols});
    client->deadline = net::MonotonicClock::now() + options_.handshake_timeout;
    client->watched = EPOLLIN;
    if (!loop_->add(fd, EPOLLIN, [this, fd](std::uint32_t events) { on_event(fd, events); }))
      continue;
    Client& ref = *client;
    clients_.emplace(fd, std::move(client));
    ++counters_.accepted;
    ++counters_.active;
    arm_timer(ref);
  }
}

void WsEchoServer::on_event(int fd, std::uint32_t events) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  Client& client = *it->second;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    if (!read_ready(client)) return;
  }
  if (!flush(client)) return;
  update_interest(client);
}

bool WsEchoServer::read_ready(Client& client) {
  char buffer[kReadChunk];
  for (int i = 0; i < kReadsPerEvent; ++i) {
    if (client.phase != Phase::draining && client.out.size() >= options_.max_owed_bytes) break;
    const ssize_t n = ::recv(client.fd.get(), buffer, sizeof(buffer), 0);
    if (n > 0) {
      const std::string_view bytes(buffer, static_cast<std::size_t>(n));
      if (client.phase == Phase::draining) continue;  // after our last word: discarded
      if (client.phase == Phase::handshake) {
        auto step = client.handshake.feed(bytes);
        client.out += client.handshake.take_output();
        if (*step == HandshakeStep::rejected) {
          ++counters_.handshakes_refused;
          start_draining(client);
          continue;
        }
        if (*step == HandshakeStep::need_more) continue;
        ++counters_.handshakes;
        client.phase = Phase::open;
        client.connection.emplace(
            ConnectionOptions{.role = Role::server, .limits = options_.limits});
        client.last_frame = net::MonotonicClock::now();
        (void)client.connection->receive(client.handshake.take_leftover());
      } else {
        (void)client.connection->receive(bytes);
        client.last_frame = net::MonotonicClock::now();
      }
      handle_events(client);
      if (static_cast<std::size_t>(n) < sizeof(buffer)) break;
      continue;
    }
    if (n == 0) {
      if (client.phase == Phase::draining && !client.out.empty()) {
        // The peer's FIN right after its close frame (a half-close): what we
        // still owe it (echoes, the close reply) goes out first; flush()
        // closes once it has.
        client.peer_fin = true;
        return true;
      }
      // The peer's FIN: the end of a clean close while draining, else abnormal.
      if (client.phase != Phase::draining) ++counters_.abnormal_closes;
      close_client(client.fd.get());
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    if (client.phase != Phase::draining) ++counters_.abnormal_closes;
    close_client(client.fd.get());
    return false;
  }
  return true;
}

void WsEchoServer::handle_events(Client& client) {
  Connection& connection = *client.connection;
  while (auto event = connection.next_event()) {
    switch (event->kind) {
      case EventKind::message:
        ++counters_.messages;
        connection.send(event->opcode, event->payload);
        break;
      case EventKind::pong:
        client.awaiting_pong = false;
        break;
      case EventKind::ping:
      case EventKind::close:
        break;  // answered by the connection itself
    }
  }
  client.out += connection.take_output();
  switch (connection.state()) {
    case State::failed:
      ++counters_.protocol_errors;
      start_draining(client);
      break;
    case State::closed:
      ++counters_.clean_closes;
      start_draining(client);
      break;
    case State::open:
    case State::closing:
      arm_timer(client);
      break;
  }
}

void WsEchoServer::start_draining(Client& client) {
  client.phase = Phase::draining;
  client.deadline = net::MonotonicClock::now() + options_.close_timeout;
  arm_timer(client);
}

bool WsEchoServer::flush(Client& client) {
  while (!client.out.empty()) {
    const ssize_t n = ::send(client.fd.get(), client.out.data(), client.out.size(), MSG_NOSIGNAL);
    if (n > 0) {
      client.out.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (client.phase != Phase::draining) ++counters_.abnormal_closes;
    close_client(client.fd.get());
    return false;
  }
  if (client.phase == Phase::draining && client.peer_fin) {
    close_client(client.fd.get());
    return false;
  }
  if (client.phase == Phase::draining && !client.write_shut) {
    (void)net::shutdown_write(client.fd.get());
    client.write_shut = true;
    // The peer's time to close its side starts once our last word is out.
    client.deadline = net::MonotonicClock::now() + options_.close_timeout;
    arm_timer(client);
  }
  return true;
}

void WsEchoServer::update_interest(Client& client) {
  std::uint32_t events = 0;
  if (!client.peer_fin &&
      (client.phase == Phase::draining || client.out.size() < options_.max_owed_bytes))
    events |= EPOLLIN;
  if (!client.out.empty()) events |= EPOLLOUT;
  if (events != client.watched) {
    client.watched = events;
    (void)loop_->modify(client.fd.get(), events);
  }
}

void WsEchoServer::arm_timer(Client& client) {
  using Clock = net::MonotonicClock;
  Clock::time_point wake = Clock::time_point::max();
  const bool closing = client.phase == Phase::open && client.connection->state() == State::closing;
  if (client.phase != Phase::open || closing) {
    wake = client.deadline;
  } else if (options_.ping_interval > net::Duration::zero()) {
    wake = client.awaiting_pong ? client.pong_deadline : client.last_frame + options_.ping_interval;
  }
  if (client.timer) loop_->cancel_timer(client.timer);
  client.timer = 0;
  if (wake == Clock::time_point::max()) return;
  const int fd = client.fd.get();
  const auto after = std::max(net::Duration::zero(),
                              std::chrono::duration_cast<net::Duration>(wake - Clock::now()));
  client.timer = loop_->add_timer(after, [this, fd] { on_timer(fd); });
}

void WsEchoServer::on_timer(int fd) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  Client& client = *it->second;
  client.timer = 0;
  const auto now = net::MonotonicClock::now();
  switch (client.phase) {
    case Phase::handshake:
      if (now >= client.deadline) {
        ++counters_.handshake_timeouts;
        close_client(fd);
        return;
      }
      break;
    case Phase::draining:
      if (now >= client.deadline) {
        ++counters_.close_timeouts;
        close_client(fd);
        return;
      }
      break;
    case Phase::open: {
      Connection& connection = *client.connection;
      if (connection.state() == State::closing) {
        if (now >= client.deadline) {
          ++counters_.close_timeouts;
          close_client(fd);
          return;
        }
        break;
      }
      if (client.awaiting_pong && now >= client.pong_deadline) {
        ++counters_.pong_timeouts;
        connection.fail(
            close_code::kGoingAway,
            fmt::format("no pong within {} ms",
                        std::chrono::duration_cast<std::chrono::milliseconds>(options_.pong_timeout)
                            .count()));
        client.out += connection.take_output();
        // An unresponsive peer: a best-effort close frame, then the connection goes.
        (void)::send(fd, client.out.data(), client.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        close_client(fd);
        return;
      }
      if (!client.awaiting_pong && now >= client.last_frame + options_.ping_interval) {
        connection.send_ping(fmt::format("keepalive {}", ++client.pings_sent));
        client.out += connection.take_output();
        ++counters_.pings_sent;
        client.awaiting_pong = true;
        client.pong_deadline = now + options_.pong_timeout;
        if (!flush(client)) return;
        update_interest(client);
      }
      break;
    }
  }
  arm_timer(client);
}

void WsEchoServer::close_client(int fd) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  loop_->remove(fd);
  if (it->second->timer) loop_->cancel_timer(it->second->timer);
  clients_.erase(it);
  --counters_.active;
  if (stopping_ && clients_.empty()) loop_->stop();
}

}  // namespace faultline::ws
