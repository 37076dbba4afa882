#include "harness/fault/reset.h"

namespace faultline::fault {

net::Result<ResetSettings> ResetSettings::parse(ParamReader& params) {
  ResetSettings s;
  s.after = params.size("after", 0);
  return params.finish(s);
}

void ResetSettings::print(ParamWriter& out) const {
  if (after != 0) out.size("after", after);
}

std::unique_ptr<Stage> ResetSettings::make_stage(StageContext context) const {
  return std::make_unique<ResetStage>(*this, std::move(context));
}

ResetStage::ResetStage(const ResetSettings& settings, StageContext context)
    : context_(std::move(context)), budget_(settings.after) {}

void ResetStage::fire(Time at, Output& out) {
  ended_ = true;
  out.end = End{EndKind::reset, at};
  context_.fire(out, "reset", at, budget_.passed());
}

void ResetStage::on_chunk(Chunk chunk, Time now, Output& out) {
  if (ended_) return;
  if (budget_.pass_held(chunk, out)) return;
  if (held(chunk)) {
    fire(std::max(now, last_release_), out);  // after=0B: the first event
    return;
  }
  const Time entry = std::max(now, chunk.release);
  budget_.pass(std::move(chunk), out);  // bytes beyond the budget are dropped
  last_release_ = std::max(last_release_, entry);
  if (budget_.reached()) fire(last_release_, out);
}

void ResetStage::on_end(End end, Time now, Output& out) {
  if (ended_) return;
  const Time at = std::max({now, end.at, last_release_});
  if (budget_.reached()) {
    fire(at, out);  // after=0 and the stream ends before any byte: reset instead
    return;
  }
  ended_ = true;
  end.at = at;
  out.end = end;
}

}  // namespace faultline::fault
