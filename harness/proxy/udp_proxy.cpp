#include "harness/proxy/udp_proxy.h"

#include <sys/socket.h>

#include <cerrno>

#include "harness/proxy/self_forwarding.h"
#include "targets/net/clock.h"
#include "targets/net/socket.h"

namespace faultline::proxy {
namespace {
constexpr std::size_t kMaxDatagram = 65536;
std::size_t link_index(fault::Direction which) {
  return which == fault::Direction::up ? 0 : 1;
}
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
  reset_links(profile());
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
    reset_links(profile);
    std::vector<std::string> keys;
    for (auto& [key, session] : sessions_) {
      attach_chains(*session, profile);
      keys.push_back(key);
    }
    // Datagrams that waited for the old link go by the new profile's rules.
    for (const auto& key : keys) {
      for (auto which : {fault::Direction::up, fault::Direction::down})
        deliver(key, which);
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
      session->down.which = fault::Direction::down;
      attach_chains(*session, profile);
      (void)loop_->add(session->upstream.get(), EPOLLIN,
                       [this, key](std::uint32_t) { upstream_ready(key); });
      ++sessions_count_;
      session_keys_.emplace(session->id, key);
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
    if (queue.due.size() + queue.link_waiting.size() >= options_.max_queued_datagrams) {
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
  const bool paced = paced_by_link(session, queue, t);
  while (!queue.due.empty() && queue.due.begin()->first <= t) {
    auto node = queue.due.extract(queue.due.begin());
    if (paced || !queue.link_waiting.empty()) {
      // Behind the link, in release order.
      queue.link_waiting_bytes += node.mapped().size();
      queue.link_waiting.push_back(std::move(node.mapped()));
      continue;
    }
    send_datagram(session, which, node.mapped());
  }
  send_granted(session, queue, t);
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

bool UdpProxy::send_datagram(Session& session, fault::Direction which,
                             const std::string& datagram) {
  ssize_t n = which == fault::Direction::up
                  ? ::send(session.upstream.get(), datagram.data(), datagram.size(), 0)
                  : ::sendto(socket_.get(), datagram.data(), datagram.size(), 0,
                             session.client.sockaddr_ptr(), session.client.length());
  if (n < 0) return false;
  ++out_;
  return true;
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
  for (auto& link : links_) {
    if (link) link->forget(session.id);
  }
  session_keys_.erase(session.id);
  sessions_.erase(it);
}

void UdpProxy::reset_links(const fault::Profile& profile) {
  for (auto which : {fault::Direction::up, fault::Direction::down}) {
    const std::size_t i = link_index(which);
    if (link_timers_[i] && loop_) loop_->cancel_timer(link_timers_[i]);
    link_timers_[i] = 0;
    link_timer_at_[i] = fault::kNever;
    links_[i] = fault::make_shared_link(profile, which);
  }
}

void UdpProxy::attach_chains(Session& session, const fault::Profile& profile) {
  for (Queue* queue : {&session.up, &session.down}) {
    queue->chain = profile.make_chain(queue->which, options_.seed, session.id,
                                      fault::Transport::datagram, session.clock);
    queue->link_allowance = 0;
    queue->link_timeline = fault::shared_link_timeline(*queue->chain, profile);
  }
}

bool UdpProxy::paced_by_link(const Session& session, const Queue& queue, fault::Time t) const {
  return links_[link_index(queue.which)] &&
         fault::paced_by_shared_link(queue.link_timeline, t, session.clock);
}

void UdpProxy::send_granted(Session& session, Queue& queue, fault::Time t) {
  if (queue.link_waiting.empty()) return;
  const bool paced = paced_by_link(session, queue, t);
  // Whole datagrams only: what the grants cover, front first. Unpaced (the
  // clause's window closed, or the profile changed), the FIFO empties at once.
  while (!queue.link_waiting.empty() &&
         (!paced || queue.link_allowance >= queue.link_waiting.front().size())) {
    const std::string& front = queue.link_waiting.front();
    if (paced) queue.link_allowance -= front.size();
    queue.link_waiting_bytes -= front.size();
    send_datagram(session, queue.which, front);
    queue.link_waiting.pop_front();
  }
  fault::SharedLink* link = links_[link_index(queue.which)] ? &*links_[link_index(queue.which)]
                                                            : nullptr;
  if (queue.link_waiting.empty() || !paced) {
    queue.link_allowance = 0;
    if (link) link->forget(session.id);
    return;
  }
  // The bytes still owed: the link grants at most one turn of them at a time.
  link->request(session.id, queue.link_waiting_bytes - queue.link_allowance, t);
  arm_link(queue.which);
}

void UdpProxy::arm_link(fault::Direction which) {
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

void UdpProxy::on_link_turn(fault::Direction which) {
  const std::size_t i = link_index(which);
  link_timers_[i] = 0;
  link_timer_at_[i] = fault::kNever;
  if (!links_[i]) return;
  const fault::Time t = now();
  for (const auto& grant : links_[i]->grant(t)) {
    auto key = session_keys_.find(grant.flow);
    if (key == session_keys_.end()) continue;
    Session& session = *sessions_.at(key->second);
    Queue& queue = which == fault::Direction::up ? session.up : session.down;
    queue.link_allowance += grant.bytes;
    send_granted(session, queue, t);
  }
  arm_link(which);
}

}  // namespace faultline::proxy
