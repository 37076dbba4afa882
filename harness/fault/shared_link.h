// harness/fault/shared_link.h: one link shared fairly by every connection of a
// transport: `bandwidth rate=... scope=proxy`.
//
// A per-connection bandwidth fault (bandwidth.h) gives each connection its own
// link of `rate`. With scope=proxy the transport (the TCP proxy, the UDP
// proxy, the simulated network) keeps one SharedLink per direction, and every
// connection (UDP session) the clause applies to queues for it:
//
//   conn 0 ready --+
//   conn 1 ready --+--> [ round robin, `quantum` bytes a turn ] --> rate bytes/s in all
//   conn 2 ready --+
//
// Fairness is deficit round robin: a flow with bytes ready joins the round
// (request); each turn grants the flow at the front up to `quantum` bytes
// (about 10ms of traffic), and the link is then busy for their transmission
// time. A flow that still has bytes after its turn requests again and goes to
// the back, so N busy flows each get about rate/N, and a flow that wants less
// leaves its share to the others. The link's times are exact (sub-nanosecond
// remainders carry over while it is busy), so over any stretch of time it
// grants at most rate * time + quantum bytes, however late the transport
// polls it.
//
// The link is sans-I/O: the transport asks when the next grant is due
// (next_grant), sets a timer for it, and takes the grants (grant) when it fires.
//
//   fault::SharedLink link(/*bytes_per_second=*/64 * 1024, /*quantum=*/655);
//   link.request(/*flow=*/connection_id, /*wanted=*/ready_bytes, now);
//   for (auto [flow, bytes] : link.grant(now)) { allowance[flow] += bytes; pump(flow); }
//   timer_at(link.next_grant());
//
// In a profile, a scope=proxy clause's stage (SharedLinkStage) passes bytes
// through unchanged: it marks the chain, so the transport knows which
// connection directions use the link, and it reports the clause "active".
// The link acts after the whole chain, as the last hop to the destination.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "harness/fault/profile.h"
#include "harness/fault/stage.h"

namespace faultline::fault {

// SharedLink: see the file comment.
class SharedLink {
 public:
  SharedLink(std::uint64_t bytes_per_second, std::uint64_t quantum);

  // Grant: `bytes` that flow `flow` may now send.
  struct Grant {
    std::uint64_t flow = 0;
    std::uint64_t bytes = 0;
  };

  // A flow that asks again at once after a turn (its bytes keep coming) is
  // taken as waiting since its turn ended on the link's schedule, not since
  // the late poll that granted it: a loaded transport that polls late then
  // catches up instead of losing link time. The link's schedule never
  // overlaps, so this never lets it exceed its rate.

  // request: `flow` has `wanted` bytes ready at `now`. It joins the back of
  // the round, or, if it already waits, its wanted count is updated.
  void request(std::uint64_t flow, std::uint64_t wanted, Time now);
  // forget: the flow is gone (its connection closed); it leaves the round.
  void forget(std::uint64_t flow);
  // grant: the turns due at or before `now`, in round order.
  std::vector<Grant> grant(Time now);
  // next_grant: when the next turn is due; kNever when no flow waits.
  Time next_grant() const;
  bool waiting(std::uint64_t flow) const;

  std::uint64_t bytes_per_second() const { return bytes_per_second_; }
  std::uint64_t quantum() const { return quantum_; }

 private:
  struct Waiting {
    std::uint64_t flow = 0;
    std::uint64_t wanted = 0;
    Time since{0};
  };
  // transmit: the link carries `bytes` from `start`; returns when it is free.
  Time transmit(Time start, std::uint64_t bytes);

  std::uint64_t bytes_per_second_;
  std::uint64_t quantum_;
  std::deque<Waiting> round_;
  // The flows granted by the last grant() call, with the end of their turn.
  std::vector<std::pair<std::uint64_t, Time>> last_turns_;
  Time last_grant_at_ = kNever;
  Time link_free_{0};
  std::uint64_t carry_ = 0;  // leftover (ns * rate) below one nanosecond
};

// SharedLinkStage: the chain's mark for a scope=proxy bandwidth clause; it
// passes everything through (the transport's SharedLink does the work).
class SharedLinkStage final : public Stage {
 public:
  void on_chunk(Chunk chunk, Time now, Output& out) override;
  void on_end(End end, Time now, Output& out) override;
};

// shared_link_clause: the index of the profile's `bandwidth scope=proxy`
// clause, if it has one (a profile has at most one).
std::optional<std::size_t> shared_link_clause(const Profile& profile);

// make_shared_link: the link the transport keeps for `direction`, when the
// profile's scope=proxy clause applies to it.
std::optional<SharedLink> make_shared_link(const Profile& profile, Direction direction);

// uses_shared_link: whether `chain` carries the scope=proxy clause (so the
// connection direction queues for the link).
bool uses_shared_link(const Chain& chain, const Profile& profile);

// shared_link_timeline: the scope=proxy clause's timeline when `chain`
// carries the clause, else null. The chain keeps the profile's clauses, so
// the timeline, alive.
const Timeline* shared_link_timeline(const Chain& chain, const Profile& profile);

// paced_by_shared_link: whether a connection direction whose chain carries
// the clause (`timeline`, from shared_link_timeline) waits for the link at
// `now`: the clause's window is open. False for a null timeline.
bool paced_by_shared_link(const Timeline* timeline, Time now, const ChainClock& clock);

// jain_index: Jain's fairness index of the flows' shares, (sum x)^2 / (n sum x^2):
// 1 when all are equal, 1/n when one flow has everything.
double jain_index(const std::vector<double>& shares);

}  // namespace faultline::fault
