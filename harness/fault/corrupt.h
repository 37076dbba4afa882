// harness/fault/corrupt.h: the corrupt fault: flips one random bit of a byte,
// with probability `rate` per byte (per=byte, the default) or per chunk
// (per=chunk: one bit in one random byte of the chunk or datagram). Lengths
// and times are untouched.
//
//   corrupt rate=0.01% dir=down
//   corrupt rate=5% per=chunk           # on UDP: 5% of datagrams carry one bad bit
//
// Event: "bit_flip" (value: the byte's offset in the stream, or in the datagram).
// Streams and datagrams.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "harness/fault/params.h"
#include "harness/fault/probability.h"
#include "harness/fault/stage.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault {

// CorruptSettings: validated, immutable, shared by every connection's stage.
struct CorruptSettings {
  static constexpr std::string_view kName = "corrupt";
  static constexpr std::array<std::string_view, 2> kKeys{"rate", "per"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = true};
  static constexpr bool kHasDirection = true;

  enum class Per { byte, chunk };

  Probability rate;
  Per per = Per::byte;

  static net::Result<CorruptSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext context) const;
  friend bool operator==(const CorruptSettings&, const CorruptSettings&) = default;
};

// CorruptStage: one connection direction's bit flips.
class CorruptStage final : public Stage {
 public:
  CorruptStage(const CorruptSettings& settings, StageContext context);
  void on_chunk(Chunk chunk, Time now, Output& out) override;
  void on_end(End end, Time now, Output& out) override;

 private:
  void flip(Chunk& chunk, std::size_t index, Output& out);

  const CorruptSettings& settings_;
  StageContext context_;
  std::uint64_t offset_ = 0;  // stream offset of the chunk's first byte
  Time last_release_{0};
};

}  // namespace faultline::fault
