#include "harness/fault/tally.h"

namespace faultline::fault {
namespace {

bool acts_on_every_byte(std::string_view fault) {
  return fault == "latency" || fault == "bandwidth" || fault == "slicer";
}

}  // namespace

bool ClauseTally::fired() const {
  return times_fired() > 0;
}

std::uint64_t ClauseTally::times_fired() const {
  return acts_on_every_byte(fault) ? acted + active : acted;
}

void FaultTally::reset(const Profile& profile) {
  std::lock_guard lock(mutex_);
  clauses_.clear();
  for (const auto& clause : profile.clauses()) {
    ClauseTally tally;
    tally.clause = clause.to_string();
    tally.fault = std::string(clause.name());
    clauses_.push_back(std::move(tally));
  }
}

void FaultTally::record(const FaultEvent& event) {
  record_for(event.clause, event.what);
}

void FaultTally::record_for(std::size_t clause, std::string_view what) {
  std::lock_guard lock(mutex_);
  if (clause >= clauses_.size()) return;  // an event of a profile since replaced
  ClauseTally& tally = clauses_[clause];
  (what == "active" ? tally.active : tally.acted) += 1;
  tally.by_event[std::string(what)] += 1;
}

std::vector<ClauseTally> FaultTally::snapshot() const {
  std::lock_guard lock(mutex_);
  return clauses_;
}

}  // namespace faultline::fault
