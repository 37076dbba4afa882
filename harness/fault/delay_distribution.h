// harness/fault/delay_distribution.h: the shapes a latency fault's jitter can
// take, as netem names them, computed from the stage's seeded generator rather
// than read from netem's tables.
//
//   latency delay=100ms jitter=20ms                           uniform in [80ms, 120ms]
//   latency delay=100ms jitter=20ms distribution=normal       mean 100ms, stddev 20ms
//   latency delay=100ms jitter=20ms distribution=pareto       mean 100ms, heavy right tail
//   latency delay=100ms jitter=20ms distribution=paretonormal
//
// Each draw is delay + jitter * X, where X is:
//  - uniform: uniform in [-1, 1] (the default, and Toxiproxy's behaviour:
//    the same integer draw as before, so existing seeds give the same delays);
//  - normal: a standard normal deviate (mean 0, stddev 1);
//  - pareto: netem's pareto table, a Pareto variable with shape 3 and scale 1
//    (mean 1.5), shifted to mean 0 and scaled by 4/3: X = (V^(-1/3) - 1.5) * 4/3
//    for V uniform in (0, 1]; X >= -2/3, stddev 2/sqrt(3), P(X > x) =
//    (1.5 + 0.75 x)^-3;
//  - paretonormal: netem's paretonormal table: at one quantile u, a quarter of
//    the normal deviate plus three quarters of the pareto one:
//    X = 0.25 N^-1(u) + (1-u)^(-1/3) - 1.5.
// One uniform is drawn per delay, and the normal deviate comes from the
// inverse of the normal distribution function (Acklam's approximation,
// relative error below 1.2e-9), so a seed gives one sequence of delays. A draw
// below 0 is taken as 0 (a datagram cannot leave before it arrives), and one
// above kMaxDrawnDelay as kMaxDrawnDelay.
#pragma once

#include <optional>
#include <string_view>

#include "harness/fault/rng.h"
#include "harness/fault/stage.h"

namespace faultline::fault {

// DelayDistribution: the shape of a latency fault's jitter.
enum class DelayDistribution { uniform, normal, pareto, paretonormal };

// kMaxDrawnDelay: the longest delay one draw may give (48h), far from the
// arithmetic edges of Time.
inline constexpr Time kMaxDrawnDelay = std::chrono::hours(48);

std::string_view distribution_name(DelayDistribution distribution);
std::optional<DelayDistribution> distribution_from_name(std::string_view name);

// draw_delay: one delay from `distribution` around `delay` with spread `jitter`.
Time draw_delay(DelayDistribution distribution, Time delay, Time jitter, Rng& rng);

// The deviates behind draw_delay, for a uniform u in (0, 1); exposed for tests.
double standard_normal_quantile(double u);
double pareto_deviate(double u);
double paretonormal_deviate(double u);

}  // namespace faultline::fault
