// harness/fault/half_close.h: the half_close fault: after `after` bytes in
// this direction (default 0: at the first event), this direction ends with a
// FIN while the other direction stays open, as shutdown(SHUT_WR) does. Bytes
// beyond `after` are dropped (nothing can follow a FIN).
//
//   half_close after=5B dir=up     # the server sees EOF after 5 request bytes, and owes a reply
//
// It catches peers that stop writing (or drop owed bytes) when they read EOF.
// Event: "half_close" (value: bytes passed). Streams only.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "harness/fault/byte_budget.h"
#include "harness/fault/params.h"
#include "harness/fault/stage.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault {

// HalfCloseSettings: validated, immutable, shared by every connection's stage.
struct HalfCloseSettings {
  static constexpr std::string_view kName = "half_close";
  static constexpr std::array<std::string_view, 1> kKeys{"after"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = false};
  static constexpr bool kHasDirection = true;

  std::uint64_t after = 0;

  static net::Result<HalfCloseSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext context) const;
  friend bool operator==(const HalfCloseSettings&, const HalfCloseSettings&) = default;
};

// HalfCloseStage: one connection direction's early FIN.
class HalfCloseStage final : public Stage {
 public:
  HalfCloseStage(const HalfCloseSettings& settings, StageContext context);
  void on_chunk(Chunk chunk, Time now, Output& out) override;
  void on_end(End end, Time now, Output& out) override;

 private:
  StageContext context_;
  ByteBudget budget_;
  Time last_release_{0};
  bool ended_ = false;
};

}  // namespace faultline::fault
