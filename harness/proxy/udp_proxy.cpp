#include "harness/proxy/udp_proxy.h"

#include <sys/socket.h>

#include <cerrno>

#include "harness/proxy/self_forwarding.h"
#include "targets/net/clock.h"
#include "targets/net/socket.h"

namespace faultline::proxy {
namespace {
constexpr std::size_t kMaxDatagram = 65536;
}  // namespace

UdpProxy::UdpProxy(UdpProxyOptions options, fault::Profile profile)
    : options_(options), profile_(std::move(profile)) {}

UdpProxy::~UdpProxy() {
  stop();
}

fault::Time UdpProxy::now() const {
  return net::SteadyClock::instance().now();
}

net::Status UdpProxy::start() {
  if (thread_.joinable()) {
    return net::make_error(net::ErrorKind::invalid_argument, "udp proxy already started");
  }
  if (auto self = check_not_self_forwarding(options_.listen, options_.upstream); !self) return self;
  auto loop = net::EventLoop::create();
  if (!loop) return tl::unexpected(loop.error());
  loop_ = std::move(*loop);
  auto socket = net::bind_udp(options_.listen);
  if (!socket) return tl::unexpected(socket.error());
  socket_ = std::move(*socket);
  auto bound = net::local_address(socket_.get());
  if (!bound) return tl::unexpected(bound.error());
  address_ = *bound;
  started_ = now();
  tally_.reset(profile());
  auto added = loop_->add(socket_.get(), EPOLLIN, [this](std::uint32_t) { client_ready(); });
  if (!added) return added;
  thread_ = std::thread([this] { (void)loop_->run(); });
  return {};
}

void UdpProxy::stop() {
  if (!thread_.joinable()) return;
  loop_->post([this] {
    std::vector<std::string> keys;
    for (auto& [key, session] : sessions_)
      keys.push_back(key);
    for (auto& key : keys)
      close_session(key);
    loop_->remove(socket_.get());
    loop_->stop();
  });
  thread_.join();
  socket_.reset();
}

void UdpProxy::set_profile(fault::Profile profile) {
  {
    std::lock_guard lock(profile_mutex_);
    profile_ = profile;
  }
  if (!thread_.joinable()) return;
  loop_->post([this, profile = std::move(profile)] {
    tally_.reset(profile);
    for (auto& [key, session] : sessions_) {
      session->up.chain = profile.make_chain(fault::Direction::up, options_.seed, session->id,
                                             fault::Transport::datagram, session->clock);
      session->down.chain = profile.make_chain(fault::Direction::down, options_.seed, session->id,
                                               fault::Transport::datagram, session->clock);
    }
  });
}

fault::Profile UdpProxy::profile() const {
  std::lock_guard lock(profile_mutex_);
  return profile_;
}

UdpProxyCounters UdpProxy::counters() const {
  return UdpProxyCounters{sessions_count_.load(), in_.load(), out_.load(), queue_drops_.load()};
}

void UdpProxy::client_ready() {
  std::string buffer(kMaxDatagram, '\0');
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage peer{};
    socklen_t length = sizeof(peer);
    ssize_t n = ::recvfrom(socket_.get(), buffer.data(), buffer.size(), 0,
                           reinterpret_cast<sockaddr*>(&peer), &length);
    if (n < 0) return;
    ++in_;
    auto client = net::Address::from_sockaddr(reinterpret_cast<sockaddr*>(&peer), length);
    std::string key = client.to_string();
    auto it = sessions_.find(key);
    if (it == sessions_.end()) {
      fault::Profile profile;
      {
        std::lock_guard lock(profile_mutex_);
        profile = profile_;
      }
      if (sessions_.size() >= options_.max_sessions) continue;
      const auto policy = profile.connection_policy(options_.seed, next_session_, now() - started_);
      if (policy != fault::ConnectionPolicy::accept) {
        // Refused or blackholed: the datagram goes nowhere.
        if (auto down = profile.down_clause()) {
          tally_.record_for(*down, fault::connection_policy_name(policy));
        }
        continue;
      }
      auto upstream = net::udp_socket(options_.upstream);
      if (!upstream || ::connect(upstream->get(), options_.upstream.sockaddr_ptr(),
                                 options_.upstream.length()) < 0) {
        continue;
      }
      auto session = std::make_unique<Session>();
      session->id = next_session_++;
      session->client = client;
      session->upstream = std::move(*upstream);
      session->clock = fault::ChainClock{started_, now()};
      session->up.chain = profile.make_chain(fault::Direction::up, options_.seed, session->id,
                                             fault::Transport::datagram, session->clock);
      session->down.chain = profile.make_chain(fault::Direction::down, options_.seed, session->id,
                                               fault::Transport::datagram, session->clock);
      (void)loop_->add(session->upstream.get(), EPOLLIN,
                       [this, key](std::uint32_t) { upstream_ready(key); });
      ++sessions_count_;
      it = sessions_.emplace(key, std::move(session)).first;
      arm_idle_timer(key, options_.session_idle);
    }
    Session& session = *it->second;
    session.last_activity = net::MonotonicClock::now();
    enqueue(session, session.up, fault::Direction::up,
            std::string(buffer.data(), static_cast<std::size_t>(n)));
  }
}

