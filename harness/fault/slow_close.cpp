#include "harness/fault/slow_close.h"

#include <algorithm>

namespace faultline::fault {

net::Result<SlowCloseSettings> SlowCloseSettings::parse(ParamReader& params) {
  SlowCloseSettings s;
  s.delay = params.required_duration("delay");
  return params.finish(s);
}

void SlowCloseSettings::print(ParamWriter& out) const {
  out.duration("delay", delay);
}

std::unique_ptr<Stage> SlowCloseSettings::make_stage(StageContext context) const {
  return std::make_unique<SlowCloseStage>(*this, std::move(context));
}

SlowCloseStage::SlowCloseStage(const SlowCloseSettings& settings, StageContext context)
    : settings_(settings), context_(std::move(context)) {}

void SlowCloseStage::on_chunk(Chunk chunk, Time now, Output& out) {
  last_release_ = last_delivered(std::max(last_release_, now), chunk.release);
  out.chunks.push_back(std::move(chunk));
}

void SlowCloseStage::on_end(End end, Time now, Output& out) {
  end.at = std::max({now, end.at, last_release_});
  if (end.kind == EndKind::close) {
    end.at = later(end.at, settings_.delay);
    context_.fire(out, "slow_close", end.at);
  }
  out.end = end;
}

}  // namespace faultline::fault
