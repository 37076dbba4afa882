// harness/fault/stage_context.h: what a Stage is built with, besides its
// fault's settings: its own generator, the transport it runs on, and the
// names its events carry.
//
//   StageContext context{Rng(derive_seed(seed, connection, Direction::up, 3)),
//                        Transport::stream, /*clause=*/3, "latency"};
//   auto stage = settings.make_stage(std::move(context));
//   ...
//   context_.fire(out, "reset", at, bytes_passed);   // inside a stage
#pragma once

#include <cstdint>
#include <string_view>

#include "harness/fault/rng.h"
#include "harness/fault/stage.h"

namespace faultline::fault {

// StageContext: one stage's per-connection, per-direction environment.
struct StageContext {
  Rng rng{0};
  Transport transport = Transport::stream;
  std::size_t clause = 0;       // index of the fault's clause in its profile
  std::string_view fault = "";  // the fault's name (static storage)

  bool datagrams() const { return transport == Transport::datagram; }

  // fire appends a FaultEvent tagged with this stage's fault and clause.
  void fire(Output& out, std::string_view what, Time at, std::uint64_t value = 0) const {
    out.events.push_back(FaultEvent{fault, what, clause, at, value});
  }
};

}  // namespace faultline::fault
