#include "harness/proxy/tcp_proxy.h"

#include <sys/socket.h>

#include <cerrno>
#include <future>
#include <tuple>

#include <nlohmann/json.hpp>

#include "harness/proxy/self_forwarding.h"
#include "targets/net/clock.h"
#include "targets/net/socket.h"

namespace faultline::proxy {
namespace {
constexpr std::size_t kReadChunk = 64 * 1024;
// The id log() takes for an event of the whole proxy (a profile change, a
// listener error): the line then has no "conn" key.
constexpr std::uint64_t kProxyEvent = ~std::uint64_t{0};
}  // namespace

// Direction: one way through one connection.
struct TcpProxy::Direction {
  fault::Direction which = fault::Direction::up;
  int source_fd = -1;
  int dest_fd = -1;
  std::optional<fault::Chain> chain;
  std::deque<fault::Chunk> queue;
  std::size_t queued_bytes = 0;
  std::size_t front_offset = 0;  // bytes of queue.front() already written
  std::optional<fault::End> end;
  bool source_done = false;    // EOF or error read from the source
  bool finished = false;       // the end was applied (FIN sent)
  bool write_blocked = false;  // the destination's send buffer is full
  net::EventLoop::TimerId timer = 0;
  fault::Time timer_at = fault::kNever;
  // With a bandwidth scope=proxy clause in the chain: its timeline (the
  // profile outlives it, the chain keeps it alive) and the bytes the shared
  // link has granted and this direction not yet sent.
  const fault::Timeline* link_timeline = nullptr;
  std::uint64_t link_allowance = 0;
};

namespace {
std::size_t link_index(fault::Direction which) {
  return which == fault::Direction::up ? 0 : 1;
}
}  // namespace

// Connection: a client, its upstream, and the two directions between them.
struct TcpProxy::Connection {
  std::uint64_t id = 0;
  net::Fd client;
  net::Fd upstream;
  bool connected = false;
  bool blackholed = false;
  fault::ChainClock clock;  // the proxy's start and this connection's, for timelines
  // Draining: FIN sent both ways; reading and discarding until each peer's FIN.
  bool draining = false;
  bool client_drained = false;
  bool upstream_drained = false;
  net::EventLoop::TimerId drain_timer = 0;
  net::EventLoop::TimerId connect_timer = 0;
  net::EventLoop::TimerId half_close_timer = 0;
  std::uint32_t client_events = 0;
  std::uint32_t upstream_events = 0;
  Direction up;
  Direction down;
  std::unique_ptr<fault::HttpExchange> http;  // with ProxyOptions::http_aware
};

TcpProxy::TcpProxy(ProxyOptions options, fault::Profile profile)
    : options_(options), profile_(std::move(profile)) {}

TcpProxy::~TcpProxy() {
  stop();
}

fault::Time TcpProxy::now() const {
  return net::SteadyClock::instance().now();
}

net::Status TcpProxy::start() {
  if (thread_.joinable()) {
    return net::make_error(net::ErrorKind::invalid_argument, "proxy already started");
  }
  if (auto self = check_not_self_forwarding(options_.listen, options_.upstream); !self) return self;
  if (auto http = profile().validate_http(options_.http_aware); !http) return http;
  http_shared_ = std::make_shared<fault::HttpSharedState>(profile().clauses().size());
  tally_.reset(profile());
  reset_links(profile());
  auto loop = net::EventLoop::create();
  if (!loop) return tl::unexpected(loop.error());
  loop_ = std::move(*loop);
  auto listener = net::listen_bound(options_.listen);
  if (!listener) return tl::unexpected(listener.error());
  listener_ = std::move(listener->fd);
  address_ = listener->address;
  started_ = now();
  auto added = loop_->add(listener_.get(), EPOLLIN, [this](std::uint32_t) { accept_ready(); });
  if (!added) return added;
  update_listener();
  thread_ = std::thread([this] { (void)loop_->run(); });
  return {};
}

void TcpProxy::stop() {
  if (!thread_.joinable()) return;
  loop_->post([this] {
    std::vector<std::uint64_t> ids;
    for (auto& [id, connection] : connections_)
      ids.push_back(id);
    for (auto id : ids)
      close_connection(id, false);
    if (listener_) loop_->remove(listener_.get());
    listener_.reset();
    loop_->stop();
  });
  thread_.join();
}

void TcpProxy::close_connections() {
  if (!thread_.joinable()) return;
  std::promise<void> done;
  loop_->post([this, &done] {
    std::vector<std::uint64_t> ids;
    for (auto& [id, connection] : connections_)
      ids.push_back(id);
    for (auto id : ids) {
      auto& c = *connections_.at(id);
      if (c.draining) continue;
      if (!c.connected) {
        close_connection(id, false);
        continue;
      }
      log(id, "fin", ",\"dir\":\"both\"");
      finish_connection(id);
    }
    done.set_value();
  });
  done.get_future().wait();
}

void TcpProxy::set_profile(fault::Profile profile) {
  {
    std::lock_guard lock(profile_mutex_);
    profile_ = profile;
  }
  if (!thread_.joinable()) return;
  loop_->post([this, profile = std::move(profile)] {
    http_shared_ = std::make_shared<fault::HttpSharedState>(profile.clauses().size());
    tally_.reset(profile);
    reset_links(profile);
    std::vector<std::uint64_t> ids;
    for (auto& [id, connection] : connections_) {
      attach_chains(*connection, profile);
      ids.push_back(id);
    }
    // Bytes that waited for the old link's turn go by the new profile's rules.
    for (auto id : ids) {
      for (auto which : {fault::Direction::up, fault::Direction::down}) {
        auto it = connections_.find(id);
        if (it == connections_.end()) break;
        pump(*it->second, which == fault::Direction::up ? it->second->up : it->second->down);
      }
      if (auto it = connections_.find(id); it != connections_.end()) update_interest(*it->second);
    }
    update_listener();
    log(kProxyEvent, "profile", ",\"profile\":" + nlohmann::json(profile.to_string()).dump());
  });
}

fault::Profile TcpProxy::profile() const {
  std::lock_guard lock(profile_mutex_);
  return profile_;
}

ProxyCounters TcpProxy::counters() const {
  ProxyCounters c;
  c.accepted = accepted_.load();
  c.active = active_.load();
  c.upstream_failed = upstream_failed_.load();
  c.refuse_windows = refuse_windows_.load();
  c.blackholed = blackholed_.load();
  c.rejected = rejected_.load();
  c.resets_sent = resets_sent_.load();
  c.drain_timeouts = drain_timeouts_.load();
  c.bytes_up = bytes_up_.load();
  c.bytes_down = bytes_down_.load();
  return c;
}

void TcpProxy::log(std::uint64_t id, const std::string& event, const std::string& extra) {
  if (!sink_) return;
  auto t_ms = std::chrono::duration<double, std::milli>(now() - started_).count();
  const std::string conn = id == kProxyEvent ? "" : ",\"conn\":" + std::to_string(id);
  sink_("{\"t_ms\":" + nlohmann::json(t_ms).dump() + conn + ",\"event\":\"" + event + "\"" + extra +
        "}");
}

void TcpProxy::update_listener() {
  // `down mode=refuse` closes the listening socket, so clients get a real
  // ECONNREFUSED; any other profile re-opens it on the same address.
  // A down clause with a window (down start=2s for=3s) closes and re-opens
  // the listener at its edges: a timer comes back at the next one.
  const fault::Profile current = profile();
  const fault::Time elapsed = now() - started_;
  bool refuse = current.connection_policy(0, 0, elapsed) == fault::ConnectionPolicy::refuse;
  if (listener_timer_) loop_->cancel_timer(listener_timer_), listener_timer_ = 0;
  if (const fault::Time next = current.next_policy_change(elapsed); next != fault::kNever) {
    listener_timer_ = loop_->add_timer(next - elapsed, [this] {
      listener_timer_ = 0;
      update_listener();
    });
  }
  if (refuse && listener_) {
    // Counted before the close: a client refused by it must find it counted.
    ++refuse_windows_;
    loop_->remove(listener_.get());
    listener_.reset();
    log(kProxyEvent, "listener_closed");
    if (auto down = current.down_clause()) tally_.record_for(*down, "refuse");
  } else if (!refuse && !listener_) {
    auto listener = net::listen_tcp(address_);
    if (!listener) {
      log(kProxyEvent, "error",
          ",\"message\":" + nlohmann::json(listener.error().to_string()).dump());
      return;
    }
    listener_ = std::move(*listener);
    (void)loop_->add(listener_.get(), EPOLLIN, [this](std::uint32_t) { accept_ready(); });
    log(kProxyEvent, "listener_reopened");
  }
}

void TcpProxy::accept_ready() {
  for (int i = 0; i < 256 && listener_; ++i) {
    auto accepted = net::accept_connection(listener_.get());
    if (!accepted) {
      if (accepted.error().sys_errno == EAGAIN) return;
      if (accepted.error().kind == net::ErrorKind::limit_reached) {
        // EMFILE: the listener stays readable, so watching it would spin.
        // Look again shortly; pending clients wait in the backlog.
        if (accept_paused_) return;
        accept_paused_ = true;
        (void)loop_->modify(listener_.get(), 0);
        loop_->add_timer(std::chrono::milliseconds(100), [this] {
          accept_paused_ = false;
          if (listener_) (void)loop_->modify(listener_.get(), EPOLLIN);
        });
        return;
      }
      continue;
    }
    if (connections_.size() >= options_.max_connections) {
      ++rejected_;
      continue;
    }
    start_connection(std::move(*accepted));
  }
}

void TcpProxy::start_connection(net::Fd client) {
  auto connection = std::make_unique<Connection>();
  const std::uint64_t id = next_connection_++;
  connection->id = id;
  connection->client = std::move(client);
  ++accepted_;
  ++active_;
  (void)net::set_nodelay(connection->client.get());
  if (options_.socket_buffer_bytes > 0) {
    (void)net::set_buffer_sizes(connection->client.get(), options_.socket_buffer_bytes,
                                options_.socket_buffer_bytes);
  }
  Connection& c = *connection;
  connections_.emplace(id, std::move(connection));
  log(id, "open");

  const int client_fd = c.client.get();
  (void)loop_->add(client_fd, 0, [this, id, client_fd](std::uint32_t events) {
    on_event(id, client_fd, events);
  });

  auto profile = this->profile();
  c.clock = fault::ChainClock{started_, now()};
  if (profile.connection_policy(options_.seed, id, c.clock.opened - started_) ==
      fault::ConnectionPolicy::blackhole) {
    // Held open, never read, never forwarded: the client's sends fill the
    // buffers and its reads time out. Freed when the client closes.
    c.blackholed = true;
    ++blackholed_;
    if (auto down = profile.down_clause()) tally_.record_for(*down, "blackhole");
    c.client_events = EPOLLRDHUP;
    (void)loop_->modify(client_fd, c.client_events);
    log(id, "blackhole");
    return;
  }
  c.up.which = fault::Direction::up;
  c.down.which = fault::Direction::down;
  attach_chains(c, profile);
  if (options_.http_aware) {
    c.http =
        std::make_unique<fault::HttpExchange>(profile, options_.seed, id, http_shared_, c.clock);
  }

  net::Fd upstream(
      ::socket(options_.upstream.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (upstream && options_.socket_buffer_bytes > 0) {
    // Before connect(), so the window scale is negotiated for this size.
    (void)net::set_buffer_sizes(upstream.get(), options_.socket_buffer_bytes,
                                options_.socket_buffer_bytes);
  }
  int rc = upstream ? ::connect(upstream.get(), options_.upstream.sockaddr_ptr(),
                                options_.upstream.length())
                    : -1;
  if (!upstream || (rc < 0 && errno != EINPROGRESS)) {
    ++upstream_failed_;
    log(id, "upstream_error", ",\"errno\":" + std::to_string(errno));
    close_connection(id, false);
    return;
  }
  c.upstream = std::move(upstream);
  const int upstream_fd = c.upstream.get();
  c.up.source_fd = client_fd;
  c.up.dest_fd = upstream_fd;
  c.down.source_fd = upstream_fd;
  c.down.dest_fd = client_fd;
  c.upstream_events = EPOLLOUT;
  (void)loop_->add(upstream_fd, EPOLLOUT, [this, id, upstream_fd](std::uint32_t events) {
    on_event(id, upstream_fd, events);
  });
  c.connect_timer = loop_->add_timer(options_.connect_timeout, [this, id] {
    auto it = connections_.find(id);
    if (it == connections_.end() || it->second->connected) return;
    it->second->connect_timer = 0;
    ++upstream_failed_;
    log(id, "upstream_timeout");
    close_connection(id, false);
  });
}

void TcpProxy::on_upstream_connected(std::uint64_t id) {
  Connection& c = *connections_.at(id);
  int error = 0;
  socklen_t length = sizeof(error);
  ::getsockopt(c.upstream.get(), SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) {
    ++upstream_failed_;
    log(id, "upstream_error", ",\"errno\":" + std::to_string(error));
    close_connection(id, false);
    return;
  }
  c.connected = true;
  loop_->cancel_timer(c.connect_timer);
  (void)net::set_nodelay(c.upstream.get());
  log(id, "connected");
  update_interest(c);
}

void TcpProxy::on_event(std::uint64_t id, int fd, std::uint32_t events) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  if (c.draining) {
    drain(c, fd);
    return;
  }
  if (c.blackholed) {
    close_connection(id, false);  // the client hung up
    return;
  }
  if (!c.connected) {
    if (fd == c.upstream.get()) on_upstream_connected(id);
    return;
  }
  const bool terminal = events & (EPOLLHUP | EPOLLERR);
  for (Direction* d : {&c.up, &c.down}) {
    if (fd == d->dest_fd && (events & EPOLLOUT)) d->write_blocked = false;
  }
  for (Direction* d : {&c.up, &c.down}) {
    if (fd == d->source_fd && ((events & (EPOLLIN | EPOLLRDHUP)) || terminal)) {
      read_side(c, *d);
      if (!connections_.count(id)) return;
    }
  }
  for (Direction* d : {&c.up, &c.down}) {
    pump(c, *d);
    if (!connections_.count(id)) return;
  }
  update_interest(c);
}

void TcpProxy::read_side(Connection& c, Direction& d) {
  char buffer[kReadChunk];
  for (int i = 0; i < 4 && !d.source_done; ++i) {
    if (d.queued_bytes >= options_.max_queued_bytes) break;
    ssize_t n = ::recv(d.source_fd, buffer, sizeof(buffer), 0);
    if (n > 0) {
      const std::size_t size = static_cast<std::size_t>(n);
      // Straight from the read buffer where nothing acts on this direction;
      // through the HTTP exchange and the fault chain otherwise.
      const std::size_t sent = c.http ? 0 : forward_directly(c, d, std::string_view(buffer, size));
      if (sent < size) {
        auto t = now();
        feed(c, d, fault::Chunk{std::string(buffer + sent, size - sent), t}, std::nullopt, t);
      }
      // A short read emptied the socket: epoll is level-triggered, so skip
      // the recv that would only say EAGAIN (one syscall per hop).
      if (static_cast<std::size_t>(n) < sizeof(buffer)) break;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
    // EOF passes on as a FIN; a reset or other error as an RST.
    d.source_done = true;
    auto t = now();
    auto kind = n == 0 ? fault::EndKind::close : fault::EndKind::reset;
    feed(c, d, std::nullopt, fault::End{kind, t}, t);
  }
}

// forward_directly is the pass-through fast path: a direction without fault
// stages, with nothing queued and a connected, writable destination, sends
// what it read straight from the read buffer (no chunk, no copy, no queue).
// It gives how many bytes went out; the rest takes the ordinary path (the
// queue, and pump(), which also reports a send error).
std::size_t TcpProxy::forward_directly(Connection& c, Direction& d, std::string_view bytes) {
  if (!d.chain->empty() || !d.queue.empty() || d.end || d.write_blocked || d.finished ||
      !c.connected) {
    return 0;
  }
  const ssize_t n = ::send(d.dest_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  if (n <= 0) return 0;
  (d.which == fault::Direction::up ? bytes_up_ : bytes_down_) += static_cast<std::uint64_t>(n);
  return static_cast<std::size_t>(n);
}

void TcpProxy::feed(Connection& c, Direction& d, std::optional<fault::Chunk> chunk,
                    std::optional<fault::End> end, fault::Time t) {
  if (!c.http) {
    fault::Output input;
    if (chunk) input.chunks.push_back(std::move(*chunk));
    input.end = end;
    pass(c, d, input, t);
    return;
  }
  // The exchange may answer in place of the upstream: a client's bytes can
  // produce output for both directions.
  fault::HttpOutput out;
  const bool from_client = d.which == fault::Direction::up;
  if (chunk) {
    from_client ? c.http->on_client_chunk(std::move(*chunk), t, out)
                : c.http->on_upstream_chunk(std::move(*chunk), t, out);
  } else if (end) {
    from_client ? c.http->on_client_end(*end, t, out) : c.http->on_upstream_end(*end, t, out);
  }
  const std::uint64_t id = c.id;
  pass(c, c.up, out.up, t);
  if (connections_.count(id)) pass(c, c.down, out.down, t);
}

void TcpProxy::pass(Connection& c, Direction& d, fault::Output& input, fault::Time t) {
  fault::Output out;
  out.events = std::move(input.events);
  for (auto& chunk : input.chunks)
    d.chain->on_chunk(std::move(chunk), t, out);
  if (input.end) d.chain->on_end(*input.end, t, out);
  take_output(c, d, std::move(out));
}

void TcpProxy::take_output(Connection& c, Direction& d, fault::Output output) {
  for (auto& chunk : output.chunks) {
    if (d.end) break;  // nothing travels after the end
    if (chunk.bytes.empty()) continue;
    d.queued_bytes += chunk.bytes.size();
    d.queue.push_back(std::move(chunk));
  }
  if (output.end && !d.end) d.end = output.end;
  for (const auto& event : output.events) {
    tally_.record(event);
    log(c.id, "fault",
        std::string(",\"dir\":\"") + (d.which == fault::Direction::up ? "up" : "down") +
            "\",\"fault\":\"" + std::string(event.fault) + "\",\"what\":\"" +
            std::string(event.what) + "\",\"value\":" + std::to_string(event.value));
  }
}

void TcpProxy::pump(Connection& c, Direction& d) {
  if (d.finished || !c.connected) return;
  if (d.queue.empty() && !d.end && d.timer == 0) {
    d.timer_at = fault::kNever;  // nothing to send, nothing due: what the rest would conclude
    return;
  }
  const std::uint64_t id = c.id;
  auto t = now();
  bool link_wait = false;  // due bytes wait for the shared link's turn (its timer wakes us)
  while (!d.queue.empty() && !d.write_blocked && d.queue.front().release <= t) {
    if (d.end && d.end->at <= t && d.queue.front().release > d.end->at) break;
    auto& front = d.queue.front();
    std::size_t length = front.bytes.size() - d.front_offset;
    const bool paced = paced_by_link(c, d, t);
    if (paced) {
      if (d.link_allowance == 0) {
        request_link(c, d, t);
        link_wait = true;
        break;
      }
      length = std::min<std::size_t>(length, d.link_allowance);
    }
    ssize_t n = ::send(d.dest_fd, front.bytes.data() + d.front_offset, length, MSG_NOSIGNAL);
    if (n > 0) {
      if (paced) d.link_allowance -= static_cast<std::uint64_t>(n);
      d.front_offset += static_cast<std::size_t>(n);
      (d.which == fault::Direction::up ? bytes_up_ : bytes_down_) += static_cast<std::uint64_t>(n);
      if (d.front_offset == front.bytes.size()) {
        d.queued_bytes -= front.bytes.size();
        d.queue.pop_front();
        d.front_offset = 0;
      }
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      d.write_blocked = errno == EAGAIN;
      if (d.write_blocked) break;
      continue;
    }
    log(id, "send_error", ",\"errno\":" + std::to_string(errno));
    close_connection(id, true);  // the destination is gone: abort the other side too
    return;
  }
  // Apply the end once every chunk due before it is out.
  if (d.end && d.end->at <= t && d.front_offset == 0 &&
      (d.queue.empty() || d.queue.front().release > d.end->at)) {
    if (d.end->kind == fault::EndKind::reset) {
      ++resets_sent_;
      log(id, "reset",
          std::string(",\"dir\":\"") + (d.which == fault::Direction::up ? "up" : "down") + "\"");
      close_connection(id, true);
      return;
    }
    if (d.end->whole_connection) {
      // limit_data and stall's close_after end both directions with a FIN.
      log(id, "fin", ",\"dir\":\"both\"");
      finish_connection(id);
      return;
    }
    d.finished = true;
    d.queue.clear();
    d.queued_bytes = 0;
    ::shutdown(d.dest_fd, SHUT_WR);
    log(id, "fin",
        std::string(",\"dir\":\"") + (d.which == fault::Direction::up ? "up" : "down") + "\"");
    if (c.up.finished && c.down.finished) {
      finish_connection(id);
      return;
    }
    if (d.timer) loop_->cancel_timer(d.timer), d.timer = 0;
    if (!c.half_close_timer) {
      c.half_close_timer = loop_->add_timer(options_.half_close_timeout, [this, id] {
        auto found = connections_.find(id);
        if (found == connections_.end()) return;
        found->second->half_close_timer = 0;
        log(id, "half_close_timeout");
        finish_connection(id);
      });
    }
    return;
  }
  // Otherwise wake up when the next chunk or the end is due.
  fault::Time next = fault::kNever;
  if (!d.queue.empty() && !d.write_blocked && !link_wait) next = d.queue.front().release;
  if (d.end && (d.queue.empty() || d.queue.front().release > d.end->at))
    next = std::min(next, d.end->at);
  if (next == d.timer_at && d.timer) return;
  if (d.timer) loop_->cancel_timer(d.timer);
  d.timer = 0;
  d.timer_at = next;
  if (next == fault::kNever) return;
  auto which = d.which;
  d.timer = loop_->add_timer(std::max(next - t, fault::Time::zero()), [this, id, which] {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    Connection& conn = *it->second;
    Direction& dir = which == fault::Direction::up ? conn.up : conn.down;
    dir.timer = 0;
    dir.timer_at = fault::kNever;
    pump(conn, dir);
    if (connections_.count(id)) update_interest(conn);
  });
}

void TcpProxy::update_interest(Connection& c) {
  if (!c.connected || c.draining) return;
  auto wants_read = [&](const Direction& d) {
    return !d.source_done && d.queued_bytes < options_.max_queued_bytes;
  };
  std::uint32_t client = (wants_read(c.up) ? EPOLLIN : 0u) | (c.down.write_blocked ? EPOLLOUT : 0u);
  std::uint32_t upstream =
      (wants_read(c.down) ? EPOLLIN : 0u) | (c.up.write_blocked ? EPOLLOUT : 0u);
  if (client != c.client_events) {
    c.client_events = client;
    (void)loop_->modify(c.client.get(), client);
  }
  if (upstream != c.upstream_events) {
    c.upstream_events = upstream;
    (void)loop_->modify(c.upstream.get(), upstream);
  }
}

void TcpProxy::close_connection(std::uint64_t id, bool reset) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  for (Direction* d : {&c.up, &c.down}) {
    if (d->timer) loop_->cancel_timer(d->timer);
  }
  if (c.connect_timer) loop_->cancel_timer(c.connect_timer);
  if (c.drain_timer) loop_->cancel_timer(c.drain_timer);
  if (c.half_close_timer) loop_->cancel_timer(c.half_close_timer);
  for (net::Fd* fd : {&c.client, &c.upstream}) {
    if (!*fd) continue;
    if (reset) (void)net::set_linger_reset(fd->get());
    loop_->remove(fd->get());
  }
  log(id, "close", reset ? ",\"reset\":true" : "");
  for (auto& link : links_) {
    if (link) link->forget(id);
  }
  connections_.erase(it);
  --active_;
}

void TcpProxy::finish_connection(std::uint64_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  if (c.draining) return;
  c.draining = true;
  for (Direction* d : {&c.up, &c.down}) {
    if (d->timer) loop_->cancel_timer(d->timer), d->timer = 0;
    d->queue.clear();
    d->queued_bytes = 0;
  }
  // FIN both ways (a second shutdown of a half-closed side is harmless), then
  // wait for each peer's FIN. A side whose EOF was already read is drained.
  c.client_drained = c.up.source_done;
  c.upstream_drained = c.down.source_done;
  for (const net::Fd* fd : {&c.client, &c.upstream}) {
    if (*fd) ::shutdown(fd->get(), SHUT_WR);
  }
  if (!c.client) c.client_drained = true;
  if (!c.upstream) c.upstream_drained = true;
  if (c.client_drained && c.upstream_drained) {
    close_connection(id, false);
    return;
  }
  // A drained side leaves the loop: with both of its directions shut, epoll
  // would report EPOLLHUP on it at every turn.
  for (auto [fd, drained, events] :
       {std::tuple{&c.client, c.client_drained, &c.client_events},
        std::tuple{&c.upstream, c.upstream_drained, &c.upstream_events}}) {
    if (!*fd) continue;
    *events = drained ? 0u : static_cast<std::uint32_t>(EPOLLIN | EPOLLRDHUP);
    if (drained)
      loop_->remove(fd->get());
    else
      (void)loop_->modify(fd->get(), *events);
  }
  c.drain_timer = loop_->add_timer(options_.drain_timeout, [this, id] {
    auto found = connections_.find(id);
    if (found == connections_.end()) return;
    found->second->drain_timer = 0;
    ++drain_timeouts_;
    log(id, "drain_timeout");
    close_connection(id, false);
  });
}

void TcpProxy::drain(Connection& c, int fd) {
  const std::uint64_t id = c.id;
  const bool client_side = fd == c.client.get();
  bool& drained = client_side ? c.client_drained : c.upstream_drained;
  if (drained) return;
  char buffer[kReadChunk];
  // Bounded per wake-up; level-triggered epoll calls again while bytes remain.
  for (int i = 0; i < 16; ++i) {
    ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n > 0) continue;
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    drained = true;  // the peer's FIN (or an error: nothing more to read either way)
    break;
  }
  if (!drained) return;
  (client_side ? c.client_events : c.upstream_events) = 0;
  loop_->remove(fd);  // see finish_connection
  if (c.client_drained && c.upstream_drained) close_connection(id, false);
}

void TcpProxy::reset_links(const fault::Profile& profile) {
  for (auto which : {fault::Direction::up, fault::Direction::down}) {
    const std::size_t i = link_index(which);
    if (link_timers_[i] && loop_) loop_->cancel_timer(link_timers_[i]);
    link_timers_[i] = 0;
    link_timer_at_[i] = fault::kNever;
    links_[i] = fault::make_shared_link(profile, which);
  }
}

void TcpProxy::attach_chains(Connection& c, const fault::Profile& profile) {
  for (Direction* d : {&c.up, &c.down}) {
    d->chain = profile.make_chain(d->which, options_.seed, c.id, fault::Transport::stream, c.clock);
    d->link_allowance = 0;
    d->link_timeline = fault::shared_link_timeline(*d->chain, profile);
  }
}

bool TcpProxy::paced_by_link(const Connection& c, const Direction& d, fault::Time t) const {
  return links_[link_index(d.which)] && fault::paced_by_shared_link(d.link_timeline, t, c.clock);
}

void TcpProxy::request_link(Connection& c, Direction& d, fault::Time t) {
  fault::SharedLink& link = *links_[link_index(d.which)];
  // What is due now, counted up to one turn's worth (a turn grants no more).
  std::uint64_t wanted = 0;
  std::size_t offset = d.front_offset;
  for (const auto& chunk : d.queue) {
    if (chunk.release > t || wanted >= link.quantum()) break;
    wanted += chunk.bytes.size() - offset;
    offset = 0;
  }
  link.request(c.id, wanted, t);
  arm_link(d.which);
}

void TcpProxy::arm_link(fault::Direction which) {
  const std::size_t i = link_index(which);
  if (!links_[i]) return;
  const fault::Time next = links_[i]->next_grant();
  if (next == link_timer_at_[i] && link_timers_[i]) return;
  if (link_timers_[i]) loop_->cancel_timer(link_timers_[i]);
  link_timers_[i] = 0;
  link_timer_at_[i] = next;
  if (next == fault::kNever) return;
  link_timers_[i] = loop_->add_timer(std::max(next - now(), fault::Time::zero()),
                                     [this, which] { on_link_turn(which); });
}

void TcpProxy::on_link_turn(fault::Direction which) {
  const std::size_t i = link_index(which);
  link_timers_[i] = 0;
  link_timer_at_[i] = fault::kNever;
  if (!links_[i]) return;
  for (const auto& grant : links_[i]->grant(now())) {
    auto it = connections_.find(grant.flow);
    if (it == connections_.end()) continue;
    Connection& c = *it->second;
    Direction& d = which == fault::Direction::up ? c.up : c.down;
    d.link_allowance += grant.bytes;
    pump(c, d);
    if (connections_.count(grant.flow)) update_interest(c);
  }
  arm_link(which);
}

}  // namespace faultline::proxy
