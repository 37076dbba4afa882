// harness/proxy/udp_proxy.h: a UDP fault proxy on real sockets.
//
// Each client address gets a session: its own connected socket to the
// upstream and two datagram fault chains (drop, duplicate, reorder, corrupt,
// truncate, latency...). A datagram is a chunk; it is sent when its release
// time comes, so reordering is a matter of release times.
//
//   client --dgram--> [listen socket] -> up chain   -> [session socket] --> upstream
//   client <--dgram-- [listen socket] <- down chain <- [session socket] <-- upstream
//
// `bandwidth scope=proxy` is one link per direction shared fairly by every
// session (fault/shared_link.h). A direction whose chain carries the clause
// puts each released datagram in the session's FIFO for the link; the link
// grants bytes in round-robin turns of about 10ms of traffic, and the front
// datagram is sent once the session's granted bytes cover all of it. A
// datagram is never split: what a turn grants carries over to the next, so
// one larger than a turn goes out after enough turns. Datagrams waiting for
// their release time and for the link together count against
// max_queued_datagrams; one over it is dropped (queue_drops), as a full
// router queue tail-drops.
//
//   UdpProxy proxy(UdpProxyOptions{.upstream = server}, fault::parse_profile("drop
//   rate=10%").value()); proxy.start();  ...  proxy.stop();
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "harness/fault/profile.h"
#include "harness/fault/shared_link.h"
#include "harness/fault/tally.h"
#include "targets/net/address.h"
#include "targets/net/event_loop.h"
#include "targets/net/fd.h"

namespace faultline::proxy {

// UdpProxyOptions: where to listen and forward, and bounds.
struct UdpProxyOptions {
  net::Address listen = net::Address::loopback(0);
  net::Address upstream;
  std::uint64_t seed = 1;
  // A session with no datagram either way for this long is closed.
  net::Duration session_idle = std::chrono::seconds(60);
  std::size_t max_sessions = 1024;
  // Datagrams waiting per session direction (for their release time or for
  // the shared link); beyond this they are dropped, as a full router queue
  // would.
  std::size_t max_queued_datagrams = 1024;
};

// UdpProxyCounters: a snapshot.
struct UdpProxyCounters {
  std::uint64_t sessions = 0;
  std::uint64_t datagrams_in = 0;   // received from either side
  std::uint64_t datagrams_out = 0;  // sent to either side
  std::uint64_t queue_drops = 0;   // over max_queued_datagrams (tail drops)
};

// UdpProxy: see the file comment.
class UdpProxy {
 public:
  UdpProxy(UdpProxyOptions options, fault::Profile profile);
  ~UdpProxy();
  UdpProxy(const UdpProxy&) = delete;
  UdpProxy& operator=(const UdpProxy&) = delete;

  net::Status start();
  net::Address address() const { return address_; }
  void set_profile(fault::Profile profile);
  fault::Profile profile() const;
  void stop();
  UdpProxyCounters counters() const;
  // fault_tally: which clauses of the current profile fired, and how often.
  std::vector<fault::ClauseTally> fault_tally() const { return tally_.snapshot(); }

 private:
  struct Queue {
    fault::Direction which = fault::Direction::up;
    std::optional<fault::Chain> chain;
    std::multimap<fault::Time, std::string> due;  // release time -> datagram
    net::EventLoop::TimerId timer = 0;
    fault::Time timer_at = fault::kNever;
    // With a bandwidth scope=proxy clause in the chain: its timeline (the
    // chain keeps the profile's clauses alive), the released datagrams
    // waiting for the shared link, and the bytes it granted not yet spent.
    const fault::Timeline* link_timeline = nullptr;
    std::deque<std::string> link_waiting;
    std::uint64_t link_waiting_bytes = 0;
    std::uint64_t link_allowance = 0;
  };
  struct Session {
    std::uint64_t id = 0;
    net::Address client;
    net::Fd upstream;
    Queue up;
    Queue down;
    net::MonotonicClock::time_point last_activity;
    net::EventLoop::TimerId idle_timer = 0;
    fault::ChainClock clock;  // the proxy's start and this session's, for timelines
  };

  void client_ready();
  void upstream_ready(const std::string& key);
  void arm_idle_timer(const std::string& key, net::Duration after);
  void enqueue(Session& session, Queue& queue, fault::Direction which, std::string datagram);
  void deliver(const std::string& key, fault::Direction which);
  bool send_datagram(Session& session, fault::Direction which, const std::string& datagram);
  void close_session(const std::string& key);
  // The shared link (bandwidth scope=proxy): one per direction, renewed with
  // each profile; a direction that uses it sends a datagram only once the
  // link's grants cover it.
  void reset_links(const fault::Profile& profile);
  void attach_chains(Session& session, const fault::Profile& profile);
  bool paced_by_link(const Session& session, const Queue& queue, fault::Time now) const;
  void send_granted(Session& session, Queue& queue, fault::Time now);
  void arm_link(fault::Direction which);
  void on_link_turn(fault::Direction which);
  fault::Time now() const;

  UdpProxyOptions options_;
  mutable std::mutex profile_mutex_;
  fault::Profile profile_;
  net::Address address_;
  net::Fd socket_;
  std::unique_ptr<net::EventLoop> loop_;
  fault::Time started_{0};
  fault::FaultTally tally_;
  std::thread thread_;
  std::unordered_map<std::string, std::unique_ptr<Session>> sessions_;
  std::unordered_map<std::uint64_t, std::string> session_keys_;  // id -> sessions_ key
  std::uint64_t next_session_ = 0;
  // Index 0 up, 1 down. Loop thread only.
  std::optional<fault::SharedLink> links_[2];
  net::EventLoop::TimerId link_timers_[2] = {0, 0};
  fault::Time link_timer_at_[2] = {fault::kNever, fault::kNever};
  std::atomic<std::uint64_t> sessions_count_{0}, in_{0}, out_{0}, queue_drops_{0};
};

}  // namespace faultline::proxy
