// fuzz/http_fuzz_support.h: the HTTP fuzzers' shared vocabulary: parser
// options from a control byte, a parse that records everything the parser
// produced, and readable descriptions for property failures.
//
//   http::ParserOptions options = fuzz::parser_options_from_byte(input.byte());
//   fuzz::ParseOutcome whole = fuzz::parse_pieces(type, options, expected, {stream}, true);
//   fuzz::ParseOutcome split = fuzz::parse_pieces(type, options, expected, pieces, true);
//   if (!(whole == split)) fuzz::property_failed("http_split_fuzzer", "pieces differ",
//   fuzz::describe(split));
//
// Control byte (the first input byte of every HTTP parser fuzzer): bit i
// switches on one lenient flag, each independently of the others, so every
// combination (and strict mode, 0x00) gets fuzzed; bit 7 picks tight limits.
//
//   bit 0 lenient_headers                  bit 4 lenient_version
//   bit 1 lenient_chunked_length           bit 5 lenient_optional_cr_before_lf
//   bit 2 lenient_keep_alive               bit 6 lenient_optional_crlf_after_chunk
//   bit 3 lenient_transfer_encoding        bit 7 tight limits (else roomy ones)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "targets/http/message.h"
#include "targets/http/parser.h"

namespace faultline::fuzz {

inline constexpr std::uint8_t kTightLimitsBit = 0x80;

// tight_limits: small enough that short fuzz inputs cross every one of them.
inline http::ParserLimits tight_limits() {
  http::ParserLimits limits;
  limits.max_header_bytes = 256;
  limits.max_header_count = 6;
  limits.max_url_length = 48;
  limits.max_reason_length = 24;
  limits.max_body_bytes = 128;
  limits.max_pending_messages = 3;
  return limits;
}

// roomy_limits: bounded, but never the reason a short input fails.
inline http::ParserLimits roomy_limits() {
  http::ParserLimits limits;
  limits.max_header_bytes = 64 * 1024;
  limits.max_header_count = 1000;
  limits.max_url_length = 64 * 1024;
  limits.max_reason_length = 64 * 1024;
  limits.max_body_bytes = 1 << 20;
  limits.max_pending_messages = 100'000;
  return limits;
}

inline http::ParserOptions parser_options_from_byte(std::uint8_t flags) {
  http::ParserOptions options;
  options.limits = (flags & kTightLimitsBit) != 0 ? tight_limits() : roomy_limits();
  options.lenient_headers = (flags & 0x01) != 0;
  options.lenient_chunked_length = (flags & 0x02) != 0;
  options.lenient_keep_alive = (flags & 0x04) != 0;
  options.lenient_transfer_encoding = (flags & 0x08) != 0;
  options.lenient_version = (flags & 0x10) != 0;
  options.lenient_optional_cr_before_lf = (flags & 0x20) != 0;
  options.lenient_optional_crlf_after_chunk = (flags & 0x40) != 0;
  return options;
}

// is_strict: no lenient flag set.
inline bool is_strict(const http::ParserOptions& o) {
  return !o.lenient_headers && !o.lenient_chunked_length && !o.lenient_keep_alive &&
         !o.lenient_transfer_encoding && !o.lenient_version && !o.lenient_optional_cr_before_lf &&
         !o.lenient_optional_crlf_after_chunk;
}

inline std::string describe(const http::ParserOptions& o) {
  std::string out;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!out.empty()) out += ',';
    out += name;
  };
  add(o.lenient_headers, "headers");
  add(o.lenient_chunked_length, "chunked_length");
  add(o.lenient_keep_alive, "keep_alive");
  add(o.lenient_transfer_encoding, "transfer_encoding");
  add(o.lenient_version, "version");
  add(o.lenient_optional_cr_before_lf, "optional_cr_before_lf");
  add(o.lenient_optional_crlf_after_chunk, "optional_crlf_after_chunk");
  return "lenient={" + out + "} limits=" +
         (o.limits.max_header_count == tight_limits().max_header_count ? "tight" : "roomy");
}

