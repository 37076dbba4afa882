#include "targets/http/parser.h"

#include <llhttp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <limits>
#include <utility>
#include <vector>

// How the wrapper drives llhttp
// -----------------------------
// feed() runs llhttp_execute over the new bytes, but stops it (splits the
// buffer) wherever a decision needs the parser's state at an exact byte:
//
//   GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST ...
//   ^ a message begins: on_message_begin pauses, so run() learns the offset
//     it starts at and stops llhttp at start + max_header_bytes if the header
//     section is still open there (llhttp itself has no such limit).
//   LF without CR before it, LF followed by SP/HTAB, or CR without LF after
//     it (found by a windowed memchr ahead of llhttp): stop before it and
//     decide from the state whether it is body data or a bare line end / an
//     obs-fold. (Loose-mode llhttp takes a bare CR for a line end and skips
//     the byte after it unread: "X: \rContent-Length: 5" would hide a
//     Content-Length.)
//   the first 13 bytes of a response ("HTTP/1.1 200 ") are copied as they go
//     to llhttp, so the status code can be checked for exactly three digits:
//     llhttp 8.1 takes "HTTP/1.1 20 OK" and "HTTP/1.1  200" (status 0).
//   the end of a message that closes the connection: on_message_complete
//     pauses, so bytes after it are reported where they start.
//   the end of chunk data: on_body looks at the next two bytes (maybe in the
//     next feed) before loose-mode llhttp skips them unchecked.
//
// Every error is raised at a byte offset that does not depend on where the
// stream was split. When llhttp fails in the middle of a token, the token read
// so far is handed to its callback first (llhttp only hands it over at the
// token's end or at the end of a buffer), so a limit crossed inside the token
// wins, as it would have had the buffer ended before the bad byte.

namespace faultline::http {
namespace {

enum class BodyMode { none, length, chunked, until_eof };
enum class PauseReason { none, message_begin, connection_close };
enum class ExpectedMethod { other, head, connect };

constexpr std::uint64_t kUnbounded = std::numeric_limits<std::uint64_t>::max();

// kScanWindow: how far ahead of llhttp the LF pre-scan looks at once. Scanning
// to the end of the buffer would rescan it at every message (quadratic in the
// pipeline depth) and walk through bodies llhttp skips without reading.
constexpr std::size_t kScanWindow = 1024;

// kMaxBodyReserve: a body with a Content-Length gets its memory up front (no
// regrowing copies as reads arrive), but only this much: a declared length
// costs the peer nothing to send.
constexpr std::uint64_t kMaxBodyReserve = 64 * 1024;

// kStatusLinePrefix: "HTTP/x.y 200 " (llhttp reads one digit per version
// number), the bytes the status code check looks at.
constexpr std::size_t kStatusLinePrefix = 13;

// kTokenChars: RFC 9110 section 5.6.2 tchar, as a table: header names are
// checked byte by byte on the hot path.
constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c)
    table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c)
    table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c)
    table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~"))
    table[static_cast<unsigned char>(c)] = true;
  return table;
}();

bool is_token_char(char c) {
  return kTokenChars[static_cast<unsigned char>(c)];
}

bool is_space_or_tab(char c) {
  return c == ' ' || c == '\t';
}

// is_coding_list: a Transfer-Encoding value is a list of codings (RFC 9112
// section 6.1, RFC 9110 section 10.1.4): each non-empty element a token,
// optionally followed by ";" parameters (not checked here).
bool is_coding_list(std::string_view value) {
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view element = value.substr(start, comma - start);
    for (char c : trim_whitespace(element.substr(0, element.find(';')))) {
      if (!is_token_char(c)) return false;
    }
    start = comma + 1;
  }
  return true;
}

// The type of llhttp's internal span callbacks (llhttp.c, llhttp__internal__span_cb).
using SpanCallback = int (*)(llhttp_t*, const char* start, const char* end);

}  // namespace

std::string_view code_name(ParseErrorCode code) {
  switch (code) {
    case ParseErrorCode::invalid:
      return "invalid";
    case ParseErrorCode::header_too_large:
      return "header_too_large";
    case ParseErrorCode::too_many_headers:
      return "too_many_headers";
    case ParseErrorCode::url_too_long:
      return "url_too_long";
    case ParseErrorCode::reason_too_long:
      return "reason_too_long";
    case ParseErrorCode::body_too_large:
      return "body_too_large";
    case ParseErrorCode::too_many_pending:
      return "too_many_pending";
    case ParseErrorCode::truncated:
      return "truncated";
  }
  return "invalid";
}

std::string ParseError::to_string() const {
  std::string out(code_name(code));
  out += " at byte ";
  out += std::to_string(offset);
  out += ": ";
  out += reason;
  out += " (";
  out += llhttp_name;
  out += ')';
  return out;
}

net::Error to_net_error(const ParseError& error) {
  net::ErrorKind kind = net::ErrorKind::too_large;
  if (error.code == ParseErrorCode::invalid) kind = net::ErrorKind::bad_data;
  if (error.code == ParseErrorCode::truncated) kind = net::ErrorKind::closed;
  return net::Error{kind, 0, "http parse: " + error.to_string()};
}

