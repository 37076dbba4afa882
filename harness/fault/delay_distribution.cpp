#include "harness/fault/delay_distribution.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace faultline::fault {
namespace {

// open_uniform: a uniform double strictly inside (0, 1), so the quantile
// functions never see their infinite ends.
double open_uniform(Rng& rng) {
  return (static_cast<double>(rng.next() >> 11) + 0.5) * 0x1.0p-53;
}

}  // namespace

std::string_view distribution_name(DelayDistribution distribution) {
  switch (distribution) {
    case DelayDistribution::uniform:
      return "uniform";
    case DelayDistribution::normal:
      return "normal";
    case DelayDistribution::pareto:
      return "pareto";
    case DelayDistribution::paretonormal:
      return "paretonormal";
  }
  return "uniform";
}

std::optional<DelayDistribution> distribution_from_name(std::string_view name) {
  for (auto d : {DelayDistribution::uniform, DelayDistribution::normal, DelayDistribution::pareto,
                 DelayDistribution::paretonormal}) {
    if (distribution_name(d) == name) return d;
  }
  return std::nullopt;
}

double standard_normal_quantile(double u) {
  // Peter Acklam's rational approximation of the inverse normal distribution.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  auto tail = [&](double q) {
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  };
  if (u < kLow) return tail(std::sqrt(-2 * std::log(u)));
  if (u > 1 - kLow) return -tail(std::sqrt(-2 * std::log(1 - u)));
  const double q = u - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

double pareto_deviate(double u) {
  return (std::pow(1 - u, -1.0 / 3.0) - 1.5) * 4.0 / 3.0;
}

double paretonormal_deviate(double u) {
  return 0.25 * standard_normal_quantile(u) + std::pow(1 - u, -1.0 / 3.0) - 1.5;
}

Time draw_delay(DelayDistribution distribution, Time delay, Time jitter, Rng& rng) {
  if (jitter <= Time{0}) return delay;
  if (distribution == DelayDistribution::uniform) {
    // Uniform in [delay - jitter, delay + jitter], as an exact integer draw.
    const auto span = static_cast<std::uint64_t>(jitter.count()) * 2;
    const Time drawn = delay + Time(static_cast<std::int64_t>(rng.between(0, span))) - jitter;
    return std::clamp(drawn, Time{0}, kMaxDrawnDelay);
  }
  const double u = open_uniform(rng);
  const double x = distribution == DelayDistribution::normal   ? standard_normal_quantile(u)
                   : distribution == DelayDistribution::pareto ? pareto_deviate(u)
                                                               : paretonormal_deviate(u);
  const double nanos =
      static_cast<double>(delay.count()) + static_cast<double>(jitter.count()) * x;
  const double limit = static_cast<double>(kMaxDrawnDelay.count());
  if (!(nanos > 0)) return Time{0};
  if (nanos >= limit) return kMaxDrawnDelay;
  return Time(static_cast<std::int64_t>(std::llround(nanos)));
}

}  // namespace faultline::fault
