// harness/fault/tally.h: which clauses of a profile fired, and how often:
// the fault coverage of a run. A transport records every FaultEvent its
// chains (and HTTP exchanges) emit; a suite reads the snapshot to tell a
// scenario that exercised its faults from a vacuous one that proved nothing.
//
//   fault::FaultTally tally;
//   tally.reset(profile);                       // with each new profile
//   for (const auto& event : out.events) tally.record(event);
//   for (const auto& clause : tally.snapshot()) if (clause.fired()) ...
//
// Thread-safe: the transport's loop records, any thread reads.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "harness/fault/profile.h"
#include "harness/fault/stage.h"

namespace faultline::fault {

// ClauseTally: one clause's events.
struct ClauseTally {
  std::string clause;  // canonical text, "reset after=1KiB"
  std::string fault;   // "reset"
  // active: connection directions it was in ("active" events); acted: every
  // other event (a reset, a dropped datagram, an http_fail answer, ...).
  std::uint64_t active = 0;
  std::uint64_t acted = 0;
  std::map<std::string, std::uint64_t> by_event;  // "reset" -> 3, "active" -> 4

  // fired: the clause changed something. For latency, bandwidth and slicer,
  // which act on every byte they see and report no event of their own, being
  // active is firing.
  bool fired() const;
  // times_fired: acted, or active for the faults above.
  std::uint64_t times_fired() const;
};

// FaultTally: see the file comment.
class FaultTally {
 public:
  // reset: start counting for `profile` (clause indices refer to it).
  void reset(const Profile& profile);
  void record(const FaultEvent& event);
  // record_for: an event of clause `clause` the transport made itself (a
  // down clause refusing or blackholing a connection).
  void record_for(std::size_t clause, std::string_view what);
  std::vector<ClauseTally> snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::vector<ClauseTally> clauses_;
};

}  // namespace faultline::fault
