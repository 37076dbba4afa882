// harness/sim/network.h: a deterministic, in-memory network on a virtual clock.
//
// Servers are sans-I/O Peers registered at host:port; clients dial them
// through the network's net::Dialer and get net::Streams, so the same client
// code (the HTTP session, stream workloads) runs here as over real TCP. Every
// connection's two directions pass through the profile's fault chains, the
// same chains the real proxy runs. Time is virtual: it jumps from event to
// event, so a 30-second stall costs nothing, and one seed gives one trace,
// bit for bit.
//
//   client.write_all -> [up chain] -> event queue -> peer.on_data
//   client.read_some <- [down chain] <- event queue <- endpoint.send
//
// `bandwidth scope=proxy` is one link per direction shared fairly by every
// connection of the network, as the real proxies keep it
// (fault/shared_link.h): what a direction's chain released waits for the
// link's round-robin turns, which are events on the virtual clock, and a
// FIN or RST waits behind the bytes released before it.
//
//   sim::Network network(/*seed=*/42, fault::parse_profile("slicer max=3B").value());
//   network.listen("echo", 7, [] { return std::make_unique<sim::EchoPeer>(); });
//   auto stream = network.dialer().dial("echo", 7, network.now() + 1s).value();
//   stream->write_all("hello", network.now() + 1s);   // reads run the simulation
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/fault/profile.h"
#include "harness/fault/shared_link.h"
#include "targets/net/clock.h"
#include "targets/net/stream.h"

namespace faultline::sim {

class Network;

// Endpoint: the server side of one simulated connection, as a Peer sees it.
class Endpoint {
 public:
  virtual ~Endpoint() = default;
  // send queues bytes towards the client (through the down chain).
  virtual void send(std::string_view bytes) = 0;
  // close sends FIN; reset aborts the connection (RST).
  virtual void close() = 0;
  virtual void reset() = 0;
  virtual net::TimePoint now() const = 0;
  // after runs `task` once, `delay` from now in virtual time (for timeouts).
  virtual void after(net::TimePoint delay, std::function<void()> task) = 0;
};

// Peer: a sans-I/O server protocol core, one per connection.
class Peer {
 public:
  virtual ~Peer() = default;
  virtual void on_open(Endpoint&) {}
  virtual void on_data(Endpoint& endpoint, std::string_view bytes) = 0;
  // on_end: the client closed (FIN) or the connection was reset.
  virtual void on_end(Endpoint& endpoint, fault::EndKind kind) = 0;
};

using PeerFactory = std::function<std::unique_ptr<Peer>()>;

// NetworkLimits: bounds that keep a hostile peer or fuzzed schedule finite.
struct NetworkLimits {
  std::size_t max_events = 1'000'000;         // per run_until call
  std::size_t max_trace_lines = 100'000;      // beyond this the trace only counts
  std::size_t max_buffered_bytes = 64 << 20;  // per direction, in the inboxes
};

// Network: see the file comment. Also the virtual Clock.
class Network final : public net::Clock {
 public:
  Network(std::uint64_t seed, fault::Profile profile, NetworkLimits limits = {});
  ~Network() override;
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // listen registers a server; each dial makes a Peer from `factory`.
  void listen(const std::string& host, std::uint16_t port, PeerFactory factory);
  // dialer makes client Streams whose waits run the simulation.
  net::Dialer& dialer();
  // set_profile: the profile of the connections opened from now on, and the
  // shared link's (bytes waiting for the old link go by the new one's rules).
  void set_profile(fault::Profile profile);

  net::TimePoint now() const override { return now_; }
  // sleep_until runs every event due up to `when`, then sets the clock to it.
  void sleep_until(net::TimePoint when) override;

  // run_until processes events in time order until `done()` holds (true), or
  // the next event is after `limit`, or none is left (false; the clock is
  // then at `limit` if it is finite).
  bool run_until(const std::function<bool()>& done, net::TimePoint limit);

  // schedule runs `task` at virtual time `at` (FIFO among equal times).
  void schedule(net::TimePoint at, std::function<void()> task);

  // trace: one line per event, deterministic for a seed and a workload.
  const std::vector<std::string>& trace() const { return trace_; }
  std::uint64_t trace_hash() const { return trace_hash_; }
  void record(std::string line);
  std::uint64_t events_run() const { return events_run_; }
  std::uint64_t seed() const { return seed_; }
  const fault::Profile& profile() const { return profile_; }
  const NetworkLimits& limits() const { return limits_; }

  struct Connection;

 private:
  friend class SimDialer;
  Connection* open_connection(const std::string& host, std::uint16_t port);
  // The shared link (bandwidth scope=proxy), index 0 up, 1 down.
  void reset_links();
  void arm_link(fault::Direction which);
  void on_link_turn(fault::Direction which);

  std::uint64_t seed_;
  fault::Profile profile_;
  NetworkLimits limits_;
  net::TimePoint now_{0};
  std::uint64_t next_sequence_ = 0;
  std::map<std::pair<net::TimePoint, std::uint64_t>, std::function<void()>> events_;
  std::map<std::pair<std::string, std::uint16_t>, PeerFactory> listeners_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::optional<fault::SharedLink> links_[2];
  net::TimePoint link_event_at_[2] = {fault::kNever, fault::kNever};
  std::uint64_t link_generation_[2] = {0, 0};  // a turn event runs only if still current
  std::unique_ptr<net::Dialer> dialer_;
  std::vector<std::string> trace_;
  std::uint64_t trace_hash_ = 0xcbf29ce484222325ull;
  std::uint64_t events_run_ = 0;
};

}  // namespace faultline::sim
