// harness/fault/params.h: reading and printing a clause's key=value settings.
//
// Every fault's settings parse through a ParamReader and print through a
// ParamWriter, so units, limits and error messages are the same for all of
// them. The reader keeps the first error (with the offending token and its
// column) and hands it back from finish(), which keeps each fault's parser a
// straight list of fields:
//
//   LatencySettings s;
//   s.delay = params.required_duration("delay");
//   s.jitter = params.duration("jitter", Time{0});
//   if (s.jitter > s.delay) params.fail("jitter", "jitter must not exceed delay");
//   return params.finish(s);   // net::Result<LatencySettings>
//
//   ParamWriter out;  out.duration("delay", 100ms);  out.text();   // " delay=100ms"
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "harness/fault/probability.h"
#include "harness/fault/stage.h"
#include "targets/net/error.h"

namespace faultline::fault {

// Limits every duration and size in a spec: generous, but far from the
// arithmetic edges (a delay near Time::max() would wrap a release time).
inline constexpr Time kMaxDuration = std::chrono::hours(24);
inline constexpr std::uint64_t kMaxSize = std::uint64_t{1} << 50;  // 1 PiB
inline constexpr std::uint64_t kMaxRate = std::uint64_t{1} << 40;  // 1 TiB/s

// Position: 1-based line and column (in bytes) of a token in the spec text.
struct Position {
  std::size_t line = 1;
  std::size_t column = 1;
};

// SpecSource: names the text being parsed, for messages: "fault spec column 9"
// for one-line specs, "fault spec line 2 column 9" for multi-line ones and
// "profiles/flaky.txt line 3 column 9" for files.
struct SpecSource {
  std::string name = "fault spec";
  bool show_lines = false;
  // quote_tokens: whether messages may quote a clause's bad first word. Off for
  // files, which may not be profiles at all (a key file given by mistake):
  // the line and column find the token without printing the file's content.
  bool quote_tokens = true;

  std::string where(Position position) const;
};

// Param: one key=value token of a clause.
struct Param {
  std::string_view key;
  std::string_view value;
  Position key_position;
  Position value_position;
};

// ParamReader: typed access to a clause's params. Keys are assumed known and
// unique (the profile parser checks that first); a missing key reads as absent.
class ParamReader {
 public:
  ParamReader(const SpecSource& source, std::string_view fault, Position fault_position,
              std::span<const Param> params);

  // Each getter returns the value, or the fallback / nullopt when the key is
  // absent or its value is bad (the error is kept; see finish()).
  std::optional<Time> duration(std::string_view key);
  Time duration(std::string_view key, Time fallback);
  Time required_duration(std::string_view key);

  std::optional<std::uint64_t> size(std::string_view key);
  std::uint64_t size(std::string_view key, std::uint64_t fallback);
  std::uint64_t required_size(std::string_view key);

  // rate: bytes per second, written "64KiB/s".
  std::uint64_t required_rate(std::string_view key);

  Probability percent(std::string_view key, Probability fallback);
  Probability required_percent(std::string_view key);

  // count: a whole number within [low, high] ("first=2"); the fallback when
  // absent or bad.
  std::uint64_t count(std::string_view key, std::uint64_t fallback, std::uint64_t low,
                      std::uint64_t high);
  std::uint64_t required_count(std::string_view key, std::uint64_t low, std::uint64_t high);

  // text: the raw value, for keys with their own syntax (match=); nullopt when absent.
  std::optional<std::string_view> text(std::string_view key) const;

  // choice: one of `options`; returns the fallback when absent or bad.
  std::string_view choice(std::string_view key, std::initializer_list<std::string_view> options,
                          std::string_view fallback);

  bool has(std::string_view key) const { return find(key) != nullptr; }

  // fail records `message` at the key's value (or at the fault's name when the
  // key is absent), unless an earlier error is already kept.
  void fail(std::string_view key, std::string_view message);

  bool ok() const { return !error_; }
  const net::Error& error() const { return *error_; }

  // finish: `value` when every read succeeded, else the first error.
  template <typename T>
  net::Result<T> finish(T value) const {
    if (error_) return tl::unexpected(*error_);
    return value;
  }

 private:
  const Param* find(std::string_view key) const;
  void fail_at(Position position, std::string message);
  void missing(std::string_view key, std::string_view example);

  const SpecSource& source_;
  std::string_view fault_;
  Position fault_position_;
  std::span<const Param> params_;
  std::optional<net::Error> error_;
};

// ParamWriter: appends " key=value" in canonical units.
class ParamWriter {
 public:
  void duration(std::string_view key, Time value);
  void size(std::string_view key, std::uint64_t bytes);
  void rate(std::string_view key, std::uint64_t bytes_per_second);
  void percent(std::string_view key, Probability value);
  void word(std::string_view key, std::string_view value);

  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// format_size: the largest exact binary unit: "64KiB", "1MiB", "100B".
std::string format_size(std::uint64_t bytes);

}  // namespace faultline::fault
