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
  const std::string_view distribution = params.choice(
      "distribution", {"uniform", "normal", "pareto", "paretonormal"}, "uniform");
  s.distribution = distribution_from_name(distribution).value_or(DelayDistribution::uniform);
  if (params.ok() && s.distribution != DelayDistribution::uniform && s.jitter == Time{0}) {
    params.fail("distribution", "distribution=" + std::string(distribution) +
                                    " shapes the jitter: give jitter= too (e.g. jitter=20ms)");
  }
  return params.finish(s);
}

void LatencySettings::print(ParamWriter& out) const {
  out.duration("delay", delay);
  if (jitter != Time{0}) out.duration("jitter", jitter);
  if (distribution != DelayDistribution::uniform) {
    out.word("distribution", distribution_name(distribution));
  }
}

std::unique_ptr<Stage> LatencySettings::make_stage(StageContext context) const {
  return std::make_unique<LatencyStage>(*this, std::move(context));
}

LatencyStage::LatencyStage(const LatencySettings& settings, StageContext context)
    : settings_(settings), context_(std::move(context)) {}

Time LatencyStage::delayed(Time entry) {
  return later(entry, draw_delay(settings_.distribution, settings_.delay, settings_.jitter,
                                 context_.rng));
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
