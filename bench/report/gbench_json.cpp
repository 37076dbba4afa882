// bench/report/gbench_json.cpp: reading Google Benchmark JSON into a Report.
//
// A file is read as a stream, never as one document in memory: a SAX handler
// (ReportStream) walks the text, keeps the `context` object and each element
// of `benchmarks` as a small DOM of its own, and hands every row to a
// FileAccumulator, which turns rows into samples per benchmark and metric.
// So a 100 MB file costs one row's DOM at a time, and nesting, row counts and
// row sizes are bounded while reading.
//
//   text --normalise_non_finite--> JSON nlohmann accepts
//        --ReportStream (SAX)----> context DOM, one row DOM at a time
//        --FileAccumulator-------> Benchmark { metric -> values } + warnings
#include "bench/report/gbench_json.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

namespace faultline::bench {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

// Non-finite values are not JSON, yet Google Benchmark (1.7+: `NaN`,
// `Infinity`) and Python's json module write them. Before parsing they are
// rewritten as strings starting with a NUL byte, which no real field holds,
// and read back as NaN / infinity (then skipped with a warning).
constexpr char kMarker = '\0';
constexpr std::string_view kNanMarker{"\0NaN", 4};
constexpr std::string_view kInfinityMarker{"\0Infinity", 9};
constexpr std::string_view kNegativeInfinityMarker{"\0-Infinity", 10};

// Shift: after a rewrite, text from `at` on (in the rewritten text) sits
// `delta` bytes later than in the original.
struct Shift {
  std::size_t at = 0;
  std::ptrdiff_t delta = 0;
};

struct Normalised {
  std::string text;
  std::vector<Shift> shifts;
};

bool is_token_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
         c == '+' || c == '.';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// overflows_double: `token` is a JSON number too large for a double
// (nlohmann rejects those, failing the whole file).
bool overflows_double(std::string_view token) {
  std::size_t i = 0;
  const bool negative = !token.empty() && token[0] == '-';
  if (negative) ++i;
  std::string digits;       // significant digits, leading zeros dropped
  long long magnitude = 0;  // the value is 0.<digits> x 10^magnitude
  bool seen_digit = false;
  for (; i < token.size() && is_digit(token[i]); ++i) {
    seen_digit = true;
    if (digits.empty() && token[i] == '0') continue;
    if (digits.size() < 40) digits += token[i];
    ++magnitude;
  }
  if (!seen_digit) return false;
  if (i < token.size() && token[i] == '.') {
    ++i;
    if (i == token.size() || !is_digit(token[i])) return false;
    for (; i < token.size() && is_digit(token[i]); ++i) {
      if (digits.empty() && token[i] == '0') {
        --magnitude;
        continue;
      }
      if (digits.size() < 40) digits += token[i];
    }
  }
  long long exponent = 0;
  if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < token.size() && (token[i] == '+' || token[i] == '-'))
      exponent_negative = token[i++] == '-';
    if (i == token.size() || !is_digit(token[i])) return false;
    for (; i < token.size() && is_digit(token[i]); ++i) {
      if (exponent < 1'000'000'000) exponent = exponent * 10 + (token[i] - '0');
    }
    if (exponent_negative) exponent = -exponent;
  }
  if (i != token.size() || digits.empty()) return false;  // not a number, or zero
  magnitude += exponent;
  if (magnitude < 300) return false;
  if (magnitude > 310) return true;
  const std::string scaled = "0." + digits + "e" + std::to_string(magnitude);
  double value = 0;
  const auto [end, error] = std::from_chars(scaled.data(), scaled.data() + scaled.size(), value);
  (void)end;
  return error == std::errc::result_out_of_range || std::isinf(value);
}

// non_finite_marker: the marker string replacing `token`, or empty.
std::string_view non_finite_marker(std::string_view token) {
  static constexpr std::array<std::string_view, 8> kNan = {"NaN",  "-NaN", "+NaN", "nan",
                                                           "-nan", "NAN",  "-NAN", "+nan"};
  static constexpr std::array<std::string_view, 5> kInfinity = {"Infinity", "+Infinity", "inf",
                                                                "Inf", "INF"};
  static constexpr std::array<std::string_view, 4> kNegativeInfinity = {"-Infinity", "-inf", "-Inf",
                                                                        "-INF"};
  if (std::find(kNan.begin(), kNan.end(), token) != kNan.end()) return kNanMarker;
  if (std::find(kInfinity.begin(), kInfinity.end(), token) != kInfinity.end())
    return kInfinityMarker;
  if (std::find(kNegativeInfinity.begin(), kNegativeInfinity.end(), token) !=
      kNegativeInfinity.end()) {
    return kNegativeInfinityMarker;
  }
  const bool numeric = !token.empty() && (is_digit(token[0]) || token[0] == '-');
  if (numeric && overflows_double(token)) {
    return token[0] == '-' ? kNegativeInfinityMarker : kInfinityMarker;
  }
  return {};
}

// json_string_literal: a marker as JSON text ("\u0000NaN" with quotes).
std::string json_string_literal(std::string_view marker) {
  return "\"\\u0000" + std::string(marker.substr(1)) + "\"";
}

// normalise_non_finite: the text with every bare non-finite literal (and
// overflowing number) outside strings replaced by a marker string; nullopt
// when there is none, so the common case parses the caller's text in place.
std::optional<Normalised> normalise_non_finite(std::string_view text) {
  std::optional<Normalised> out;
  std::size_t copied = 0;  // text before this is in out->text
  std::ptrdiff_t delta = 0;
  bool in_string = false;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '"') in_string = false;
      ++i;
      continue;
    }
    if (c == '"') {
      in_string = true;
      ++i;
      continue;
    }
    if (!is_token_char(c)) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && is_token_char(text[end]))
      ++end;
    const std::string_view token = text.substr(i, end - i);
    const std::string_view marker = non_finite_marker(token);
    if (!marker.empty()) {
      if (!out) out.emplace();
      out->text.append(text.substr(copied, i - copied));
      const std::string literal = json_string_literal(marker);
      out->text += literal;
      delta +=
          static_cast<std::ptrdiff_t>(literal.size()) - static_cast<std::ptrdiff_t>(token.size());
      out->shifts.push_back({out->text.size(), delta});
      copied = end;
    }
    i = end;
  }
  if (out) out->text.append(text.substr(std::min(copied, text.size())));
  return out;
}

