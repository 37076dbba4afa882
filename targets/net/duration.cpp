#include "targets/net/duration.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace faultline::net {
namespace {

struct NumberAndUnit {
  double value = 0;
  std::string_view unit;
};

Result<NumberAndUnit> split_number(std::string_view text, std::string_view what) {
  std::string quoted = std::string(what) + " '" + std::string(text) + "'";
  if (text.empty()) return make_error(ErrorKind::invalid_argument, "empty " + std::string(what));
  std::size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.'))
    ++i;
  if (i == 0) {
    return make_error(ErrorKind::invalid_argument, quoted + ": expected a non-negative number");
  }
  NumberAndUnit out;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + i, out.value);
  if (ec != std::errc() || ptr != text.data() + i || !std::isfinite(out.value)) {
    return make_error(ErrorKind::invalid_argument, quoted + ": bad number");
  }
  out.unit = text.substr(i);
  return out;
}

}  // namespace

Result<Duration> parse_duration(std::string_view text) {
  auto parts = split_number(text, "duration");
  if (!parts) return tl::unexpected(parts.error());
  double ns_per_unit = 0;
  std::string_view unit = parts->unit;
  if (unit == "ns")
    ns_per_unit = 1;
  else if (unit == "us")
    ns_per_unit = 1e3;
  else if (unit == "ms")
    ns_per_unit = 1e6;
  else if (unit == "s")
    ns_per_unit = 1e9;
  else if (unit == "m" || unit == "min")
    ns_per_unit = 60e9;
  else if (unit == "h")
    ns_per_unit = 3600e9;
  else if (unit.empty() && parts->value == 0)
    ns_per_unit = 1;
  else {
    return make_error(ErrorKind::invalid_argument,
                      "duration '" + std::string(text) + "': " +
                          (unit.empty() ? std::string("missing unit")
                                        : "unknown unit '" + std::string(unit) + "'") +
                          " (use ns, us, ms, s, m, h)");
  }
  double ns = parts->value * ns_per_unit;
  if (ns > 1e18) {
    return make_error(ErrorKind::invalid_argument,
                      "duration '" + std::string(text) + "': too large");
  }
  return Duration(static_cast<std::int64_t>(std::llround(ns)));
}

Result<std::uint64_t> parse_size(std::string_view text) {
  auto parts = split_number(text, "size");
  if (!parts) return tl::unexpected(parts.error());
  std::string_view unit = parts->unit;
  double multiplier = 0;
  if (unit.empty() || unit == "B")
    multiplier = 1;
  else if (unit == "KB")
    multiplier = 1e3;
  else if (unit == "MB")
    multiplier = 1e6;
  else if (unit == "GB")
    multiplier = 1e9;
  else if (unit == "KiB" || unit == "k" || unit == "K")
    multiplier = 1024.0;
  else if (unit == "MiB" || unit == "m" || unit == "M")
    multiplier = 1024.0 * 1024;
  else if (unit == "GiB" || unit == "g" || unit == "G")
    multiplier = 1024.0 * 1024 * 1024;
  else if (unit == "TB")
    multiplier = 1e12;
  else if (unit == "PB")
    multiplier = 1e15;
  else if (unit == "TiB")
    multiplier = 1024.0 * 1024 * 1024 * 1024;
  else if (unit == "PiB")
    multiplier = 1024.0 * 1024 * 1024 * 1024 * 1024;
  else {
    return make_error(ErrorKind::invalid_argument,
                      "size '" + std::string(text) + "': unknown unit '" + std::string(unit) +
                          "' (use B, KiB, MiB, GiB, TiB, PiB, KB, MB, GB, TB, PB)");
  }
  double bytes = parts->value * multiplier;
  if (bytes > 9e18) {
    return make_error(ErrorKind::invalid_argument, "size '" + std::string(text) + "': too large");
  }
  if (bytes != std::floor(bytes)) {
    return make_error(ErrorKind::invalid_argument,
                      "size '" + std::string(text) + "': not a whole number of bytes");
  }
  return static_cast<std::uint64_t>(bytes);
}

std::string format_duration(Duration d) {
  auto ns = d.count();
  struct Unit {
    std::int64_t ns;
    const char* name;
  };
  static constexpr Unit kUnits[] = {
      {3'600'000'000'000, "h"}, {60'000'000'000, "m"}, {1'000'000'000, "s"},
      {1'000'000, "ms"},        {1'000, "us"},         {1, "ns"}};
  if (ns == 0) return "0s";
  for (const auto& unit : kUnits) {
    if (ns % unit.ns == 0) return std::to_string(ns / unit.ns) + unit.name;
    // One decimal place when exact (1.5s), else fall through to a smaller unit.
    // (ns % unit) * 10 instead of ns * 10: no overflow near the 1e18 ns limit.
    if (ns >= unit.ns && unit.ns >= 10 && ((ns % unit.ns) * 10) % unit.ns == 0) {
      auto tenths = (ns / unit.ns) * 10 + ((ns % unit.ns) * 10) / unit.ns;
      return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + unit.name;
    }
  }
  return std::to_string(ns) + "ns";
}

}  // namespace faultline::net
