// harness/proxy/tcp_proxy.h: a TCP fault proxy on real sockets.
//
// Point any client at the proxy and the proxy at any server; each connection's
// two directions run through the profile's fault chains:
//
//   client --> [recv] -> up chain   (slicer, latency, ...) -> [send] --> upstream
//   client <-- [send] <- down chain (reset, corrupt, ...)  <- [recv] <-- upstream
//
// One epoll thread. Each direction keeps a queue of chunks with release times;
// a chunk is written once its time comes (a timer wakes the loop). Reading a
// side stops while its direction's queue holds max_queued_bytes (backpressure:
// a stalled or slow direction never grows memory without bound). A direction
// without fault stages skips all that while nothing waits in its queue: what
// is read is sent straight from the read buffer (no chunk, no copy). A FIN is
// passed on as a FIN (half-close), a reset fault as an RST (SO_LINGER 0).
//
// An orderly end (limit_data, stall's close_after, both directions finished,
// close_connections) is deterministic: the proxy sends FIN both ways
// (shutdown(SHUT_WR)), then reads and discards whatever either peer still
// sends until each sends its own FIN, bounded by `drain_timeout`, and only
// then closes. Closing a socket with unread bytes makes Linux send an RST, so
// without the drain a client still sending when the fault fires would see
// "reset" or "closed" depending on the scheduler.
//
// `bandwidth scope=proxy` is one link per direction shared fairly by every
// connection (fault/shared_link.h): a direction whose chain carries the
// clause sends its due bytes only as the link grants them, in round-robin
// turns of about 10ms of traffic each; one timer per link wakes the loop
// for the next turn.
//
//   TcpProxy proxy(ProxyOptions{.listen = loopback(0), .upstream = server, .seed = 7},
//                  fault::parse_profile("slicer max=16B; latency delay=5ms").value());
//   proxy.start();
//   connect(proxy.address());  ...  proxy.set_profile(other);  ...  proxy.stop();
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "harness/fault/http_exchange.h"
#include "harness/fault/profile.h"
#include "harness/fault/shared_link.h"
#include "harness/fault/tally.h"
#include "targets/net/address.h"
#include "targets/net/event_loop.h"
#include "targets/net/fd.h"

namespace faultline::proxy {

// ProxyOptions: where to listen, where to forward, and bounds.
struct ProxyOptions {
  net::Address listen = net::Address::loopback(0);
  net::Address upstream;
  // Every fault stage's generator derives from (seed, connection index, direction, stage).
  std::uint64_t seed = 1;
  // Per direction: stop reading the source while this many bytes wait.
  std::size_t max_queued_bytes = 256 * 1024;
  net::Duration connect_timeout = std::chrono::seconds(5);
  std::size_t max_connections = 1024;
  // SO_RCVBUF/SO_SNDBUF for both of a connection's sockets; 0 keeps the
  // kernel's autotuning. Small buffers make a slow direction push back on its
  // sender within kilobytes, as a slow reader's small window does, instead of
  // megabytes of loopback buffering hiding it.
  int socket_buffer_bytes = 0;
  // After an orderly end, how long to read and discard what the peers still
  // send before closing anyway (which may then RST a peer that never stops).
  net::Duration drain_timeout = std::chrono::seconds(3);
  // After one direction's FIN went through, how long the other may stay open
  // before the connection ends anyway (FIN both ways, then the drain). Without
  // it, a peer that never closes its side would hold the other socket in
  // CLOSE-WAIT for as long as the proxy runs.
  net::Duration half_close_timeout = std::chrono::seconds(60);
  // http_aware (--protocol http): read HTTP/1.1 both ways and run the
  // profile's HTTP faults (fault/http_exchange.h) in front of the byte chains.
  bool http_aware = false;
};

// ProxyCounters: a snapshot of a proxy's counters.
struct ProxyCounters {
  std::uint64_t accepted = 0;
  std::uint64_t active = 0;
  std::uint64_t upstream_failed = 0;  // closed because the upstream could not be reached
  // Times `down mode=refuse` closed the listening socket. The kernel refuses
  // the connection attempts themselves, so the proxy never sees them: there
  // is no count of refused clients, only of refusing windows.
  std::uint64_t refuse_windows = 0;
  std::uint64_t blackholed = 0;      // held by a `down mode=blackhole` profile
  std::uint64_t rejected = 0;        // over max_connections
  std::uint64_t resets_sent = 0;     // connections ended with RST by a fault
  std::uint64_t drain_timeouts = 0;  // orderly ends whose peers kept sending past drain_timeout
  std::uint64_t bytes_up = 0;        // written to the upstream
  std::uint64_t bytes_down = 0;      // written to the client
};

// EventSink receives the proxy's event log, one JSON object per event
// ({"t_ms":..,"conn":..,"event":"open"|"connected"|"fault"|"fin"|"reset"|"close",...});
// events of the whole proxy ("profile", "error") have no "conn" key.
using EventSink = std::function<void(const std::string& json_line)>;

// TcpProxy: see the file comment.
class TcpProxy {
 public:
  TcpProxy(ProxyOptions options, fault::Profile profile);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  // start binds (port 0 picks one) and runs the loop on a background thread.
  net::Status start();
  net::Address address() const { return address_; }
  bool http_aware() const { return options_.http_aware; }
  // set_profile swaps the fault profile for new and existing connections
  // (existing ones get fresh chains; bytes already queued keep their times).
  // Thread-safe.
  void set_profile(fault::Profile profile);
  fault::Profile profile() const;
  // set_event_sink installs the event log receiver; call before start().
  void set_event_sink(EventSink sink) { sink_ = std::move(sink); }
  // close_connections ends every current connection with a FIN both ways, as
  // a server closing its idle keep-alive connections does. Thread-safe; returns
  // once done.
  void close_connections();
  // stop closes every connection and the listener, and joins the thread. Idempotent.
  void stop();
  ProxyCounters counters() const;
  // fault_tally: which clauses of the current profile fired, and how often
  // (counted from start() or the last set_profile()).
  std::vector<fault::ClauseTally> fault_tally() const { return tally_.snapshot(); }

