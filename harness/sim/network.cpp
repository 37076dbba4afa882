#include "harness/sim/network.h"

#include <algorithm>
#include <optional>

#include <fmt/core.h>

namespace faultline::sim {
namespace {

std::string_view direction_name(fault::Direction d) {
  return d == fault::Direction::up ? "up" : "down";
}
std::string_view end_name(fault::EndKind k) {
  return k == fault::EndKind::close ? "fin" : "rst";
}
std::size_t link_index(fault::Direction d) {
  return d == fault::Direction::up ? 0 : 1;
}

}  // namespace

// Connection: both ends of one simulated TCP connection.
struct Network::Connection final : Endpoint {
  Network* network = nullptr;
  std::uint64_t id = 0;
  std::string name;  // "host:port#id"
  std::optional<fault::Chain> up;
  std::optional<fault::Chain> down;
  std::unique_ptr<Peer> peer;  // null for a blackholed connection
  std::string inbox;           // delivered to the client, not yet read
  std::optional<fault::EndKind> client_end;
  bool server_ended = false;  // the peer saw on_end
  bool reset_done = false;
  bool client_write_closed = false;
  bool server_write_closed = false;
  bool up_end_scheduled = false;
  bool down_end_scheduled = false;
  fault::ChainClock clock;  // the simulation's start and this connection's, for timelines
  // One per direction (index 0 up, 1 down), for a bandwidth scope=proxy
  // clause in its chain: the clause's timeline, the released bytes waiting
  // for the shared link, the bytes it granted, and an end (kind, whole
  // connection) that waits behind the bytes.
  struct LinkQueue {
    const fault::Timeline* timeline = nullptr;
    std::string waiting;
    std::uint64_t allowance = 0;
    std::optional<std::pair<fault::EndKind, bool>> end;
  };
  LinkQueue link[2];

  void send(std::string_view bytes) override {
    if (reset_done || server_write_closed || bytes.empty()) return;
    push(fault::Direction::down, std::string(bytes));
  }
  void close() override {
    if (reset_done || server_write_closed) return;
    server_write_closed = true;
    end_through(fault::Direction::down, fault::EndKind::close);
  }
  void reset() override {
    if (reset_done) return;
    network->record(fmt::format("t={} c={} server rst", now().count(), id));
    do_reset();
  }
  net::TimePoint now() const override { return network->now(); }
  void after(net::TimePoint delay, std::function<void()> task) override {
    network->schedule(network->now() + delay, std::move(task));
  }

  // push passes bytes written at `now` through a direction's chain and
  // schedules each resulting chunk's delivery.
  void push(fault::Direction which, std::string bytes) {
    auto& chain = which == fault::Direction::up ? up : down;
    fault::Output out;
    auto t = network->now();
    chain->on_chunk(fault::Chunk{std::move(bytes), t}, t, out);
    take(which, std::move(out));
  }

  void end_through(fault::Direction which, fault::EndKind kind) {
    auto& chain = which == fault::Direction::up ? up : down;
    fault::Output out;
    auto t = network->now();
    chain->on_end(fault::End{kind, t}, t, out);
    take(which, std::move(out));
  }

  void take(fault::Direction which, fault::Output out) {
    for (const auto& event : out.events) {
      network->record(fmt::format("t={} c={} {} fault {} {} at={} value={}", network->now().count(),
                                  id, direction_name(which), event.fault, event.what,
                                  event.at == fault::kNever ? -1 : event.at.count(), event.value));
    }
    bool& end_scheduled = which == fault::Direction::up ? up_end_scheduled : down_end_scheduled;
    for (auto& chunk : out.chunks) {
      if (end_scheduled) break;
      if (chunk.release == fault::kNever) {
        network->record(fmt::format("t={} c={} {} held {}", network->now().count(), id,
                                    direction_name(which), chunk.bytes.size()));
        continue;
      }
      auto at = std::max(chunk.release, network->now());
      network->schedule(at, [this, which, bytes = std::move(chunk.bytes)]() mutable {
        arrive(which, std::move(bytes));
      });
    }
    if (out.end && !end_scheduled) {
      end_scheduled = true;
      if (out.end->at == fault::kNever) return;
      auto at = std::max(out.end->at, network->now());
      auto kind = out.end->kind;
      bool whole = out.end->whole_connection;
      network->schedule(at, [this, which, kind, whole] {
        LinkQueue& queue = link[link_index(which)];
        if (!queue.waiting.empty()) {
          queue.end = {kind, whole};  // after the bytes the link still holds
          return;
        }
        end_now(which, kind, whole);
      });
    }
  }

