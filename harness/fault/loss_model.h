// harness/fault/loss_model.h: how the drop fault decides which datagrams are
// lost: independently, with correlation between successive decisions, or in
// bursts (the Gilbert-Elliott model, with netem's parameters).
//
//   drop rate=10%                          independent: each datagram lost with 10%
//   drop rate=10% correlation=50%          a Markov chain: mean loss 10%, lag-1 correlation 0.5
//   drop model=gilbert p=1% r=25%          bursts: good -> bad 1%, bad -> good 25%
//   drop model=gilbert p=1% r=25% h=10% k=99.9%
//
// Every model is a two-state Markov chain (good, bad) with a loss chance per
// state; a decision uses the current state, then the state moves on:
//
//              p (good -> bad)
//   [ good ] ------------------> [ bad ]
//   loss 1-k <------------------ loss 1-h
//              r (bad -> good)
//
//  - gilbert: netem's `loss gemodel p r 1-h 1-k`. h is the chance a datagram
//    gets through in the bad state (default 0%: every one is lost), k the
//    chance in the good state (default 100%: none is lost), r defaults to
//    100% - p, as in iproute2. The chain starts good. Stationary loss:
//    (p (1-h) + r (1-k)) / (p + r); with h=0, k=100% a loss burst lasts 1/r
//    datagrams on average.
//  - correlated (rate=L correlation=C): the state is the last decision
//    (bad = lost), with P(lost | lost) = L + C (1-L) and P(lost | kept) =
//    L (1-C). The mean loss is exactly L and the correlation between
//    successive decisions exactly C. netem's own `loss random L C` mixes a
//    fresh uniform draw with the previous one, which neither keeps the mean
//    nor gives the correlation asked for; this chain does both.
//  - random (rate=L alone): independent decisions (one chance() each, as
//    before, so existing seeds drop the same datagrams).
#pragma once

#include <optional>

#include "harness/fault/probability.h"
#include "harness/fault/rng.h"

namespace faultline::fault {

// LossModelKind: which model a drop clause uses.
enum class LossModelKind { random, gilbert };

// LossSettings: a drop clause's validated loss model.
struct LossSettings {
  LossModelKind model = LossModelKind::random;
  Probability rate{};                      // random: the mean loss
  std::optional<Probability> correlation{};  // random: between successive decisions (< 100%)
  Probability p{};                         // gilbert: good -> bad
  Probability r = Probability::always();   // gilbert: bad -> good
  Probability h = Probability::never();    // gilbert: gets through in the bad state
  Probability k = Probability::always();   // gilbert: gets through in the good state

  // stationary_loss: the long-run share of datagrams lost.
  double stationary_loss() const;
  friend bool operator==(const LossSettings&, const LossSettings&) = default;
};

// LossChain: one flow direction's loss decisions under a LossSettings.
class LossChain {
 public:
  // The generator is the caller's (a stage's own); the first correlated
  // decision draws the starting state from the stationary distribution.
  explicit LossChain(const LossSettings& settings);
  // lose: whether the next datagram is lost.
  bool lose(Rng& rng);

 private:
  const LossSettings& settings_;
  bool started_ = false;
  bool bad_ = false;
};

}  // namespace faultline::fault
