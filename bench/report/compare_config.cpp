// bench/report/compare_config.cpp: config and noise-floor files.
#include "bench/report/compare_config.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace faultline::bench {
namespace {

using nlohmann::json;

tl::unexpected<net::Error> bad(const std::string& source, const std::string& message) {
  return net::make_error(net::ErrorKind::bad_data, source + ": " + message);
}

net::Result<json> parse_json(std::string_view text, const std::string& source) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return bad(source, "empty file");
  json document = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return bad(source, "not valid JSON");
  if (!document.is_object()) return bad(source, "expected a JSON object at the top");
  return document;
}

net::Result<double> fraction_value(const json& value, const std::string& where) {
  if (value.is_number()) {
    const double number = value.get<double>();
    if (!std::isfinite(number) || number < 0 || number > 10) {
      return net::make_error(net::ErrorKind::invalid_argument,
                             where + ": must be between 0 and 10 (1000%)");
    }
    return number;
  }
  if (value.is_string()) {
    auto parsed = parse_fraction(value.get<std::string>());
    if (!parsed) {
      return net::make_error(net::ErrorKind::invalid_argument,
                             where + ": " + parsed.error().message);
    }
    return *parsed;
  }
  return net::make_error(net::ErrorKind::invalid_argument,
                         where + ": expected a number or a percentage string");
}

}  // namespace

net::Result<double> parse_fraction(std::string_view text) {
  std::string_view digits = text;
  bool percent = false;
  if (!digits.empty() && digits.back() == '%') {
    percent = true;
    digits.remove_suffix(1);
  }
  double value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size() ||
      !std::isfinite(value)) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           fmt::format("'{}' is not a fraction (e.g. 5% or 0.05)", text));
  }
  if (percent) value /= 100;
  if (value < 0 || value > 10) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           fmt::format("'{}' is out of range (0 to 1000%)", text));
  }
  return value;
}

net::Result<Direction> parse_direction(std::string_view text) {
  if (text == "lower" || text == "lower-is-better" || text == "lower_is_better") {
    return Direction::lower_is_better;
  }
  if (text == "higher" || text == "higher-is-better" || text == "higher_is_better") {
    return Direction::higher_is_better;
  }
  return net::make_error(net::ErrorKind::invalid_argument,
                         fmt::format("direction '{}': expected lower or higher", text));
}

net::Result<CompareConfig> parse_compare_config(std::string_view text, const std::string& source) {
  auto document = parse_json(text, source);
  if (!document) return tl::unexpected(document.error());
  CompareConfig config;
  static const std::vector<std::string> kKeys = {"alpha", "threshold", "metric", "metrics",
                                                 "rules"};
  for (const auto& [key, value] : document->items()) {
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      return bad(source,
                 fmt::format("unknown key '{}' (expected alpha, threshold, metrics, rules)", key));
    }
  }
  if (auto alpha = document->find("alpha"); alpha != document->end()) {
    if (!alpha->is_number() || alpha->get<double>() <= 0 || alpha->get<double>() >= 1) {
      return bad(source, "alpha: a number between 0 and 1");
    }
    config.alpha = alpha->get<double>();
  }
  if (auto threshold = document->find("threshold"); threshold != document->end()) {
    auto value = fraction_value(*threshold, "threshold");
    if (!value) return bad(source, value.error().message);
    config.threshold = *value;
  }
  for (const char* key : {"metric", "metrics"}) {
    auto metrics = document->find(key);
    if (metrics == document->end()) continue;
    if (metrics->is_string()) {
      config.metrics.push_back(metrics->get<std::string>());
    } else if (metrics->is_array()) {
      for (const json& metric : *metrics) {
        if (!metric.is_string()) return bad(source, std::string(key) + ": expected strings");
        config.metrics.push_back(metric.get<std::string>());
      }
    } else {
      return bad(source, std::string(key) + ": expected a string or a list of strings");
    }
  }
  if (auto rules = document->find("rules"); rules != document->end()) {
    if (!rules->is_array()) return bad(source, "rules: expected a list");
    std::size_t index = 0;
    for (const json& item : *rules) {
      const std::string where = fmt::format("rules[{}]", index++);
      if (!item.is_object()) return bad(source, where + ": expected an object");
      MetricRule rule;
      for (const auto& [key, value] : item.items()) {
        if (key == "match" || key == "glob") {
          if (!value.is_string() || value.get<std::string>().empty()) {
            return bad(source, where + "." + key + ": expected a non-empty glob");
          }
          rule.glob = value.get<std::string>();
        } else if (key == "direction") {
          if (!value.is_string()) return bad(source, where + ".direction: expected a string");
          auto direction = parse_direction(value.get<std::string>());
          if (!direction) return bad(source, where + ": " + direction.error().message);
          rule.direction = *direction;
        } else if (key == "threshold") {
          auto threshold = fraction_value(value, where + ".threshold");
          if (!threshold) return bad(source, threshold.error().message);
          rule.threshold = *threshold;
        } else if (key == "gate" || key == "gated") {
          if (!value.is_boolean()) return bad(source, where + "." + key + ": expected true/false");
          rule.gated = value.get<bool>();
        } else {
          return bad(source, fmt::format("{}: unknown key '{}' (expected match, direction, "
                                         "threshold, gate)",
                                         where, key));
        }
      }
      if (rule.glob.empty()) return bad(source, where + ": 'match' (a glob) is required");
      config.rules.push_back(std::move(rule));
    }
  }
  return config;
}

