#include "harness/fault/truncate.h"

#include <algorithm>

namespace faultline::fault {

net::Result<TruncateSettings> TruncateSettings::parse(ParamReader& params) {
  TruncateSettings s;
  s.rate = params.required_percent("rate");
  s.max = params.size("max");
  return params.finish(s);
}

void TruncateSettings::print(ParamWriter& out) const {
  out.percent("rate", rate);
  if (max) out.size("max", *max);
}

std::unique_ptr<Stage> TruncateSettings::make_stage(StageContext context) const {
  return std::make_unique<TruncateStage>(*this, std::move(context));
}

TruncateStage::TruncateStage(const TruncateSettings& settings, StageContext context)
    : settings_(settings), context_(std::move(context)) {}

void TruncateStage::on_chunk(Chunk chunk, Time now, Output& out) {
  chunk.release = std::max(now, chunk.release);
  // An empty datagram cannot get shorter; it draws nothing, so it does not
  // shift the choices made for the datagrams after it either.
  if (!chunk.bytes.empty() && context_.rng.chance(settings_.rate)) {
    std::uint64_t longest = chunk.bytes.size() - 1;
    if (settings_.max) longest = std::min(longest, *settings_.max);
    const auto length = static_cast<std::size_t>(context_.rng.between(0, longest));
    chunk.bytes.resize(length);
    context_.fire(out, "truncate", chunk.release, length);
  }
  out.chunks.push_back(std::move(chunk));
}

void TruncateStage::on_end(End end, Time now, Output& out) {
  end.at = std::max(now, end.at);
  out.end = end;
}

}  // namespace faultline::fault
