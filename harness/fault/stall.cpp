#include "harness/fault/stall.h"

namespace faultline::fault {

net::Result<StallSettings> StallSettings::parse(ParamReader& params) {
  StallSettings s;
  s.after = params.size("after", 0);
  s.close_after = params.duration("close_after");
  s.reset_after = params.duration("reset_after");
  if (s.close_after && s.reset_after) {
    params.fail("reset_after", "give close_after or reset_after, not both");
  }
  return params.finish(s);
}

void StallSettings::print(ParamWriter& out) const {
  if (after != 0) out.size("after", after);
  if (close_after) out.duration("close_after", *close_after);
  if (reset_after) out.duration("reset_after", *reset_after);
}

std::unique_ptr<Stage> StallSettings::make_stage(StageContext context) const {
  return std::make_unique<StallStage>(*this, std::move(context));
}

StallStage::StallStage(const StallSettings& settings, StageContext context)
    : settings_(settings), context_(std::move(context)), budget_(settings.after) {}

void StallStage::begin(Time at, Output& out) {
  stalled_ = true;
  context_.fire(out, "stall", at, budget_.passed());
  if (settings_.close_after) {
    ended_ = true;
    out.end = End{EndKind::close, later(at, *settings_.close_after), /*whole_connection=*/true};
    context_.fire(out, "close", out.end->at);
  } else if (settings_.reset_after) {
    ended_ = true;
    out.end = End{EndKind::reset, later(at, *settings_.reset_after)};
    context_.fire(out, "reset", out.end->at);
  }
}

void StallStage::on_chunk(Chunk chunk, Time now, Output& out) {
  if (ended_) return;
  last_release_ = last_delivered(std::max(last_release_, now), chunk.release);
  if (budget_.pass_held(chunk, out)) return;
  if (stalled_) {
    chunk.release = kNever;
    out.chunks.push_back(std::move(chunk));
    return;
  }
  std::string rest = budget_.pass(std::move(chunk), out);
  if (!budget_.reached()) return;
  // Held bytes go out before a timed end, so the transport sees them die with it.
  if (!rest.empty()) out.chunks.push_back(Chunk{std::move(rest), kNever});
  begin(last_release_, out);
}

void StallStage::on_end(End end, Time now, Output& out) {
  if (ended_) return;
  const Time at = std::max({now, end.at, last_release_});
  if (!stalled_ && !budget_.reached()) {
    ended_ = true;  // the stream ended before the stall point: nothing to hold
    end.at = at;
    out.end = end;
    return;
  }
  if (!stalled_) begin(at, out);
  if (ended_) return;
  // A blackhole swallows the FIN (or RST) too: the stream never ends.
  ended_ = true;
  end.at = kNever;
  out.end = end;
}

}  // namespace faultline::fault
