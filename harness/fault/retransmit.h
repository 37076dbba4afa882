// harness/fault/retransmit.h: the retransmit fault: how a lost packet looks on
// TCP. Nothing is lost; instead, with probability `rate` per chunk, that chunk
// and everything after it wait a retransmission timeout. The timeout starts at
// `rto`, doubles for each consecutive lost chunk up to `max`, and goes back to
// `rto` once a chunk gets through first time (TCP's exponential backoff; the
// defaults are Linux's TCP_RTO_MIN and TCP_RTO_MAX).
//
//   retransmit rate=5% rto=200ms max=5s
//
// Event: "retransmit" (at: the chunk's new release; value: the backoff in ns).
// Streams only (on datagrams a lost packet is just lost: use drop).
#pragma once

#include <array>
#include <memory>
#include <string_view>

#include "harness/fault/params.h"
#include "harness/fault/probability.h"
#include "harness/fault/stage.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault {

// RetransmitSettings: validated, immutable, shared by every connection's stage.
struct RetransmitSettings {
  static constexpr std::string_view kName = "retransmit";
  static constexpr std::array<std::string_view, 3> kKeys{"rate", "rto", "max"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = false};
  static constexpr bool kHasDirection = true;
  static constexpr Time kDefaultRto = std::chrono::milliseconds(200);
  static constexpr Time kDefaultMax = std::chrono::seconds(120);

  Probability rate;
  Time rto = kDefaultRto;
  Time max = kDefaultMax;

  static net::Result<RetransmitSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext context) const;
  friend bool operator==(const RetransmitSettings&, const RetransmitSettings&) = default;
};

// RetransmitStage: one connection direction's retransmission stalls.
class RetransmitStage final : public Stage {
 public:
  RetransmitStage(const RetransmitSettings& settings, StageContext context);
  void on_chunk(Chunk chunk, Time now, Output& out) override;
  void on_end(End end, Time now, Output& out) override;

 private:
  const RetransmitSettings& settings_;
  StageContext context_;
  Time backoff_;
  Time last_release_{0};
};

}  // namespace faultline::fault
