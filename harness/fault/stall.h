// harness/fault/stall.h: the stall fault: a blackhole. After `after` bytes
// (default 0: from the stream's first event) nothing more gets through: the
// remaining bytes are emitted with release kNever (held, never delivered) and
// the stream's own end is held too. Optionally the stream then ends at a set
// time: close_after=DUR closes the connection (FIN), reset_after=DUR resets it
// (RST), DUR after the stall began.
//
//   stall after=1KiB close_after=30s dir=down   # the reply hangs, then the connection closes
//
// It is the fault that catches missing timeouts. Events: "stall" (value:
// bytes passed) when it begins, "close"/"reset" (at the end's time). Streams only.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "harness/fault/byte_budget.h"
#include "harness/fault/params.h"
#include "harness/fault/stage.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault {

// StallSettings: validated, immutable, shared by every connection's stage.
struct StallSettings {
  static constexpr std::string_view kName = "stall";
  static constexpr std::array<std::string_view, 3> kKeys{"after", "close_after", "reset_after"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = false};
  static constexpr bool kHasDirection = true;

  std::uint64_t after = 0;
  // At most one of these: how the stream ends, counted from the stall's start.
  std::optional<Time> close_after = std::nullopt;
  std::optional<Time> reset_after = std::nullopt;

  static net::Result<StallSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext context) const;
  friend bool operator==(const StallSettings&, const StallSettings&) = default;
};

// StallStage: one connection direction's blackhole.
class StallStage final : public Stage {
 public:
  StallStage(const StallSettings& settings, StageContext context);
  void on_chunk(Chunk chunk, Time now, Output& out) override;
  void on_end(End end, Time now, Output& out) override;

 private:
  // begin: the stall starts at `at`; ends the stream when the settings say so.
  void begin(Time at, Output& out);

  const StallSettings& settings_;
  StageContext context_;
  ByteBudget budget_;
  Time last_release_{0};
  bool stalled_ = false;
  bool ended_ = false;
};

}  // namespace faultline::fault
