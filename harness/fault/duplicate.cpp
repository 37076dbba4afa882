#include "harness/fault/duplicate.h"

#include <algorithm>

namespace faultline::fault {

net::Result<DuplicateSettings> DuplicateSettings::parse(ParamReader& params) {
  DuplicateSettings s;
  s.rate = params.required_percent("rate");
  return params.finish(s);
}

void DuplicateSettings::print(ParamWriter& out) const {
  out.percent("rate", rate);
}

std::unique_ptr<Stage> DuplicateSettings::make_stage(StageContext context) const {
  return std::make_unique<DuplicateStage>(*this, std::move(context));
}

DuplicateStage::DuplicateStage(const DuplicateSettings& settings, StageContext context)
    : settings_(settings), context_(std::move(context)) {}

void DuplicateStage::on_chunk(Chunk chunk, Time now, Output& out) {
  chunk.release = std::max(now, chunk.release);
  const bool twice = context_.rng.chance(settings_.rate);
  if (twice) {
    context_.fire(out, "duplicate", chunk.release, chunk.bytes.size());
    out.chunks.push_back(chunk);
  }
  out.chunks.push_back(std::move(chunk));
}

void DuplicateStage::on_end(End end, Time now, Output& out) {
  end.at = std::max(now, end.at);
  out.end = end;
}

}  // namespace faultline::fault
