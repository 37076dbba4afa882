// harness/fault/reorder.h: the reorder fault: with probability `rate` a
// datagram is held back, by `delay` when given (datagrams sent in the meantime
// overtake it), otherwise until the next datagram has gone (the two swap).
//
//   reorder rate=10%                 # neighbours swap
//   reorder rate=10% delay=30ms      # late by 30ms
//
// Only one datagram is held at a time in swap mode, and the end of the flow
// releases it. Event: "reorder" (value: the datagram's size). Datagrams only.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string_view>

#include "harness/fault/params.h"
#include "harness/fault/probability.h"
#include "harness/fault/stage.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault {

// ReorderSettings: validated, immutable, shared by every connection's stage.
struct ReorderSettings {
  static constexpr std::string_view kName = "reorder";
  static constexpr std::array<std::string_view, 2> kKeys{"rate", "delay"};
  static constexpr TransportSet kTransports{.stream = false, .datagram = true};
  static constexpr bool kHasDirection = true;

  Probability rate;
  std::optional<Time> delay = std::nullopt;  // none: hold until the next datagram

  static net::Result<ReorderSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext context) const;
  friend bool operator==(const ReorderSettings&, const ReorderSettings&) = default;
};

// ReorderStage: one flow direction's reordering.
class ReorderStage final : public Stage {
 public:
  ReorderStage(const ReorderSettings& settings, StageContext context);
  void on_chunk(Chunk chunk, Time now, Output& out) override;
  void on_end(End end, Time now, Output& out) override;

 private:
  const ReorderSettings& settings_;
  StageContext context_;
  std::optional<Chunk> held_;
  Time last_release_{0};
};

}  // namespace faultline::fault
