#include "harness/fault/drop.h"

#include <algorithm>

namespace faultline::fault {

net::Result<DropSettings> DropSettings::parse(ParamReader& params) {
  DropSettings s;
  s.rate = params.required_percent("rate");
  return params.finish(s);
}

void DropSettings::print(ParamWriter& out) const {
  out.percent("rate", rate);
}

std::unique_ptr<Stage> DropSettings::make_stage(StageContext context) const {
  return std::make_unique<DropStage>(*this, std::move(context));
}

DropStage::DropStage(const DropSettings& settings, StageContext context)
    : settings_(settings), context_(std::move(context)) {}

void DropStage::on_chunk(Chunk chunk, Time now, Output& out) {
  if (context_.rng.chance(settings_.rate)) {
    context_.fire(out, "drop", std::max(now, chunk.release), chunk.bytes.size());
    return;
  }
  out.chunks.push_back(std::move(chunk));
}

void DropStage::on_end(End end, Time now, Output& out) {
  end.at = std::max(now, end.at);
  out.end = end;
}

}  // namespace faultline::fault