  void end_now(fault::Direction which, fault::EndKind kind, bool whole) {
    deliver_end(which, kind);
    // limit_data and stall's close_after end both directions with a FIN.
    if (whole && kind == fault::EndKind::close) {
      deliver_end(which == fault::Direction::up ? fault::Direction::down : fault::Direction::up,
                  kind);
    }
  }

  bool paced(fault::Direction which) const {
    return network->links_[link_index(which)] &&
           fault::paced_by_shared_link(link[link_index(which)].timeline, network->now(), clock);
  }

  // arrive: bytes the chain released, now due; they wait for the shared link
  // when the direction uses it (or when bytes before them still wait).
  void arrive(fault::Direction which, std::string bytes) {
    LinkQueue& queue = link[link_index(which)];
    if (queue.waiting.empty() && !paced(which)) {
      deliver(which, bytes);
      return;
    }
    if (reset_done) return;
    if (queue.waiting.size() + bytes.size() > network->limits().max_buffered_bytes) {
      network->record(
          fmt::format("t={} c={} link queue over limit: reset", network->now().count(), id));
      do_reset();
      return;
    }
    queue.waiting += bytes;
    send_granted(which);
  }

  // send_granted: delivers what the link granted, then asks it for the rest.
  void send_granted(fault::Direction which) {
    LinkQueue& queue = link[link_index(which)];
    auto& shared = network->links_[link_index(which)];
    const bool pace = paced(which);
    if (!queue.waiting.empty() && !reset_done) {
      const std::size_t n =
          pace ? std::min<std::size_t>(queue.allowance, queue.waiting.size()) : queue.waiting.size();
      if (n > 0) {
        std::string bytes = queue.waiting.substr(0, n);
        queue.waiting.erase(0, n);
        if (pace) queue.allowance -= n;
        deliver(which, bytes);  // may reset the connection
      }
    }
    if (reset_done) queue.waiting.clear();
    if (!queue.waiting.empty()) {
      shared->request(id, queue.waiting.size(), network->now());
      network->arm_link(which);
      return;
    }
    queue.allowance = 0;
    if (shared) shared->forget(id);
    if (queue.end && !reset_done) {
      const auto [kind, whole] = *queue.end;
      queue.end.reset();
      end_now(which, kind, whole);
    }
  }

  void deliver(fault::Direction which, const std::string& bytes) {
    if (reset_done) return;
    network->record(fmt::format("t={} c={} {} data {}", network->now().count(), id,
                                direction_name(which), bytes.size()));
    if (which == fault::Direction::up) {
      if (peer && !server_ended) peer->on_data(*this, bytes);
      return;
    }
    if (client_end) return;
    if (inbox.size() + bytes.size() > network->limits().max_buffered_bytes) {
      network->record(fmt::format("t={} c={} inbox over limit: reset", network->now().count(), id));
      do_reset();
      return;
    }
    inbox.append(bytes);
  }

  void deliver_end(fault::Direction which, fault::EndKind kind) {
    if (reset_done) return;
    network->record(fmt::format("t={} c={} {} {}", network->now().count(), id,
                                direction_name(which), end_name(kind)));
    if (kind == fault::EndKind::reset) {
      do_reset();
      return;
    }
    if (which == fault::Direction::up) {
      if (peer && !server_ended) {
        server_ended = true;
        peer->on_end(*this, fault::EndKind::close);
      }
    } else if (!client_end) {
      client_end = fault::EndKind::close;
    }
  }