// original_offset: a byte offset in the rewritten text, in the original.
std::size_t original_offset(const std::vector<Shift>& shifts, std::size_t offset) {
  std::ptrdiff_t delta = 0;
  for (const Shift& shift : shifts) {
    if (shift.at > offset) break;
    delta = shift.delta;
  }
  const auto result = static_cast<std::ptrdiff_t>(offset) - delta;
  return result < 0 ? 0 : static_cast<std::size_t>(result);
}

// shown: a name or value as it goes into a message: bounded, control bytes escaped.
std::string shown(std::string_view text, std::size_t max_bytes = 160) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < max_bytes; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > max_bytes) out += "...";
  return out;
}

std::string_view type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "a number";
    default:
      return "binary data";
  }
}

const json* field(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

// non_finite_value: the value a marker string stands for, or nullopt.
std::optional<double> non_finite_value(const json& value) {
  if (!value.is_string()) return std::nullopt;
  const std::string& text = value.get_ref<const std::string&>();
  if (text.empty() || text[0] != kMarker) return std::nullopt;
  if (text == kNanMarker) return std::numeric_limits<double>::quiet_NaN();
  if (text == kInfinityMarker) return std::numeric_limits<double>::infinity();
  if (text == kNegativeInfinityMarker) return -std::numeric_limits<double>::infinity();
  return std::nullopt;
}

// number_of: a JSON number (or a non-finite marker) as a double.
std::optional<double> number_of(const json& value) {
  if (value.is_number()) return value.get<double>();
  return non_finite_value(value);
}

// integer_of: a JSON number that is a whole number, as int64.
std::optional<std::int64_t> integer_of(const json& value) {
  if (value.is_number_integer()) {
    if (value.is_number_unsigned()) {
      const auto unsigned_value = value.get<std::uint64_t>();
      if (unsigned_value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return std::numeric_limits<std::int64_t>::max();
      return static_cast<std::int64_t>(unsigned_value);
    }
    return value.get<std::int64_t>();
  }
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e18)
      return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

// describe_value: a value as a message shows it ("-5", "a string", "NaN").
std::string describe_value(const json& value) {
  if (value.is_number()) return value.dump();
  if (const auto special = non_finite_value(value))
    return std::isnan(*special) ? "NaN" : "infinite";
  return std::string(type_name(value));
}

bool is_structural_field(std::string_view key) {
  static constexpr std::array<std::string_view, 21> kStructural = {"name",
                                                                   "family_index",
                                                                   "per_family_instance_index",
                                                                   "run_name",
                                                                   "run_type",
                                                                   "repetitions",
                                                                   "repetition_index",
                                                                   "threads",
                                                                   "iterations",
                                                                   "time_unit",
                                                                   "aggregate_name",
                                                                   "aggregate_unit",
                                                                   "error_occurred",
                                                                   "error_message",
                                                                   "skipped",
                                                                   "skip_message",
                                                                   "label",
                                                                   "big_o",
                                                                   "cpu_coefficient",
                                                                   "real_coefficient",
                                                                   "rms"};
  return std::find(kStructural.begin(), kStructural.end(), key) != kStructural.end();
}

// nanoseconds_per: how many ns one `time_unit` is, or nullopt.
std::optional<double> nanoseconds_per(std::string_view unit) {
  if (unit == "ns") return 1.0;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  return std::nullopt;
}

std::string unit_of(std::string_view metric) {
  if (is_time_metric(metric)) return "ns";
  std::string lower(metric);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "instructions") return "instructions";
  return "";
}

// kLegacyAggregates: how files without run_type name their aggregate rows.
constexpr std::array<std::string_view, 4> kLegacyAggregates = {"mean", "median", "stddev", "cv"};

// legacy_aggregate_suffix: "mean" for "BM_x_mean" (with a non-empty base), or empty.
std::string_view legacy_aggregate_suffix(std::string_view name) {
  for (std::string_view aggregate : kLegacyAggregates) {
    if (name.size() > aggregate.size() + 1 && name.ends_with(aggregate) &&
        name[name.size() - aggregate.size() - 1] == '_') {
      return aggregate;
    }
  }
  return {};
}

bool is_big_o(std::string_view name, std::string_view aggregate_name) {
  return aggregate_name == "BigO" || aggregate_name == "RMS" || name.ends_with("_BigO") ||
         name.ends_with("_RMS");
}

// WarningLog: one file's warnings, identical ones counted, bounded.
class WarningLog {
 public:
  explicit WarningLog(std::size_t max_warnings) : max_warnings_(max_warnings) {}

  void add(std::string text) {
    const auto found = index_.find(text);
    if (found != index_.end()) {
      ++entries_[found->second].second;
      return;
    }
    if (entries_.size() >= max_warnings_) {
      ++dropped_;
      return;
    }
    index_.emplace(text, entries_.size());
    entries_.emplace_back(std::move(text), 1);
  }

  void emit(std::vector<std::string>& out, std::string_view source) const {
    for (const auto& [text, count] : entries_) {
      out.push_back(count == 1 ? text : text + " (" + std::to_string(count) + " times)");
    }
    if (dropped_ > 0) {
      out.push_back(std::string(source) + ": " + std::to_string(dropped_) +
                    " more warnings not shown (the limit is " + std::to_string(max_warnings_) +
                    " per file)");
    }
  }

 private:
  std::size_t max_warnings_;
  std::vector<std::pair<std::string, std::size_t>> entries_;
  std::unordered_map<std::string, std::size_t> index_;
  std::size_t dropped_ = 0;
};

enum class RowKind { iteration, aggregate };

// RowHeader: what a row is, before its values are read.
struct RowHeader {
  std::size_t index = 0;  // in the file's "benchmarks" array
  std::string name;       // the row's own name
  std::string key;        // the benchmark it belongs to
  RowKind kind = RowKind::iteration;
  std::string aggregate_name;
  std::optional<std::int64_t> repetition_index;
  std::int64_t repetitions = 0;
};

// Accumulator: one benchmark's rows in one file.
struct Accumulator {
  std::string name;
  std::size_t first_row = 0;
  std::map<std::string, std::vector<double>, std::less<>> iteration_values;
  std::map<std::string, std::vector<double>, std::less<>> mean_values;
  std::size_t iteration_rows = 0;
  std::size_t mean_rows = 0;
  std::size_t other_aggregate_rows = 0;
  std::size_t error_rows = 0;
  std::int64_t mean_repetitions = 0;
  std::string error_message;
  std::set<std::int64_t> repetitions_seen;
  std::set<std::string, std::less<>> aggregates_seen;
  bool duplicate_warned = false;
};

// FileAccumulator: turns one file's rows into benchmarks.
class FileAccumulator {
 public:
  FileAccumulator(std::string source, const ReadLimits& limits)
      : source_(std::move(source)), limits_(limits), warnings_(limits.max_warnings) {}

  const std::string& source() const { return source_; }
  void warn(std::string_view what) { warnings_.add(source_ + ": " + std::string(what)); }
  void warn(std::string_view benchmark, std::string_view what) {
    warnings_.add(source_ + ": " + shown(benchmark) + ": " + std::string(what));
  }

  // add_row takes one element of "benchmarks"; false (with `failure`) on a
  // fatal problem (an unknown time unit, too many values).
  bool add_row(const json& row, std::size_t index, std::optional<net::Error>& failure) {
    std::optional<RowHeader> header = read_header(row, index);
    if (!header) return true;
    return add_values(*header, row, failure);
  }

  void set_context(const json& context) {
    if (!context.is_object()) {
      warn("\"context\" is " + std::string(type_name(context)) + ", not an object: ignored");
      return;
    }
    auto text = [&](std::string_view key, std::string& out) {
      if (const json* value = field(context, key); value && value->is_string())
        out = value->get<std::string>();
    };
    text("host_name", context_.host_name);
    text("executable", context_.executable);
    text("date", context_.date);
    text("library_build_type", context_.library_build_type);
    if (const json* cpus = field(context, "num_cpus")) {
      if (const auto n = integer_of(*cpus); n && *n > 0 && *n <= 1'000'000)
        context_.num_cpus = static_cast<int>(*n);
    }
    if (const json* mhz = field(context, "mhz_per_cpu"); mhz && mhz->is_number()) {
      const double value = mhz->get<double>();
      if (std::isfinite(value) && value > 0) context_.mhz_per_cpu = value;
    }
    if (const json* scaling = field(context, "cpu_scaling_enabled");
        scaling && scaling->is_boolean())
      context_.cpu_scaling_enabled = scaling->get<bool>();
    if (const json* load = field(context, "load_avg"); load && load->is_array()) {
      for (const json& value : *load) {
        if (value.is_number() && context_.load_avg.size() < 16) {
          const double d = value.get<double>();
          if (std::isfinite(d)) context_.load_avg.push_back(d);
        }
      }
    }
  }

  // finish: the Report of this file.
  Report finish() {
    resolve_legacy_rows();
    std::vector<Accumulator*> ordered;
    ordered.reserve(benchmarks_.size());
    for (Accumulator& accumulator : benchmarks_)
      ordered.push_back(&accumulator);
    std::stable_sort(
        ordered.begin(), ordered.end(),
        [](const Accumulator* a, const Accumulator* b) { return a->first_row < b->first_row; });
    Report report;
    for (Accumulator* accumulator : ordered)
      report.benchmarks.push_back(finish_benchmark(*accumulator));
    context_.source = source_;
    report.contexts.push_back(std::move(context_));
    warnings_.emit(report.warnings, source_);
    return report;
  }

 private:
  // read_header: the row's identity, or nullopt (with a warning when the row
  // is malformed; silently for big-O rows and deferred legacy aggregates).
  std::optional<RowHeader> read_header(const json& row, std::size_t index) {
    const std::string where = "benchmarks[" + std::to_string(index) + "]";
    if (!row.is_object()) {
      warn(where + " is " + std::string(type_name(row)) + ", not an object: row skipped");
      return std::nullopt;
    }
    const json* name = field(row, "name");
    if (name == nullptr || !name->is_string() || name->get_ref<const std::string&>().empty()) {
      warn(where + " has no \"name\" string: row skipped");
      return std::nullopt;
    }
    if (name->get_ref<const std::string&>().size() > limits_.max_name_bytes) {
      warn(where + ": a name longer than " + std::to_string(limits_.max_name_bytes) +
           " bytes: row skipped");
      return std::nullopt;
    }
    RowHeader header;
    header.index = index;
    header.name = name->get<std::string>();
    auto malformed = [&](std::string_view what) {
      warn(header.name, std::string(what) + ": row skipped");
      return std::nullopt;
    };

    const json* run_name = field(row, "run_name");
    if (run_name != nullptr && !run_name->is_string())
      return malformed("\"run_name\" is not a string");
    if (run_name != nullptr &&
        run_name->get_ref<const std::string&>().size() > limits_.max_name_bytes)
      return malformed("a run_name longer than " + std::to_string(limits_.max_name_bytes) +
                       " bytes");
    header.key = run_name != nullptr && !run_name->get_ref<const std::string&>().empty()
                     ? run_name->get<std::string>()
                     : header.name;

    const json* aggregate_name = field(row, "aggregate_name");
    if (aggregate_name != nullptr) {
      if (!aggregate_name->is_string()) return malformed("\"aggregate_name\" is not a string");
      header.aggregate_name = aggregate_name->get<std::string>();
    }
    const json* run_type = field(row, "run_type");
    bool legacy = false;
    if (run_type != nullptr) {
      if (!run_type->is_string()) return malformed("\"run_type\" is not a string");
      const std::string& type = run_type->get_ref<const std::string&>();
      if (type == "iteration") {
        header.kind = RowKind::iteration;
      } else if (type == "aggregate") {
        header.kind = RowKind::aggregate;
        if (aggregate_name == nullptr)
          return malformed("an aggregate row with no \"aggregate_name\"");
      } else {
        return malformed("unknown run_type \"" + shown(type) + "\"");
      }
    } else if (aggregate_name != nullptr) {
      header.kind = RowKind::aggregate;
    } else {
      legacy = true;
    }
    if (is_big_o(header.name, header.aggregate_name)) return std::nullopt;

    if (const json* repetitions = field(row, "repetitions")) {
      if (const auto n = integer_of(*repetitions); n && *n > 0) header.repetitions = *n;
    }
    if (const json* repetition_index = field(row, "repetition_index")) {
      const auto n = integer_of(*repetition_index);
      if (!n || *n < 0) {
        return malformed("\"repetition_index\" is " + describe_value(*repetition_index) +
                         ", not an integer >= 0");
      }
      header.repetition_index = *n;
    }
    if (const json* threads = field(row, "threads")) {
      const auto n = integer_of(*threads);
      if (!n || *n < 1)
        return malformed("\"threads\" is " + describe_value(*threads) + ", not an integer >= 1");
    }

    if (legacy && !legacy_aggregate_suffix(header.name).empty() && run_name == nullptr) {
      // X_mean without run_type: an aggregate of X only if X or another
      // aggregate of X is in the file, known at the end.
      deferred_.emplace_back(std::move(header), row);
      return std::nullopt;
    }
    return header;
  }

  Accumulator& accumulator(const std::string& key, std::size_t row_index) {
    const auto [found, inserted] = index_.try_emplace(key, benchmarks_.size());
    if (inserted) {
      benchmarks_.emplace_back();
      benchmarks_.back().name = key;
      benchmarks_.back().first_row = row_index;
    }
    Accumulator& accumulator = benchmarks_[found->second];
    accumulator.first_row = std::min(accumulator.first_row, row_index);
    return accumulator;
  }

  bool add_values(const RowHeader& header, const json& row, std::optional<net::Error>& failure) {
    const bool is_mean = header.kind == RowKind::aggregate && header.aggregate_name == "mean";
    if (header.kind == RowKind::aggregate && !is_mean) {
      // Other aggregates (median, stddev, cv, user-defined) are not samples;
      // their values (a stddev of 0, a cv in percent) are not checked.
      Accumulator& accumulator_ref = accumulator(header.key, header.index);
      ++accumulator_ref.other_aggregate_rows;
      return true;
    }

    const json* error_occurred = field(row, "error_occurred");
    const json* skipped = field(row, "skipped");
    const bool errored =
        error_occurred != nullptr && (!error_occurred->is_boolean() || error_occurred->get<bool>());
    const bool was_skipped = skipped != nullptr && skipped->is_boolean() && skipped->get<bool>();
    if (errored || was_skipped) {
      const json* message = field(row, errored ? "error_message" : "skip_message");
      std::string text = message != nullptr && message->is_string() ? message->get<std::string>()
                                                                    : std::string("no message");
      Accumulator& accumulator_ref = accumulator(header.key, header.index);
      ++accumulator_ref.error_rows;
      if (accumulator_ref.error_message.empty()) accumulator_ref.error_message = text;
      warn(header.name, std::string(errored ? "error_occurred" : "skipped") + " (\"" + shown(text) +
                            "\"): row skipped");
      return true;
    }

    if (const json* iterations = field(row, "iterations")) {
      const auto n = number_of(*iterations);
      if (!n || !(*n > 0) || std::isinf(*n)) {
        warn(header.name,
             "\"iterations\" is " + describe_value(*iterations) + ", not a count > 0: row skipped");
        return true;
      }
    }

    double scale = 1;
    const json* time_unit = field(row, "time_unit");
    const bool has_times = field(row, "real_time") != nullptr || field(row, "cpu_time") != nullptr;
    if (time_unit != nullptr) {
      const std::optional<double> per =
          time_unit->is_string() ? nanoseconds_per(time_unit->get_ref<const std::string&>())
                                 : std::nullopt;
      if (!per) {
        const std::string unit_text =
            time_unit->is_string() ? "\"" + shown(time_unit->get_ref<const std::string&>()) + "\""
                                   : describe_value(*time_unit);
        failure = net::Error{net::ErrorKind::bad_data, 0,
                             source_ + ": " + shown(header.name) + ": unknown time_unit " +
                                 unit_text + " (expected ns, us, ms or s)"};
        return false;
      }
      scale = *per;
    } else if (has_times) {
      warn("rows with no \"time_unit\": times read as ns");
    }

    // Read every value first: a row either counts whole or not at all.
    std::vector<std::pair<std::string, double>> values;
    for (auto it = row.begin(); it != row.end(); ++it) {
      const std::string& metric = it.key();
      if (is_structural_field(metric) || metric.empty() || metric[0] == kMarker) continue;
      const bool time = is_time_metric(metric);
      std::optional<double> value = number_of(it.value());
      if (!value) {
        if (time)
          warn(header.name,
               metric + " is " + describe_value(it.value()) + ", not a number: value skipped");
        continue;  // non-numeric extra fields are not counters
      }
      double v = *value;
      if (time) v *= scale;
      if (std::isnan(v)) {
        warn(header.name, metric + " is NaN: value skipped");
      } else if (std::isinf(v)) {
        warn(header.name, metric + " is infinite: value skipped");
      } else if (v <= 0) {
        warn(header.name, metric + " is zero or negative: value skipped");
      } else if (!std::isnormal(v)) {
        // Below 2.2e-308 a ratio or reciprocal overflows to infinity.
        warn(header.name, metric + " is too small to compare (subnormal): value skipped");
      } else {
        values.emplace_back(metric, v);
      }
    }

    total_values_ += values.size();
    if (total_values_ > limits_.max_values) {
      failure = net::Error{net::ErrorKind::too_large, 0,
                           source_ + ": more than " + std::to_string(limits_.max_values) +
                               " values (the limit is " + std::to_string(limits_.max_values) + ")"};
      return false;
    }

    Accumulator& accumulator_ref = accumulator(header.key, header.index);
    if (is_mean) {
      if (!accumulator_ref.aggregates_seen.insert(header.aggregate_name).second)
        warn_duplicate(accumulator_ref, "its mean aggregate appears twice");
      ++accumulator_ref.mean_rows;
      accumulator_ref.mean_repetitions =
          std::max(accumulator_ref.mean_repetitions, header.repetitions);
      for (auto& [metric, v] : values)
        accumulator_ref.mean_values[metric].push_back(v);
    } else {
      if (header.repetition_index &&
          !accumulator_ref.repetitions_seen.insert(*header.repetition_index).second) {
        warn_duplicate(
            accumulator_ref,
            "repetition_index " + std::to_string(*header.repetition_index) + " appears twice");
      }
      ++accumulator_ref.iteration_rows;
      for (auto& [metric, v] : values)
        accumulator_ref.iteration_values[metric].push_back(v);
    }
    return true;
  }

  void warn_duplicate(Accumulator& accumulator_ref, const std::string& what) {
    if (accumulator_ref.duplicate_warned) return;
    accumulator_ref.duplicate_warned = true;
    warn(accumulator_ref.name,
         what + " (two runs with the same name in one file?): their values pool");
  }

  // resolve_legacy_rows: X_mean, X_median... without run_type are aggregates
  // of X when X or a second aggregate of X is in the file; else benchmarks.
  void resolve_legacy_rows() {
    std::map<std::string, std::set<std::string>, std::less<>> suffixes_by_base;
    for (const auto& [header, row] : deferred_) {
      const std::string_view suffix = legacy_aggregate_suffix(header.name);
      suffixes_by_base[header.name.substr(0, header.name.size() - suffix.size() - 1)].insert(
          std::string(suffix));
    }
    std::vector<std::pair<RowHeader, json>> deferred = std::move(deferred_);
    deferred_.clear();
    for (auto& [header, row] : deferred) {
      const std::string_view suffix = legacy_aggregate_suffix(header.name);
      std::string base = header.name.substr(0, header.name.size() - suffix.size() - 1);
      const bool aggregate = index_.contains(base) || suffixes_by_base[base].size() > 1;
      if (aggregate) {
        header.kind = RowKind::aggregate;
        header.aggregate_name = std::string(suffix);
        header.key = std::move(base);
      }
      // A deferred row's time unit is checked only now: its error, if any,
      // is reported after the parse.
      std::optional<net::Error> failure;
      if (!add_values(header, row, failure) && failure && !late_failure_)
        late_failure_ = std::move(failure);
    }
  }

  Benchmark finish_benchmark(Accumulator& accumulator_ref) {
    Benchmark benchmark;
    benchmark.name = accumulator_ref.name;
    auto take = [&](std::map<std::string, std::vector<double>, std::less<>>& values,
                    bool from_aggregates) {
      for (auto& [metric, series_values] : values) {
        if (series_values.empty()) continue;
        MetricSeries series;
        series.unit = unit_of(metric);
        series.values = std::move(series_values);
        series.from_aggregates = from_aggregates;
        benchmark.metrics.emplace(metric, std::move(series));
      }
    };
    if (accumulator_ref.iteration_rows > 0) {
      take(accumulator_ref.iteration_values, false);
    } else if (accumulator_ref.mean_rows > 0) {
      take(accumulator_ref.mean_values, true);
      std::string what = "aggregates only (no iteration rows): the means of " +
                         std::to_string(accumulator_ref.mean_rows) + " runs";
      if (accumulator_ref.mean_repetitions > 0) {
        what += " (" + std::to_string(accumulator_ref.mean_repetitions) + " repetitions each)";
      }
      warn(benchmark.name, what + " are the samples");
    } else if (accumulator_ref.other_aggregate_rows > 0 && accumulator_ref.error_rows == 0) {
      warn(benchmark.name, "aggregates only, with no mean aggregate: no values");
    }
    if (benchmark.metrics.empty()) {
      benchmark.error = accumulator_ref.error_rows > 0 ? accumulator_ref.error_message
                                                       : "no usable values (see the warnings)";
    }
    return benchmark;
  }

 public:
  // late_failure: a fatal problem found by finish() (a deferred row's time unit).
  std::optional<net::Error>& late_failure() { return late_failure_; }

 private:
  std::optional<net::Error> late_failure_;
  std::string source_;
  const ReadLimits& limits_;
  WarningLog warnings_;
  RunContext context_;
  std::vector<Accumulator> benchmarks_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<std::pair<RowHeader, json>> deferred_;
  std::size_t total_values_ = 0;
};

// DomBuilder: builds one JSON value from SAX events.
class DomBuilder {
 public:
  void reset() {
    root_ = json();
    stack_.clear();
    key_.clear();
  }
  void start_object() { stack_.push_back(place(json::object())); }
  void start_array() { stack_.push_back(place(json::array())); }
  void end() {
    if (!stack_.empty()) stack_.pop_back();
  }
  void key(std::string key) { key_ = std::move(key); }
  void value(json value) { place(std::move(value)); }
  json take() { return std::move(root_); }

 private:
  json* place(json value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    json& slot = parent[key_];
    slot = std::move(value);
    return &slot;
  }

  json root_;
  std::vector<json*> stack_;  // the open containers, innermost last
  std::string key_;
};

// ReportStream: the SAX handler. Tracks where in the document each event
// is, captures `context` and each row as a DOM, and enforces the limits.
class ReportStream {
 public:
  ReportStream(FileAccumulator& file, const ReadLimits& limits) : file_(file), limits_(limits) {}

  // SAX interface (nlohmann::json_sax).
  bool null() { return scalar(json(nullptr)); }
  bool boolean(bool value) { return scalar(json(value)); }
  bool number_integer(json::number_integer_t value) { return scalar(json(value)); }
  bool number_unsigned(json::number_unsigned_t value) { return scalar(json(value)); }
  bool number_float(json::number_float_t value, const json::string_t&) {
    return scalar(json(value));
  }
  bool string(json::string_t& value) { return scalar(json(std::move(value))); }
  bool binary(json::binary_t&) { return scalar(json(nullptr)); }
  bool key(json::string_t& key) {
    if (capturing_) {
      if (!capture_full_) builder_.key(std::move(key));
    } else if (depth_ == 1) {
      top_key_ = std::move(key);
      if (top_key_ == "faultline_manifest") is_manifest_ = true;
    }
    return true;
  }
  bool start_object(std::size_t) { return open(true); }
  bool start_array(std::size_t) { return open(false); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& e) {
    parse_error_position_ = position;
    parse_error_token_ = last_token;
    parse_error_text_ = e.what();
    return false;
  }

  std::optional<net::Error>& failure() { return failure_; }
  bool saw_benchmarks() const { return seen_benchmarks_; }
  bool is_manifest() const { return is_manifest_; }
  std::size_t depth() const { return depth_; }
  std::size_t parse_error_position() const { return parse_error_position_; }
  const std::string& parse_error_text() const { return parse_error_text_; }
  const std::string& parse_error_token() const { return parse_error_token_; }

 private:
  enum class Where { top, context, benchmarks, row, other };

  Where where() const {
    if (depth_ == 0) return Where::top;
    if (depth_ == 1) {
      if (top_key_ == "context") return Where::context;
      if (top_key_ == "benchmarks") return Where::benchmarks;
      return Where::other;
    }
    if (depth_ == 2 && in_benchmarks_) return Where::row;
    return Where::other;
  }

  bool fail(net::ErrorKind kind, std::string what) {
    failure_ = net::Error{kind, 0, file_.source() + ": " + std::move(what)};
    return false;
  }

  void count_value() {
    if (++capture_values_ > limits_.max_row_values) capture_full_ = true;
  }

  bool scalar(json value) {
    if (capturing_) {
      count_value();
      if (!capture_full_) builder_.value(std::move(value));
      return true;
    }
    switch (where()) {
      case Where::top:
        return fail(net::ErrorKind::bad_data, "the top level is " + std::string(type_name(value)) +
                                                  ", not an object with a \"benchmarks\" array");
      case Where::context:
        file_.set_context(value);
        return true;
      case Where::benchmarks:
        return fail(net::ErrorKind::bad_data,
                    "\"benchmarks\" is " + std::string(type_name(value)) + ", not an array");
      case Where::row:
        if (!count_row()) return false;
        return file_.add_row(value, row_index_ - 1, failure_);
      case Where::other:
        return true;
    }
    return true;
  }

  bool count_row() {
    if (++row_index_ > limits_.max_rows) {
      return fail(net::ErrorKind::too_large, "more than " + std::to_string(limits_.max_rows) +
                                                 " rows in \"benchmarks\" (the limit is " +
                                                 std::to_string(limits_.max_rows) + ")");
    }
    return true;
  }

  void begin_capture(Where what) {
    capturing_ = true;
    capture_what_ = what;
    capture_depth_ = depth_;
    capture_values_ = 0;
    capture_full_ = false;
    builder_.reset();
  }

  bool open(bool object) {
    if (depth_ + 1 > limits_.max_depth) {
      return fail(net::ErrorKind::too_large,
                  "nested deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    if (capturing_) {
      count_value();
      if (!capture_full_) object ? builder_.start_object() : builder_.start_array();
      ++depth_;
      return true;
    }
    switch (where()) {
      case Where::top:
        if (!object) {
          return fail(net::ErrorKind::bad_data,
                      "the top level is an array, not an object with a \"benchmarks\" array");
        }
        break;
      case Where::context:
        begin_capture(Where::context);
        object ? builder_.start_object() : builder_.start_array();
        break;
      case Where::benchmarks:
        if (object)
          return fail(net::ErrorKind::bad_data, "\"benchmarks\" is an object, not an array");
        if (seen_benchmarks_) return fail(net::ErrorKind::bad_data, "two \"benchmarks\" arrays");
        seen_benchmarks_ = true;
        in_benchmarks_ = true;
        break;
      case Where::row:
        if (!count_row()) return false;
        begin_capture(Where::row);
        object ? builder_.start_object() : builder_.start_array();
        break;
      case Where::other:
        break;
    }
    ++depth_;
    return true;
  }

  bool close() {
    if (depth_ > 0) --depth_;
    if (capturing_) {
      if (!capture_full_) builder_.end();
      if (depth_ > capture_depth_) return true;
      capturing_ = false;
      const bool full = capture_full_;
      json value = builder_.take();
      builder_.reset();
      if (capture_what_ == Where::context) {
        if (full) {
          file_.warn("\"context\" has more than " + std::to_string(limits_.max_row_values) +
                     " values: ignored");
          return true;
        }
        file_.set_context(value);
        return true;
      }
      if (full) {
        file_.warn("benchmarks[" + std::to_string(row_index_ - 1) + "] has more than " +
                   std::to_string(limits_.max_row_values) + " values: row skipped");
        return true;
      }
      return file_.add_row(value, row_index_ - 1, failure_);
    }
    if (in_benchmarks_ && depth_ == 1) in_benchmarks_ = false;
    return true;
  }

  FileAccumulator& file_;
  const ReadLimits& limits_;
  std::optional<net::Error> failure_;
  std::size_t depth_ = 0;
  std::string top_key_;
  bool in_benchmarks_ = false;
  bool seen_benchmarks_ = false;
  bool is_manifest_ = false;
  std::size_t row_index_ = 0;  // rows seen so far
  bool capturing_ = false;
  Where capture_what_ = Where::other;
  std::size_t capture_depth_ = 0;
  std::size_t capture_values_ = 0;
  bool capture_full_ = false;
  DomBuilder builder_;
  std::size_t parse_error_position_ = 0;
  std::string parse_error_text_;
  std::string parse_error_token_;
};

bool only_whitespace(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

// parse_error_message: nlohmann's message with the offset of the offending
// byte in the caller's text (0-based; line and column 1-based), without the
// exception's "[json.exception...]" prefix, and with "last read" quoting the
// caller's text rather than the rewritten one.
std::string parse_error_message(const std::string& source, std::string_view original,
                                const ReportStream& stream, const std::vector<Shift>& shifts,
                                std::size_t parsed_size) {
  const std::size_t position = stream.parse_error_position();  // bytes read, 1-based
  std::string detail = stream.parse_error_text();
  if (const auto bracket = detail.find("] ");
      detail.starts_with("[json.exception") && bracket != std::string::npos) {
    detail.erase(0, bracket + 2);
  }
  // "parse error at line 3, column 7: syntax error ..." -> "syntax error ..."
  if (const auto column = detail.find("column "); column != std::string::npos) {
    if (const auto colon = detail.find(": ", column); colon != std::string::npos)
      detail.erase(0, colon + 2);
  } else if (detail.starts_with("parse error: ")) {
    detail.erase(0, 13);
  }
  if (position >= parsed_size && detail.find("unexpected end of input") != std::string::npos) {
    return source + ": truncated JSON: the text ends at byte " + std::to_string(original.size()) +
           " inside " + (stream.depth() > 0 ? "an unfinished object or array" : "a value") +
           " (was the file cut short?)";
  }
  const std::size_t end = std::min(original_offset(shifts, position), original.size());
  const std::size_t offset = end == 0 ? 0 : end - 1;
  const std::string& token = stream.parse_error_token();
  const std::size_t token_start_parsed = position > token.size() ? position - token.size() : 0;
  const std::size_t token_start = std::min(original_offset(shifts, token_start_parsed), end);
  const std::string_view last_read = original.substr(token_start, end - token_start);
  if (const auto quoted = detail.find("last read: '"); quoted != std::string::npos) {
    const auto close = detail.find("'", quoted + 12);
    const std::string replacement = "last read: '" + shown(last_read, 40) + "'";
    detail.replace(quoted, close == std::string::npos ? std::string::npos : close + 1 - quoted,
                   replacement);
  }
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < original.size(); ++i) {
    if (original[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return source + ": not JSON: parse error at byte " + std::to_string(offset) + " (line " +
         std::to_string(line) + ", column " + std::to_string(column) + "): " + detail;
}

std::size_t count_values(const Report& report) {
  std::size_t count = 0;
  for (const Benchmark& benchmark : report.benchmarks) {
    for (const auto& [metric, series] : benchmark.metrics)
      count += series.values.size();
  }
  return count;
}

net::Result<std::string> read_text(const fs::path& path, std::size_t max_bytes) {
  std::error_code error;
  const std::uintmax_t size = fs::file_size(path, error);
  if (!error && size > max_bytes) {
    return net::make_error(net::ErrorKind::too_large, path.string() + ": " + std::to_string(size) +
                                                          " bytes, more than the limit of " +
                                                          std::to_string(max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return net::from_errno(errno != 0 ? errno : EIO, path.string());
  std::string text;
  if (!error) text.reserve(static_cast<std::size_t>(size));
  std::array<char, 1 << 16> buffer;
  while (in) {
    in.read(buffer.data(), buffer.size());
    text.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      return net::make_error(
          net::ErrorKind::too_large,
          path.string() + ": more than the limit of " + std::to_string(max_bytes) + " bytes");
    }
  }
  if (in.bad()) return net::make_error(net::ErrorKind::io, path.string() + ": read failed");
  return text;
}

// Manifest: `faultline bench run`'s manifest.json (see gbench_json.h).
struct Manifest {
  std::string commit;
  std::optional<bool> dirty;
  std::string build_type;
  std::string host;
  std::map<std::string, std::optional<int>, std::less<>> rounds;  // file name -> round
};

net::Result<Manifest> read_manifest(const fs::path& path, const ReadLimits& limits,
                                    std::vector<std::string>& warnings) {
  net::Result<std::string> text =
      read_text(path, std::min<std::size_t>(limits.max_file_bytes, 64 << 20));
  if (!text) return tl::unexpected(text.error());
  const std::string source = path.string();
  bool too_deep = false;
  const json::parser_callback_t check_depth = [&](int depth, json::parse_event_t, json&) {
    if (static_cast<std::size_t>(depth) > limits.max_depth) too_deep = true;
    return !too_deep;
  };
  const std::optional<Normalised> normalised = normalise_non_finite(*text);
  const std::string_view parsed_text = normalised ? std::string_view(normalised->text) : *text;
  json manifest = json::parse(parsed_text.begin(), parsed_text.end(), check_depth, false);
  auto bad = [&](const std::string& what) {
    return net::make_error(net::ErrorKind::bad_data, source + ": " + what);
  };
  if (too_deep) return bad("nested deeper than " + std::to_string(limits.max_depth) + " levels");
  if (manifest.is_discarded()) return bad("not JSON (a faultline manifest must be a JSON object)");
  if (!manifest.is_object()) return bad("not a JSON object");
  const json* version = field(manifest, "faultline_manifest");
  if (version == nullptr) return bad("no \"faultline_manifest\" version field");
  const auto version_number = integer_of(*version);
  if (!version_number || *version_number != 1) {
    return bad("manifest version " + describe_value(*version) +
               " is not supported (this faultline reads version 1)");
  }
  Manifest result;
  auto text_field = [&](std::string_view key, std::string& out) {
    if (const json* value = field(manifest, key)) {
      if (value->is_string()) {
        out = value->get<std::string>();
      } else {
        warnings.push_back(source + ": \"" + std::string(key) + "\" is not a string: ignored");
      }
    }
  };
  text_field("commit", result.commit);
  text_field("build_type", result.build_type);
  text_field("host", result.host);
  if (const json* dirty = field(manifest, "dirty")) {
    if (dirty->is_boolean()) {
      result.dirty = dirty->get<bool>();
    } else {
      warnings.push_back(source + ": \"dirty\" is not a boolean: ignored");
    }
  }
  const json* files = field(manifest, "files");
  if (files == nullptr || !files->is_array()) return bad("no \"files\" array");
  for (std::size_t i = 0; i < files->size(); ++i) {
    const json& entry = (*files)[i];
    const std::string where = source + ": files[" + std::to_string(i) + "]";
    const json* file = field(entry, "file");
    if (file == nullptr || !file->is_string() || file->get_ref<const std::string&>().empty()) {
      warnings.push_back(where + " has no \"file\" name: ignored");
      continue;
    }
    const std::string& name = file->get_ref<const std::string&>();
    if (name.find('/') != std::string::npos || name.find('\\') != std::string::npos ||
        name == "." || name == "..") {
      warnings.push_back(where + ": \"" + shown(name) +
                         "\" is a path, not a file name in the directory: ignored");
      continue;
    }
    std::optional<int> round;
    if (const json* round_value = field(entry, "round")) {
      const auto n = integer_of(*round_value);
      if (n && *n >= 0 && *n <= std::numeric_limits<int>::max()) {
        round = static_cast<int>(*n);
      } else {
        warnings.push_back(where + " (" + shown(name) +
                           "): \"round\" is not an integer >= 0: read without a round");
      }
    }
    if (!result.rounds.emplace(name, round).second) {
      warnings.push_back(where + ": \"" + shown(name) +
                         "\" is listed twice: the first entry counts");
    }
  }
  return result;
}

// annotate: a manifest's context and round for one file's report.
void annotate(Report& report, const Manifest& manifest, std::optional<int> round) {
  for (RunContext& context : report.contexts) {
    context.commit = manifest.commit;
    context.dirty = manifest.dirty;
    context.build_type = manifest.build_type;
    if (context.host_name.empty()) context.host_name = manifest.host;
  }
  if (!round) return;
  for (Benchmark& benchmark : report.benchmarks) {
    for (auto& [metric, series] : benchmark.metrics)
      series.rounds.assign(series.values.size(), *round);
  }
}

net::Result<Report> read_file(const fs::path& path, const ReadLimits& limits) {
  net::Result<std::string> text = read_text(path, limits.max_file_bytes);
  if (!text) return tl::unexpected(text.error());
  return parse_report(*text, path.string(), limits);
}

net::Status read_directory(const fs::path& directory, const ReadLimits& limits, Report& into) {
  std::error_code error;
  std::vector<fs::path> files;
  bool has_manifest = false;
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
    const fs::path& path = it->path();
    if (path.extension() != ".json") continue;
    std::error_code status_error;
    if (!fs::is_regular_file(it->status(status_error))) continue;
    if (path.filename() == kManifestName) {
      has_manifest = true;
      continue;
    }
    files.push_back(path);
  }
  if (error) return net::from_errno(error.value(), directory.string());
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  if (files.empty()) {
    return net::make_error(net::ErrorKind::bad_data,
                           directory.string() + ": no *.json results file" +
                               (has_manifest ? " (only manifest.json)" : ""));
  }
  std::optional<Manifest> manifest;
  if (has_manifest) {
    net::Result<Manifest> read = read_manifest(directory / kManifestName, limits, into.warnings);
    if (!read) return tl::unexpected(read.error());
    manifest = std::move(*read);
    for (const auto& entry : manifest->rounds) {
      const std::string& name = entry.first;
      const bool present = std::any_of(files.begin(), files.end(),
                                       [&](const fs::path& p) { return p.filename() == name; });
      if (!present) {
        into.warnings.push_back((directory / kManifestName).string() + " lists \"" + shown(name) +
                                "\", which is not in the directory");
      }
    }
  }
  for (const fs::path& path : files) {
    net::Result<Report> report = read_file(path, limits);
    if (!report) return tl::unexpected(report.error());
    if (manifest) {
      const auto listed = manifest->rounds.find(path.filename().string());
      if (listed == manifest->rounds.end()) {
        report->warnings.push_back(path.string() +
                                   ": not listed in manifest.json: read without a round");
        annotate(*report, *manifest, std::nullopt);
      } else {
        annotate(*report, *manifest, listed->second);
      }
    }
    merge_into(into, std::move(*report));
    if (count_values(into) > limits.max_values) {
      return net::make_error(net::ErrorKind::too_large,
                             path.string() + ": more than " + std::to_string(limits.max_values) +
                                 " values in all (the limit is " +
                                 std::to_string(limits.max_values) + ")");
    }
  }
  return {};
}

}  // namespace

net::Result<Report> parse_report(std::string_view text, const std::string& source) {
  return parse_report(text, source, ReadLimits{});
}

net::Result<Report> parse_report(std::string_view text, const std::string& source,
                                 const ReadLimits& limits) {
  if (text.size() > limits.max_file_bytes) {
    return net::make_error(net::ErrorKind::too_large, source + ": " + std::to_string(text.size()) +
                                                          " bytes, more than the limit of " +
                                                          std::to_string(limits.max_file_bytes));
  }
  if (only_whitespace(text))
    return net::make_error(net::ErrorKind::bad_data, source + ": empty file");

  const std::optional<Normalised> normalised = normalise_non_finite(text);
  const std::string_view parsed = normalised ? std::string_view(normalised->text) : text;
  static const std::vector<Shift> kNoShifts;
  const std::vector<Shift>& shifts = normalised ? normalised->shifts : kNoShifts;

  FileAccumulator file(source, limits);
  ReportStream stream(file, limits);
  const bool parsed_ok = json::sax_parse(parsed.begin(), parsed.end(), &stream);
  if (stream.failure()) return tl::unexpected(std::move(*stream.failure()));
  if (!parsed_ok) {
    return net::make_error(net::ErrorKind::bad_data,
                           parse_error_message(source, text, stream, shifts, parsed.size()));
  }
  if (!stream.saw_benchmarks()) {
    if (stream.is_manifest()) {
      return net::make_error(net::ErrorKind::bad_data,
                             source +
                                 ": a faultline manifest, not a results file "
                                 "(pass the directory that holds it)");
    }
    return net::make_error(net::ErrorKind::bad_data, source + ": no \"benchmarks\" array");
  }
  Report report = file.finish();
  if (file.late_failure()) return tl::unexpected(std::move(*file.late_failure()));
  return report;
}

net::Result<Report> read_reports(const std::vector<std::filesystem::path>& paths) {
  return read_reports(paths, ReadLimits{});
}

net::Result<Report> read_reports(const std::vector<std::filesystem::path>& paths,
                                 const ReadLimits& limits) {
  if (paths.empty())
    return net::make_error(net::ErrorKind::invalid_argument, "no results file given");
  Report total;
  for (const fs::path& path : paths) {
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (!fs::exists(status)) {
      return net::make_error(net::ErrorKind::not_found,
                             path.string() + ": no such file or directory");
    }
    if (fs::is_directory(status)) {
      if (net::Status read = read_directory(path, limits, total); !read)
        return tl::unexpected(read.error());
      continue;
    }
    net::Result<Report> report = read_file(path, limits);
    if (!report) return tl::unexpected(report.error());
    merge_into(total, std::move(*report));
    if (count_values(total) > limits.max_values) {
      return net::make_error(net::ErrorKind::too_large,
                             path.string() + ": more than " + std::to_string(limits.max_values) +
                                 " values in all (the limit is " +
                                 std::to_string(limits.max_values) + ")");
    }
  }
  return total;
}

void merge_into(Report& into, Report more) {
  for (RunContext& context : more.contexts)
    into.contexts.push_back(std::move(context));
  for (std::string& warning : more.warnings)
    into.warnings.push_back(std::move(warning));
  // Positions, keyed by owned names: appending may move the benchmarks (and
  // with them a short name's characters), so no view into them is kept.
  std::unordered_map<std::string, std::size_t> index;
  index.reserve(into.benchmarks.size() + more.benchmarks.size());
  for (std::size_t i = 0; i < into.benchmarks.size(); ++i)
    index.emplace(into.benchmarks[i].name, i);
  for (Benchmark& benchmark : more.benchmarks) {
    const auto [found, inserted] = index.try_emplace(benchmark.name, into.benchmarks.size());
    if (inserted) {
      into.benchmarks.push_back(std::move(benchmark));
      continue;
    }
    const std::size_t position = found->second;
    Benchmark& target = into.benchmarks[position];
    for (auto& [metric, series] : benchmark.metrics) {
      const auto existing = target.metrics.find(metric);
      if (existing == target.metrics.end()) {
        target.metrics.emplace(metric, std::move(series));
        continue;
      }
      MetricSeries& pooled = existing->second;
      const bool rounds_known = pooled.rounds.size() == pooled.values.size() &&
                                series.rounds.size() == series.values.size();
      if (pooled.from_aggregates != series.from_aggregates) {
        into.warnings.push_back(shown(benchmark.name) + ": " + metric +
                                " pools per-repetition values with aggregate means");
      }
      pooled.values.insert(pooled.values.end(), series.values.begin(), series.values.end());
      if (rounds_known) {
        pooled.rounds.insert(pooled.rounds.end(), series.rounds.begin(), series.rounds.end());
      } else {
        pooled.rounds.clear();
      }
      pooled.from_aggregates = pooled.from_aggregates || series.from_aggregates;
    }
    // A series the other side lacks entirely keeps its rounds; one present
    // on both sides was handled above.
    if (!target.metrics.empty()) {
      target.error.clear();
    } else if (target.error.empty()) {
      target.error = std::move(benchmark.error);
    }
  }
}

}  // namespace faultline::bench
