// fuzz/split_pieces.h: cutting a fuzzer's stream at fuzzer-chosen offsets,
// for the split-invariance fuzzers (http_split, ws_frame, ws_utf8).
//
//   std::vector<std::size_t> offsets = {input.u16(), input.u16()};
//   auto pieces = fuzz::split_at(stream, offsets);   // 3 pieces, maybe empty
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <vector>

namespace faultline::fuzz {

// split_at: `stream` cut at `offsets` (each taken modulo stream.size() + 1,
// in any order), so empty pieces happen; the pieces join to `stream`.
inline std::vector<std::string_view> split_at(std::string_view stream,
                                              std::vector<std::size_t> offsets) {
  for (std::size_t& offset : offsets)
    offset %= stream.size() + 1;
  std::sort(offsets.begin(), offsets.end());
  std::vector<std::string_view> pieces;
  std::size_t from = 0;
  for (std::size_t offset : offsets) {
    pieces.push_back(stream.substr(from, offset - from));
    from = offset;
  }
  pieces.push_back(stream.substr(from));
  return pieces;
}

}  // namespace faultline::fuzz
