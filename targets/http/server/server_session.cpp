#include "targets/http/server/server_session.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <exception>
#include <utility>

#include "targets/http/serialize.h"
#include "targets/net/duration.h"

namespace faultline::http {
namespace {

// Requests one pump() handles at most (see pump).
constexpr std::size_t kRequestsPerTurn = 32;

constexpr std::string_view kHeaderEnd = "\r\n\r\n";
// feed_piece's window: bounds the requests one feed can complete (so the
// pipelining queue overshoots its bound by little) and the feeds per read.
constexpr std::size_t kFeedWindow = 4096;

// later adds a timeout to a time point, saturating at kNoDeadline.
net::TimePoint later(net::TimePoint at, net::Duration timeout) {
  if (timeout >= net::kNoDeadline - at) return net::kNoDeadline;
  return at + timeout;
}

void erase_headers(Headers& headers, std::string_view name) {
  std::erase_if(headers, [&](const Header& header) { return iequals(header.name, name); });
}

bool has_framing(const Headers& headers) {
  return find_header(headers, "Content-Length") || find_header(headers, "Transfer-Encoding");
}

std::string head_bytes(const Response& response) {
  std::string out = "HTTP/" + std::to_string(response.version_major) + "." +
                    std::to_string(response.version_minor) + " " +
                    std::to_string(response.status_code) + " " + response.reason + "\r\n";
  for (const Header& header : response.headers) {
    out += header.name;
    out += ": ";
    out += header.value;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

// encode turns a Reply into the bytes on the wire for `request` (null for a
// refused request): the connection headers, HEAD, and chunked framing (or a
// plain body for an HTTP/1.0 client, which cannot read chunked).
std::string encode(Reply& reply, const Message* request, bool closes) {
  Response& response = reply.response;
  const bool http10 =
      request != nullptr && request->version_major == 1 && request->version_minor == 0;
  const bool head = request != nullptr && request->method == "HEAD";
  erase_headers(response.headers, "Connection");
  if (closes) {
    response.headers.push_back({"Connection", "close"});
  } else if (http10) {
    response.headers.push_back({"Connection", "keep-alive"});
  }
  if (!status_has_body(response.status_code)) {
    response.body.clear();
    reply.chunks.clear();
  }
  if (!reply.chunks.empty()) {
    if (!http10) {
      erase_headers(response.headers, "Content-Length");
      erase_headers(response.headers, "Transfer-Encoding");
      response.headers.push_back({"Transfer-Encoding", "chunked"});
      std::string out = head_bytes(response);
      if (head) return out;
      for (const std::string& chunk : reply.chunks) {
        if (chunk.empty()) continue;  // an empty chunk would end the body
        char size_line[32];
        int length = std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
        out.append(size_line, static_cast<std::size_t>(length));
        out += chunk;
        out += "\r\n";
      }
      out += "0\r\n\r\n";
      return out;
    }
    response.body.clear();
    for (const std::string& chunk : reply.chunks)
      response.body += chunk;
  }
  if (head) {
    if (!has_framing(response.headers)) {
      response.headers.push_back({"Content-Length", std::to_string(response.body.size())});
    }
    response.body.clear();
  }
  return serialize(response);
}

Reply plain_reply(int status, std::string detail) {
  Reply reply;
  reply.response.status_code = status;
  reply.response.reason = std::string(reason_phrase(status));
  reply.response.headers = {{"Content-Type", "text/plain"}};
  reply.response.body = std::to_string(status) + " " + reply.response.reason + ": " + detail + "\n";
  reply.close = true;
  return reply;
}

}  // namespace

int status_for_parse_error(ParseErrorCode code) {
  switch (code) {
    case ParseErrorCode::header_too_large:
    case ParseErrorCode::too_many_headers:
      return 431;
    case ParseErrorCode::url_too_long:
      return 414;
    case ParseErrorCode::body_too_large:
      return 413;
    case ParseErrorCode::invalid:
    case ParseErrorCode::reason_too_long:
    case ParseErrorCode::too_many_pending:
    case ParseErrorCode::truncated:
      return 400;
  }
  return 400;
}

ServerSession::ServerSession(const Handler& handler, RequestContext context,
                             const SessionOptions& options, detail::LiveCounters* counters,
                             net::TimePoint now)
    : handler_(handler),
      context_(std::move(context)),
      options_(options),
      counters_(counters),
      // on_receive takes every request before its bytes go: borrow them.
      parser_(MessageType::request, ParserOptions{.limits = options.limits, .borrow_input = true}),
      idle_since_(now),
      last_send_progress_(now) {}

bool ServerSession::wants_input() const {
  return !reading_done_ && !eof_received_ && !close_now_ && input_offset_ == input_.size() &&
         queued_.size() < options_.max_queued_requests &&
         output().size() < options_.max_output_bytes;
}

void ServerSession::on_receive(std::string_view bytes, net::TimePoint now) {
  if (reading_done_ || eof_received_ || close_now_) return;  // nothing more will be parsed
  input_.append(bytes);
  pump(now);
}

void ServerSession::on_peer_closed(net::TimePoint now) {
  eof_received_ = true;
  pump(now);
}

void ServerSession::on_sent(std::size_t n, net::TimePoint now) {
  output_offset_ = std::min(output_offset_ + n, output_.size());
  if (n > 0) last_send_progress_ = now;
  if (output_offset_ == output_.size()) {
    output_.clear();
    output_offset_ = 0;
  } else if (output_offset_ > (64u << 10) && output_offset_ > output_.size() / 2) {
    output_.erase(0, output_offset_);
    output_offset_ = 0;
  }
  pump(now);
}

void ServerSession::shutdown(net::TimePoint now) {
  if (!reading_done_) stop_reading();
  pump(now);
}

bool ServerSession::finished() const {
  return close_now_ || (close_after_output_ && output().empty()) ||
         (reading_done_ && nothing_owed());
}

bool ServerSession::is_idle() const {
  return phase_ == Phase::idle && nothing_owed() && input_offset_ == input_.size() &&
         !reading_done_ && !eof_received_ && !close_now_;
}

net::TimePoint ServerSession::next_wakeup() const {
  if (finished()) return net::kNoDeadline;
  net::TimePoint at = net::kNoDeadline;
  if (held_) at = std::min(at, held_->ready_at);
  if (!paused_ && !reading_done_ && phase_ == Phase::head) {
    at = std::min(at, later(phase_started_, options_.header_timeout));
  }
  if (!paused_ && !reading_done_ && phase_ == Phase::body) {
    at = std::min(at, later(phase_started_, options_.body_timeout));
  }
  if (!output().empty()) at = std::min(at, later(last_send_progress_, options_.send_timeout));
  if (idle_) at = std::min(at, later(idle_since_, options_.idle_timeout));
  return at;
}

void ServerSession::on_tick(net::TimePoint now) {
  pump(now);  // releases a delayed response that is due
  apply_timeouts(now);
  pump(now);
}

void ServerSession::apply_timeouts(net::TimePoint now) {
  if (close_now_) return;
  if (!paused_ && !reading_done_ && phase_ == Phase::head &&
      now >= later(phase_started_, options_.header_timeout)) {
    if (counters_) ++counters_->header_timeouts;
    refuse(408, "the header section did not complete within " +
                    net::format_duration(options_.header_timeout));
  } else if (!paused_ && !reading_done_ && phase_ == Phase::body &&
             now >= later(phase_started_, options_.body_timeout)) {
    if (counters_) ++counters_->body_timeouts;
    refuse(408, "the body did not complete within " + net::format_duration(options_.body_timeout));
  }
  if (!output().empty() && now >= later(last_send_progress_, options_.send_timeout)) {
    // The peer stopped reading: nothing more can reach it, so no lingering either.
    if (counters_) ++counters_->send_timeouts;
    close_now_ = true;
    abortive_ = true;
    return;
  }
  if (idle_ && now >= later(idle_since_, options_.idle_timeout)) {
    if (counters_) ++counters_->idle_timeouts;
    close_now_ = true;
  }
}

void ServerSession::pump(net::TimePoint now) {
  // Fairness: a turn handles at most kRequestsPerTurn requests, so a client
  // pipelining thousands cannot hold the driver's thread while other clients
  // wait. The rest follow on_sent() (the output is pending, so the driver
  // comes back).
  std::size_t budget = kRequestsPerTurn;
  for (;;) {
    bool progress = false;
    if (held_ && now >= held_->ready_at) {
      Held held = std::move(*held_);
      held_.reset();
      append_output(std::move(held.bytes), held.closes, now);
      progress = true;
    }
    // Handle requests only while the output has room: this is what bounds the
    // memory a pipelining client can make the server spend.
    while (!close_now_ && !close_after_output_ && !held_ && !queued_.empty() &&
           output().size() < options_.max_output_bytes && budget > 0) {
      handle_front(now);
      --budget;
      progress = true;
    }
    while (!reading_done_ && input_offset_ < input_.size() &&
           queued_.size() < options_.max_queued_requests) {
      feed_piece(now);
      progress = true;
    }
    if (!reading_done_ && eof_received_ && input_offset_ == input_.size()) {
      finish_input();
      progress = true;
    }
    if (!progress) break;
  }
  if (input_offset_ == input_.size()) {
    input_.clear();
    input_offset_ = 0;
  }
  maybe_send_continue(now);
  update_state(now);
}

// maybe_send_continue answers `Expect: 100-continue` (RFC 9110 section
// 10.1.1) once the request's header section is in and its body is not: the
// client holds the body back until then (or until its own timer runs out).
// Only when every earlier response is out, so the 100 cannot overtake them;
// until then the client's timer covers the wait, which the RFC allows.
void ServerSession::maybe_send_continue(net::TimePoint now) {
  if (continue_sent_ || reading_done_ || close_after_output_ || close_now_ || held_ ||
      !queued_.empty()) {
    return;
  }
  const Message* head = parser_.head_in_progress();
  if (head == nullptr || head->version_major != 1 || head->version_minor < 1) return;
  const std::optional<std::string_view> expect = head->header("Expect");
  if (!expect || !iequals(*expect, "100-continue")) return;
  continue_sent_ = true;
  append_output("HTTP/1.1 100 Continue\r\n\r\n", /*closes=*/false, now);
}

// feed_piece feeds the parser the next piece of input: at most kFeedWindow
// bytes, cut just after the last blank line (CRLF CRLF) in them, if any. The
// parser only reports whole messages; this cut is what lets the session see
// where a request's header section ends, and so run the header clock:
//   - a piece that ends with a blank line leaves any request still in
//     progress past its header section (a request's first byte is never CR
//     or LF, so the blank line comes after it and ends its header section);
//   - a piece that does not holds no blank line at all, so a request that
//     began in it is still in its header section.
// Two feeds per window at most, whatever the bytes (a body made of blank
// lines included).
void ServerSession::feed_piece(net::TimePoint now) {
  const std::string_view rest = std::string_view(input_).substr(input_offset_);
  const std::string_view window = rest.substr(0, kFeedWindow);
  std::size_t length = window.size();
  if (auto last = window.rfind(kHeaderEnd); last != std::string_view::npos) {
    length = last + kHeaderEnd.size();
  } else {
    // A blank line begun in the bytes already fed (tail_) and ending here.
    std::array<char, 2 * kHeaderEnd.size()> joined{};
    std::size_t size = 0;
    for (std::size_t i = 0; i < tail_size_; ++i)
      joined[size++] = tail_[i];
    for (std::size_t i = 0; i < window.size() && i + 1 < kHeaderEnd.size(); ++i) {
      joined[size++] = window[i];
    }
    if (auto at = std::string_view(joined.data(), size).find(kHeaderEnd);
        at != std::string_view::npos) {
      length = at + kHeaderEnd.size() - tail_size_;
    }
  }
  const std::string_view piece = rest.substr(0, length);
  input_offset_ += piece.size();

  // The last bytes fed so far: tail_, then the end of this piece.
  std::array<char, 2 * kHeaderEnd.size()> recent_bytes{};
  std::size_t recent_size = 0;
  for (std::size_t i = 0; i < tail_size_; ++i)
    recent_bytes[recent_size++] = tail_[i];
  for (std::size_t i = piece.size() - std::min(piece.size(), kHeaderEnd.size()); i < piece.size();
       ++i) {
    recent_bytes[recent_size++] = piece[i];
  }
  const std::string_view recent(recent_bytes.data(), recent_size);
  const bool ends_with_blank_line = recent.ends_with(kHeaderEnd);
  tail_size_ = std::min(recent.size(), tail_.size());
  for (std::size_t i = 0; i < tail_size_; ++i)
    tail_[i] = recent[recent.size() - tail_size_ + i];

  const bool was_in_message = parser_.message_in_progress();
  ParseResult fed = parser_.feed(piece);
  bool completed = false;
  bool closing = false;
  while (std::optional<Message> message = parser_.next()) {
    completed = true;
    continue_sent_ = false;
    // After Connection: close (or HTTP/1.0, or an upgrade) nothing more is
    // read; the parser refuses any bytes that follow, which is not the
    // client's error worth a 400.
    if (!message->keep_alive || message->upgrade) closing = true;
    queued_.push_back(Queued{std::move(*message), {}});
  }
  if (closing) {
    stop_reading();
    return;
  }
  if (!fed) {
    if (counters_) ++counters_->parse_errors;
    refuse(status_for_parse_error(fed.error().code), fed.error().to_string());
    return;
  }
  if (!parser_.message_in_progress()) {
    phase_ = Phase::idle;
    return;
  }
  const bool began_here = completed || !was_in_message;
  if (ends_with_blank_line && (began_here || phase_ != Phase::body)) {
    phase_ = Phase::body;
    phase_started_ = now;
  } else if (!ends_with_blank_line && began_here) {
    phase_ = Phase::head;
    phase_started_ = now;
  }
}

void ServerSession::finish_input() {
  (void)parser_.finish();  // a request cut short by EOF gets no response
  while (std::optional<Message> message = parser_.next()) {
    queued_.push_back(Queued{std::move(*message), {}});
  }
  stop_reading();
}

void ServerSession::refuse(int status, std::string detail) {
  stop_reading();
  queued_.push_back(Queued{std::nullopt, options_.error_reply
                                             ? options_.error_reply(status, detail)
                                             : plain_reply(status, std::move(detail))});
}

void ServerSession::stop_reading() {
  reading_done_ = true;
  input_.clear();
  input_offset_ = 0;
  phase_ = Phase::idle;
}

void ServerSession::handle_front(net::TimePoint now) {
  Queued item = std::move(queued_.front());
  queued_.pop_front();
  const Message* request = item.request ? &*item.request : nullptr;
  Reply reply;
  if (request != nullptr) {
    try {
      reply = handler_(*request, context_);
    } catch (const std::exception& error) {
      // A throwing handler is a bug; the connection survives it as a 500.
      const std::string detail = std::string("handler threw: ") + error.what();
      reply = options_.error_reply ? options_.error_reply(500, detail) : plain_reply(500, detail);
    }
    if (counters_) ++counters_->requests;
  } else {
    reply = std::move(item.reply);
  }
  const bool closes = reply.close || request == nullptr || !request->keep_alive ||
                      request->upgrade || (reading_done_ && queued_.empty());
  if (counters_) counters_->count_response(reply.response.status_code);
  std::string bytes = encode(reply, request, closes);
  if (reply.delay > net::Duration::zero()) {
    held_ = Held{std::move(bytes), later(now, reply.delay), closes};
    return;
  }
  append_output(std::move(bytes), closes, now);
}

void ServerSession::append_output(std::string bytes, bool closes, net::TimePoint now) {
  if (output().empty()) {
    last_send_progress_ = now;  // the send clock starts with the first owed byte
    output_.clear();
    output_offset_ = 0;
  }
  output_ += bytes;
  if (closes) {
    close_after_output_ = true;
    queued_.clear();  // requests pipelined after a closing response go unanswered
    if (!reading_done_) stop_reading();
  }
}

void ServerSession::update_state(net::TimePoint now) {
  const bool paused = !wants_input() && !reading_done_;
  if (paused && !paused_) paused_since_ = now;
  if (!paused && paused_ && phase_ != Phase::idle) {
    // Give back the time the session itself was not reading.
    phase_started_ += now - std::max(paused_since_, phase_started_);
  }
  paused_ = paused;
  const bool idle = is_idle();
  if (idle && !idle_) idle_since_ = now;
  idle_ = idle;
}

}  // namespace faultline::http
