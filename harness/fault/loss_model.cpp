#include "harness/fault/loss_model.h"

namespace faultline::fault {

double LossSettings::stationary_loss() const {
  if (model == LossModelKind::random) return rate.as_double();
  const double to_bad = p.as_double();
  const double to_good = r.as_double();
  if (to_bad + to_good == 0) return 1 - k.as_double();  // stays good forever
  return (to_bad * (1 - h.as_double()) + to_good * (1 - k.as_double())) / (to_bad + to_good);
}

LossChain::LossChain(const LossSettings& settings) : settings_(settings) {}

bool LossChain::lose(Rng& rng) {
  const LossSettings& s = settings_;
  if (s.model == LossModelKind::random && !s.correlation) return rng.chance(s.rate);
  if (s.model == LossModelKind::random) {
    const double mean = s.rate.as_double();
    const double c = s.correlation->as_double();
    // The state is the previous decision; the first one is drawn at the mean.
    const double chance = !started_ ? mean : bad_ ? mean + c * (1 - mean) : mean * (1 - c);
    started_ = true;
    bad_ = rng.bernoulli(chance);
    return bad_;
  }
  // Gilbert-Elliott: decide with the current state, then move on (as netem does).
  const bool lost = !rng.chance(bad_ ? s.h : s.k);
  bad_ = bad_ ? !rng.chance(s.r) : rng.chance(s.p);
  return lost;
}

}  // namespace faultline::fault
