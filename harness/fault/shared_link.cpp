#include "harness/fault/shared_link.h"

#include <algorithm>

namespace faultline::fault {
namespace {

constexpr std::uint64_t kNanosPerSecond = 1'000'000'000;
// transmit works in blocks this big so bytes * 1e9 stays far from overflow.
constexpr std::uint64_t kTransmitBlock = 1024 * 1024;

const BandwidthSettings* shared_bandwidth(const Clause& clause) {
  const auto* bandwidth = std::get_if<BandwidthSettings>(&clause.settings);
  return bandwidth && bandwidth->scope == BandwidthScope::proxy ? bandwidth : nullptr;
}

}  // namespace

SharedLink::SharedLink(std::uint64_t bytes_per_second, std::uint64_t quantum)
    : bytes_per_second_(std::max<std::uint64_t>(bytes_per_second, 1)),
      quantum_(std::max<std::uint64_t>(quantum, 1)) {}

void SharedLink::request(std::uint64_t flow, std::uint64_t wanted, Time now) {
  if (wanted == 0) return;
  for (auto& waiting : round_) {
    if (waiting.flow == flow) {
      waiting.wanted = wanted;
      return;
    }
  }
  Time since = now;
  if (now == last_grant_at_) {
    for (const auto& [granted, turn_end] : last_turns_) {
      if (granted == flow) since = std::min(now, turn_end);
    }
  }
  round_.push_back(Waiting{flow, wanted, since});
}

void SharedLink::forget(std::uint64_t flow) {
  std::erase_if(round_, [flow](const Waiting& waiting) { return waiting.flow == flow; });
}

bool SharedLink::waiting(std::uint64_t flow) const {
  return std::any_of(round_.begin(), round_.end(),
                     [flow](const Waiting& waiting) { return waiting.flow == flow; });
}

Time SharedLink::next_grant() const {
  if (round_.empty()) return kNever;
  return std::max(link_free_, round_.front().since);
}

Time SharedLink::transmit(Time start, std::uint64_t bytes) {
  if (start > link_free_) carry_ = 0;  // the link was idle: nothing owed from before
  Time free = std::max(start, link_free_);
  while (bytes > 0) {
    const std::uint64_t block = std::min(bytes, kTransmitBlock);
    bytes -= block;
    const std::uint64_t scaled = block * kNanosPerSecond + carry_;
    carry_ = scaled % bytes_per_second_;
    free = later(free, Time(static_cast<std::int64_t>(scaled / bytes_per_second_)));
  }
  return free;
}

std::vector<SharedLink::Grant> SharedLink::grant(Time now) {
  std::vector<Grant> grants;
  last_turns_.clear();
  last_grant_at_ = now;
  while (!round_.empty()) {
    const Waiting front = round_.front();
    const Time start = std::max(link_free_, front.since);
    if (start > now) break;
    round_.pop_front();
    const std::uint64_t bytes = std::min(quantum_, front.wanted);
    link_free_ = transmit(start, bytes);
    grants.push_back(Grant{front.flow, bytes});
    last_turns_.emplace_back(front.flow, link_free_);
  }
  return grants;
}

void SharedLinkStage::on_chunk(Chunk chunk, Time, Output& out) {
  out.chunks.push_back(std::move(chunk));
}

void SharedLinkStage::on_end(End end, Time now, Output& out) {
  end.at = std::max(now, end.at);
  out.end = end;
}

std::optional<std::size_t> shared_link_clause(const Profile& profile) {
  const auto& clauses = profile.clauses();
  for (std::size_t i = 0; i < clauses.size(); ++i) {
    if (shared_bandwidth(clauses[i])) return i;
  }
  return std::nullopt;
}

std::optional<SharedLink> make_shared_link(const Profile& profile, Direction direction) {
  const auto index = shared_link_clause(profile);
  if (!index) return std::nullopt;
  const Clause& clause = profile.clauses()[*index];
  if (!clause.applies_to(direction)) return std::nullopt;
  const BandwidthSettings& settings = *shared_bandwidth(clause);
  return SharedLink(settings.bytes_per_second, settings.piece_size());
}

bool uses_shared_link(const Chain& chain, const Profile& profile) {
  const auto index = shared_link_clause(profile);
  if (!index) return false;
  return std::any_of(chain.links().begin(), chain.links().end(),
                     [&](const ChainLink& link) { return link.clause == *index; });
}

const Timeline* shared_link_timeline(const Chain& chain, const Profile& profile) {
  if (!uses_shared_link(chain, profile)) return nullptr;
  return &profile.clauses()[*shared_link_clause(profile)].timeline;
}

bool paced_by_shared_link(const Timeline* timeline, Time now, const ChainClock& clock) {
  return timeline && (timeline->in_time() || timeline->active(now, clock));
}

double jain_index(const std::vector<double>& shares) {
  double sum = 0;
  double squares = 0;
  for (double share : shares) {
    sum += share;
    squares += share * share;
  }
  if (squares == 0) return 1;
  return sum * sum / (static_cast<double>(shares.size()) * squares);
}

}  // namespace faultline::fault
