// harness/fault/slicer.h: the slicer fault: partial reads and writes. Every
// chunk is cut into pieces of a random size in [min, max] bytes (the last
// piece of a chunk may be shorter), optionally `delay` apart.
//
//   slicer min=1B max=64B delay=1ms
//
// It never loses, duplicates or reorders a byte: it is the fault that catches
// "one recv() is one message" bugs and decoders that split a UTF-8 sequence.
// Streams only (cutting a datagram would change its meaning).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "harness/fault/params.h"
#include "harness/fault/stage.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault {

// SlicerSettings: validated, immutable, shared by every connection's stage.
struct SlicerSettings {
  static constexpr std::string_view kName = "slicer";
  static constexpr std::array<std::string_view, 3> kKeys{"min", "max", "delay"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = false};
  static constexpr bool kHasDirection = true;
  static constexpr std::uint64_t kMaxPiece = 16 * 1024 * 1024;

  std::uint64_t min = 1;
  std::uint64_t max = 1;
  Time delay{0};  // between consecutive pieces

  static net::Result<SlicerSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext context) const;
  friend bool operator==(const SlicerSettings&, const SlicerSettings&) = default;
};

// SlicerStage: one connection direction's slicer.
class SlicerStage final : public Stage {
 public:
  SlicerStage(const SlicerSettings& settings, StageContext context);
  void on_chunk(Chunk chunk, Time now, Output& out) override;
  void on_end(End end, Time now, Output& out) override;

 private:
  const SlicerSettings& settings_;
  StageContext context_;
  bool emitted_ = false;  // whether last_release_ belongs to a piece
  Time last_release_{0};
};

}  // namespace faultline::fault
