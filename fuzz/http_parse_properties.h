// fuzz/http_parse_properties.h: the properties http_request_fuzzer and
// http_response_fuzzer check on every stream they parse.
//
//   fuzz::check_parse_properties("http_request", http::MessageType::request,
//                                options, /*expected=*/{}, stream);
//
// 1. Errors are well formed and sticky: an offset inside the stream, a code,
//    an llhttp name, and the same error from every later feed() and finish().
// 2. Limits hold: no message has more header lines, a longer target, reason
//    or body than the limits allow.
// 3. Strict mode closes the request-smuggling doors: no value carries CR, LF
//    or NUL, no message has Content-Length together with Transfer-Encoding or
//    two Content-Length lines, and a Content-Length body has exactly that length.
// 4. Round trip: every accepted message, re-serialised with
//    serialize(Message), parses (same mode, roomy limits) to an equal message.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/http_fuzz_support.h"
#include "targets/http/serialize.h"

namespace faultline::fuzz {
namespace detail {

inline bool has_byte(std::string_view text, std::string_view bytes) {
  return text.find_first_of(bytes) != std::string_view::npos;
}

// body_is_framed_by_length: the message's body length comes from
// Content-Length alone (no Transfer-Encoding, no tunnel, a body allowed).
inline bool body_is_framed_by_length(const http::Message& m, ExpectedMethod expected) {
  if (!m.content_length || m.header("Transfer-Encoding") || m.upgrade) return false;
  if (m.type == http::MessageType::request) return true;
  return http::status_has_body(m.status_code) && expected != ExpectedMethod::head &&
         !(expected == ExpectedMethod::connect && m.status_code / 100 == 2);
}

// responses_expectations gives, per parsed message, the method the parser
// matched it with: requests are taken in order by non-1xx responses.
inline std::vector<ExpectedMethod> expectations_of(const std::vector<http::Message>& messages,
                                                   std::vector<ExpectedMethod> expected) {
  std::vector<ExpectedMethod> out;
  std::size_t next = 0;
  for (const http::Message& m : messages) {
    ExpectedMethod method = ExpectedMethod::none;
    if (m.type == http::MessageType::response && m.status_code / 100 != 1 &&
        next < expected.size()) {
      method = expected[next++];
    }
    out.push_back(method);
  }
  return out;
}

}  // namespace detail

inline void check_parse_properties(std::string_view fuzzer, http::MessageType type,
                                   const http::ParserOptions& options,
                                   const std::vector<ExpectedMethod>& expected,
                                   std::string_view stream) {
  http::Parser parser(type, options);
  for (ExpectedMethod method : expected)
    parser.expect_response_to(method_name(method));
  const bool fed = static_cast<bool>(parser.feed(stream));
  if (fed) (void)parser.finish();
  std::vector<http::Message> messages;
  if (parser.pending() > options.limits.max_pending_messages) {
    property_failed(fuzzer, "more messages pending than max_pending_messages");
  }
  while (std::optional<http::Message> message = parser.next())
    messages.push_back(std::move(*message));
  const std::string context = "mode " + describe(options) + "\ninput \"" + escape(stream) + "\"\n";

  // 1. Errors.
  if (const std::optional<http::ParseError>& error = parser.error()) {
    if (error->offset > stream.size() || error->llhttp_name.empty() || error->to_string().empty()) {
      property_failed(fuzzer, "malformed error", context + error->to_string());
    }
    const http::ParseResult again = parser.feed("GET / HTTP/1.1\r\n\r\n");
    const http::ParseResult at_end = parser.finish();
    if (again || at_end || !(again.error() == *error) || !(at_end.error() == *error)) {
      property_failed(fuzzer, "error not sticky", context + error->to_string());
    }
  }

  // 1b. Line endings: in every mode, a CR is always followed by LF outside
  // body data and bytes after an upgrade. Checked where no message had body
  // bytes, so every CR in an accepted stream is part of a line end.
  if (!parser.error() &&
      std::none_of(messages.begin(), messages.end(),
                   [](const http::Message& m) { return m.upgrade || !m.body.empty(); })) {
    for (std::size_t i = 0; i < stream.size(); ++i) {
      if (stream[i] == '\r' && (i + 1 == stream.size() || stream[i + 1] != '\n')) {
        property_failed(fuzzer, "accepted a bare CR (not followed by LF)",
                        context + "at byte " + std::to_string(i) + "\n");
      }
    }
  }

  const std::vector<ExpectedMethod> expectations = detail::expectations_of(messages, expected);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const http::Message& m = messages[i];
    const std::string where = context + "message " + std::to_string(i) + ":\n" + describe(m);

    // 2. Limits.
    const http::ParserLimits& limits = options.limits;
    if (m.headers.size() + m.trailers.size() > limits.max_header_count ||
        m.target.size() > limits.max_url_length || m.reason.size() > limits.max_reason_length ||
        m.body.size() > limits.max_body_bytes) {
      property_failed(fuzzer, "a limit was exceeded", where);
    }
    if (m.type != type) property_failed(fuzzer, "wrong message type", where);
    for (const http::Header& header : m.headers) {
      // Names are checked in every mode: a name is a non-empty token.
      if (header.name.empty() || detail::has_byte(header.name, std::string_view(" \t\r\n:\0", 6))) {
        property_failed(fuzzer, "header name is not a token", where + escape(header.name));
      }
    }

    // Every mode: a status code is three digits (RFC 9112 section 4).
    if (m.type == http::MessageType::response && (m.status_code < 100 || m.status_code > 999)) {
      property_failed(fuzzer, "accepted a status code outside 100-999", where);
    }

    // 3. Strict mode.
    if (is_strict(options)) {
      for (const http::Headers* lines : {&m.headers, &m.trailers}) {
        for (const http::Header& header : *lines) {
          if (detail::has_byte(header.value, std::string_view("\r\n\0", 3))) {
            property_failed(fuzzer, "strict mode accepted CR, LF or NUL in a value", where);
          }
        }
      }
      if (m.content_length && m.header("Transfer-Encoding")) {
        property_failed(fuzzer, "strict mode accepted Content-Length with Transfer-Encoding",
                        where);
      }
      for (std::string_view value : m.headers_named("Transfer-Encoding")) {
        if (value.find_first_not_of(" \t") == std::string_view::npos) {
          property_failed(fuzzer, "strict mode accepted an empty Transfer-Encoding", where);
        }
      }
      if (m.version_major < 1) {
        property_failed(fuzzer, "strict mode accepted an HTTP/0.x message", where);
      }
      if (m.type == http::MessageType::request && m.target.empty()) {
        property_failed(fuzzer, "strict mode accepted an empty request-target", where);
      }
      if (m.headers_named("Content-Length").size() > 1) {
        property_failed(fuzzer, "strict mode accepted two Content-Length lines", where);
      }
      if (detail::body_is_framed_by_length(m, expectations[i]) &&
          m.body.size() != *m.content_length) {
        property_failed(fuzzer, "body length differs from Content-Length", where);
      }
    }

    // 4. Round trip. (Not for HTTP/0.9, lenient_version only: the
    // version-less line has no HTTP/1.x form.)
    if (m.version_major == 0) continue;
    const std::string wire = http::serialize(m);
    http::ParserOptions again_options = options;
    again_options.limits = roomy_limits();
    std::vector<ExpectedMethod> again_expected;
    if (expectations[i] != ExpectedMethod::none) again_expected.push_back(expectations[i]);
    const ParseOutcome again = parse_pieces(type, again_options, again_expected, {wire}, true);
    const std::string round_trip =
        where + "serialized \"" + escape(wire) + "\"\nparsed again as " + describe(again);
    if (again.messages.empty() || !(again.messages.front() == m)) {
      property_failed(fuzzer, "round trip changed the message", round_trip);
    }
    // A response without a body by its status or request (HEAD, 204, 304,
    // 1xx, CONNECT 2xx) but with chunked framing headers gets a last-chunk
    // from the serializer, which does not know why it has no body: only its
    // first message is compared.
    const bool bodyless_by_context =
        m.type == http::MessageType::response &&
        (!http::status_has_body(m.status_code) || expectations[i] == ExpectedMethod::head ||
         (expectations[i] == ExpectedMethod::connect && m.status_code / 100 == 2));
    const bool serializer_adds_framing = bodyless_by_context && http::has_chunked_coding(m.headers);
    const bool clean_end = !again.error;
    if (!serializer_adds_framing && !m.upgrade &&
        (again.messages.size() != 1 || !clean_end || again.in_progress)) {
      property_failed(fuzzer, "round trip left extra bytes or an error", round_trip);
    }
  }
}

}  // namespace faultline::fuzz
