// harness/fault/stage.h: the contract every fault obeys.
//
// A fault is a Stage: it transforms one direction of one connection, a stream
// of chunks {bytes, release time} (or of datagrams), and may end that stream.
// A direction's stages form a Chain (chain.h); the same chain runs in the
// real-socket proxy (harness/proxy, real time) and in the simulator
// (harness/sim, virtual time).
//
//   client -> [slicer] -> [latency] -> [bandwidth] -> upstream     (up)
//   client <- [corrupt] <- [reset] <------------------ upstream     (down)
//
// The contract:
//  1. Deterministic: a stage's output depends only on its settings, its input
//     (bytes and times) and its own Rng, which is derived from (seed,
//     connection index, direction, stage index). No clocks, no global state.
//  2. Nothing in flight is dropped unless dropping is the fault's job (drop,
//     truncate, limit_data, reset, half_close, stall). A stage that holds bytes
//     (stall) emits them with release kNever; the transport's backpressure, not
//     the stage, bounds memory.
//  3. Streams (Transport::stream): release times never go backwards within a
//     direction and never precede the time a chunk entered the stage.
//     Datagrams (Transport::datagram): each Chunk is one datagram; stages never
//     split or merge datagrams, and each carries its own release time, which
//     never precedes its entry time. The transport delivers datagrams in order
//     of release (ties in emission order), so a stage may reorder them.
//  4. End of stream is explicit: on_end(close) is passed through (possibly
//     delayed, as slow_close does), and a stage may end the stream itself with
//     close (FIN) or reset (RST) at a time it chooses. A passed-through close
//     never precedes the release of a byte already emitted; an End a stage
//     makes itself may (chunks due after End::at are lost: that is the fault).
//  5. Interruptible: a stage never blocks; waiting is expressed as a release
//     time, so the transport can tear a connection down at any moment.
//  6. Observable: when a fault acts (a reset, a dropped datagram, a flipped
//     bit) the stage appends a FaultEvent, so a transport can log it.
//
//   auto profile = fault::parse_profile("latency delay=50ms dir=down; slicer max=16B").value();
//   auto up = profile.make_chain(fault::Direction::up, /*seed=*/42, /*connection_index=*/0);
//   fault::Output out;
//   up.on_chunk(fault::Chunk{"hello", now}, now, out);   // out.chunks: slices with release times
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::fault {

// Time: nanoseconds on the transport's clock (steady clock or virtual clock).
using Time = std::chrono::nanoseconds;
inline constexpr Time kNever = Time::max();

// later: t + d, saturating at kNever so a held (kNever) chunk stays held and a
// delay can never wrap a time around. `d` must not be negative.
constexpr Time later(Time t, Time d) {
  if (t == kNever || d == kNever || t > kNever - d) return kNever;
  return t + d;
}

// last_delivered: `last` moved on to `release`, unless release is kNever. A
// stage orders a passed-through End after the last bytes it released; held
// bytes (kNever) are never delivered, so they must not hold that End back
// (a stall's close_after would otherwise never reach the transport).
constexpr Time last_delivered(Time last, Time release) {
  return release == kNever ? last : std::max(last, release);
}

// Chunk: bytes that may be delivered onwards no earlier than `release`. On a
// datagram transport, one Chunk is one datagram (possibly empty).
struct Chunk {
  std::string bytes;
  Time release{0};
};

// held: a chunk a stall upstream holds forever (release kNever); it is never
// delivered, so it never uses a link or counts towards a byte offset.
inline bool held(const Chunk& chunk) {
  return chunk.release == kNever;
}

// EndKind: how a stream ends.
enum class EndKind { close, reset };

// End: the stream ends at `at`, after every chunk released before it.
//  - close: a FIN in this direction. By itself a FIN is a half-close (the other
//    direction stays open, as shutdown(SHUT_WR)); with `whole_connection` the
//    transport closes the connection (limit_data, stall close_after).
//  - reset: an RST; it always aborts the whole connection.
struct End {
  EndKind kind = EndKind::close;
  Time at{0};
  bool whole_connection = false;
};

// FaultEvent: a fault acted ("a fault fired"). Names point at static strings,
// so an event costs no allocation.
struct FaultEvent {
  std::string_view fault;   // the fault's name: "reset"
  std::string_view what;    // what it did: "active", "reset", "drop", "bit_flip", ...
  std::size_t clause = 0;   // the clause's index in its profile
  Time at{0};               // when it takes effect
  std::uint64_t value = 0;  // what-specific detail, documented by each fault
};

// Output: what a stage (or chain) emits for one input event, in order. After
// `end` is set, a stage emits nothing more.
struct Output {
  std::vector<Chunk> chunks;
  std::optional<End> end;
  std::vector<FaultEvent> events;

  void clear() {
    chunks.clear();
    end.reset();
    events.clear();
  }
};

// Direction: which way bytes flow. up = client to upstream, down = back.
enum class Direction { up, down };

// Transport: what a chain carries. A fault declares which it supports, and the
// profile validator rejects a mismatch (Profile::validate_for).
enum class Transport { stream, datagram };

// TransportSet: the transports a fault applies to.
struct TransportSet {
  bool stream = true;
  bool datagram = true;

  constexpr bool contains(Transport t) const { return t == Transport::stream ? stream : datagram; }
};

// Stage: one fault's per-connection, per-direction state.
class Stage {
 public:
  virtual ~Stage() = default;
  // on_chunk: `chunk` entered at `now` (chunk.release >= now is allowed when
  // an earlier stage delayed it). Append what goes onwards to `out`.
  virtual void on_chunk(Chunk chunk, Time now, Output& out) = 0;
  // on_end: the input stream ended. Append the end (and anything held) to `out`.
  virtual void on_end(End end, Time now, Output& out) = 0;
};

}  // namespace faultline::fault
