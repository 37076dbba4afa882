// fuzz/http_split_fuzzer.cpp: split invariance of http::Parser. Parsing a
// stream in one piece and in fuzzer-chosen pieces must give the same
// messages, or the same error (code and byte offset), the same upgrade bytes
// and the same state at the end: the promise at the top of parser.h.
//
// Input: [flags][mode][splits][2 bytes per split point...][stream...]
//   flags   lenient flags and limits (fuzz/http_fuzz_support.h)
//   mode    bit 0 responses (else requests); bit 1 finish() at the end;
//           bits 2-7 up to three requests the responses answer (2 bits each:
//           1 GET, 2 HEAD, 3 CONNECT, 0 ends the list)
//   splits  bits 0-5 the number of split points (0-63), each a big-endian
//           offset taken modulo the stream size + 1 (so empty pieces happen);
//           bit 6 also compares a one-byte-at-a-time run; bit 7 also
//           compares a run that takes messages and upgrade bytes after every
//           piece, as a server loop does (unless the whole run hit
//           max_pending_messages or the upgrade-bytes bound, which only a
//           reader that never takes anything can), and the same run through
//           next_view() with borrow_input, each piece in its own buffer that
//           is overwritten once its messages are taken (a view that outlives
//           its bytes differs), with a body sink when the split count is odd
// Dictionary: corpus/dict/http.dict
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fuzz/http_fuzz_support.h"
#include "fuzz/split_pieces.h"

namespace {

namespace fuzz = faultline::fuzz;
namespace http = faultline::http;

// Taking: how parse_taking takes messages.
enum class Taking { owned, views, views_and_sink };

// parse_taking: parse_pieces, but taking messages after every feed: owned
// with next(), or through next_view() with borrow_input, each piece in its
// own buffer overwritten once its messages are taken (with a body sink, the
// bodies are rebuilt from its pieces).
fuzz::ParseOutcome parse_taking(http::MessageType type, http::ParserOptions options,
                                const std::vector<fuzz::ExpectedMethod>& expected,
                                const std::vector<std::string_view>& pieces, bool finish,
                                Taking taking) {
  options.borrow_input = taking != Taking::owned;
  http::Parser parser(type, options);
  for (fuzz::ExpectedMethod method : expected)
    parser.expect_response_to(fuzz::method_name(method));
  std::string body;
  std::vector<std::string> bodies;
  if (taking == Taking::views_and_sink) {
    parser.set_body_sink([&](std::string_view piece, bool last) {
      body.append(piece);
      if (last) bodies.push_back(std::exchange(body, {}));
    });
  }
  fuzz::ParseOutcome outcome;
  auto take = [&] {
    if (taking == Taking::owned) {
      while (std::optional<http::Message> message = parser.next())
        outcome.messages.push_back(std::move(*message));
    }
    while (std::optional<http::MessageView> view = parser.next_view()) {
      http::Message message = view->to_message();
      if (taking == Taking::views_and_sink && outcome.messages.size() < bodies.size()) {
        message.body = bodies[outcome.messages.size()];
      }
      outcome.messages.push_back(std::move(message));
    }
    outcome.upgrade_data += parser.take_upgrade_data();
  };
  bool failed = false;
  for (std::string_view piece : pieces) {
    std::string buffer(piece);
    failed = !parser.feed(buffer);
    take();
    std::fill(buffer.begin(), buffer.end(), '\xAA');
    if (failed) break;
  }
  if (!failed && finish) (void)parser.finish();
  take();
  outcome.error = parser.error();
  outcome.upgraded = parser.upgraded();
  outcome.in_progress = parser.message_in_progress();
  return outcome;
}

std::string pieces_text(const std::vector<std::string_view>& pieces) {
  std::string out;
  for (std::string_view piece : pieces)
    out += "  \"" + fuzz::escape(piece) + "\"\n";
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  const http::ParserOptions options = fuzz::parser_options_from_byte(input.byte());
  const std::uint8_t mode = input.byte();
  const std::uint8_t splits = input.byte();
  const auto type = (mode & 0x01) != 0 ? http::MessageType::response : http::MessageType::request;
  const bool finish = (mode & 0x02) != 0;
  const auto expected = fuzz::expected_methods_from_byte(static_cast<std::uint8_t>(mode >> 2));
  std::vector<std::size_t> offsets;
  for (int i = 0; i < (splits & 0x3f); ++i)
    offsets.push_back(input.u16());
  const std::string_view stream = input.rest();
  const std::vector<std::string_view> pieces = fuzz::split_at(stream, offsets);

  const fuzz::ParseOutcome whole = fuzz::parse_pieces(type, options, expected, {stream}, finish);
  auto compare = [&](const fuzz::ParseOutcome& other, const std::vector<std::string_view>& used,
                     const char* how) {
    if (whole == other) return;
    fuzz::property_failed(
        "http_split_fuzzer",
        std::string("parsing in pieces (") + how + ") differs from parsing in one piece",
        "mode " + fuzz::describe(options) + (finish ? " finish" : "") + "\npieces:\n" +
            pieces_text(used) + "in one piece: " + fuzz::describe(whole) +
            "in pieces: " + fuzz::describe(other));
  };
  compare(fuzz::parse_pieces(type, options, expected, pieces, finish), pieces, "kept");
  // Taking messages and upgrade bytes frees the room their limits bound, so
  // a reader that takes them can go on where one that doesn't must stop.
  const bool whole_hit_a_taking_limit =
      whole.error &&
      (whole.error->code == http::ParseErrorCode::too_many_pending ||
       (whole.upgraded && whole.error->code == http::ParseErrorCode::body_too_large));
  if ((splits & 0x80) != 0 && !whole_hit_a_taking_limit) {
    compare(parse_taking(type, options, expected, pieces, finish, Taking::owned), pieces,
            "taken after each");
    compare(parse_taking(type, options, expected, pieces, finish,
                         offsets.size() % 2 == 1 ? Taking::views_and_sink : Taking::views),
            pieces, "viewed, borrowed, taken after each");
  }
  if ((splits & 0x40) != 0) {
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < stream.size(); ++i)
      bytes.push_back(stream.substr(i, 1));
    compare(fuzz::parse_pieces(type, options, expected, bytes, finish), {stream},
            "one byte at a time");
  }
  return 0;
}
