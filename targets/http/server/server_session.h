// targets/http/server/server_session.h: the sans-I/O core of one server
// connection: bytes and the time in, response bytes, a wake-up time and a
// "close now" out. It never touches a socket or a clock, so the epoll driver
// (server.h), the simulator and the unit tests run the same code.
//
//   peer bytes --> [input] --> Parser --> [queued requests] --> Handler --> [held: delayed]
//                    ^ paused while                          ^ only while output
//                      the queue is full                       < max_output_bytes
//                                                                   |
//   peer <-- [output: responses, in request order] <-----------------+
//
// Timers (all from SessionOptions, all on the caller's clock):
//   idle:   no request in flight and nothing owed, for idle_timeout -> close
//   header: a request's header section not complete header_timeout after its
//           first byte -> 408 and close (so a slowloris client cannot hold it)
//   body:   its body not complete body_timeout after the header section -> 408, close
//   send:   owed response bytes make no progress for send_timeout -> close
// The header and body clocks stop while the session itself is not reading
// (backpressure), so a client is not blamed for the server's own pause.
//
//   ServerSession session(handler, context, options, &counters, now);
//   session.on_receive(bytes, now);
//   send(session.output());  session.on_sent(n, now);
//   wake me at session.next_wakeup(), then session.on_tick(now);
//   if (session.finished()) close (after a lingering read unless abortive()).
#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "targets/http/parser.h"
#include "targets/http/server/counters.h"
#include "targets/http/server/handler.h"
#include "targets/net/clock.h"

namespace faultline::http {

// SessionOptions: per-connection limits and timeouts.
struct SessionOptions {
  // Request limits; over them the request gets 400/413/414/431 and the connection closes.
  ParserLimits limits;
  net::Duration idle_timeout = std::chrono::seconds(60);
  net::Duration header_timeout = std::chrono::seconds(10);
  net::Duration body_timeout = std::chrono::seconds(60);
  net::Duration send_timeout = std::chrono::seconds(30);
  // Backpressure: no more requests are handled (and so, soon, none read)
  // while this many response bytes wait to be sent. One response may exceed it.
  std::size_t max_output_bytes = 1 << 20;
  // Pipelining: parsed requests waiting for their turn; reading pauses at this many.
  std::size_t max_queued_requests = 32;
  // error_reply: the server's own answers (400/413/414/431 for refused
  // requests, 500 for a throwing handler) from a status and a detail; empty
  // means text/plain. An API sets it to answer in its own format (JSON).
  std::function<Reply(int status, const std::string& detail)> error_reply;
};

// status_for_parse_error: the response status for a request the parser refused.
int status_for_parse_error(ParseErrorCode code);

// ServerSession: see the file comment. Move-only; not thread-safe.
class ServerSession {
 public:
  // `handler` and `counters` (may be null) must outlive the session.
  ServerSession(const Handler& handler, RequestContext context, const SessionOptions& options,
                detail::LiveCounters* counters, net::TimePoint now);

  // wants_input: the driver should read from the peer and call on_receive.
  bool wants_input() const;
  void on_receive(std::string_view bytes, net::TimePoint now);
  // on_peer_closed: EOF. Requests already received are still answered.
  void on_peer_closed(net::TimePoint now);

  // output: response bytes to send; on_sent(n) after n of them went out.
  std::string_view output() const { return std::string_view(output_).substr(output_offset_); }
  void on_sent(std::size_t n, net::TimePoint now);

  // next_wakeup: when on_tick must run next (kNoDeadline: nothing is timed).
  net::TimePoint next_wakeup() const;
  // on_tick releases delayed responses and applies the timeouts.
  void on_tick(net::TimePoint now);

  // shutdown starts a graceful close: no more requests are read; the ones
  // already parsed are answered, the last with Connection: close.
  void shutdown(net::TimePoint now);

  // finished: the connection should close now.
  bool finished() const;
  // abortive: close at once, without a lingering read (the peer is not reading).
  bool abortive() const { return abortive_; }

 private:
  enum class Phase { idle, head, body };
  struct Queued {
    std::optional<Message> request;  // empty: `reply` answers a refused request
    Reply reply;
  };
  struct Held {
    std::string bytes;
    net::TimePoint ready_at;
    bool closes = false;
  };

  void pump(net::TimePoint now);
  void feed_piece(net::TimePoint now);
  void finish_input();
  void refuse(int status, std::string detail);
  void handle_front(net::TimePoint now);
  void append_output(std::string bytes, bool closes, net::TimePoint now);
  void maybe_send_continue(net::TimePoint now);
  void apply_timeouts(net::TimePoint now);
  void stop_reading();
  void update_state(net::TimePoint now);
  bool nothing_owed() const { return queued_.empty() && !held_ && output().empty(); }
  bool is_idle() const;

  const Handler& handler_;
  RequestContext context_;
  SessionOptions options_;
  detail::LiveCounters* counters_;
  Parser parser_;

  std::string input_;  // received, not yet fed (feeding pauses while the queue is full)
  std::size_t input_offset_ = 0;
  bool eof_received_ = false;  // the peer half-closed; finish the parser once input_ is fed
  bool reading_done_ = false;  // no more requests will be parsed
  std::deque<Queued> queued_;  // parsed, waiting for their turn at the handler
  std::optional<Held> held_;   // the delayed response at the head of the line
  std::string output_;
  std::size_t output_offset_ = 0;
  bool close_after_output_ = false;  // a response that closes has been queued
  bool close_now_ = false;
  bool abortive_ = false;
  bool continue_sent_ = false;  // "100 Continue" went out for the request being received

  // Where the request being received is: idle (between requests), in its
  // header section, or in its body. tail_ keeps the last 3 bytes fed to the
  // parser, to spot a blank line (CRLF CRLF) split across reads.
  Phase phase_ = Phase::idle;
  net::TimePoint phase_started_{};
  std::array<char, 3> tail_{};
  std::size_t tail_size_ = 0;
  bool paused_ = false;
  net::TimePoint paused_since_{};
  bool idle_ = true;
  net::TimePoint idle_since_{};
  net::TimePoint last_send_progress_{};
};

}  // namespace faultline::http
