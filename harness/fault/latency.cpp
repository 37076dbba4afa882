#include "harness/fault/latency.h"

#include <algorithm>

namespace faultline::fault {

net::Result<LatencySettings> LatencySettings::parse(ParamReader& params) {
  LatencySettings s;
  s.delay = params.required_duration("delay");
  s.jitter = params.duration("jitter", Time{0});
  if (params.ok() && s.jitter > s.delay) {
    params.fail("jitter", "jitter must not exceed delay (a chunk cannot leave before it arrives)");
  }
  return params.finish(s);
}

void LatencySettings::print(ParamWriter& out) const {
  out.duration("delay", delay);
  if (jitter != Time{0}) out.duration("jitter", jitter);
}

std::unique_ptr<Stage> LatencySettings::make_stage(StageContext context) const {
  return std::make_unique<LatencyStage>(*this, std::move(context));
}

LatencyStage::LatencyStage(const LatencySettings& settings, StageContext context)
    : settings_(settings), context_(std::move(context)) {}

Time LatencyStage::delayed(Time entry) {
  Time delay = settings_.delay;
  if (settings_.jitter > Time{0}) {
    // Uniform in [delay - jitter, delay + jitter]; never negative since jitter <= delay.
    auto span = static_cast<std::uint64_t>(settings_.jitter.count()) * 2;
    delay += Time(static_cast<std::int64_t>(context_.rng.between(0, span))) - settings_.jitter;
  }
  return later(entry, delay);
}

void LatencyStage::on_chunk(Chunk chunk, Time now, Output& out) {
  Time release = delayed(std::max(now, chunk.release));
  if (!context_.datagrams()) release = std::max(release, last_release_);
  last_release_ = last_delivered(last_release_, release);
  chunk.release = release;
  out.chunks.push_back(std::move(chunk));
}

void LatencyStage::on_end(End end, Time now, Output& out) {
  // A FIN or RST is a packet too: it is delayed like the bytes, and never
  // overtakes them.
  end.at = std::max(delayed(std::max(now, end.at)), last_release_);
  out.end = end;
}

}  // namespace faultline::fault
