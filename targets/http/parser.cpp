#include "targets/http/parser.h"

#include <llhttp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <limits>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "targets/http/token_arena.h"

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
// The pre-scan remembers how far it found nothing (clean_to_), so the
// pauses at every message begin do not make it read a byte twice.
//
// Zero copy: a message is a Record of views. A token that arrives whole in
// one feed is a view of that feed's bytes; one that arrives in pieces is
// appended in the TokenArena. When feed() returns, the message still being
// parsed is copied into the arena (its bytes are about to go away), and so
// are the queued messages unless the caller lent the input (borrow_input).
// next() copies a Record into a Message; next_view() hands the views out.
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

// kArenaCompactBytes: with messages still queued, the arena is compacted
// (live tokens copied to a fresh one) only once it holds this much: a reader
// that never empties the queue must not grow it without bound, and one that
// empties it now and then should not pay a copy per feed.
constexpr std::size_t kArenaCompactBytes = 64 * 1024;

// Record: one message as views, queued or being parsed. Its header and
// trailer lines are index ranges of Impl::lines_ (which may reallocate). A
// body that cannot be a view of one feed is kept in body_storage instead of
// the arena, so next() can move it into the Message rather than copy it
// twice (view.body is then re-pointed at it by resolve(): records move).
struct Record {
  MessageView view;
  std::size_t header_first = 0;
  std::size_t header_count = 0;
  std::size_t trailer_first = 0;
  std::size_t trailer_count = 0;
  bool body_owned = false;
  std::string body_storage;
  // Without borrow_input, a record still queued when its feed ends becomes
  // an owned Message right there (one copy, which next() then moves out).
  std::optional<Message> owned;
};

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
  std::size_t first_suspect(std::size_t from, std::size_t to);
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
  std::size_t& line_count() {
    return headers_complete_ ? current_.trailer_count : current_.header_count;
  }
  int charge_trailer_bytes(const char* at, std::size_t length, std::uint64_t* error_offset);

  // --- views and the memory behind them ---
  bool in_feed(const char* p) const {
    return std::less_equal<const char*>()(data_begin_, p) && std::less<const char*>()(p, data_end_);
  }
  void append_token(std::string_view& token, const char* at, std::size_t length);
  void append_body(const char* at, std::size_t length);
  static void own_body(Record& record);
  template <typename Visit>
  void for_each_token(Record& record, Visit visit);
  void pin_unread_input();
  void reclaim();
  MessageView resolve(const Record& record) const;
  static Message take_message(Record& record, const MessageView& view);
  MessageView view_of_owned(const Message& message);

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
  Record current_;
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
  std::uint64_t body_bytes_ = 0;         // decoded body bytes of the message so far
  std::size_t clean_from_ = 0;           // [clean_from_, clean_to_) of this feed: no suspect
  std::size_t clean_to_ = 0;

  // Complete messages not yet taken: ready_[ready_head_, size). A vector, not
  // a deque: a deque allocates a block every few records.
  std::vector<Record> ready_;
  std::size_t ready_head_ = 0;
  std::size_t feed_first_record_ = 0;  // the first record this feed completed
  std::vector<HeaderView> lines_;  // header and trailer lines of ready_ and current_
  detail::TokenArena arena_;       // tokens that are not views of the current feed
  detail::TokenArena spare_arena_;
  BodySink body_sink_;
  mutable Message head_copy_;  // head_in_progress()'s answer
  std::vector<HeaderView> owned_lines_;  // next_view() of an owned record: its lines
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
  reclaim();
  feed_first_record_ = ready_.size();
  data_begin_ = bytes.data();
  data_end_ = bytes.data() + bytes.size();
  data_offset_ = bytes_fed_;
  clean_from_ = clean_to_ = 0;
  ParseResult result = finished_ ? fail(ParseErrorCode::invalid, "HPE_CLOSED_CONNECTION",
                                        "bytes fed after finish() (end of stream)", bytes_fed_)
                                 : run();
  pin_unread_input();
  bytes_fed_ += bytes.size();
  previous_byte_ = bytes.back();
  data_begin_ = data_end_ = nullptr;
  return result;
}

