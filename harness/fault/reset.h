// harness/fault/reset.h: the reset fault: an RST after `after` bytes (default
// 0: at the stream's first event). The first `after` bytes pass, the rest are
// dropped, and the stream ends with End{reset}: the peer sees ECONNRESET.
//
//   reset after=10KiB p=25%      # a quarter of the connections are reset after 10KiB
//
// If the stream ends (FIN) before `after` bytes, the FIN passes unchanged.
// Event: "reset" (value: bytes passed). Streams only.
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

// ResetSettings: validated, immutable, shared by every connection's stage.
struct ResetSettings {
  static constexpr std::string_view kName = "reset";
  static constexpr std::array<std::string_view, 1> kKeys{"after"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = false};
  static constexpr bool kHasDirection = true;

  std::uint64_t after = 0;

  static net::Result<ResetSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext context) const;
  friend bool operator==(const ResetSettings&, const ResetSettings&) = default;
};

// ResetStage: one connection direction's reset.
class ResetStage final : public Stage {
 public:
  ResetStage(const ResetSettings& settings, StageContext context);
  void on_chunk(Chunk chunk, Time now, Output& out) override;
  void on_end(End end, Time now, Output& out) override;

 private:
  void fire(Time at, Output& out);

  StageContext context_;
  ByteBudget budget_;
  Time last_release_{0};
  bool ended_ = false;
};

}  // namespace faultline::fault
