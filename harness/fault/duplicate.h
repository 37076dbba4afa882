// harness/fault/duplicate.h: the duplicate fault: each datagram is delivered
// twice with probability `rate` (the copy right behind the original).
//
//   duplicate rate=5%
//
// Event: "duplicate" (value: the datagram's size). Datagrams only.
#pragma once

#include <array>
#include <memory>
#include <string_view>

#include "harness/fault/params.h"
#include "harness/fault/probability.h"
#include "harness/fault/stage.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault {

// DuplicateSettings: validated, immutable, shared by every connection's stage.
struct DuplicateSettings {
  static constexpr std::string_view kName = "duplicate";
  static constexpr std::array<std::string_view, 1> kKeys{"rate"};
  static constexpr TransportSet kTransports{.stream = false, .datagram = true};
  static constexpr bool kHasDirection = true;

  Probability rate;

  static net::Result<DuplicateSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext context) const;
  friend bool operator==(const DuplicateSettings&, const DuplicateSettings&) = default;
};

// DuplicateStage: one flow direction's duplication.
class DuplicateStage final : public Stage {
 public:
  DuplicateStage(const DuplicateSettings& settings, StageContext context);
  void on_chunk(Chunk chunk, Time now, Output& out) override;
  void on_end(End end, Time now, Output& out) override;

 private:
  const DuplicateSettings& settings_;
  StageContext context_;
};

}  // namespace faultline::fault
