// harness/fault/slow_close.h: the slow_close fault: the FIN is delayed by
// `delay` after the last byte; bytes are untouched and an RST is not delayed.
//
//   slow_close delay=2s dir=down
//
// It catches readers that wait for EOF where the message length already said
// enough. Event: "slow_close" (at: when the FIN leaves). Streams only.
#pragma once

#include <array>
#include <memory>
#include <string_view>

#include "harness/fault/params.h"
#include "harness/fault/stage.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault {

// SlowCloseSettings: validated, immutable, shared by every connection's stage.
struct SlowCloseSettings {
  static constexpr std::string_view kName = "slow_close";
  static constexpr std::array<std::string_view, 1> kKeys{"delay"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = false};
  static constexpr bool kHasDirection = true;

  Time delay{0};

  static net::Result<SlowCloseSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext context) const;
  friend bool operator==(const SlowCloseSettings&, const SlowCloseSettings&) = default;
};

// SlowCloseStage: one connection direction's late FIN.
class SlowCloseStage final : public Stage {
 public:
  SlowCloseStage(const SlowCloseSettings& settings, StageContext context);
  void on_chunk(Chunk chunk, Time now, Output& out) override;
  void on_end(End end, Time now, Output& out) override;

 private:
  const SlowCloseSettings& settings_;
  StageContext context_;
  Time last_release_{0};
};

}  // namespace faultline::fault
