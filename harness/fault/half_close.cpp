#include "harness/fault/half_close.h"

namespace faultline::fault {

net::Result<HalfCloseSettings> HalfCloseSettings::parse(ParamReader& params) {
  HalfCloseSettings s;
  s.after = params.size("after", 0);
  return params.finish(s);
}

void HalfCloseSettings::print(ParamWriter& out) const {
  if (after != 0) out.size("after", after);
}

std::unique_ptr<Stage> HalfCloseSettings::make_stage(StageContext context) const {
  return std::make_unique<HalfCloseStage>(*this, std::move(context));
}

HalfCloseStage::HalfCloseStage(const HalfCloseSettings& settings, StageContext context)
    : context_(std::move(context)), budget_(settings.after) {}

void HalfCloseStage::on_chunk(Chunk chunk, Time now, Output& out) {
  if (ended_) return;
  if (budget_.pass_held(chunk, out)) return;
  last_release_ = last_delivered(std::max(last_release_, now), chunk.release);
  budget_.pass(std::move(chunk), out);
  if (budget_.reached()) {
    ended_ = true;
    out.end = End{EndKind::close, last_release_, /*whole_connection=*/false};
    context_.fire(out, "half_close", last_release_, budget_.passed());
  }
}

void HalfCloseStage::on_end(End end, Time now, Output& out) {
  if (ended_) return;
  ended_ = true;
  end.at = std::max({now, end.at, last_release_});
  out.end = end;  // the stream ended first: its own end passes as it is
}

}  // namespace faultline::fault
