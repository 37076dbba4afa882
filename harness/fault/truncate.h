// harness/fault/truncate.h: the truncate fault: with probability `rate` a
// datagram is cut short, to a random length in [0, max] that is also shorter
// than the datagram (with no max: any shorter length, down to empty).
//
//   truncate rate=5% max=16B
//
// Event: "truncate" (value: the new length). Datagrams only (a stream has no
// message boundaries to cut at: use slicer or limit_data).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "harness/fault/params.h"
#include "harness/fault/probability.h"
#include "harness/fault/stage.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault {

// TruncateSettings: validated, immutable, shared by every connection's stage.
struct TruncateSettings {
  static constexpr std::string_view kName = "truncate";
  static constexpr std::array<std::string_view, 2> kKeys{"rate", "max"};
  static constexpr TransportSet kTransports{.stream = false, .datagram = true};
  static constexpr bool kHasDirection = true;

  Probability rate;
  std::optional<std::uint64_t> max = std::nullopt;

  static net::Result<TruncateSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext context) const;
  friend bool operator==(const TruncateSettings&, const TruncateSettings&) = default;
};

// TruncateStage: one flow direction's truncation.
class TruncateStage final : public Stage {
 public:
  TruncateStage(const TruncateSettings& settings, StageContext context);
  void on_chunk(Chunk chunk, Time now, Output& out) override;
  void on_end(End end, Time now, Output& out) override;

 private:
  const TruncateSettings& settings_;
  StageContext context_;
};

}  // namespace faultline::fault