  void do_reset() {
    reset_done = true;
    for (auto which : {fault::Direction::up, fault::Direction::down}) {
      LinkQueue& queue = link[link_index(which)];
      queue.waiting.clear();
      queue.allowance = 0;
      queue.end.reset();
      if (auto& shared = network->links_[link_index(which)]) shared->forget(id);
    }
    inbox.clear();  // an RST discards what the receiver has not read
    client_end = fault::EndKind::reset;
    if (peer && !server_ended) {
      server_ended = true;
      peer->on_end(*this, fault::EndKind::reset);
    }
  }
};

namespace {

// SimStream: the client end of a simulated connection.
class SimStream final : public net::Stream {
 public:
  SimStream(Network& network, Network::Connection& connection)
      : network_(network), connection_(connection) {}
  ~SimStream() override { close(); }

  net::Status write_all(std::string_view bytes, net::TimePoint) override {
    if (connection_.reset_done) {
      return net::make_error(net::ErrorKind::reset,
                             "send to " + describe() + ": connection reset by peer");
    }
    if (connection_.client_write_closed) {
      return net::make_error(net::ErrorKind::closed, "send to " + describe() + ": stream closed");
    }
    if (!bytes.empty()) connection_.push(fault::Direction::up, std::string(bytes));
    return {};
  }

  net::Result<std::size_t> read_some(char* buffer, std::size_t capacity,
                                     net::TimePoint deadline) override {
    if (closed_)
      return net::make_error(net::ErrorKind::closed, "recv from " + describe() + ": stream closed");
    auto ready = [this] {
      return !connection_.inbox.empty() || connection_.client_end.has_value();
    };
    if (!network_.run_until(ready, deadline)) {
      return net::make_error(net::ErrorKind::timeout, "recv from " + describe() + ": timed out",
                             ETIMEDOUT);
    }
    if (!connection_.inbox.empty()) {
      std::size_t n = std::min(capacity, connection_.inbox.size());
      std::copy_n(connection_.inbox.data(), n, buffer);
      connection_.inbox.erase(0, n);
      return n;
    }
    if (*connection_.client_end == fault::EndKind::reset) {
      return net::make_error(net::ErrorKind::reset,
                             "recv from " + describe() + ": connection reset by peer", ECONNRESET);
    }
    return std::size_t{0};
  }

  bool readable_now() override {
    return !connection_.inbox.empty() || connection_.client_end.has_value();
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    if (!connection_.reset_done && !connection_.client_write_closed) {
      connection_.client_write_closed = true;
      connection_.end_through(fault::Direction::up, fault::EndKind::close);
    }
  }

  std::string describe() const override { return "sim://" + connection_.name; }

 private:
  Network& network_;
  Network::Connection& connection_;
  bool closed_ = false;
};

}  // namespace

// SimDialer: opens SimStreams on its network.
class SimDialer final : public net::Dialer {
 public:
  explicit SimDialer(Network& network) : network_(network) {}
  net::Result<std::unique_ptr<net::Stream>> dial(const std::string& host, std::uint16_t port,
                                                 net::TimePoint) override {
    auto* connection = network_.open_connection(host, port);
    if (!connection) {
      return net::make_error(net::ErrorKind::refused,
                             fmt::format("connect sim://{}:{}: connection refused", host, port),
                             ECONNREFUSED);
    }
    return std::unique_ptr<net::Stream>(std::make_unique<SimStream>(network_, *connection));
  }
  net::Clock& clock() override { return network_; }

