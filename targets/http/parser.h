// targets/http/parser.h: an incremental HTTP/1.x parser (requests or
// responses) over llhttp, producing owned Messages.
//
// Bytes may arrive split anywhere; every complete message (pipelined ones
// too) comes out of next() in order, and the result never depends on how the
// stream was split: the same messages, or the same error at the same byte.
//
//   http::Parser parser(http::MessageType::request);
//   if (http::ParseResult fed = parser.feed(bytes_from_socket); !fed) {
//     log(fed.error().to_string());  // "invalid at byte 17: ... (HPE_INVALID_HEADER_TOKEN)"
//     return tl::unexpected(http::to_net_error(fed.error()));  // bad_data, too_large, closed
//   }
//   while (std::optional<http::Message> request = parser.next()) handle(*request);
//   ...
//   parser.finish();  // on EOF: completes a close-delimited response body
//
// Zero copy: next_view() gives the same message as views into the fed bytes
// (MessageView, message_view.h), and a body sink streams the body instead of
// collecting it. With ParserOptions::borrow_input the parser copies nothing
// that arrived whole in one feed; the caller keeps the fed bytes alive until
// it has taken the messages they completed:
//
//   http::Parser parser(http::MessageType::request, {.borrow_input = true});
//   parser.set_body_sink([&](std::string_view piece, bool last) { upload.write(piece); });
//   (void)parser.feed(read_buffer);
//   while (std::optional<http::MessageView> request = parser.next_view()) route(*request);
//   // read_buffer may be reused from here on
//
// Strict by default. llhttp is built here in its loose mode (the Debian
// sources, LLHTTP_STRICT_MODE unset), so the wrapper itself rejects what
// llhttp's strict mode or later versions would: bare LF line endings,
// obs-fold and whitespace before a colon, chunk data not followed by CRLF,
// and bytes after a message that closes the connection (each of these has a
// lenient flag); HTTP/0.9 (unless lenient_version) and an empty
// Transfer-Encoding (unless lenient_transfer_encoding); and, always, a bare
// CR (loose llhttp 8.1 would take it for a line end and skip the byte after
// it), a status code that is not three digits and an empty request-target.
//
// llhttp.h stays out of this header (pimpl) so a translation unit can include
// http_parser.h (the differential peer) next to it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "targets/http/message.h"
#include "targets/http/message_view.h"
#include "targets/net/error.h"

namespace faultline::http {

// ParserLimits: per-message bounds; each one has its own ParseErrorCode.
struct ParserLimits {
  // Bytes from the first byte of a message to the end of its header section
  // (start line, header lines, line endings). Trailers get the same budget,
  // counted over their names and values.
  std::size_t max_header_bytes = 64 * 1024;
  // Header lines per message, trailers included.
  std::size_t max_header_count = 100;
  // Bytes of the request-target.
  std::size_t max_url_length = 8 * 1024;
  // Bytes of the response reason phrase.
  std::size_t max_reason_length = 1024;
  // Decoded body bytes per message (also the bound on bytes buffered after
  // an upgrade and not taken).
  std::uint64_t max_body_bytes = 8 * 1024 * 1024;
  // Parsed messages waiting in next()'s queue: pop between feeds.
  std::size_t max_pending_messages = 1024;
};

// ParserOptions: limits and leniency. Every flag off means strict.
struct ParserOptions {
  ParserLimits limits;

  // llhttp 8.1's lenient flags (llhttp_set_lenient_*). USE AT YOUR OWN RISK:
  // most of them open request-smuggling doors.
  bool lenient_headers = false;            // no header value char checks; allows obs-fold
  bool lenient_chunked_length = false;     // Content-Length together with Transfer-Encoding
  bool lenient_keep_alive = false;         // parse bytes after Connection: close / HTTP/1.0
  bool lenient_transfer_encoding = false;  // codings after "chunked"; unknown request codings
  // Any HTTP major.minor. llhttp 8.1 checks the flag bit but has no setter;
  // the wrapper sets the bit itself.
  bool lenient_version = false;

  // Checks the wrapper adds to loose-mode llhttp 8.1, named like the llhttp 9
  // flags that relax them there.
  bool lenient_optional_cr_before_lf = false;      // accept a bare LF as a line end
  bool lenient_optional_crlf_after_chunk = false;  // accept any 2 bytes after chunk data