// ExpectedMethod: what expect_response_to() was told before a response.
// The response fuzzers take up to four of these from one control byte.
enum class ExpectedMethod : std::uint8_t { none, get, head, connect };

inline std::string_view method_name(ExpectedMethod method) {
  switch (method) {
    case ExpectedMethod::get:
      return "GET";
    case ExpectedMethod::head:
      return "HEAD";
    case ExpectedMethod::connect:
      return "CONNECT";
    case ExpectedMethod::none:
      break;
  }
  return "";
}

// expected_methods_from_byte: two bits per request, lowest first; a 0 ends the list.
inline std::vector<ExpectedMethod> expected_methods_from_byte(std::uint8_t bits) {
  std::vector<ExpectedMethod> methods;
  for (int i = 0; i < 4; ++i) {
    const auto method = static_cast<ExpectedMethod>((bits >> (2 * i)) & 0x03);
    if (method == ExpectedMethod::none) break;
    methods.push_back(method);
  }
  return methods;
}

// ParseOutcome: everything a parser made of one stream.
struct ParseOutcome {
  std::vector<http::Message> messages;
  std::optional<http::ParseError> error;
  std::string upgrade_data;
  bool upgraded = false;
  bool in_progress = false;  // message_in_progress() at the end

  friend bool operator==(const ParseOutcome&, const ParseOutcome&) = default;
};

// parse_pieces feeds `pieces` in order (stopping at the first error), then
// finish() when `finish` is set, and collects every message (and the bytes
// after an upgrade) at the end, like a reader that never takes anything.
inline ParseOutcome parse_pieces(http::MessageType type, const http::ParserOptions& options,
                                 const std::vector<ExpectedMethod>& expected,
                                 const std::vector<std::string_view>& pieces, bool finish) {
  http::Parser parser(type, options);
  for (ExpectedMethod method : expected)
    parser.expect_response_to(method_name(method));
  ParseOutcome outcome;
  bool failed = false;
  for (std::string_view piece : pieces) {
    if (!parser.feed(piece)) {
      failed = true;
      break;
    }
  }
  if (!failed && finish) (void)parser.finish();
  outcome.upgrade_data += parser.take_upgrade_data();
  while (std::optional<http::Message> message = parser.next())
    outcome.messages.push_back(std::move(*message));
  outcome.error = parser.error();
  outcome.upgraded = parser.upgraded();
  outcome.in_progress = parser.message_in_progress();
  return outcome;
}

inline std::string describe(const http::Headers& headers, std::string_view indent) {
  std::string out;
  for (const http::Header& header : headers) {
    out += indent;
    out += '"' + escape(header.name) + "\": \"" + escape(header.value) + "\"\n";
  }
  return out;
}

// describe: a message as readable lines, one field per line.
inline std::string describe(const http::Message& m) {
  std::string out;
  if (m.type == http::MessageType::request) {
    out += "  request " + escape(m.method) + " \"" + escape(m.target) + "\"";
  } else {
    out += "  response " + std::to_string(m.status_code) + " \"" + escape(m.reason) + "\"";
  }
  out += " HTTP/" + std::to_string(m.version_major) + "." + std::to_string(m.version_minor);
  out += m.keep_alive ? " keep_alive" : "";
  out += m.upgrade ? " upgrade" : "";
  out += m.chunked ? " chunked" : "";
  if (m.content_length) out += " content_length=" + std::to_string(*m.content_length);
  out += "\n";
  out += describe(m.headers, "    header ");
  out += "    body \"" + escape(m.body) + "\"\n";
  out += describe(m.trailers, "    trailer ");
  return out;
}

inline std::string describe(const ParseOutcome& outcome) {
  std::string out = std::to_string(outcome.messages.size()) + " message(s)\n";
  for (const http::Message& message : outcome.messages)
    out += describe(message);
  if (outcome.error) out += "  error: " + outcome.error->to_string() + "\n";
  if (outcome.upgraded) out += "  upgraded, data \"" + escape(outcome.upgrade_data) + "\"\n";
  if (outcome.in_progress) out += "  a message in progress at the end\n";
  return out;
}

}  // namespace faultline::fuzz
