// harness/fault/bandwidth.h: the bandwidth fault: a link that carries at most
// `rate` bytes per second.
//
//   bandwidth rate=64KiB/s dir=down
//
// Each chunk starts when the link is free (after the previous chunk) and is
// released as its bytes cross: a stream chunk is cut into pieces of about 10ms
// of traffic, so a receiver sees a smooth trickle rather than one late burst.
// Datagrams are never cut; each is released when its last byte has crossed.
// Times are exact: 1MiB at 64KiB/s takes 16s to the nanosecond, however it
// was chunked (sub-nanosecond remainders carry over while the link is busy).
//
//   bandwidth rate=256KiB/s scope=proxy
//
// scope=proxy: one link per direction shared fairly by all the connections of
// the transport (shared_link.h), instead of one per connection.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "harness/fault/params.h"
#include "harness/fault/stage.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault {

// BandwidthScope: one link per connection, or one shared by the whole proxy.
enum class BandwidthScope { connection, proxy };

// BandwidthSettings: validated, immutable, shared by every connection's stage.
struct BandwidthSettings {
  static constexpr std::string_view kName = "bandwidth";
  static constexpr std::array<std::string_view, 2> kKeys{"rate", "scope"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = true};
  static constexpr bool kHasDirection = true;

  std::uint64_t bytes_per_second = 1;
  BandwidthScope scope = BandwidthScope::connection;

  // piece_size: the bytes the link carries in about 10ms (at least 1, at most 64KiB).
  std::uint64_t piece_size() const;

  static net::Result<BandwidthSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext context) const;
  friend bool operator==(const BandwidthSettings&, const BandwidthSettings&) = default;
};

// BandwidthStage: one connection direction's link.
class BandwidthStage final : public Stage {
 public:
  BandwidthStage(const BandwidthSettings& settings, StageContext context);
  void on_chunk(Chunk chunk, Time now, Output& out) override;
  void on_end(End end, Time now, Output& out) override;

 private:
  // start: the link takes a chunk entering at `entry`; returns when it starts.
  void start(Time entry);
  // transmit: `bytes` cross the link; returns when the last of them is through.
  Time transmit(std::uint64_t bytes);

  const BandwidthSettings& settings_;
  StageContext context_;
  Time link_free_{0};
  std::uint64_t carry_ = 0;  // leftover (ns * rate) below one nanosecond
};

}  // namespace faultline::fault
