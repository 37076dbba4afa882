#include "harness/fault/reorder.h"

#include <algorithm>

namespace faultline::fault {

net::Result<ReorderSettings> ReorderSettings::parse(ParamReader& params) {
  ReorderSettings s;
  s.rate = params.required_percent("rate");
  s.delay = params.duration("delay");
  if (params.ok() && s.delay && *s.delay <= Time{0}) {
    params.fail("delay", "must be positive (leave it out to swap neighbours)");
  }
  return params.finish(s);
}

void ReorderSettings::print(ParamWriter& out) const {
  out.percent("rate", rate);
  if (delay) out.duration("delay", *delay);
}

std::unique_ptr<Stage> ReorderSettings::make_stage(StageContext context) const {
  return std::make_unique<ReorderStage>(*this, std::move(context));
}

ReorderStage::ReorderStage(const ReorderSettings& settings, StageContext context)
    : settings_(settings), context_(std::move(context)) {}

void ReorderStage::on_chunk(Chunk chunk, Time now, Output& out) {
  chunk.release = std::max(now, chunk.release);
  if (held_) {
    // Swap mode: the held datagram goes right behind this one.
    Chunk held = std::move(*held_);
    held_.reset();
    held.release = std::max(held.release, chunk.release);
    last_release_ = last_delivered(last_release_, held.release);
    out.chunks.push_back(std::move(chunk));
    out.chunks.push_back(std::move(held));
    return;
  }
  if (context_.rng.chance(settings_.rate)) {
    if (settings_.delay) {
      chunk.release = later(chunk.release, *settings_.delay);
      context_.fire(out, "reorder", chunk.release, chunk.bytes.size());
    } else {
      context_.fire(out, "reorder", chunk.release, chunk.bytes.size());
      held_ = std::move(chunk);
      return;
    }
  }
  last_release_ = last_delivered(last_release_, chunk.release);
  out.chunks.push_back(std::move(chunk));
}

void ReorderStage::on_end(End end, Time now, Output& out) {
  end.at = std::max({now, end.at, last_release_});
  if (held_) {
    held_->release = std::max(held_->release, end.at);
    end.at = held_->release;
    out.chunks.push_back(std::move(*held_));
    held_.reset();
  }
  out.end = end;
}

}  // namespace faultline::fault
