// harness/fault/chain.h: one direction of one connection through every fault
// that applies to it, in profile order.
//
//   input --> [stage 0] --> [stage 1] --> ... --> out.chunks / out.end / out.events
//
// A Chain pushes each input event through every stage in turn: what stage i
// emits is stage i+1's input, at the same `now` (a delay travels as the chunk's
// release time). Once any stage has ended the stream, the chain ignores
// further input. A default Chain is empty and passes everything through.
//
//   fault::Chain up = profile.make_chain(fault::Direction::up, seed, connection_index);
//   fault::Output out;
//   up.on_chunk(fault::Chunk{bytes_read, now}, now, out);   // schedule out.chunks at their release
//   up.on_end(fault::End{fault::EndKind::close, now}, now, out);
//   for (const auto& event : out.events) log_fault_fired(event);
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "harness/fault/stage.h"

namespace faultline::fault {

// ChainLink: a stage with the names its "active" event carries.
struct ChainLink {
  std::unique_ptr<Stage> stage;
  std::string_view fault;  // static storage
  std::size_t clause = 0;
};

// Chain: the ordered stages of one connection direction.
class Chain {
 public:
  Chain() = default;
  // owner: keeps alive whatever the stages refer to (the profile's settings).
  Chain(std::shared_ptr<const void> owner, std::vector<ChainLink> links, Transport transport);

  // on_chunk: bytes (or a datagram) entered at `now`. On a stream, an empty
  // chunk is ignored; its release is raised to `now` if earlier.
  void on_chunk(Chunk chunk, Time now, Output& out);
  // on_end: the input stream ended.
  void on_end(End end, Time now, Output& out);

  // ended: a stage (or the input) has ended the stream; input is now ignored.
  bool ended() const { return ended_; }
  bool empty() const { return links_.empty(); }
  std::size_t size() const { return links_.size(); }
  Transport transport() const { return transport_; }
  const std::vector<ChainLink>& links() const { return links_; }

 private:
  // announce: on the first input event, one "active" event per stage, so a
  // log shows which faults hit this connection even when they never "fire".
  void announce(Time now, Output& out);
  // run: push current_ through the stages and append the result to `out`.
  void run(Time now, Output& out);

  std::shared_ptr<const void> owner_;
  std::vector<ChainLink> links_;
  Transport transport_ = Transport::stream;
  bool announced_ = false;
  bool ended_ = false;
  // Scratch outputs reused between calls, to spare an allocation per stage.
  Output current_;
  Output next_;
};

}  // namespace faultline::fault
