// harness/fault/latency.h: the latency fault: every chunk (and the end of the
// stream) is delayed by `delay` plus or minus up to `jitter`.
//
//   latency delay=100ms jitter=20ms dir=down
//   latency delay=100ms jitter=20ms distribution=normal
//
// The jitter is uniform by default (as Toxiproxy's); `distribution=` picks
// netem's normal, pareto or paretonormal shape instead (delay_distribution.h).
//
// On a stream, release = max(previous release, now + delay +- jitter), so
// jitter never reorders bytes (TCP would not). On datagrams each datagram is
// delayed on its own, so jitter may reorder them, as on a real network.
#pragma once

#include <array>
#include <memory>
#include <string_view>

#include "harness/fault/delay_distribution.h"
#include "harness/fault/params.h"
#include "harness/fault/stage.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault {

// LatencySettings: validated, immutable, shared by every connection's stage.
struct LatencySettings {
  static constexpr std::string_view kName = "latency";
  static constexpr std::array<std::string_view, 3> kKeys{"delay", "jitter", "distribution"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = true};
  static constexpr bool kHasDirection = true;

  Time delay{0};
  Time jitter{0};  // at most `delay`, so a release never precedes its entry
  DelayDistribution distribution = DelayDistribution::uniform;

  static net::Result<LatencySettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext context) const;
  friend bool operator==(const LatencySettings&, const LatencySettings&) = default;
};

// LatencyStage: one connection direction's latency.
class LatencyStage final : public Stage {
 public:
  LatencyStage(const LatencySettings& settings, StageContext context);
  void on_chunk(Chunk chunk, Time now, Output& out) override;
  void on_end(End end, Time now, Output& out) override;

 private:
  // delayed: entry + delay + a fresh jitter draw.
  Time delayed(Time entry);

  const LatencySettings& settings_;
  StageContext context_;
  Time last_release_{0};
};

}  // namespace faultline::fault