struct Parser::Impl {
  Impl(MessageType type, ParserOptions options);

  ParseResult feed(std::string_view bytes);
  ParseResult finish();

  // --- driving llhttp over the current feed ---
  ParseResult run();
  std::optional<std::size_t> execute(std::size_t from, std::size_t to);
  void fail_from_llhttp(llhttp_errno_t status, const char* at);
  ParseResult fail(ParseErrorCode code, std::string llhttp_name, std::string reason,
                   std::uint64_t offset);
  bool check_pending_chunk_crlf();
  std::size_t find_suspicious_line_end(std::size_t from, std::size_t to) const;
  std::uint64_t opaque_bytes_ahead() const;
  bool in_head() const { return in_message_ && !headers_complete_; }
  bool line_folding_forbidden_here() const {
    return !options_.lenient_headers && in_message_ && (!headers_complete_ || in_trailers_);
  }
  std::uint64_t offset_of(const char* p) const {
    return data_offset_ + static_cast<std::uint64_t>(p - data_begin_);
  }
  std::uint64_t offset_of_index(std::size_t index) const { return data_offset_ + index; }

  // --- llhttp callbacks ---
  int on_message_begin();
  int on_url(const char* at, std::size_t length);
  int on_status(const char* at, std::size_t length);
  int on_status_complete();
  int check_status_code();
  int on_header_field(const char* at, std::size_t length);
  int on_header_field_complete();
  int on_header_value(const char* at, std::size_t length);
  int on_header_value_complete();
  int on_headers_complete();
  int on_body(const char* at, std::size_t length);
  int on_chunk_header();
  int on_message_complete();

  // raise records an error from inside a callback; an absent offset means
  // "where llhttp stopped" (callbacks that get no pointer).
  int raise(ParseErrorCode code, std::string llhttp_name, std::string reason,
            std::optional<std::uint64_t> offset);
  Headers& header_lines() { return headers_complete_ ? current_.trailers : current_.headers; }
  int charge_trailer_bytes(const char* at, std::size_t length, std::uint64_t* error_offset);

  static Impl& self(llhttp_t* parser) { return *static_cast<Impl*>(parser->data); }
  static const llhttp_settings_t& settings();

  llhttp_t llhttp_;
  MessageType type_;
  ParserOptions options_;

  // The feed being parsed: [data_begin_, data_end_) starts at stream offset data_offset_.
  const char* data_begin_ = nullptr;
  const char* data_end_ = nullptr;
  std::uint64_t data_offset_ = 0;
  std::uint64_t bytes_fed_ = 0;
  char previous_byte_ = 0;  // the last byte of the previous feed

  // The message being parsed.
  Message current_;
  bool in_message_ = false;
  bool headers_complete_ = false;
  bool header_line_open_ = false;  // a name was started and its value not completed
  bool in_trailers_ = false;
  bool in_chunk_data_ = false;
  BodyMode body_mode_ = BodyMode::none;
  std::uint64_t message_start_ = 0;
  std::size_t header_count_ = 0;
  std::uint64_t trailer_bytes_ = 0;
  std::string_view pending_chunk_crlf_;  // the part of "\r\n" after chunk data still unseen
  bool pending_cr_ = false;              // the previous feed ended with a CR outside body data
  std::string status_prefix_;            // the first bytes of the response being parsed
  std::size_t status_capture_ = 0;       // how many more of its bytes to copy

  // Complete messages not yet taken: ready_[ready_head_, size). A vector, not
  // a deque: a deque of Messages allocates a block every couple of messages.
  std::vector<Message> ready_;
  std::size_t ready_head_ = 0;
  std::size_t previous_header_count_ = 0;  // capacity hint: keep-alive messages look alike
  std::deque<ExpectedMethod> expected_;

  PauseReason pause_reason_ = PauseReason::none;
  bool finishing_ = false;
  std::optional<ParseError> callback_error_;
  std::optional<ParseError> error_;
  bool closed_ = false;
  bool finished_ = false;
  bool upgraded_ = false;
  std::string upgrade_data_;
};

const llhttp_settings_t& Parser::Impl::settings() {
  static const llhttp_settings_t kSettings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = [](llhttp_t* p) { return self(p).on_message_begin(); };
    s.on_url = [](llhttp_t* p, const char* at, std::size_t n) { return self(p).on_url(at, n); };
    s.on_status = [](llhttp_t* p, const char* at, std::size_t n) {
      return self(p).on_status(at, n);
    };
    s.on_status_complete = [](llhttp_t* p) { return self(p).on_status_complete(); };
    s.on_header_field = [](llhttp_t* p, const char* at, std::size_t n) {
      return self(p).on_header_field(at, n);
    };
    s.on_header_field_complete = [](llhttp_t* p) { return self(p).on_header_field_complete(); };
    s.on_header_value = [](llhttp_t* p, const char* at, std::size_t n) {
      return self(p).on_header_value(at, n);
    };
    s.on_header_value_complete = [](llhttp_t* p) { return self(p).on_header_value_complete(); };
    s.on_headers_complete = [](llhttp_t* p) { return self(p).on_headers_complete(); };
    s.on_body = [](llhttp_t* p, const char* at, std::size_t n) { return self(p).on_body(at, n); };
    s.on_chunk_header = [](llhttp_t* p) { return self(p).on_chunk_header(); };
    s.on_message_complete = [](llhttp_t* p) { return self(p).on_message_complete(); };
    return s;
  }();
  return kSettings;
}

