#include "harness/fault/retransmit.h"

#include <algorithm>

#include "targets/net/duration.h"

namespace faultline::fault {

net::Result<RetransmitSettings> RetransmitSettings::parse(ParamReader& params) {
  RetransmitSettings s;
  s.rate = params.required_percent("rate");
  s.rto = params.duration("rto", kDefaultRto);
  s.max = params.duration("max", kDefaultMax);
  if (!params.ok()) return params.finish(s);
  if (s.rto <= Time{0}) params.fail("rto", "the retransmission timeout must be positive");
  if (s.max < s.rto) {
    params.fail(params.has("max") ? "max" : "rto",
                "max=" + net::format_duration(s.max) +
                    " is shorter than rto=" + net::format_duration(s.rto));
  }
  return params.finish(s);
}

void RetransmitSettings::print(ParamWriter& out) const {
  out.percent("rate", rate);
  if (rto != kDefaultRto) out.duration("rto", rto);
  if (max != kDefaultMax) out.duration("max", max);
}

std::unique_ptr<Stage> RetransmitSettings::make_stage(StageContext context) const {
  return std::make_unique<RetransmitStage>(*this, std::move(context));
}

RetransmitStage::RetransmitStage(const RetransmitSettings& settings, StageContext context)
    : settings_(settings), context_(std::move(context)), backoff_(settings.rto) {}

void RetransmitStage::on_chunk(Chunk chunk, Time now, Output& out) {
  // Head-of-line blocking: nothing overtakes a chunk waiting for its retransmission.
  Time release = std::max({now, chunk.release, last_release_});
  if (context_.rng.chance(settings_.rate)) {
    release = later(release, backoff_);
    context_.fire(out, "retransmit", release, static_cast<std::uint64_t>(backoff_.count()));
    backoff_ = std::min(backoff_ * 2, settings_.max);
  } else {
    backoff_ = settings_.rto;
  }
  last_release_ = last_delivered(last_release_, release);
  chunk.release = release;
  out.chunks.push_back(std::move(chunk));
}

void RetransmitStage::on_end(End end, Time now, Output& out) {
  end.at = std::max({now, end.at, last_release_});
  out.end = end;
}

}  // namespace faultline::fault