net::Result<NoiseFloor> parse_noise_floor(std::string_view text, const std::string& source) {
  auto document = parse_json(text, source);
  if (!document) return tl::unexpected(document.error());
  const json* table = &*document;
  if (auto benchmarks = document->find("benchmarks"); benchmarks != document->end()) {
    table = &*benchmarks;
  }
  NoiseFloor floors;
  auto add = [&](const std::string& name, const json& value) -> net::Status {
    const json* number = &value;
    if (value.is_object()) {
      number = nullptr;
      for (const char* key : {"noise_floor", "floor", "relative_spread", "spread"}) {
        if (auto found = value.find(key); found != value.end()) {
          number = &*found;
          break;
        }
      }
      if (number == nullptr) return bad(source, name + ": no noise_floor value");
    }
    auto fraction = fraction_value(*number, name);
    if (!fraction) return bad(source, fraction.error().message);
    floors[name] = *fraction;
    return {};
  };
  if (table->is_object()) {
    for (const auto& [name, value] : table->items()) {
      if (table == &*document && (name == "faultline_noise_floor" || name == "version" ||
                                  name == "metric" || name == "source")) {
        continue;
      }
      if (auto status = add(name, value); !status) return tl::unexpected(status.error());
    }
  } else if (table->is_array()) {
    for (const json& item : *table) {
      if (!item.is_object() || !item.contains("name") || !item["name"].is_string()) {
        return bad(source, "benchmarks: each entry needs a \"name\"");
      }
      if (auto status = add(item["name"].get<std::string>(), item); !status) {
        return tl::unexpected(status.error());
      }
    }
  } else {
    return bad(source, "expected an object of benchmark name -> noise floor");
  }
  if (floors.empty()) return bad(source, "no noise floor values");
  return floors;
}

NoiseFloor noise_floor_from_report(const Report& report, const std::string& metric,
                                   const CompareOptions& options) {
  NoiseFloor floors;
  for (const Benchmark& benchmark : report.benchmarks) {
    auto series = benchmark.metrics.find(metric);
    if (series == benchmark.metrics.end() || series->second.values.size() < 4) continue;
    const std::vector<double>& values = series->second.values;
    const std::size_t half = values.size() / 2;
    const std::span<const double> first(values.data(), half);
    const std::span<const double> second(values.data() + half, values.size() - half);
    const Estimate ratio =
        ratio_estimate(first, second, options.confidence, options.seed, options.resamples);
    if (!std::isfinite(ratio.value) || ratio.value <= 0) continue;
    const double floor = std::abs(ratio.value - 1);
    floors[benchmark.name] = floor;
  }
  return floors;
}

}  // namespace faultline::bench
