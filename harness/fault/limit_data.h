// harness/fault/limit_data.h: the limit_data fault: the connection is closed
// (FIN, whole connection) the moment `after` bytes have passed in this
// direction; anything beyond is dropped.
//
//   limit_data after=1MiB dir=down    # responses are cut off at 1MiB
//
// Unlike half_close, the other direction closes too (End::whole_connection).
// Event: "limit_data" (value: bytes passed). Streams only.
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

// LimitDataSettings: validated, immutable, shared by every connection's stage.
struct LimitDataSettings {
  static constexpr std::string_view kName = "limit_data";
  static constexpr std::array<std::string_view, 1> kKeys{"after"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = false};
  static constexpr bool kHasDirection = true;

  std::uint64_t after = 0;

  static net::Result<LimitDataSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext context) const;
  friend bool operator==(const LimitDataSettings&, const LimitDataSettings&) = default;
};

// LimitDataStage: one connection direction's byte limit.
class LimitDataStage final : public Stage {
 public:
  LimitDataStage(const LimitDataSettings& settings, StageContext context);
  void on_chunk(Chunk chunk, Time now, Output& out) override;
  void on_end(End end, Time now, Output& out) override;

 private:
  StageContext context_;
  ByteBudget budget_;
  Time last_release_{0};
  bool ended_ = false;
};

}  // namespace faultline::fault