Parser::Impl::Impl(MessageType type, ParserOptions options)
    : type_(type), options_(std::move(options)) {
  llhttp_init(&llhttp_, type == MessageType::request ? HTTP_REQUEST : HTTP_RESPONSE, &settings());
  llhttp_.data = this;
  llhttp_set_lenient_headers(&llhttp_, options_.lenient_headers ? 1 : 0);
  llhttp_set_lenient_chunked_length(&llhttp_, options_.lenient_chunked_length ? 1 : 0);
  llhttp_set_lenient_keep_alive(&llhttp_, options_.lenient_keep_alive ? 1 : 0);
  llhttp_set_lenient_transfer_encoding(&llhttp_, options_.lenient_transfer_encoding ? 1 : 0);
  // llhttp 8.1 tests LENIENT_VERSION but exports no llhttp_set_lenient_version.
  if (options_.lenient_version) llhttp_.lenient_flags |= LENIENT_VERSION;
}

// ---------------------------------------------------------------------------
// feed / finish

ParseResult Parser::Impl::feed(std::string_view bytes) {
  if (error_) return tl::unexpected(*error_);
  if (bytes.empty()) return {};
  data_begin_ = bytes.data();
  data_end_ = bytes.data() + bytes.size();
  data_offset_ = bytes_fed_;
  ParseResult result = finished_ ? fail(ParseErrorCode::invalid, "HPE_CLOSED_CONNECTION",
                                        "bytes fed after finish() (end of stream)", bytes_fed_)
                                 : run();
  bytes_fed_ += bytes.size();
  previous_byte_ = bytes.back();
  data_begin_ = data_end_ = nullptr;
  return result;
}

ParseResult Parser::Impl::finish() {
  if (error_) return tl::unexpected(*error_);
  if (finished_ || upgraded_) return {};
  finished_ = true;
  if (pending_cr_) {
    return fail(ParseErrorCode::invalid, "HPE_LF_EXPECTED",
                "bare CR as a line ending (the stream ended after it)", bytes_fed_);
  }
  // After a message that closes the connection llhttp is paused mid-way
  // (on_message_complete) and would call the end unsafe: the stream is done.
  if (closed_ && !in_message_) return {};
  finishing_ = true;
  llhttp_errno_t status = llhttp_finish(&llhttp_);
  finishing_ = false;
  if (status == HPE_OK) return {};
  if (callback_error_) {
    error_ = std::move(*callback_error_);
    error_->offset = bytes_fed_;
    callback_error_.reset();
  } else if (status == HPE_INVALID_EOF_STATE) {
    error_ = ParseError{ParseErrorCode::truncated, llhttp_errno_name(status),
                        "stream ended inside a message", bytes_fed_};
  } else {
    const char* reason = llhttp_get_error_reason(&llhttp_);
    error_ = ParseError{ParseErrorCode::invalid, llhttp_errno_name(status), reason ? reason : "",
                        bytes_fed_};
  }
  return tl::unexpected(*error_);
}

ParseResult Parser::Impl::fail(ParseErrorCode code, std::string llhttp_name, std::string reason,
                               std::uint64_t offset) {
  error_ = ParseError{code, std::move(llhttp_name), std::move(reason), offset};
  return tl::unexpected(*error_);
}

