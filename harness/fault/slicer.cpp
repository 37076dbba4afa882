#include "harness/fault/slicer.h"

#include <algorithm>

namespace faultline::fault {

net::Result<SlicerSettings> SlicerSettings::parse(ParamReader& params) {
  SlicerSettings s;
  s.min = params.size("min", 1);
  s.max = params.required_size("max");
  s.delay = params.duration("delay", Time{0});
  if (!params.ok()) return params.finish(s);
  if (s.min == 0) params.fail("min", "a piece must be at least 1B");
  if (s.max > kMaxPiece) params.fail("max", "at most " + format_size(kMaxPiece));
  if (s.min > s.max) {
    params.fail(params.has("min") ? "min" : "max",
                "min=" + format_size(s.min) + " is larger than max=" + format_size(s.max));
  }
  return params.finish(s);
}

void SlicerSettings::print(ParamWriter& out) const {
  if (min != 1) out.size("min", min);
  out.size("max", max);
  if (delay != Time{0}) out.duration("delay", delay);
}

std::unique_ptr<Stage> SlicerSettings::make_stage(StageContext context) const {
  return std::make_unique<SlicerStage>(*this, std::move(context));
}

SlicerStage::SlicerStage(const SlicerSettings& settings, StageContext context)
    : settings_(settings), context_(std::move(context)) {}

void SlicerStage::on_chunk(Chunk chunk, Time now, Output& out) {
  const Time entry = std::max(now, chunk.release);
  const std::size_t size = chunk.bytes.size();
  std::size_t offset = 0;
  while (offset < size) {
    auto piece = static_cast<std::size_t>(context_.rng.between(settings_.min, settings_.max));
    piece = std::min(piece, size - offset);
    // `delay` separates every two pieces, across chunk boundaries too, but a
    // chunk arriving after the link went quiet is not held back.
    Time release = emitted_ ? std::max(entry, later(last_release_, settings_.delay)) : entry;
    out.chunks.push_back(Chunk{chunk.bytes.substr(offset, piece), release});
    last_release_ = last_delivered(last_release_, release);
    emitted_ = true;
    offset += piece;
  }
}

void SlicerStage::on_end(End end, Time now, Output& out) {
  end.at = std::max({now, end.at, last_release_});
  out.end = end;
}

}  // namespace faultline::fault
