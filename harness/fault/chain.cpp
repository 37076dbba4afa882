#include "harness/fault/chain.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace faultline::fault {

Chain::Chain(std::shared_ptr<const void> owner, std::vector<ChainLink> links, Transport transport)
    : owner_(std::move(owner)), links_(std::move(links)), transport_(transport) {}

void Chain::announce(Time now, Output& out) {
  if (announced_) return;
  announced_ = true;
  for (const auto& link : links_) {
    out.events.push_back(FaultEvent{link.fault, "active", link.clause, now, 0});
  }
}

void Chain::on_chunk(Chunk chunk, Time now, Output& out) {
  if (ended_) return;
  if (transport_ == Transport::stream && chunk.bytes.empty()) return;
  announce(now, out);
  chunk.release = std::max(chunk.release, now);
  current_.clear();
  current_.chunks.push_back(std::move(chunk));
  run(now, out);
}

void Chain::on_end(End end, Time now, Output& out) {
  if (ended_) return;
  announce(now, out);
  end.at = std::max(end.at, now);
  current_.clear();
  current_.end = end;
  run(now, out);
}

void Chain::run(Time now, Output& out) {
  for (auto& link : links_) {
    next_.clear();
    for (auto& chunk : current_.chunks) {
      if (next_.end) break;  // the stage ended the stream: the rest goes nowhere
      link.stage->on_chunk(std::move(chunk), now, next_);
    }
    if (current_.end && !next_.end) link.stage->on_end(*current_.end, now, next_);
    out.events.insert(out.events.end(), std::make_move_iterator(next_.events.begin()),
                      std::make_move_iterator(next_.events.end()));
    next_.events.clear();
    std::swap(current_, next_);
  }
  out.chunks.insert(out.chunks.end(), std::make_move_iterator(current_.chunks.begin()),
                    std::make_move_iterator(current_.chunks.end()));
  if (current_.end) {
    out.end = current_.end;
    ended_ = true;
  }
  current_.clear();
}

}  // namespace faultline::fault
