// fuzz/ws_utf8_fuzzer.cpp: the incremental UTF-8 validator (targets/ws/utf8.h)
// against a second implementation written another way, fed in
// fuzzer-chosen pieces: the same first invalid byte, or both valid, or both
// "ends inside a character".
//
// The reference reads a lead byte's length from its bit pattern, and decides
// each byte by arithmetic: the bytes so far, completed with the smallest and
// the largest continuation bytes, bound the scalar values they could still
// become; the byte is invalid once that range holds no value the length may
// encode (overlong), nothing at most U+10FFFF, or only surrogates.
//
// Input: [splits][1 byte per split point...][text...]
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "fuzz/split_pieces.h"
#include "targets/ws/utf8.h"

namespace {

namespace fuzz = faultline::fuzz;
namespace ws = faultline::ws;

// reference_first_invalid: see the file comment. text.size() when the text
// ends inside a character; nullopt when valid.
std::optional<std::size_t> reference_first_invalid(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<std::uint8_t>(text[i]);
    int length = 0;
    if ((lead & 0x80) == 0)
      length = 1;
    else if ((lead & 0xE0) == 0xC0)
      length = 2;
    else if ((lead & 0xF0) == 0xE0)
      length = 3;
    else if ((lead & 0xF8) == 0xF0)
      length = 4;
    else
      return i;
    if (length == 1) {
      ++i;
      continue;
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    const std::uint32_t value_bits = lead & (0xFF >> (length + 1));
    for (int k = 1; k <= length; ++k) {
      // Bytes i..i+k-1 are known; the rest could be 0x80..0xBF.
      std::uint32_t low = value_bits, high = value_bits;
      for (int j = 1; j < length; ++j) {
        std::uint32_t known = 0;
        bool have = j < k;
        if (have) {
          if (i + j >= text.size()) return text.size();
          known = static_cast<std::uint8_t>(text[i + j]);
          if ((known & 0xC0) != 0x80) return i + j;
        }
        low = (low << 6) | (have ? (known & 0x3F) : 0x00);
        high = (high << 6) | (have ? (known & 0x3F) : 0x3F);
      }
      const std::uint32_t lo = std::max(low, kMin[length]);
      const std::uint32_t hi = std::min<std::uint32_t>(high, 0x10FFFF);
      const bool only_surrogates = lo >= 0xD800 && hi <= 0xDFFF;
      if (lo > hi || only_surrogates) return i + k - 1;
    }
    i += static_cast<std::size_t>(length);
  }
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  const std::uint8_t splits = input.byte() & 0x0F;
  std::vector<std::size_t> offsets;
  for (int i = 0; i < splits; ++i)
    offsets.push_back(input.byte());
  const std::string_view text = input.rest();
  ws::Utf8Validator validator;
  std::optional<std::size_t> incremental;
  std::size_t at = 0;
  for (std::string_view piece : fuzz::split_at(text, offsets)) {
    if (auto bad = validator.feed(piece)) {
      incremental = at + *bad;
      break;
    }
    at += piece.size();
  }
  if (!incremental && !validator.complete()) incremental = text.size();

  const auto reference = reference_first_invalid(text);
  if (incremental != reference)
    fuzz::property_failed("ws_utf8_fuzzer", "validator and reference disagree",
                          "text: " + fuzz::escape(text) + "\nvalidator: " +
                              (incremental ? std::to_string(*incremental) : "valid") +
                              "\nreference: " + (reference ? std::to_string(*reference) : "valid"));
  if (ws::first_invalid_utf8(text) != reference)
    fuzz::property_failed("ws_utf8_fuzzer", "one-piece validation disagrees with the reference",
                          "text: " + fuzz::escape(text));
  return 0;
}
