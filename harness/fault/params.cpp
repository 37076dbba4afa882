#include "harness/fault/params.h"

#include "targets/net/duration.h"

namespace faultline::fault {

std::string SpecSource::where(Position position) const {
  std::string out = name;
  if (show_lines) out += " line " + std::to_string(position.line);
  out += " column " + std::to_string(position.column);
  return out;
}

ParamReader::ParamReader(const SpecSource& source, std::string_view fault, Position fault_position,
                         std::span<const Param> params)
    : source_(source), fault_(fault), fault_position_(fault_position), params_(params) {}

const Param* ParamReader::find(std::string_view key) const {
  for (const auto& param : params_) {
    if (param.key == key) return &param;
  }
  return nullptr;
}

void ParamReader::fail_at(Position position, std::string message) {
  if (error_) return;
  error_ = net::Error{net::ErrorKind::invalid_argument, 0,
                      source_.where(position) + ": " + std::move(message)};
}

void ParamReader::fail(std::string_view key, std::string_view message) {
  const Param* param = find(key);
  fail_at(param ? param->value_position : fault_position_,
          std::string(fault_) + " " + std::string(key) + ": " + std::string(message));
}

void ParamReader::missing(std::string_view key, std::string_view example) {
  fail_at(fault_position_, std::string(fault_) + ": missing required key '" + std::string(key) +
                               "' (e.g. " + std::string(key) + "=" + std::string(example) + ")");
}

std::optional<Time> ParamReader::duration(std::string_view key) {
  const Param* param = find(key);
  if (!param) return std::nullopt;
  auto parsed = net::parse_duration(param->value);
  if (!parsed) {
    fail(key, parsed.error().message);
    return std::nullopt;
  }
  if (*parsed > kMaxDuration) {
    fail(key, "duration '" + std::string(param->value) + "' is too long (at most " +
                  net::format_duration(kMaxDuration) + ")");
    return std::nullopt;
  }
  return Time(*parsed);
}

Time ParamReader::duration(std::string_view key, Time fallback) {
  return duration(key).value_or(fallback);
}

Time ParamReader::required_duration(std::string_view key) {
  if (!has(key)) missing(key, "100ms");
  return duration(key).value_or(Time{0});
}

std::optional<std::uint64_t> ParamReader::size(std::string_view key) {
  const Param* param = find(key);
  if (!param) return std::nullopt;
  auto parsed = net::parse_size(param->value);
  if (!parsed) {
    fail(key, parsed.error().message);
    return std::nullopt;
  }
  if (*parsed > kMaxSize) {
    fail(key, "size '" + std::string(param->value) + "' is too large (at most " +
                  format_size(kMaxSize) + ")");
    return std::nullopt;
  }
  return *parsed;
}

std::uint64_t ParamReader::size(std::string_view key, std::uint64_t fallback) {
  return size(key).value_or(fallback);
}

std::uint64_t ParamReader::required_size(std::string_view key) {
  if (!has(key)) missing(key, "1KiB");
  return size(key).value_or(0);
}

std::uint64_t ParamReader::required_rate(std::string_view key) {
  const Param* param = find(key);
  if (!param) {
    missing(key, "64KiB/s");
    return 0;
  }
  constexpr std::string_view kPerSecond = "/s";
  std::string_view value = param->value;
  if (value.size() <= kPerSecond.size() || !value.ends_with(kPerSecond)) {
    fail(key, "rate '" + std::string(value) + "': expected bytes per second, like 64KiB/s");
    return 0;
  }
  auto parsed = net::parse_size(value.substr(0, value.size() - kPerSecond.size()));
  if (!parsed) {
    fail(key, "rate '" + std::string(value) + "': " + parsed.error().message);
    return 0;
  }
  if (*parsed == 0 || *parsed > kMaxRate) {
    fail(key,
         "rate '" + std::string(value) + "' must be within 1B/s.." + format_size(kMaxRate) + "/s");
    return 0;
  }
  return *parsed;
}

Probability ParamReader::percent(std::string_view key, Probability fallback) {
  const Param* param = find(key);
  if (!param) return fallback;
  auto parsed = parse_percent(param->value);
  if (!parsed) {
    fail(key, parsed.error().message);
    return fallback;
  }
  return *parsed;
}

Probability ParamReader::required_percent(std::string_view key) {
  if (!has(key)) missing(key, "10%");
  return percent(key, Probability::never());
}

std::uint64_t ParamReader::count(std::string_view key, std::uint64_t fallback, std::uint64_t low,
                                 std::uint64_t high) {
  const Param* param = find(key);
  if (!param) return fallback;
  std::uint64_t value = 0;
  bool ok = !param->value.empty() && param->value.size() <= 19;
  for (char c : param->value) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (!ok) {
    fail(key, "count '" + std::string(param->value) + "': expected a whole number, like " +
                  std::to_string(low < 2 && high >= 2 ? 2 : low));
    return fallback;
  }
  if (value < low || value > high) {
    fail(key, "count '" + std::string(param->value) + "' must be within " + std::to_string(low) +
                  ".." + std::to_string(high));
    return fallback;
  }
  return value;
}

std::uint64_t ParamReader::required_count(std::string_view key, std::uint64_t low,
                                          std::uint64_t high) {
  if (!has(key)) missing(key, std::to_string(low < 2 && high >= 2 ? 2 : low));
  return count(key, low, low, high);
}

std::optional<std::string_view> ParamReader::text(std::string_view key) const {
  const Param* param = find(key);
  if (!param) return std::nullopt;
  return param->value;
}

std::string_view ParamReader::choice(std::string_view key,
                                     std::initializer_list<std::string_view> options,
                                     std::string_view fallback) {
  const Param* param = find(key);
  if (!param) return fallback;
  std::string listed;
  for (std::string_view option : options) {
    if (param->value == option) return option;
    if (!listed.empty()) listed += ", ";
    listed += option;
  }
  fail(key, "unknown value '" + std::string(param->value) + "' (expected " + listed + ")");
  return fallback;
}

void ParamWriter::duration(std::string_view key, Time value) {
  word(key, net::format_duration(value));
}

void ParamWriter::size(std::string_view key, std::uint64_t bytes) {
  word(key, format_size(bytes));
}

void ParamWriter::rate(std::string_view key, std::uint64_t bytes_per_second) {
  word(key, format_size(bytes_per_second) + "/s");
}

void ParamWriter::percent(std::string_view key, Probability value) {
  word(key, value.to_string());
}

void ParamWriter::word(std::string_view key, std::string_view value) {
  text_ += ' ';
  text_ += key;
  text_ += '=';
  text_ += value;
}

std::string format_size(std::uint64_t bytes) {
  struct Unit {
    std::uint64_t bytes;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{std::uint64_t{1} << 50, "PiB"},
                                    {std::uint64_t{1} << 40, "TiB"},
                                    {std::uint64_t{1} << 30, "GiB"},
                                    {std::uint64_t{1} << 20, "MiB"},
                                    {std::uint64_t{1} << 10, "KiB"}};
  if (bytes != 0) {
    for (const auto& unit : kUnits) {
      if (bytes % unit.bytes == 0) return std::to_string(bytes / unit.bytes) + unit.name;
    }
  }
  return std::to_string(bytes) + "B";
}

}  // namespace faultline::fault