  // borrow_input: the caller keeps the bytes of each feed() alive and
  // unchanged until it has taken (next() or next_view()) every message that
  // feed completed, so the parser need not copy them when feed() returns.
  // Off, a message's bytes are copied once, at the end of the feed that
  // completed it, and only if it is still queued then.
  bool borrow_input = false;
};

// BodySink: takes a message's decoded body bytes as they are parsed, in
// order; `last` is true once per message, at its end (piece may be empty).
// The piece points into the fed bytes: copy what must outlive the call.
using BodySink = std::function<void(std::string_view piece, bool last)>;

// ParseErrorCode: what kind of failure; every limit has its own code.
enum class ParseErrorCode {
  invalid,           // malformed bytes (llhttp or a wrapper strictness check)
  header_too_large,  // ParserLimits::max_header_bytes
  too_many_headers,  // ParserLimits::max_header_count
  url_too_long,      // ParserLimits::max_url_length
  reason_too_long,   // ParserLimits::max_reason_length
  body_too_large,    // ParserLimits::max_body_bytes
  too_many_pending,  // ParserLimits::max_pending_messages
  truncated,         // finish() inside a message: the peer closed early
};

// code_name gives the stable lower-case name of a code ("url_too_long").
std::string_view code_name(ParseErrorCode code);

// ParseError: a failure at a byte of the stream.
struct ParseError {
  ParseErrorCode code = ParseErrorCode::invalid;
  // llhttp's errno name ("HPE_INVALID_METHOD"). Wrapper checks use the
  // nearest llhttp name: HPE_USER for limits, HPE_CR_EXPECTED for a bare LF,
  // HPE_STRICT for a missing CRLF after chunk data, ...
  std::string llhttp_name{};
  std::string reason{};      // llhttp's reason text, or the wrapper's
  std::uint64_t offset = 0;  // byte offset in the whole stream fed so far

  // to_string gives "url_too_long at byte 8204: request-target longer than
  // 8192 bytes (HPE_USER)".
  std::string to_string() const;
  friend bool operator==(const ParseError&, const ParseError&) = default;
};

// to_net_error maps a ParseError for client and server code: limits become
// ErrorKind::too_large, malformed bytes bad_data, truncation closed.
net::Error to_net_error(const ParseError& error);

// ParseResult: success or the parser's (sticky) error.
using ParseResult = tl::expected<void, ParseError>;

// Parser: one direction of one connection. Move-only; not thread-safe.
class Parser {
 public:
  explicit Parser(MessageType type, ParserOptions options = {});
  Parser(Parser&&) noexcept;
  Parser& operator=(Parser&&) noexcept;
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  ~Parser();

  // feed parses the next bytes of the stream; complete messages queue up for
  // next(). After an error every call returns that same error. After an
  // upgrade the bytes are not parsed: they collect for take_upgrade_data().
  ParseResult feed(std::string_view bytes);

  // finish tells the parser the stream ended (EOF). It completes a message
  // whose body runs to EOF; inside any other message it fails with
  // ParseErrorCode::truncated. Bytes fed after finish() are an error.
  ParseResult finish();

  // next pops the oldest complete message, if any, as an owned Message.
  std::optional<Message> next();

  // next_view pops the oldest complete message as views (no copy). The view
  // and everything it points at stay valid until the next call to feed(),
  // finish(), next() or next_view(), and, with borrow_input, only while the
  // fed bytes it came from do.
  std::optional<MessageView> next_view();

  // set_body_sink streams every later body to `sink` instead of collecting
  // it: messages then come out with an empty body (MessageView::body_size
  // still counts it). An empty function collects bodies again.
  void set_body_sink(BodySink sink);
  std::size_t pending() const;

  // expect_response_to (response parsers) records the method of a request
  // sent on this connection, in order: a response to HEAD has no body, and a
  // 2xx response to CONNECT starts a tunnel. 1xx responses don't use one up.
  void expect_response_to(std::string_view method);

  // message_in_progress: some bytes of a message have been parsed but not
  // its end (an EOF now would truncate it).
  bool message_in_progress() const;

  // head_in_progress: the message being parsed once its header section is
  // complete and its body is still to come (start line and headers final,
  // body partial), else null. A server answers `Expect: 100-continue` from
  // it. Valid until the next feed()/finish().
  const Message* head_in_progress() const;

  // upgraded: a CONNECT, Upgrade or 101 message completed; the stream after
  // it is another protocol. take_upgrade_data() drains the bytes after it.
  bool upgraded() const;
  std::string take_upgrade_data();

  const std::optional<ParseError>& error() const;
  std::uint64_t bytes_fed() const;
  MessageType type() const;
  const ParserOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faultline::http