ParseResult Parser::Impl::run() {
  const std::size_t size = static_cast<std::size_t>(data_end_ - data_begin_);
  std::size_t pos = 0;
  if (!check_pending_chunk_crlf()) return tl::unexpected(*error_);
  if (pending_cr_) {
    pending_cr_ = false;
    if (data_begin_[0] != '\n') {
      return fail(ParseErrorCode::invalid, "HPE_LF_EXPECTED",
                  "bare CR as a line ending (expected LF after CR)", offset_of_index(0));
    }
  }
  // A LF ended the previous feed: its next line may be a fold.
  if (previous_byte_ == '\n' && is_space_or_tab(data_begin_[0]) && line_folding_forbidden_here()) {
    return fail(ParseErrorCode::invalid, "HPE_INVALID_HEADER_TOKEN",
                "obsolete line folding or whitespace at the start of a header line",
                offset_of_index(0));
  }
  while (pos < size) {
    if (upgraded_) {
      // Keep what fits, so the bytes taken before the error do not depend on
      // how the stream was split.
      const std::size_t room = options_.limits.max_body_bytes - upgrade_data_.size();
      const std::size_t rest = size - pos;
      upgrade_data_.append(data_begin_ + pos, std::min(rest, room));
      if (rest > room) {
        return fail(ParseErrorCode::body_too_large, "HPE_USER",
                    "more than " + std::to_string(options_.limits.max_body_bytes) +
                        " bytes after an upgrade not taken",
                    offset_of_index(pos + room));
      }
      return {};
    }
    if (closed_) {
      return fail(ParseErrorCode::invalid, "HPE_CLOSED_CONNECTION",
                  "data after a message that closes the connection "
                  "(Connection: close, or HTTP/1.0 without keep-alive)",
                  offset_of_index(pos));
    }
    std::size_t end = size;
    if (in_head()) {
      const std::uint64_t cap = message_start_ + options_.limits.max_header_bytes;
      if (offset_of_index(pos) >= cap) {
        return fail(ParseErrorCode::header_too_large, "HPE_USER",
                    "header section longer than " +
                        std::to_string(options_.limits.max_header_bytes) + " bytes",
                    cap);
      }
      end = static_cast<std::size_t>(std::min<std::uint64_t>(size, cap - data_offset_));
    }
    const std::size_t scan_from =
        pos + static_cast<std::size_t>(std::min<std::uint64_t>(opaque_bytes_ahead(), end - pos));
    const std::size_t suspect =
        find_suspicious_line_end(scan_from, std::min(end, scan_from + kScanWindow));
    if (suspect > pos) {
      std::optional<std::size_t> reached = execute(pos, suspect);
      if (!reached) return tl::unexpected(*error_);
      pos = *reached;
      continue;
    }
    // A CR or LF at pos that llhttp has not seen: either body data or a line end.
    if (std::uint64_t opaque = opaque_bytes_ahead(); opaque > 0) {
      const std::size_t to =
          pos + static_cast<std::size_t>(std::min<std::uint64_t>(opaque, size - pos));
      std::optional<std::size_t> reached = execute(pos, to);
      if (!reached) return tl::unexpected(*error_);
      pos = *reached;
      continue;
    }
    if (data_begin_[pos] == '\r') {
      // llhttp first (it may reject the CR itself, as it would at the end of
      // a feed), then the byte after it, here or at the next feed.
      std::optional<std::size_t> reached = execute(pos, pos + 1);
      if (!reached) return tl::unexpected(*error_);
      const bool consumed = *reached == pos + 1;
      pos = *reached;
      if (!consumed) continue;
      if (pos == size) {
        pending_cr_ = true;
      } else if (data_begin_[pos] != '\n') {
        return fail(ParseErrorCode::invalid, "HPE_LF_EXPECTED",
                    "bare CR as a line ending (expected LF after CR)", offset_of_index(pos));
      }
      continue;
    }
    const char before = pos == 0 ? previous_byte_ : data_begin_[pos - 1];
    if (before != '\r' && !options_.lenient_optional_cr_before_lf) {
      return fail(ParseErrorCode::invalid, "HPE_CR_EXPECTED",
                  "bare LF as a line ending (expected CRLF)", offset_of_index(pos));
    }
    std::optional<std::size_t> reached = execute(pos, pos + 1);
    if (!reached) return tl::unexpected(*error_);
    const bool consumed_line_end = *reached == pos + 1;
    pos = *reached;
    if (consumed_line_end && pos < size && is_space_or_tab(data_begin_[pos]) &&
        line_folding_forbidden_here()) {
      return fail(ParseErrorCode::invalid, "HPE_INVALID_HEADER_TOKEN",
                  "obsolete line folding or whitespace at the start of a header line",
                  offset_of_index(pos));
    }
  }
  return {};
}

// execute runs llhttp over [from, to) of the feed. It returns the index it
// reached: `to`, or earlier when llhttp paused (a message began, or ended with
// Connection: close, or upgraded). On an error it sets error_ and returns nullopt.
std::optional<std::size_t> Parser::Impl::execute(std::size_t from, std::size_t to) {
  if (from == to) return to;
  if (status_capture_ > 0) {
    const std::size_t copied = std::min(status_capture_, to - from);
    status_prefix_.append(data_begin_ + from, copied);
    status_capture_ -= copied;
  }
  llhttp_errno_t status = llhttp_execute(&llhttp_, data_begin_ + from, to - from);
  if (status == HPE_OK) return to;
  const char* at = llhttp_get_error_pos(&llhttp_);
  if (at == nullptr) at = data_begin_ + to;
  const std::size_t index = static_cast<std::size_t>(at - data_begin_);
  if (status == HPE_PAUSED) {
    llhttp_resume(&llhttp_);
    if (pause_reason_ == PauseReason::message_begin) {
      message_start_ = offset_of(at);
      if (type_ == MessageType::response) {
        status_prefix_.clear();
        status_capture_ = kStatusLinePrefix;
      }
    } else {
      closed_ = true;
    }
    pause_reason_ = PauseReason::none;
    return index;
  }
  if (status == HPE_PAUSED_UPGRADE) {
    upgraded_ = true;
    return index;
  }
  fail_from_llhttp(status, at);
  return std::nullopt;
}

