// fuzz/known_issues.h: parser bugs the fuzzers found in code outside fuzz/
// that are reported and not fixed yet (docs/fuzzing.md, "Known issues"; the
// fault engine's KI-6 lives in fuzz/fault_schedule.h).
//
// Each is a predicate that recognises exactly the shape of one bug, so a
// campaign goes on finding other bugs instead of stopping at the known one.
// When the fix lands, delete the predicate and its uses: the fuzzers enforce
// the property again, and the reproducers in corpus/ become regression tests.
//
//   if (auto issue = fuzz::known_parse_issue(outcome, stream.size())) return;  // tolerated
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "fuzz/http_fuzz_support.h"

namespace faultline::fuzz {

// kFinishAfterClose (KI-1): http::Parser::finish() right after a complete
// message that closes the connection (Connection: close, or HTTP/1.0 without
// keep-alive; strict keep-alive) fails with truncated/HPE_INVALID_EOF_STATE,
// though no message is in progress. The wrapper pauses llhttp in
// on_message_complete, before llhttp__after_message_complete marks the
// parser finish-safe, and llhttp_finish then sees HTTP_FINISH_UNSAFE.
// Reproducer: corpus/http_request/known_issue_finish_after_close.
inline constexpr std::string_view kFinishAfterClose = "KI-1 finish() after a closing message";

inline bool is_finish_after_close(const ParseOutcome& outcome, std::uint64_t stream_size) {
  if (!outcome.error || outcome.messages.empty() || outcome.in_progress) return false;
  const http::Message& last = outcome.messages.back();
  return outcome.error->code == http::ParseErrorCode::truncated &&
         outcome.error->llhttp_name == "HPE_INVALID_EOF_STATE" &&
         outcome.error->offset == stream_size && !last.keep_alive && !last.upgrade;
}

// kEmptyTransferEncoding (KI-2): strict mode accepts a message whose only
// Transfer-Encoding lines are empty ("Transfer-Encoding:") and frames it by
// its Content-Length (or as bodyless): llhttp 8.1 sets no flag for an empty
// value, so neither the CL+TE check nor the request TE check fires.
// http-parser 2.9 rejects both shapes. A smuggling shape: a peer that takes
// any Transfer-Encoding line as "not Content-Length" frames it differently.
// Reproducer: corpus/http_request/known_issue_empty_transfer_encoding.
inline constexpr std::string_view kEmptyTransferEncoding =
    "KI-2 empty Transfer-Encoding accepted in strict mode";

inline bool only_empty_transfer_encoding(const http::Message& m) {
  const std::vector<std::string_view> values = m.headers_named("Transfer-Encoding");
  if (values.empty()) return false;
  for (std::string_view value : values) {
    if (value.find_first_not_of(" \t") != std::string_view::npos) return false;
  }
  return true;
}

// kStatusNotThreeDigits (KI-3): strict mode accepts a status line whose
// status code is not three digits: none ("HTTP/1.1 \r\n"), one or two digits
// ("HTTP/1.1 20 OK"), after two spaces; the message gets status_code 0-99.
// client::Session then takes it for an informational (1xx) response and
// skips it, body and all: "HTTP/1.1 20 OK" + "Content-Length: 2" + "hi",
// then a 200, returns the 200. RFC 9112 section 4: status-code = 3DIGIT.
// Reproducer: corpus/http_response/known_issue_status_not_three_digits.
inline constexpr std::string_view kStatusNotThreeDigits =
    "KI-3 status code not three digits accepted in strict mode";

inline bool is_status_not_three_digits(const http::Message& m) {
  return m.type == http::MessageType::response && m.status_code < 100;
}

// kHttp09Message (KI-4): strict mode accepts HTTP/0.9: request lines without
// a version ("GET /\r\n"), "HTTP/0.9" in a start line, and with them a
// CONNECT with an empty request-target
// ("CONNECT \r\n\r\n"), which then upgrades the connection. FUZZING.md bug
// class 6 (HTTP/0.9 fallback). Reproducer:
// corpus/http_request/known_issue_http09_connect_empty_target.
inline constexpr std::string_view kHttp09Message = "KI-4 HTTP/0.9 accepted in strict mode";

inline bool is_http09_message(const http::Message& m) {
  return m.version_major == 0;
}

// kStaleContentLength (KI-5): with lenient_keep_alive, after a message that
// closes the connection and whose body was skipped (a response to HEAD, or
// 1xx/204/304, with Content-Length: 5), llhttp 8.1 does not reset its
// content_length: the next message's "Content-Length: 1" reads as 51, and
// its body takes 51 bytes. A response desync (smuggling) shape behind a
// lenient flag. The wrapper can reset llhttp_.content_length in
// on_message_begin. Reproducer:
// corpus/http_response/known_issue_stale_content_length.lenient.
inline constexpr std::string_view kStaleContentLength =
    "KI-5 stale Content-Length after a skipped body (lenient_keep_alive)";

// follows_skipped_closing_body: message `index` comes after a closing
// message whose Content-Length body was skipped, in lenient_keep_alive mode.
inline bool follows_skipped_closing_body(const std::vector<http::Message>& messages,
                                         std::size_t index, const http::ParserOptions& options) {
  if (!options.lenient_keep_alive) return false;
  for (std::size_t i = 0; i < index && i < messages.size(); ++i) {
    const http::Message& m = messages[i];
    if (!m.keep_alive && !m.upgrade && !m.chunked && m.content_length &&
        m.body.size() < *m.content_length) {
      return true;
    }
  }
  return false;
}

// known_parse_issue: the known issue an outcome shows, if any.
inline std::optional<std::string_view> known_parse_issue(const ParseOutcome& outcome,
                                                         std::uint64_t stream_size) {
  if (is_finish_after_close(outcome, stream_size)) return kFinishAfterClose;
  return std::nullopt;
}

}  // namespace faultline::fuzz
