#include "harness/fault/drop.h"

#include <algorithm>

namespace faultline::fault {
namespace {

void parse_gilbert(ParamReader& params, LossSettings& loss) {
  for (std::string_view key : {"rate", "correlation"}) {
    if (params.has(key)) {
      params.fail(key, "rate= and correlation= belong to the random model; model=gilbert takes "
                       "p, r, h, k (e.g. drop model=gilbert p=1% r=25%)");
    }
  }
  if (!params.has("p")) {
    params.fail("model",
                "model=gilbert needs p=, the chance of going from the good state to the bad "
                "one (e.g. p=1%)");
  }
  loss.p = params.percent("p", Probability::never());
  loss.r = params.percent(
      "r", Probability::from_parts_per_million(Probability::kOne - loss.p.parts_per_million()));
  loss.h = params.percent("h", Probability::never());
  loss.k = params.percent("k", Probability::always());
}

void parse_random(ParamReader& params, LossSettings& loss) {
  for (std::string_view key : {"r", "h", "k"}) {
    if (params.has(key)) {
      params.fail(key, std::string(key) +
                           "= belongs to the Gilbert-Elliott model: add model=gilbert (e.g. "
                           "drop model=gilbert p=1% r=25%)");
    }
  }
  loss.rate = params.required_percent("rate");
  if (params.has("correlation")) {
    loss.correlation = params.percent("correlation", Probability::never());
    if (loss.correlation->is_never()) loss.correlation.reset();  // 0%: independent, the default
    if (params.ok() && loss.correlation && loss.correlation->is_always()) {
      params.fail("correlation",
                  "correlation must be below 100% (at 100% the first decision would repeat "
                  "forever)");
    }
  }
}

}  // namespace

net::Result<DropSettings> DropSettings::parse(ParamReader& params) {
  DropSettings s;
  const std::string_view model = params.choice("model", {"random", "gilbert"}, "random");
  if (!params.ok()) return params.finish(s);
  if (model == "gilbert") {
    s.loss.model = LossModelKind::gilbert;
    parse_gilbert(params, s.loss);
  } else {
    parse_random(params, s.loss);
  }
  return params.finish(s);
}

void DropSettings::print(ParamWriter& out) const {
  if (loss.model == LossModelKind::random) {
    out.percent("rate", loss.rate);
    if (loss.correlation) out.percent("correlation", *loss.correlation);
    return;
  }
  out.word("model", "gilbert");
  out.percent("p", loss.p);
  if (loss.r.parts_per_million() != Probability::kOne - loss.p.parts_per_million()) {
    out.percent("r", loss.r);
  }
  if (!loss.h.is_never()) out.percent("h", loss.h);
  if (!loss.k.is_always()) out.percent("k", loss.k);
}

std::unique_ptr<Stage> DropSettings::make_stage(StageContext context) const {
  return std::make_unique<DropStage>(*this, std::move(context));
}

DropStage::DropStage(const DropSettings& settings, StageContext context)
    : settings_(settings), context_(std::move(context)), loss_(settings_.loss) {}

void DropStage::on_chunk(Chunk chunk, Time now, Output& out) {
  if (loss_.lose(context_.rng)) {
    context_.fire(out, "drop", std::max(now, chunk.release), chunk.bytes.size());
    return;
  }
  out.chunks.push_back(std::move(chunk));
}

void DropStage::on_end(End end, Time now, Output& out) {
  end.at = std::max(now, end.at);
  out.end = end;
}

}  // namespace faultline::fault