void Parser::Impl::fail_from_llhttp(llhttp_errno_t status, const char* at) {
  const bool raised_by_callback = callback_error_.has_value();
  if (!raised_by_callback && llhttp_._span_pos0 != nullptr) {
    // llhttp stopped inside a token without handing it over: hand it over now
    // (see the comment at the top of this file).
    auto span_callback = reinterpret_cast<SpanCallback>(llhttp_._span_cb0);
    span_callback(&llhttp_, static_cast<const char*>(llhttp_._span_pos0), at);
  }
  const char* reason = llhttp_get_error_reason(&llhttp_);
  ParseError from_llhttp{ParseErrorCode::invalid, llhttp_errno_name(status), reason ? reason : "",
                         offset_of(at)};
  if (callback_error_) {
    if (callback_error_->offset == kUnbounded) callback_error_->offset = offset_of(at);
    // A wrapper error wins a tie: a split right before the bad byte would
    // have reported it first.
    error_ = (raised_by_callback || callback_error_->offset <= from_llhttp.offset)
                 ? std::move(*callback_error_)
                 : std::move(from_llhttp);
    callback_error_.reset();
  } else {
    error_ = std::move(from_llhttp);
  }
}

bool Parser::Impl::check_pending_chunk_crlf() {
  std::size_t index = 0;
  while (!pending_chunk_crlf_.empty() && data_begin_ + index < data_end_) {
    if (data_begin_[index] != pending_chunk_crlf_.front()) {
      fail(ParseErrorCode::invalid, "HPE_STRICT", "expected CRLF after chunk data",
           offset_of_index(index));
      return false;
    }
    pending_chunk_crlf_.remove_prefix(1);
    ++index;
  }
  return true;
}

// find_suspicious_line_end finds, in [from, to), the first byte that may
// break a line-ending rule: a LF without a CR before it, a LF followed by
// SP/HTAB, or a CR not followed by LF (or last in the feed, where the next
// feed decides). Well-formed traffic has none, so llhttp runs over whole
// buffers.
std::size_t Parser::Impl::find_suspicious_line_end(std::size_t from, std::size_t to) const {
  const bool check_bare_lf = !options_.lenient_optional_cr_before_lf;
  const bool check_fold = !options_.lenient_headers;
  const std::size_t size = static_cast<std::size_t>(data_end_ - data_begin_);
  std::size_t index = from;
  while (index < to) {
    const void* found = std::memchr(data_begin_ + index, '\n', to - index);
    const std::size_t lf =
        found == nullptr ? to
                         : static_cast<std::size_t>(static_cast<const char*>(found) - data_begin_);
    // The only CR allowed before this LF is the byte right before it.
    if (const void* cr = std::memchr(data_begin_ + index, '\r', lf - index)) {
      const auto cr_index = static_cast<std::size_t>(static_cast<const char*>(cr) - data_begin_);
      if (cr_index + 1 != lf) return cr_index;
      if (found == nullptr && (to == size || data_begin_[to] != '\n')) return cr_index;
    }
    if (found == nullptr) return to;
    const char before = lf == 0 ? previous_byte_ : data_begin_[lf - 1];
    if (check_bare_lf && before != '\r') return lf;
    if (check_fold && lf + 1 < size && is_space_or_tab(data_begin_[lf + 1])) return lf;
    index = lf + 1;
  }
  return to;
}

