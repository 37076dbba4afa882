// fuzz/fuzz_support.h: what every fuzzer here shares: reading control bytes
// from the input, printing bytes readably, and reporting a broken property.
//
//   extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
//     fuzz::FuzzInput input(data, size);
//     const std::uint8_t flags = input.byte();         // 0 once the input is used up
//     std::string_view rest = input.rest();
//     if (parse(rest) != parse(rest)) {
//       fuzz::property_failed("url_fuzzer", "parse is not a function", fuzz::escape(rest));
//     }
//     return 0;
//   }
//
// A fuzzer reports a property violation by printing what broke and trapping
// (libFuzzer and the standalone driver both turn the trap into a crash with a
// stack). Nothing else in a fuzzer exits or aborts.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace faultline::fuzz {

// FuzzInput: a cursor over the fuzzer's bytes. Every read succeeds: past the
// end a byte reads as 0 and a span as empty, so any input is a valid input.
class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size)
      : text_(reinterpret_cast<const char*>(data), data == nullptr ? 0 : size) {}

  std::uint8_t byte() {
    if (text_.empty()) return 0;
    const auto value = static_cast<std::uint8_t>(text_.front());
    text_.remove_prefix(1);
    return value;
  }
  // u16: two bytes, big-endian.
  std::uint16_t u16() {
    const std::uint16_t high = byte();
    return static_cast<std::uint16_t>((high << 8) | byte());
  }
  std::uint64_t u64() {
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i)
      value = (value << 8) | byte();
    return value;
  }
  // bytes: the next `count` bytes (fewer at the end of the input).
  std::string_view bytes(std::size_t count) {
    const std::string_view taken = text_.substr(0, count);
    text_.remove_prefix(taken.size());
    return taken;
  }
  // rest: every byte not read yet.
  std::string_view rest() {
    const std::string_view taken = text_;
    text_ = {};
    return taken;
  }
  std::size_t remaining() const { return text_.size(); }

 private:
  std::string_view text_;
};

// escape: bytes as a one-line C-like string literal body ("GET /\r\n\x00").
inline std::string escape(std::string_view bytes, std::size_t max_bytes = 512) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < max_bytes; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  if (bytes.size() > max_bytes) out += "...(" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

// property_failed prints which property broke and the details, then traps.
// `property` names the property in words that stay the same from input to
// input (crash triage deduplicates on it); `details` shows this input.
[[noreturn]] inline void property_failed(std::string_view fuzzer, std::string_view property,
                                         const std::string& details = {}) {
  std::fprintf(stderr, "\n==== %.*s: property violated ====\nproperty: %.*s\n%s\n",
               static_cast<int>(fuzzer.size()), fuzzer.data(), static_cast<int>(property.size()),
               property.data(), details.c_str());
  std::fflush(stderr);
  __builtin_trap();
}

}  // namespace faultline::fuzz
