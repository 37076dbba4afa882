#include "harness/shrink/narrow.h"

#include <algorithm>
#include <cctype>

#include <fmt/core.h>

#include "harness/fault/probability.h"
#include "targets/net/duration.h"

namespace faultline::shrink {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

std::optional<Amount> parse_quantity(std::string_view text) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front()))) return std::nullopt;
  if (ends_with(text, "/s")) return std::nullopt;
  if (all_digits(text)) {
    if (text.size() > 18) return std::nullopt;
    return Amount{Quantity::count, std::stoull(std::string(text))};
  }
  if (text.back() == '%') {
    auto p = fault::parse_percent(text);
    if (!p) return std::nullopt;
    return Amount{Quantity::percent, p->parts_per_million()};
  }
  if (text.back() == 'B') {
    auto bytes = net::parse_size(text);
    if (!bytes) return std::nullopt;
    return Amount{Quantity::size, *bytes};
  }
  auto duration = net::parse_duration(text);
  if (!duration || duration->count() < 0) return std::nullopt;
  return Amount{Quantity::duration, static_cast<std::uint64_t>(duration->count())};
}

std::string format_quantity(const Amount& amount) {
  switch (amount.quantity) {
    case Quantity::duration:
      return fmt::format("{}ns", amount.value);
    case Quantity::size:
      return fmt::format("{}B", amount.value);
    case Quantity::percent:
      return fmt::format("{}.{:04}%", amount.value / 10'000, amount.value % 10'000);
    case Quantity::count:
      break;
  }
  return std::to_string(amount.value);
}

std::vector<std::string> split_tokens(std::string_view clause) {
  std::vector<std::string> tokens;
  std::string current;
  char quote = 0;
  for (char c : clause) {
    if (quote != 0) {
      current += c;
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
      current += c;
    } else if (c == ' ' || c == '\t') {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

std::string_view token_key(std::string_view token) {
  auto equals = token.find('=');
  return equals == std::string_view::npos ? std::string_view() : token.substr(0, equals);
}

}  // namespace faultline::shrink
