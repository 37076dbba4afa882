#include "harness/fault/limit_data.h"

namespace faultline::fault {

net::Result<LimitDataSettings> LimitDataSettings::parse(ParamReader& params) {
  LimitDataSettings s;
  s.after = params.required_size("after");
  return params.finish(s);
}

void LimitDataSettings::print(ParamWriter& out) const {
  out.size("after", after);
}

std::unique_ptr<Stage> LimitDataSettings::make_stage(StageContext context) const {
  return std::make_unique<LimitDataStage>(*this, std::move(context));
}

LimitDataStage::LimitDataStage(const LimitDataSettings& settings, StageContext context)
    : context_(std::move(context)), budget_(settings.after) {}

void LimitDataStage::on_chunk(Chunk chunk, Time now, Output& out) {
  if (ended_) return;
  if (budget_.pass_held(chunk, out)) return;
  last_release_ = last_delivered(std::max(last_release_, now), chunk.release);
  budget_.pass(std::move(chunk), out);
  if (budget_.reached()) {
    ended_ = true;
    out.end = End{EndKind::close, last_release_, /*whole_connection=*/true};
    context_.fire(out, "limit_data", last_release_, budget_.passed());
  }
}

void LimitDataStage::on_end(End end, Time now, Output& out) {
  if (ended_) return;
  ended_ = true;
  end.at = std::max({now, end.at, last_release_});
  if (budget_.reached() && end.kind == EndKind::close) {
    end.whole_connection = true;  // after=0: the limit is hit at the end itself
    context_.fire(out, "limit_data", end.at, 0);
  }
  out.end = end;
}

}  // namespace faultline::fault
