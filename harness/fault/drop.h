// harness/fault/drop.h: the drop fault: each datagram is lost with
// probability `rate`.
//
//   drop rate=10%
//
// Event: "drop" (value: the datagram's size). Datagrams only: on a stream a
// lost packet shows up as a retransmission stall (use retransmit).
#pragma once

#include <array>
#include <memory>
#include <string_view>

#include "harness/fault/params.h"
#include "harness/fault/probability.h"
#include "harness/fault/stage.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault {

// DropSettings: validated, immutable, shared by every connection's stage.
struct DropSettings {
  static constexpr std::string_view kName = "drop";
  static constexpr std::array<std::string_view, 1> kKeys{"rate"};
  static constexpr TransportSet kTransports{.stream = false, .datagram = true};
  static constexpr bool kHasDirection = true;

  Probability rate;

  static net::Result<DropSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext context) const;
  friend bool operator==(const DropSettings&, const DropSettings&) = default;
};

// DropStage: one flow direction's datagram loss.
class DropStage final : public Stage {
 public:
  DropStage(const DropSettings& settings, StageContext context);
  void on_chunk(Chunk chunk, Time now, Output& out) override;
  void on_end(End end, Time now, Output& out) override;

 private:
  const DropSettings& settings_;
  StageContext context_;
};

}  // namespace faultline::fault
