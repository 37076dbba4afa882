// harness/fault/down.h: the down fault: the service is down. Not a Stage but
// a connection policy: a transport asks Profile::connection_policy() for each
// new connection (for UDP, each new flow) and refuses it (RST / ICMP
// unreachable) or blackholes it (accepts, then never answers).
//
//   down mode=refuse p=20%      # one connection in five is refused
//   down mode=blackhole
//
// Streams and datagrams. It has no direction; at most one per profile.
#pragma once

#include <array>
#include <memory>
#include <string_view>

#include "harness/fault/params.h"
#include "harness/fault/stage.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault {

// ConnectionPolicy: what a transport does with a new connection.
enum class ConnectionPolicy { accept, refuse, blackhole };

// connection_policy_name: "accept", "refuse", "blackhole".
std::string_view connection_policy_name(ConnectionPolicy policy);

// DownSettings: validated, immutable.
struct DownSettings {
  static constexpr std::string_view kName = "down";
  static constexpr std::array<std::string_view, 1> kKeys{"mode"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = true};
  static constexpr bool kHasDirection = false;

  ConnectionPolicy mode = ConnectionPolicy::refuse;

  static net::Result<DownSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  // make_stage: none; down acts before a connection has bytes.
  std::unique_ptr<Stage> make_stage(StageContext) const { return nullptr; }
  friend bool operator==(const DownSettings&, const DownSettings&) = default;
};

}  // namespace faultline::fault