ParseResult Parser::Impl::finish() {
  if (error_) return tl::unexpected(*error_);
  if (finished_ || upgraded_) return {};
  reclaim();
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
    const std::size_t suspect = first_suspect(scan_from, std::min(end, scan_from + kScanWindow));
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
  const char* data = data_begin_;
  auto suspicious = [&](std::size_t i) {
    if (data[i] == '\r') return !(i + 1 < size && data[i + 1] == '\n');
    const char before = i == 0 ? previous_byte_ : data[i - 1];
    if (check_bare_lf && before != '\r') return true;
    return check_fold && i + 1 < size && is_space_or_tab(data[i + 1]);
  };
  std::size_t index = from;
#if defined(__SSE2__)
  // 16 bytes at a time, every rule as a bit mask: bit k of `bad` is set when
  // byte index+k is suspicious. A block needs the byte before it and the one
  // after it, so the first byte of the feed and its last 16 go the scalar way.
  if (index == 0 && index < to) {
    if ((data[0] == '\r' || data[0] == '\n') && suspicious(0)) return 0;
    index = 1;
  }
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i sp = _mm_set1_epi8(' ');
  const __m128i tab = _mm_set1_epi8('\t');
  auto mask_of = [](__m128i bytes, __m128i of) {
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, of)));
  };
  for (; index + 16 <= to && index + 17 <= size; index += 16) {
    const __m128i here = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + index));
    const unsigned crs = mask_of(here, cr);
    const unsigned lfs = mask_of(here, lf);
    if ((crs | lfs) == 0) continue;
    const __m128i after = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + index + 1));
    unsigned bad = crs & ~mask_of(after, lf);  // a CR not followed by LF
    if (check_bare_lf) {
      const __m128i before = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + index - 1));
      bad |= lfs & ~mask_of(before, cr);  // a LF without CR before it
    }
    if (check_fold) bad |= lfs & (mask_of(after, sp) | mask_of(after, tab));  // LF then SP/HTAB
    if (bad != 0) return index + static_cast<std::size_t>(__builtin_ctz(bad));
  }
#endif
  for (; index < to; ++index) {
    if ((data[index] == '\r' || data[index] == '\n') && suspicious(index)) return index;
  }
  return to;
}

