// harness/fault/profile.h: a fault profile, the parsed form of the profile
// language (grammar and examples in harness/fault/README.md), and the factory
// of per-connection chains.
//
//   auto profile = fault::parse_profile(
//       "latency delay=100ms jitter=20ms dir=down; slicer max=64B; reset after=10KiB p=25%");
//   if (!profile) { std::cerr << profile.error().to_string() << "\n"; return 2; }
//   if (auto ok = profile->validate_for(fault::Transport::stream); !ok) { ...; return 2; }
//
//   // per accepted connection i:
//   switch (profile->connection_policy(seed, i)) { case ConnectionPolicy::refuse: ... }
//   fault::Chain up = profile->make_chain(fault::Direction::up, seed, i);
//   fault::Chain down = profile->make_chain(fault::Direction::down, seed, i);
//
// A Profile is immutable and cheap to copy (its clauses are shared); chains
// keep it alive. profile.to_string() prints the canonical text, and
// parse_profile(profile.to_string()) gives an equal profile.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/fault/chain.h"
#include "harness/fault/down.h"
#include "harness/fault/faults.h"
#include "harness/fault/params.h"
#include "harness/fault/probability.h"
#include "harness/fault/stage.h"
#include "harness/fault/timeline.h"
#include "targets/net/error.h"

namespace faultline::fault {

// Directions: which directions a clause applies to (dir=up|down|both).
enum class Directions { up, down, both };

// Clause: one fault of a profile with its common settings.
struct Clause {
  FaultSettings settings;
  Directions directions = Directions::both;
  // toxicity: the chance the fault applies to a given connection (p=), drawn
  // once per connection for both directions.
  Probability toxicity = Probability::always();
  // timeline: when, and on which connections, the clause acts (timeline.h).
  Timeline timeline;
  // where: "fault spec column 9", where the clause was written; for messages
  // only (not part of equality).
  std::string where;

  std::string_view name() const { return fault_name(settings); }
  bool applies_to(Direction direction) const;
  // to_string: the canonical clause, "latency delay=100ms dir=down".
  std::string to_string() const;

  friend bool operator==(const Clause& a, const Clause& b) {
    return a.settings == b.settings && a.directions == b.directions && a.toxicity == b.toxicity &&
           a.timeline == b.timeline;
  }
};

// Profile: an ordered list of clauses.
class Profile {
 public:
  // A default Profile is empty: no faults, every connection accepted.
  Profile();
  static Profile empty() { return Profile(); }

  bool is_empty() const { return clauses_->empty(); }
  const std::vector<Clause>& clauses() const { return *clauses_; }

  // to_string: canonical text: clauses joined by "; ", keys in catalogue
  // order, defaults left out, canonical units. "" for the empty profile.
  std::string to_string() const;

  // validate_for: an error naming the first clause whose fault does not apply
  // to `transport` (slicer on UDP, drop on TCP, ...).
  net::Status validate_for(Transport transport) const;

  // make_chain: the stages of the clauses that apply to `direction` and, by
  // their toxicity, to connection `connection_index`. Stage i's generator is
  // derive_seed(seed, connection_index, direction, clause index). The profile
  // must have passed validate_for(transport): a mismatch is a programming
  // error and throws std::invalid_argument.
  // `clock` gives the origins of the clauses' timelines (timeline.h): a
  // clause outside its connection range is left out, one with a window is
  // wrapped in a TimelineStage.
  Chain make_chain(Direction direction, std::uint64_t seed, std::uint64_t connection_index,
                   Transport transport = Transport::stream, ChainClock clock = {}) const;

  // applies: whether clause `clause_index` applies to connection
  // `connection_index` (its toxicity draw), the same answer for both directions.
  bool applies(std::size_t clause_index, std::uint64_t seed, std::uint64_t connection_index) const;

  // has_http_faults: a clause needs a transport that reads HTTP (http_faults.h).
  bool has_http_faults() const;
  // validate_http: an error naming the first HTTP-aware clause when the
  // transport does not read HTTP (`http_aware` false).
  net::Status validate_http(bool http_aware) const;

  // active: whether clause `clause_index` acts at `now` on connection
  // `connection_index` (its timeline; always true without one).
  bool active(std::size_t clause_index, std::uint64_t connection_index, Time now,
              const ChainClock& clock) const;

  // connection_policy: what to do with a new connection: refuse or blackhole
  // it when a down clause applies to it, else accept.
  // `since_start`: how long the transport has run (a down clause's window).
  ConnectionPolicy connection_policy(std::uint64_t seed = 0, std::uint64_t connection_index = 0,
                                     Time since_start = Time{0}) const;
  // down_clause: the index of the profile's down clause, if it has one.
  std::optional<std::size_t> down_clause() const;
  // next_policy_change: the first time after `since_start` at which a down
  // clause's window opens or closes; kNever if none will.
  Time next_policy_change(Time since_start) const;

  friend bool operator==(const Profile& a, const Profile& b) {
    return a.clauses_ == b.clauses_ || *a.clauses_ == *b.clauses_;
  }

 private:
  explicit Profile(std::vector<Clause> clauses);
  friend net::Result<Profile> parse_profile_text(std::string_view text, const SpecSource& source);

  std::shared_ptr<const std::vector<Clause>> clauses_;
};

// parse_profile parses profile text; errors (ErrorKind::invalid_argument)
// name the offending token and its column: "fault spec column 9: unknown key
// 'delya' for latency (expected delay, jitter, dir, p)".
net::Result<Profile> parse_profile(std::string_view text);

// parse_profile_text: parse_profile with the messages' source named by the caller.
net::Result<Profile> parse_profile_text(std::string_view text, const SpecSource& source);

// profile_warnings lists what parses but is likely not what was meant: a ';'
// inside a '#' comment, which hides the clauses after it on that line
// ("latency delay=5ms # slow; reset after=1B" has one clause, not two).
std::vector<std::string> profile_warnings(std::string_view text, const SpecSource& source = {});

// parse_profile_file reads and parses a profile file (at most 1MiB); errors
// name the path, with line and column ("flaky.txt line 3 column 9: ...").
// A missing file is ErrorKind::not_found.
net::Result<Profile> parse_profile_file(const std::string& path);

}  // namespace faultline::fault