 private:
  struct Connection;
  struct Direction;

  void accept_ready();
  void update_listener();
  void start_connection(net::Fd client);
  void on_upstream_connected(std::uint64_t id);
  void on_event(std::uint64_t id, int fd, std::uint32_t events);
  void read_side(Connection& connection, Direction& direction);
  std::size_t forward_directly(Connection& connection, Direction& direction,
                               std::string_view bytes);
  // feed: what `direction`'s source sent (a chunk or its end) into the fault
  // chains, through the connection's HTTP exchange when there is one.
  void feed(Connection& connection, Direction& direction, std::optional<fault::Chunk> chunk,
            std::optional<fault::End> end, fault::Time now);
  // pass: `input` into `direction`'s chain, and its output onto the queue.
  void pass(Connection& connection, Direction& direction, fault::Output& input, fault::Time now);
  void take_output(Connection& connection, Direction& direction, fault::Output output);
  void pump(Connection& connection, Direction& direction);
  void update_interest(Connection& connection);
  // The shared link (bandwidth scope=proxy): one per direction, renewed with
  // each profile; a direction that uses it sends only what it was granted.
  void reset_links(const fault::Profile& profile);
  void attach_chains(Connection& connection, const fault::Profile& profile);
  bool paced_by_link(const Connection& connection, const Direction& direction,
                     fault::Time now) const;
  void request_link(Connection& connection, Direction& direction, fault::Time now);
  void arm_link(fault::Direction which);
  void on_link_turn(fault::Direction which);
  void close_connection(std::uint64_t id, bool reset);
  // finish_connection: the orderly end (FIN both ways, drain, then close).
  void finish_connection(std::uint64_t id);
  void drain(Connection& connection, int fd);
  void log(std::uint64_t id, const std::string& event, const std::string& extra = "");
  fault::Time now() const;

  ProxyOptions options_;
  mutable std::mutex profile_mutex_;
  fault::Profile profile_;
  // The state HTTP faults share across connections (http_fail scope=proxy);
  // renewed with each profile. Loop thread only.
  std::shared_ptr<fault::HttpSharedState> http_shared_;
  fault::FaultTally tally_;
  net::Address address_;
  net::Fd listener_;
  std::unique_ptr<net::EventLoop> loop_;
  std::thread thread_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  std::uint64_t next_connection_ = 0;
  bool accept_paused_ = false;                  // after EMFILE, for a moment (see accept_ready)
  net::EventLoop::TimerId listener_timer_ = 0;  // the next edge of a down clause's window
  fault::Time started_{0};
  EventSink sink_;
  // Index 0 up, 1 down. Loop thread only.
  std::optional<fault::SharedLink> links_[2];
  net::EventLoop::TimerId link_timers_[2] = {0, 0};
  fault::Time link_timer_at_[2] = {fault::kNever, fault::kNever};

  std::atomic<std::uint64_t> accepted_{0}, active_{0}, upstream_failed_{0}, refuse_windows_{0},
      blackholed_{0}, rejected_{0}, resets_sent_{0}, drain_timeouts_{0}, bytes_up_{0},
      bytes_down_{0};
};

}  // namespace faultline::proxy
