#include "harness/fault/corrupt.h"

#include <algorithm>

namespace faultline::fault {

net::Result<CorruptSettings> CorruptSettings::parse(ParamReader& params) {
  CorruptSettings s;
  s.rate = params.required_percent("rate");
  s.per = params.choice("per", {"byte", "chunk"}, "byte") == "chunk" ? Per::chunk : Per::byte;
  return params.finish(s);
}

void CorruptSettings::print(ParamWriter& out) const {
  out.percent("rate", rate);
  if (per == Per::chunk) out.word("per", "chunk");
}

std::unique_ptr<Stage> CorruptSettings::make_stage(StageContext context) const {
  return std::make_unique<CorruptStage>(*this, std::move(context));
}

CorruptStage::CorruptStage(const CorruptSettings& settings, StageContext context)
    : settings_(settings), context_(std::move(context)) {}

void CorruptStage::flip(Chunk& chunk, std::size_t index, Output& out) {
  const auto bit = static_cast<unsigned>(context_.rng.below(8));
  chunk.bytes[index] =
      static_cast<char>(static_cast<unsigned char>(chunk.bytes[index]) ^ (1u << bit));
  const std::uint64_t where = context_.datagrams() ? index : offset_ + index;
  context_.fire(out, "bit_flip", chunk.release, where);
}

void CorruptStage::on_chunk(Chunk chunk, Time now, Output& out) {
  chunk.release = std::max(now, chunk.release);
  if (!chunk.bytes.empty()) {
    if (settings_.per == CorruptSettings::Per::chunk) {
      if (context_.rng.chance(settings_.rate)) {
        flip(chunk, static_cast<std::size_t>(context_.rng.below(chunk.bytes.size())), out);
      }
    } else if (!settings_.rate.is_never()) {
      // One draw per byte: simple and exact. At proxy speeds this costs a few
      // ns per byte, only on connections the fault applies to.
      for (std::size_t i = 0; i < chunk.bytes.size(); ++i) {
        if (context_.rng.chance(settings_.rate)) flip(chunk, i, out);
      }
    }
  }
  offset_ += chunk.bytes.size();
  last_release_ = last_delivered(last_release_, chunk.release);
  out.chunks.push_back(std::move(chunk));
}

void CorruptStage::on_end(End end, Time now, Output& out) {
  end.at = std::max({now, end.at, last_release_});
  out.end = end;
}

}  // namespace faultline::fault
