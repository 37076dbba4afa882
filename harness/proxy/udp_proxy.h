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
//   UdpProxy proxy(UdpProxyOptions{.upstream = server}, fault::parse_profile("drop
//   rate=10%").value()); proxy.start();  ...  proxy.stop();
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "harness/fault/profile.h"
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
  // Datagrams waiting per direction; beyond this they are dropped, as a full
  // router queue would.
  std::size_t max_queued_datagrams = 1024;
};

// UdpProxyCounters: a snapshot.
struct UdpProxyCounters {
  std::uint64_t sessions = 0;
  std::uint64_t datagrams_in = 0;   // received from either side
  std::uint64_t datagrams_out = 0;  // sent to either side
  std::uint64_t queue_drops = 0;
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
    std::optional<fault::Chain> chain;
    std::multimap<fault::Time, std::string> due;  // release time -> datagram
    net::EventLoop::TimerId timer = 0;
    fault::Time timer_at = fault::kNever;
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
  void close_session(const std::string& key);
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
  std::uint64_t next_session_ = 0;
  std::atomic<std::uint64_t> sessions_count_{0}, in_{0}, out_{0}, queue_drops_{0};
};

}  // namespace faultline::proxy
