// harness/shrink/narrow.h: the numbers of a clause, as the shrinker narrows them.
//
// A clause's key=value tokens are read as text, so any fault and key the
// profile language has (or gains) narrows the same way: a duration, a byte
// size, a percentage or a plain count is read into one whole number of its
// smallest unit, narrowed, and written back in a form the parser reads (the
// profile's canonical printing then picks the unit).
//
//   auto value = shrink::parse_quantity("20ms");   // {duration, 20'000'000}
//   shrink::format_quantity({Quantity::duration, 5'000}); // "5000ns"
//   shrink::split_tokens("http_abort match='GET /a b' p=5%");
//       // {"http_abort", "match='GET /a b'", "p=5%"}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::shrink {

// Quantity: what a number measures, and so its unit (ns, bytes, parts per
// million, none).
enum class Quantity { duration, size, percent, count };

// Amount: a narrowable value.
struct Amount {
  Quantity quantity = Quantity::count;
  std::uint64_t value = 0;
  friend bool operator==(const Amount&, const Amount&) = default;
};

// parse_quantity: the amount `text` writes, or nullopt for a value the
// shrinker leaves alone (a rate such as 4MiB/s, a word such as down, a glob).
// Rates stay: a lower rate is a harsher fault, not a smaller one.
std::optional<Amount> parse_quantity(std::string_view text);

// format_quantity: text the profile parser reads back as `amount`.
std::string format_quantity(const Amount& amount);

// split_tokens: a clause's words, split at spaces outside quotes.
std::vector<std::string> split_tokens(std::string_view clause);

// token_key: "delay" for "delay=20ms"; "" for a token with no '='.
std::string_view token_key(std::string_view token);

}  // namespace faultline::shrink
