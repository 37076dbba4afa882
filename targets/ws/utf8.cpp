#include "targets/ws/utf8.h"

namespace faultline::ws {

std::optional<std::size_t> Utf8Validator::feed(std::string_view bytes) {
  if (failed_) return 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto byte = static_cast<std::uint8_t>(bytes[i]);
    if (needed_ > 0) {
      if (byte < lower_ || byte > upper_) {
        failed_ = true;
        return i;
      }
      --needed_;
      lower_ = 0x80;
      upper_ = 0xBF;
      continue;
    }
    if (byte < 0x80) continue;
    // Lead bytes and the range of the byte after them (Unicode Table 3-7).
    if (byte >= 0xC2 && byte <= 0xDF) {
      needed_ = 1;
    } else if (byte == 0xE0) {
      needed_ = 2;
      lower_ = 0xA0;  // below: overlong
    } else if ((byte >= 0xE1 && byte <= 0xEC) || byte == 0xEE || byte == 0xEF) {
      needed_ = 2;
    } else if (byte == 0xED) {
      needed_ = 2;
      upper_ = 0x9F;  // above: surrogates
    } else if (byte == 0xF0) {
      needed_ = 3;
      lower_ = 0x90;  // below: overlong
    } else if (byte >= 0xF1 && byte <= 0xF3) {
      needed_ = 3;
    } else if (byte == 0xF4) {
      needed_ = 3;
      upper_ = 0x8F;  // above: beyond U+10FFFF
    } else {
      failed_ = true;  // 80..C1 (stray continuation, overlong lead) and F5..FF
      return i;
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  Utf8Validator validator;
  if (auto bad = validator.feed(text)) return bad;
  if (!validator.complete()) return text.size();
  return std::nullopt;
}

}  // namespace faultline::ws
