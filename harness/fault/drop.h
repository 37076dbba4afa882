// harness/fault/drop.h: the drop fault: datagrams are lost, independently,
// with correlation, or in Gilbert-Elliott bursts (loss_model.h).
//
//   drop rate=10%
//   drop rate=10% correlation=50%
//   drop model=gilbert p=1% r=25% h=0% k=100%
//
// With model=gilbert, `p=` is the model's good -> bad chance (netem's name),
// not the clause's toxicity: such a clause applies to every flow.
//
// Event: "drop" (value: the datagram's size). Datagrams only: on a stream a
// lost packet shows up as a retransmission stall (use retransmit).
#pragma once

#include <array>
#include <memory>
#include <string_view>

#include "harness/fault/loss_model.h"
#include "harness/fault/params.h"
#include "harness/fault/probability.h"
#include "harness/fault/stage.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault {

// DropSettings: validated, immutable, shared by every connection's stage.
struct DropSettings {
  static constexpr std::string_view kName = "drop";
  static constexpr std::array<std::string_view, 6> kKeys{"model",       "rate", "correlation",
                                                         "r",           "h",    "k"};
  static constexpr TransportSet kTransports{.stream = false, .datagram = true};
  static constexpr bool kHasDirection = true;

  LossSettings loss;

  // takes_p: the clause's `p=` belongs to the loss model (model=gilbert).
  bool takes_p() const { return loss.model == LossModelKind::gilbert; }

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
  LossChain loss_;
};

}  // namespace faultline::fault
