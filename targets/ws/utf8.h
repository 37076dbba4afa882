// targets/ws/utf8.h: incremental UTF-8 validation that fails at the first
// byte no valid text could continue with.
//
// A WebSocket text message must be valid UTF-8 as a whole, while one
// character may be split across frames and across reads. The validator keeps
// the state of a partial sequence between feeds, so the verdict never depends
// on where the message was split:
//
//   ws::Utf8Validator validator;
//   auto bad = validator.feed(first_read);     // std::nullopt: fine so far
//   bad = validator.feed(second_read);         // 3: the 4th byte of this piece is invalid
//   bool whole = validator.complete();         // false while inside a sequence
//
// "First invalid byte" means the first byte at which the bytes so far stop
// being a prefix of any valid UTF-8 text (Unicode Table 3-7): F4 90 fails at
// 0x90 (above U+10FFFF), ED A0 at 0xA0 (a surrogate), E0 80 at 0x80
// (overlong), C0 and F5..FF at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace faultline::ws {

// Utf8Validator: see the file comment. Copyable; a few bytes of state.
class Utf8Validator {
 public:
  // feed checks the next bytes; returns the index in `bytes` of the first
  // invalid byte, or std::nullopt. After a failure the validator stays failed
  // and every later feed returns 0.
  std::optional<std::size_t> feed(std::string_view bytes);
  // complete: no failure and not inside a multi-byte sequence.
  bool complete() const { return !failed_ && needed_ == 0; }
  bool failed() const { return failed_; }
  void reset() { *this = Utf8Validator{}; }

 private:
  std::uint8_t needed_ = 0;    // continuation bytes still to come
  std::uint8_t lower_ = 0x80;  // allowed range of the next continuation byte
  std::uint8_t upper_ = 0xBF;
  bool failed_ = false;
};

// first_invalid_utf8 validates a whole text: the index of the first invalid
// byte, text.size() when the text ends inside a sequence, or std::nullopt
// when it is valid.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

}  // namespace faultline::ws
