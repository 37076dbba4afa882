#include "harness/fault/bandwidth.h"

#include <algorithm>

#include "harness/fault/shared_link.h"

namespace faultline::fault {
namespace {

constexpr std::uint64_t kNanosPerSecond = 1'000'000'000;
constexpr std::uint64_t kMaxPiece = 64 * 1024;
// transmit works in blocks this big so bytes * 1e9 stays far from overflow.
constexpr std::uint64_t kTransmitBlock = 1024 * 1024;

}  // namespace

std::uint64_t BandwidthSettings::piece_size() const {
  return std::clamp<std::uint64_t>(bytes_per_second / 100, 1, kMaxPiece);
}

net::Result<BandwidthSettings> BandwidthSettings::parse(ParamReader& params) {
  BandwidthSettings s;
  s.bytes_per_second = params.required_rate("rate");
  s.scope = params.choice("scope", {"connection", "proxy"}, "connection") == "proxy"
                ? BandwidthScope::proxy
                : BandwidthScope::connection;
  return params.finish(s);
}

void BandwidthSettings::print(ParamWriter& out) const {
  out.rate("rate", bytes_per_second);
  if (scope == BandwidthScope::proxy) out.word("scope", "proxy");
}

std::unique_ptr<Stage> BandwidthSettings::make_stage(StageContext context) const {
  if (scope == BandwidthScope::proxy) return std::make_unique<SharedLinkStage>();
  return std::make_unique<BandwidthStage>(*this, std::move(context));
}

BandwidthStage::BandwidthStage(const BandwidthSettings& settings, StageContext context)
    : settings_(settings), context_(std::move(context)) {}

void BandwidthStage::start(Time entry) {
  if (entry > link_free_) {
    // The link was idle: the fractional nanosecond owed from before is moot.
    link_free_ = entry;
    carry_ = 0;
  }
}

Time BandwidthStage::transmit(std::uint64_t bytes) {
  const std::uint64_t rate = settings_.bytes_per_second;
  while (bytes > 0) {
    std::uint64_t block = std::min(bytes, kTransmitBlock);
    bytes -= block;
    std::uint64_t scaled = block * kNanosPerSecond + carry_;
    carry_ = scaled % rate;
    link_free_ = later(link_free_, Time(static_cast<std::int64_t>(scaled / rate)));
  }
  return link_free_;
}

void BandwidthStage::on_chunk(Chunk chunk, Time now, Output& out) {
  if (held(chunk)) {
    out.chunks.push_back(std::move(chunk));  // it never uses the link
    return;
  }
  start(std::max(now, chunk.release));
  if (context_.datagrams() || chunk.bytes.size() <= settings_.piece_size()) {
    chunk.release = transmit(chunk.bytes.size());
    out.chunks.push_back(std::move(chunk));
    return;
  }
  const std::size_t piece = settings_.piece_size();
  for (std::size_t offset = 0; offset < chunk.bytes.size(); offset += piece) {
    std::string bytes = chunk.bytes.substr(offset, piece);
    Time release = transmit(bytes.size());
    out.chunks.push_back(Chunk{std::move(bytes), release});
  }
}

void BandwidthStage::on_end(End end, Time now, Output& out) {
  end.at = std::max({now, end.at, link_free_});
  out.end = end;
}

}  // namespace faultline::fault