// first_suspect is find_suspicious_line_end over [from, to) that skips what
// an earlier call of this feed found clean: whether a byte is suspicious
// depends on the bytes and the options only, never on llhttp's state.
std::size_t Parser::Impl::first_suspect(std::size_t from, std::size_t to) {
  std::size_t start = from;
  if (clean_from_ <= from && from <= clean_to_) {
    start = std::min(clean_to_, to);
  } else {
    clean_from_ = from;
  }
  const std::size_t found = find_suspicious_line_end(start, to);
  clean_to_ = found;
  return found;
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
// Views and the memory behind them

// append_token extends a token by the bytes llhttp just handed over: still a
// view when they follow it in the same feed, else a copy in the arena.
void Parser::Impl::append_token(std::string_view& token, const char* at, std::size_t length) {
  if (token.empty() && (length == 0 || in_feed(at))) {
    token = std::string_view(at, length);
  } else if (in_feed(token.data()) && token.data() + token.size() == at) {
    token = std::string_view(token.data(), token.size() + length);
  } else {
    token = arena_.append(token, std::string_view(at, length));
  }
}

// append_body: the body as a view of the feed while it is one run of bytes,
// else in the record's own string (chunked bodies, bodies over many feeds).
void Parser::Impl::append_body(const char* at, std::size_t length) {
  Record& record = current_;
  std::string_view& body = record.view.body;
  if (record.body_owned) {
    record.body_storage.append(at, length);
  } else if (body.empty() && in_feed(at)) {
    body = std::string_view(at, length);
    return;
  } else if (in_feed(body.data()) && body.data() + body.size() == at) {
    body = std::string_view(body.data(), body.size() + length);
    return;
  } else {
    own_body(record);
    record.body_storage.append(at, length);
  }
  body = record.body_storage;
}

// own_body copies a viewed body into the record's own string.
void Parser::Impl::own_body(Record& record) {
  if (record.body_owned) return;
  record.body_storage.assign(record.view.body);
  record.body_owned = true;
  record.view.body = record.body_storage;
}

// for_each_token visits a record's strings in the order they arrive, so the
// one still growing is the last one visited (and the arena's last allocation).
// An owned body is not a token: it lives in the record.
template <typename Visit>
void Parser::Impl::for_each_token(Record& record, Visit visit) {
  visit(record.view.target);
  visit(record.view.reason);
  for (std::size_t i = 0; i < record.header_count; ++i) {
    visit(lines_[record.header_first + i].name);
    visit(lines_[record.header_first + i].value);
  }
  for (std::size_t i = 0; i < record.trailer_count; ++i) {
    visit(lines_[record.trailer_first + i].name);
    visit(lines_[record.trailer_first + i].value);
  }
}

// pin_unread_input runs as feed() returns: views of the feed's bytes that
// must outlive it are copied into the arena.
void Parser::Impl::pin_unread_input() {
  auto pin = [this](std::string_view& token) {
    if (!token.empty() && in_feed(token.data())) token = arena_.append({}, token);
  };
  auto pin_record = [&](Record& record) {
    for_each_token(record, pin);
    if (!record.body_owned && !record.view.body.empty() && in_feed(record.view.body.data())) {
      own_body(record);
    }
  };
  if (!options_.borrow_input) {
    for (std::size_t i = std::max(ready_head_, feed_first_record_); i < ready_.size(); ++i) {
      Record& record = ready_[i];
      if (!record.owned) record.owned = take_message(record, resolve(record));
    }
  }
  if (in_message_) pin_record(current_);
}

// reclaim runs as feed() and finish() begin (views handed out are dead):
// lines and arena memory of messages already taken are dropped.
void Parser::Impl::reclaim() {
  const bool queue_empty = ready_head_ == ready_.size();
  if (queue_empty) {
    ready_.clear();
    ready_head_ = 0;
  }
  std::size_t first_line = lines_.size();
  if (!queue_empty) {
    first_line = ready_[ready_head_].header_first;
  } else if (in_message_) {
    first_line = current_.header_first;
  }
  if (first_line > 0) {
    lines_.erase(lines_.begin(), lines_.begin() + static_cast<std::ptrdiff_t>(first_line));
    auto rebase = [first_line](Record& record) {
      record.header_first -= std::min(record.header_first, first_line);
      record.trailer_first -= std::min(record.trailer_first, first_line);
    };
    for (std::size_t i = ready_head_; i < ready_.size(); ++i)
      rebase(ready_[i]);
    rebase(current_);
  }
  if (arena_.used() == 0 || (!queue_empty && arena_.used() < kArenaCompactBytes)) return;
  if (queue_empty && !in_message_) {
    arena_.clear();
    return;
  }
  spare_arena_.clear();
  auto move_to_spare = [this](std::string_view& token) {
    if (!token.empty() && arena_.owns(token.data())) token = spare_arena_.append({}, token);
  };
  for (std::size_t i = ready_head_; i < ready_.size(); ++i)
    for_each_token(ready_[i], move_to_spare);
  if (in_message_) for_each_token(current_, move_to_spare);
  std::swap(arena_, spare_arena_);
  spare_arena_.clear();
}

// take_message copies a record's views into a Message; a body the record
// owns is moved, not copied.
Message Parser::Impl::take_message(Record& record, const MessageView& view) {
  MessageView head = view;
  head.body = {};
  Message message = head.to_message();
  message.body = record.body_owned ? std::move(record.body_storage) : std::string(view.body);
  record.body_owned = false;
  record.view.body = {};
  return message;
}

// view_of_owned views an owned Message (its lines in owned_lines_).
MessageView Parser::Impl::view_of_owned(const Message& message) {
  owned_lines_.clear();
  for (const Header& line : message.headers)
    owned_lines_.push_back(HeaderView{line.name, line.value});
  for (const Header& line : message.trailers)
    owned_lines_.push_back(HeaderView{line.name, line.value});
  MessageView view;
  view.type = message.type;
  view.method = message.method;
  view.target = message.target;
  view.status_code = message.status_code;
  view.reason = message.reason;
  view.version_major = message.version_major;
  view.version_minor = message.version_minor;
  view.headers = std::span<const HeaderView>(owned_lines_.data(), message.headers.size());
  view.body = message.body;
  view.trailers = std::span<const HeaderView>(owned_lines_.data() + message.headers.size(),
                                              message.trailers.size());
  view.body_size = message.body.size();
  view.keep_alive = message.keep_alive;
  view.upgrade = message.upgrade;
  view.chunked = message.chunked;
  view.content_length = message.content_length;
  return view;
}

MessageView Parser::Impl::resolve(const Record& record) const {
  MessageView view = record.view;
  if (record.body_owned) view.body = record.body_storage;
  view.headers = std::span<const HeaderView>(lines_.data() + record.header_first,
                                             record.header_count);
  view.trailers = std::span<const HeaderView>(lines_.data() + record.trailer_first,
                                              record.trailer_count);
  return view;
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
  current_ = Record{};
  current_.view.type = type_;
  current_.header_first = current_.trailer_first = lines_.size();
  body_bytes_ = 0;
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
  std::string_view& target = current_.view.target;
  const std::size_t limit = options_.limits.max_url_length;
  if (target.size() + length > limit) {
    return raise(ParseErrorCode::url_too_long, "HPE_USER",
                 "request-target longer than " + std::to_string(limit) + " bytes",
                 offset_of(at) + (limit - target.size()));
  }
  append_token(target, at, length);
  return 0;
}

int Parser::Impl::on_status(const char* at, std::size_t length) {
  std::string_view& reason = current_.view.reason;
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
  append_token(reason, at, length);
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
  if (!header_line_open_) {
    if (header_count_ >= options_.limits.max_header_count) {
      return raise(
          ParseErrorCode::too_many_headers, "HPE_USER",
          "more than " + std::to_string(options_.limits.max_header_count) + " header lines",
          offset_of(at));
    }
    ++header_count_;
    lines_.emplace_back();
    ++line_count();
    header_line_open_ = true;
  }
  // Loose-mode llhttp takes "Host : x" as a header named "Host ": a name
  // must be a token (RFC 9110 section 5.1), which also rules out any space
  // before the colon (RFC 9112 section 5.1). SP is the one non-token byte
  // loose llhttp 8.1 lets into a name (the lookup table of its
  // header_field_general state: tchar plus 0x20), so it is all to look for.
  const auto* space = static_cast<const char*>(std::memchr(at, ' ', length));
  const char* bad = space != nullptr ? space : at + length;
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
  append_token(lines_.back().name, at, length);
  return 0;
}

int Parser::Impl::on_header_field_complete() {
  if (!header_line_open_ || line_count() == 0 || lines_.back().name.empty()) {
    return raise(ParseErrorCode::invalid, "HPE_INVALID_HEADER_TOKEN", "empty header name",
                 std::nullopt);
  }
  return 0;
}

int Parser::Impl::on_header_value(const char* at, std::size_t length) {
  if (!header_line_open_ || line_count() == 0) {
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
  append_token(lines_.back().value, at, length);
  return 0;
}

int Parser::Impl::on_header_value_complete() {
  if (line_count() > 0) {
    // llhttp drops the whitespace before a value but keeps the whitespace
    // after it; neither is part of the value (RFC 9112 section 5).
    std::string_view& value = lines_.back().value;
    while (!value.empty() && is_space_or_tab(value.back()))
      value.remove_suffix(1);
    if (!headers_complete_ && iequals(lines_.back().name, "Transfer-Encoding")) {
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
  current_.trailer_first = lines_.size();
  MessageView& message = current_.view;
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
  return body_decision;
}

int Parser::Impl::on_body(const char* at, std::size_t length) {
  const std::uint64_t limit = options_.limits.max_body_bytes;
  if (body_bytes_ + length > limit) {
    return raise(ParseErrorCode::body_too_large, "HPE_USER",
                 "body longer than " + std::to_string(limit) + " bytes",
                 offset_of(at) + (limit - body_bytes_));
  }
  body_bytes_ += length;
  if (body_sink_) {
    body_sink_(std::string_view(at, length), false);
  } else {
    append_body(at, length);
  }
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
  if (size > limit - body_bytes_) {
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
  current_.view.keep_alive = llhttp_should_keep_alive(&llhttp_) != 0;
  current_.view.upgrade = llhttp_.upgrade != 0;
  current_.view.body_size = body_bytes_;
  const bool closes = !current_.view.keep_alive && !current_.view.upgrade;
  if (ready_head_ > 0 && ready_head_ * 2 >= ready_.size()) {
    // Drop taken records so a reader that never empties the queue does not grow it.
    ready_.erase(ready_.begin(), ready_.begin() + static_cast<std::ptrdiff_t>(ready_head_));
    feed_first_record_ -= std::min(feed_first_record_, ready_head_);
    ready_head_ = 0;
  }
  ready_.push_back(std::move(current_));
  if (body_sink_) body_sink_(std::string_view(), true);
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
  Record& record = impl.ready_[impl.ready_head_++];
  if (record.owned) return std::move(*record.owned);
  return Impl::take_message(record, impl.resolve(record));
}

std::optional<MessageView> Parser::next_view() {
  Impl& impl = *impl_;
  if (impl.ready_head_ == impl.ready_.size()) return std::nullopt;
  // The record stays in ready_ (reclaim() drops it at the next feed), so its
  // lines and arena bytes live as long as the view is promised to.
  const Record& record = impl.ready_[impl.ready_head_++];
  if (record.owned) {
    MessageView view = impl.view_of_owned(*record.owned);
    view.body_size = record.view.body_size;  // a sink may have taken the body
    return view;
  }
  return impl.resolve(record);
}

void Parser::set_body_sink(BodySink sink) {
  impl_->body_sink_ = std::move(sink);
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
  if (!impl_->in_message_ || !impl_->headers_complete_) return nullptr;
  impl_->head_copy_ = impl_->resolve(impl_->current_).to_message();
  return &impl_->head_copy_;
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