void UdpProxy::arm_idle_timer(const std::string& key, net::Duration after) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  // One timer per session, re-armed lazily: traffic only moves last_activity.
  it->second->idle_timer = loop_->add_timer(after, [this, key] {
    auto found = sessions_.find(key);
    if (found == sessions_.end()) return;
    found->second->idle_timer = 0;
    auto idle = net::MonotonicClock::now() - found->second->last_activity;
    if (idle >= options_.session_idle) {
      close_session(key);
    } else {
      arm_idle_timer(key, options_.session_idle - idle);
    }
  });
}

void UdpProxy::upstream_ready(const std::string& key) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  Session& session = *it->second;
  std::string buffer(kMaxDatagram, '\0');
  for (int i = 0; i < 64; ++i) {
    ssize_t n = ::recv(session.upstream.get(), buffer.data(), buffer.size(), 0);
    if (n < 0) return;  // EAGAIN, or ICMP unreachable from the upstream: nothing to pass on
    ++in_;
    session.last_activity = net::MonotonicClock::now();
    enqueue(session, session.down, fault::Direction::down,
            std::string(buffer.data(), static_cast<std::size_t>(n)));
  }
}

void UdpProxy::enqueue(Session& session, Queue& queue, fault::Direction which,
                       std::string datagram) {
  auto t = now();
  fault::Output out;
  queue.chain->on_chunk(fault::Chunk{std::move(datagram), t}, t, out);
  for (const auto& event : out.events)
    tally_.record(event);
  for (auto& chunk : out.chunks) {
    if (queue.due.size() >= options_.max_queued_datagrams) {
      ++queue_drops_;
      continue;
    }
    if (chunk.release == fault::kNever) continue;  // stalled forever: a blackhole
    queue.due.emplace(chunk.release, std::move(chunk.bytes));
  }
  deliver(session.client.to_string(), which);
}

void UdpProxy::deliver(const std::string& key, fault::Direction which) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  Session& session = *it->second;
  Queue& queue = which == fault::Direction::up ? session.up : session.down;
  auto t = now();
  while (!queue.due.empty() && queue.due.begin()->first <= t) {
    auto node = queue.due.extract(queue.due.begin());
    const std::string& datagram = node.mapped();
    ssize_t n = which == fault::Direction::up
                    ? ::send(session.upstream.get(), datagram.data(), datagram.size(), 0)
                    : ::sendto(socket_.get(), datagram.data(), datagram.size(), 0,
                               session.client.sockaddr_ptr(), session.client.length());
    if (n >= 0) ++out_;
  }
  fault::Time next = queue.due.empty() ? fault::kNever : queue.due.begin()->first;
  if (next == queue.timer_at && queue.timer) return;
  if (queue.timer) loop_->cancel_timer(queue.timer);
  queue.timer = 0;
  queue.timer_at = next;
  if (next == fault::kNever) return;
  queue.timer = loop_->add_timer(std::max(next - t, fault::Time::zero()), [this, key, which] {
    auto found = sessions_.find(key);
    if (found == sessions_.end()) return;
    Queue& q = which == fault::Direction::up ? found->second->up : found->second->down;
    q.timer = 0;
    q.timer_at = fault::kNever;
    deliver(key, which);
  });
}

void UdpProxy::close_session(const std::string& key) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  Session& session = *it->second;
  for (Queue* q : {&session.up, &session.down}) {
    if (q->timer) loop_->cancel_timer(q->timer);
  }
  if (session.idle_timer) loop_->cancel_timer(session.idle_timer);
  loop_->remove(session.upstream.get());
  sessions_.erase(it);
}

}  // namespace faultline::proxy