// opaque_bytes_ahead: how many of the next bytes llhttp will take as body data
// (where a LF is just a byte).
std::uint64_t Parser::Impl::opaque_bytes_ahead() const {
  if (!in_message_ || !headers_complete_) return 0;
  switch (body_mode_) {
    case BodyMode::length:
      return llhttp_.content_length;
    case BodyMode::chunked:
      return in_chunk_data_ ? llhttp_.content_length : 0;
    case BodyMode::until_eof:
      return kUnbounded;
    case BodyMode::none:
      return 0;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// llhttp callbacks

int Parser::Impl::raise(ParseErrorCode code, std::string llhttp_name, std::string reason,
                        std::optional<std::uint64_t> offset) {
  ParseError error{code, std::move(llhttp_name), std::move(reason), offset.value_or(kUnbounded)};
  // Keep the earliest: a flushed token may raise after a later byte failed.
  if (!callback_error_ || error.offset < callback_error_->offset) {
    callback_error_ = std::move(error);
  }
  // A valid llhttp_errno_t: llhttp_finish() hands a callback's value back as
  // one (on_message_complete of a body that ran to EOF).
  return HPE_USER;
}

int Parser::Impl::on_message_begin() {
  current_.type = type_;  // current_ is fresh: on_message_complete moved the last one out
  current_.headers.reserve(previous_header_count_);
  in_message_ = true;
  headers_complete_ = false;
  header_line_open_ = false;
  in_trailers_ = false;
  in_chunk_data_ = false;
  body_mode_ = BodyMode::none;
  header_count_ = 0;
  trailer_bytes_ = 0;
  // With lenient_keep_alive, a Content-Length whose body llhttp skipped
  // (HEAD, 204, 304) would carry over and prefix the next one's digits.
  llhttp_.content_length = 0;
  // Pause so execute() learns the offset this message starts at.
  pause_reason_ = PauseReason::message_begin;
  return HPE_PAUSED;
}

int Parser::Impl::on_url(const char* at, std::size_t length) {
  std::string& target = current_.target;
  const std::size_t limit = options_.limits.max_url_length;
  if (target.size() + length > limit) {
    return raise(ParseErrorCode::url_too_long, "HPE_USER",
                 "request-target longer than " + std::to_string(limit) + " bytes",
                 offset_of(at) + (limit - target.size()));
  }
  target.append(at, length);
  return 0;
}

int Parser::Impl::on_status(const char* at, std::size_t length) {
  std::string& reason = current_.reason;
  // The reason phrase begins: the status code before it is complete.
  if (reason.empty()) {
    if (int failed = check_status_code(); failed != 0) return failed;
  }
  const std::size_t limit = options_.limits.max_reason_length;
  if (reason.size() + length > limit) {
    return raise(ParseErrorCode::reason_too_long, "HPE_USER",
                 "reason phrase longer than " + std::to_string(limit) + " bytes",
                 offset_of(at) + (limit - reason.size()));
  }
  reason.append(at, length);
  return 0;
}

int Parser::Impl::on_status_complete() {
  return check_status_code();
}

// check_status_code: RFC 9112 section 4, status-code = 3DIGIT, then SP (or,
// leniently, the line end). llhttp 8.1 takes fewer digits, more digits with
// leading zeros, and a second SP before them.
int Parser::Impl::check_status_code() {
  const std::string_view line = status_prefix_;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  const bool three_digits = line.size() >= kStatusLinePrefix && digit(line[9]) && digit(line[10]) &&
                            digit(line[11]) &&
                            (line[12] == ' ' || line[12] == '\r' || line[12] == '\n');
  if (!three_digits) {
    return raise(ParseErrorCode::invalid, "HPE_INVALID_STATUS", "status code is not three digits",
                 message_start_ + 9);
  }
  // RFC 9110 section 15: 100-599 are defined, a client takes an unknown code
  // for the x00 of its class; below 100 there is no class (a client would
  // otherwise take "000" for an informational response and skip it).
  if (llhttp_.status_code < 100) {
    return raise(ParseErrorCode::invalid, "HPE_INVALID_STATUS", "status code below 100",
                 message_start_ + 9);
  }
  return 0;
}

// charge_trailer_bytes: trailers have no exact start offset to cap from, so
// their budget counts name and value bytes. Sets *error_offset when crossed.
int Parser::Impl::charge_trailer_bytes(const char* at, std::size_t length,
                                       std::uint64_t* error_offset) {
  const std::uint64_t limit = options_.limits.max_header_bytes;
  if (trailer_bytes_ + length > limit) {
    *error_offset = offset_of(at) + (limit - trailer_bytes_);
    return -1;
  }
  trailer_bytes_ += length;
  return 0;
}

int Parser::Impl::on_header_field(const char* at, std::size_t length) {
  Headers& lines = header_lines();
  if (!header_line_open_) {
    if (header_count_ >= options_.limits.max_header_count) {
      return raise(
          ParseErrorCode::too_many_headers, "HPE_USER",
          "more than " + std::to_string(options_.limits.max_header_count) + " header lines",
          offset_of(at));
    }
    ++header_count_;
    lines.emplace_back();
    header_line_open_ = true;
  }
  // Loose-mode llhttp takes "Host : x" as a header named "Host ": a name
  // must be a token (RFC 9110 section 5.1), which also rules out any space
  // before the colon (RFC 9112 section 5.1).
  const auto* bad = std::find_if(at, at + length, [](char c) { return !is_token_char(c); });
  std::uint64_t budget_offset = kUnbounded;
  if (headers_complete_) charge_trailer_bytes(at, length, &budget_offset);
  const std::uint64_t bad_offset = bad != at + length ? offset_of(bad) : kUnbounded;
  if (budget_offset < kUnbounded && budget_offset <= bad_offset) {
    return raise(ParseErrorCode::header_too_large, "HPE_USER",
                 "trailer section longer than " + std::to_string(options_.limits.max_header_bytes) +
                     " bytes",
                 budget_offset);
  }
  if (bad_offset < kUnbounded) {
    return raise(ParseErrorCode::invalid, "HPE_INVALID_HEADER_TOKEN",
                 "invalid character in header name", bad_offset);
  }
  lines.back().name.append(at, length);
  return 0;
}

int Parser::Impl::on_header_field_complete() {
  Headers& lines = header_lines();
  if (!header_line_open_ || lines.empty() || lines.back().name.empty()) {
    return raise(ParseErrorCode::invalid, "HPE_INVALID_HEADER_TOKEN", "empty header name",
                 std::nullopt);
  }
  return 0;
}

int Parser::Impl::on_header_value(const char* at, std::size_t length) {
  Headers& lines = header_lines();
  if (!header_line_open_ || lines.empty()) {
    return raise(ParseErrorCode::invalid, "HPE_INVALID_HEADER_TOKEN", "header value without a name",
                 offset_of(at));
  }
  if (headers_complete_) {
    std::uint64_t budget_offset = kUnbounded;
    if (charge_trailer_bytes(at, length, &budget_offset) != 0) {
      return raise(ParseErrorCode::header_too_large, "HPE_USER",
                   "trailer section longer than " +
                       std::to_string(options_.limits.max_header_bytes) + " bytes",
                   budget_offset);
    }
  }
  lines.back().value.append(at, length);
  return 0;
}

int Parser::Impl::on_header_value_complete() {
  Headers& lines = header_lines();
  if (!lines.empty()) {
    // llhttp drops the whitespace before a value but keeps the whitespace
    // after it; neither is part of the value (RFC 9112 section 5).
    std::string& value = lines.back().value;
    while (!value.empty() && is_space_or_tab(value.back()))
      value.pop_back();
    if (!headers_complete_ && iequals(lines.back().name, "Transfer-Encoding")) {
      // llhttp 8.1 sets no flag for an empty Transfer-Encoding, so it would
      // frame the message by its Content-Length where a peer that counts any
      // Transfer-Encoding line would not (RFC 9112 section 6.1). And loose
      // llhttp takes any bytes before a final "chunked" as codings
      // ("ing: B\xff, chunked"), where a stricter peer rejects the message.
      if (!options_.lenient_transfer_encoding) {
        if (value.empty()) {
          return raise(ParseErrorCode::invalid, "HPE_INVALID_TRANSFER_ENCODING",
                       "empty Transfer-Encoding", std::nullopt);
        }
        if (!is_coding_list(value)) {
          return raise(ParseErrorCode::invalid, "HPE_INVALID_TRANSFER_ENCODING",
                       "Transfer-Encoding element is not a coding (a token)", std::nullopt);
        }
      }
      // llhttp 8.1 takes "chunked" followed by HTAB (optional whitespace, RFC
      // 9110 section 5.6.3) for another coding: it would read a response to
      // EOF where every peer that trims the HTAB reads chunks, and refuse such
      // a request. The line's last coding decides, as llhttp does for SP
      // (parameters stay: chunked takes none, so "chunked;x" is not chunked).
      if (iequals(last_coding(value), "chunked")) llhttp_.flags |= F_CHUNKED;
    }
  }
  header_line_open_ = false;
  return 0;
}

int Parser::Impl::on_headers_complete() {
  headers_complete_ = true;
  Message& message = current_;
  message.version_major = llhttp_.http_major;
  message.version_minor = llhttp_.http_minor;
  if (type_ == MessageType::request) {
    message.method = llhttp_method_name(static_cast<llhttp_method_t>(llhttp_.method));
  } else {
    message.status_code = llhttp_.status_code;
  }
  if (message.version_major == 0 && !options_.lenient_version) {
    return raise(ParseErrorCode::invalid, "HPE_INVALID_VERSION",
                 "HTTP/0.9 (a start line without a version, or HTTP/0.x)", std::nullopt);
  }
  if (type_ == MessageType::request && message.target.empty()) {
    return raise(ParseErrorCode::invalid, "HPE_INVALID_URL", "empty request-target", std::nullopt);
  }
  message.chunked = (llhttp_.flags & F_CHUNKED) != 0;
  if (llhttp_.flags & F_CONTENT_LENGTH) message.content_length = llhttp_.content_length;

  // What llhttp should do with the body: 0 read it as framed, 1 there is
  // none, 2 there is none and the stream becomes a tunnel.
  int body_decision = 0;
  if (type_ == MessageType::response) {
    ExpectedMethod expected = ExpectedMethod::other;
    if (message.status_code / 100 != 1 && !expected_.empty()) {
      expected = expected_.front();
      expected_.pop_front();
    }
    // llhttp reads a body for a 204 or 304 with Content-Length, and for a
    // response to HEAD unless told: none of them has one (RFC 9112 6.3).
    if (!status_has_body(message.status_code) || expected == ExpectedMethod::head) {
      body_decision = 1;
    } else if (expected == ExpectedMethod::connect && message.status_code / 100 == 2) {
      body_decision = 2;
    }
  }

  if (body_decision != 0) {
    body_mode_ = BodyMode::none;
  } else if (llhttp_.flags & F_CHUNKED) {
    body_mode_ = BodyMode::chunked;
  } else if (llhttp_.flags & F_TRANSFER_ENCODING) {
    body_mode_ = BodyMode::until_eof;  // responses; requests only when lenient
  } else if (llhttp_.flags & F_CONTENT_LENGTH) {
    body_mode_ = llhttp_.content_length > 0 ? BodyMode::length : BodyMode::none;
  } else {
    body_mode_ = llhttp_message_needs_eof(&llhttp_) ? BodyMode::until_eof : BodyMode::none;
  }

  if (body_mode_ == BodyMode::length && llhttp_.content_length > options_.limits.max_body_bytes) {
    return raise(ParseErrorCode::body_too_large, "HPE_USER",
                 "Content-Length " + std::to_string(llhttp_.content_length) +
                     " over the limit of " + std::to_string(options_.limits.max_body_bytes) +
                     " bytes",
                 std::nullopt);
  }
  if (body_mode_ == BodyMode::length) {
    current_.body.reserve(
        static_cast<std::size_t>(std::min(llhttp_.content_length, kMaxBodyReserve)));
  }
  return body_decision;
}

int Parser::Impl::on_body(const char* at, std::size_t length) {
  std::string& body = current_.body;
  const std::uint64_t limit = options_.limits.max_body_bytes;
  if (body.size() + length > limit) {
    return raise(ParseErrorCode::body_too_large, "HPE_USER",
                 "body longer than " + std::to_string(limit) + " bytes",
                 offset_of(at) + (limit - body.size()));
  }
  body.append(at, length);
  if (body_mode_ == BodyMode::chunked && llhttp_.content_length == 0) {
    in_chunk_data_ = false;
    if (!options_.lenient_optional_crlf_after_chunk) {
      // Loose-mode llhttp skips any two bytes after chunk data; look at them
      // before it does (they may be in the next feed).
      std::string_view expected = "\r\n";
      const char* p = at + length;
      while (!expected.empty() && p < data_end_) {
        if (*p != expected.front()) {
          return raise(ParseErrorCode::invalid, "HPE_STRICT", "expected CRLF after chunk data",
                       offset_of(p));
        }
        expected.remove_prefix(1);
        ++p;
      }
      pending_chunk_crlf_ = expected;
    }
  }
  return 0;
}

int Parser::Impl::on_chunk_header() {
  const std::uint64_t size = llhttp_.content_length;
  if (size == 0) {
    in_trailers_ = true;
    in_chunk_data_ = false;
    return 0;
  }
  const std::uint64_t limit = options_.limits.max_body_bytes;
  if (size > limit - current_.body.size()) {
    return raise(ParseErrorCode::body_too_large, "HPE_USER",
                 "chunked body longer than " + std::to_string(limit) + " bytes", std::nullopt);
  }
  in_chunk_data_ = true;
  return 0;
}

int Parser::Impl::on_message_complete() {
  if (ready_.size() - ready_head_ >= options_.limits.max_pending_messages) {
    return raise(ParseErrorCode::too_many_pending, "HPE_USER",
                 "more than " + std::to_string(options_.limits.max_pending_messages) +
                     " parsed messages not taken with next()",
                 std::nullopt);
  }
  current_.keep_alive = llhttp_should_keep_alive(&llhttp_) != 0;
  current_.upgrade = llhttp_.upgrade != 0;
  const bool closes = !current_.keep_alive && !current_.upgrade;
  previous_header_count_ = current_.headers.size();
  if (ready_head_ > 0 && ready_head_ * 2 >= ready_.size()) {
    // Taken messages are moved-from shells: drop them so a reader that never
    // empties the queue does not grow it.
    ready_.erase(ready_.begin(), ready_.begin() + static_cast<std::ptrdiff_t>(ready_head_));
    ready_head_ = 0;
  }
  ready_.push_back(std::move(current_));
  current_ = Message{};
  in_message_ = false;
  headers_complete_ = false;
  in_trailers_ = false;
  in_chunk_data_ = false;
  body_mode_ = BodyMode::none;
  if (closes && !options_.lenient_keep_alive && !finishing_) {
    // Loose-mode llhttp drops bytes after such a message without a word;
    // pause so run() reports them.
    pause_reason_ = PauseReason::connection_close;
    return HPE_PAUSED;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Parser

Parser::Parser(MessageType type, ParserOptions options)
    : impl_(std::make_unique<Impl>(type, std::move(options))) {}
Parser::Parser(Parser&&) noexcept = default;
Parser& Parser::operator=(Parser&&) noexcept = default;
Parser::~Parser() = default;

ParseResult Parser::feed(std::string_view bytes) {
  return impl_->feed(bytes);
}
ParseResult Parser::finish() {
  return impl_->finish();
}

std::optional<Message> Parser::next() {
  Impl& impl = *impl_;
  if (impl.ready_head_ == impl.ready_.size()) return std::nullopt;
  std::optional<Message> message(std::move(impl.ready_[impl.ready_head_++]));
  if (impl.ready_head_ == impl.ready_.size()) {
    impl.ready_.clear();  // keeps the capacity for the next feed
    impl.ready_head_ = 0;
  }
  return message;
}

std::size_t Parser::pending() const {
  return impl_->ready_.size() - impl_->ready_head_;
}

void Parser::expect_response_to(std::string_view method) {
  ExpectedMethod expected = ExpectedMethod::other;
  if (iequals(method, "HEAD")) expected = ExpectedMethod::head;
  if (iequals(method, "CONNECT")) expected = ExpectedMethod::connect;
  impl_->expected_.push_back(expected);
}

bool Parser::message_in_progress() const {
  return impl_->in_message_;
}
const Message* Parser::head_in_progress() const {
  return impl_->in_message_ && impl_->headers_complete_ ? &impl_->current_ : nullptr;
}
bool Parser::upgraded() const {
  return impl_->upgraded_;
}
std::string Parser::take_upgrade_data() {
  return std::exchange(impl_->upgrade_data_, {});
}
const std::optional<ParseError>& Parser::error() const {
  return impl_->error_;
}
std::uint64_t Parser::bytes_fed() const {
  return impl_->bytes_fed_;
}
MessageType Parser::type() const {
  return impl_->type_;
}
const ParserOptions& Parser::options() const {
  return impl_->options_;
}

}  // namespace faultline::http