 private:
  Network& network_;
};

Network::Network(std::uint64_t seed, fault::Profile profile, NetworkLimits limits)
    : seed_(seed),
      profile_(std::move(profile)),
      limits_(limits),
      dialer_(std::make_unique<SimDialer>(*this)) {
  reset_links();
}

Network::~Network() = default;

void Network::set_profile(fault::Profile profile) {
  profile_ = std::move(profile);
  reset_links();
  for (auto& connection : connections_) {
    for (auto which : {fault::Direction::up, fault::Direction::down}) {
      if (!connection->link[link_index(which)].waiting.empty()) connection->send_granted(which);
    }
  }
}

void Network::reset_links() {
  for (auto which : {fault::Direction::up, fault::Direction::down}) {
    const std::size_t i = link_index(which);
    links_[i] = fault::make_shared_link(profile_, which);
    link_event_at_[i] = fault::kNever;
    ++link_generation_[i];
  }
}

void Network::arm_link(fault::Direction which) {
  const std::size_t i = link_index(which);
  if (!links_[i]) return;
  const net::TimePoint next = links_[i]->next_grant();
  if (next == fault::kNever) return;
  const net::TimePoint at = std::max(next, now_);
  if (link_event_at_[i] != fault::kNever && link_event_at_[i] <= at) return;  // one comes first
  link_event_at_[i] = at;
  const std::uint64_t generation = ++link_generation_[i];
  schedule(at, [this, which, i, generation] {
    if (generation != link_generation_[i]) return;  // replaced by an earlier turn or a new link
    link_event_at_[i] = fault::kNever;
    on_link_turn(which);
  });
}

void Network::on_link_turn(fault::Direction which) {
  const std::size_t i = link_index(which);
  if (!links_[i]) return;
  for (const auto& grant : links_[i]->grant(now_)) {
    Connection& connection = *connections_.at(grant.flow);
    connection.link[i].allowance += grant.bytes;
    connection.send_granted(which);
  }
  arm_link(which);
}

void Network::listen(const std::string& host, std::uint16_t port, PeerFactory factory) {
  listeners_[{host, port}] = std::move(factory);
}

net::Dialer& Network::dialer() {
  return *dialer_;
}

Network::Connection* Network::open_connection(const std::string& host, std::uint16_t port) {
  const std::uint64_t id = connections_.size();
  auto policy = profile_.connection_policy(seed_, id, now_);
  auto listener = listeners_.find({host, port});
  if (listener == listeners_.end() || policy == fault::ConnectionPolicy::refuse) {
    record(fmt::format("t={} c={} dial {}:{} refused", now_.count(), id, host, port));
    return nullptr;
  }
  auto connection = std::make_unique<Connection>();
  connection->network = this;
  connection->id = id;
  connection->name = fmt::format("{}:{}#{}", host, port, id);
  // The simulation starts at time 0: the proxy clock of the timelines.
  const fault::ChainClock clock{fault::Time{0}, now_};
  connection->clock = clock;
  connection->up =
      profile_.make_chain(fault::Direction::up, seed_, id, fault::Transport::stream, clock);
  connection->down =
      profile_.make_chain(fault::Direction::down, seed_, id, fault::Transport::stream, clock);
  connection->link[link_index(fault::Direction::up)].timeline =
      fault::shared_link_timeline(*connection->up, profile_);
  connection->link[link_index(fault::Direction::down)].timeline =
      fault::shared_link_timeline(*connection->down, profile_);
  if (policy != fault::ConnectionPolicy::blackhole) connection->peer = listener->second();
  record(fmt::format("t={} c={} open {}:{}{}", now_.count(), id, host, port,
                     connection->peer ? "" : " blackhole"));
  auto* raw = connection.get();
  connections_.push_back(std::move(connection));
  if (raw->peer) raw->peer->on_open(*raw);
  return raw;
}

void Network::schedule(net::TimePoint at, std::function<void()> task) {
  events_.emplace(std::make_pair(std::max(at, now_), next_sequence_++), std::move(task));
}

void Network::record(std::string line) {
  for (unsigned char c : line) {
    trace_hash_ = (trace_hash_ ^ c) * 0x100000001b3ull;  // FNV-1a over every line
  }
  trace_hash_ = (trace_hash_ ^ '\n') * 0x100000001b3ull;
  if (trace_.size() < limits_.max_trace_lines) trace_.push_back(std::move(line));
}

bool Network::run_until(const std::function<bool()>& done, net::TimePoint limit) {
  std::size_t budget = limits_.max_events;
  while (!done()) {
    if (events_.empty() || events_.begin()->first.first > limit || budget-- == 0) {
      if (limit != net::kNoDeadline) now_ = std::max(now_, limit);
      return false;
    }
    auto node = events_.extract(events_.begin());
    now_ = std::max(now_, node.key().first);
    ++events_run_;
    node.mapped()();
  }
  return true;
}

void Network::sleep_until(net::TimePoint when) {
  run_until([] { return false; }, when);
  now_ = std::max(now_, when);
}

}  // namespace faultline::sim
