// harness/fault/http_exchange.h: one connection's HTTP-aware faults. A
// transport that speaks HTTP (the TCP proxy with --protocol http) runs each
// connection's bytes through an HttpExchange before the byte chains:
//
//   client --> [HttpExchange: parse requests, abort/fail/delay/header] --> up chain --> upstream
//   client <-- down chain <-- [HttpExchange: parse responses, header/delay/slow head/truncate] <--
//                   ^-- answers made in place of the upstream (http_abort, http_fail)
//
// Both directions are parsed with the project's parser (targets/http) and
// forwarded message by message, re-serialised (a request or response is
// forwarded once it is complete: at most ParserLimits::max_body_bytes). An
// answer made in place of the upstream goes out in order: after the
// responses still owed to earlier (pipelined) requests. What the exchange
// emits goes into the byte chains, so byte faults (slicer, latency, reset)
// still apply. Bytes that do not parse end the connection the way an HTTP
// proxy would: 400 to the client for a bad request, 502 for a bad response.
// After an upgrade (101, CONNECT) the bytes pass through unparsed.
//
//   HttpExchange http(profile, seed, connection_index, shared);
//   HttpOutput out;
//   http.on_client_chunk(Chunk{bytes, now}, now, out);
//   // out.up -> up chain input; out.down -> down chain input; events in either
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/fault/profile.h"
#include "harness/fault/rng.h"
#include "harness/fault/stage.h"
#include "targets/http/parser.h"

namespace faultline::fault {

// HttpSharedState: what the connections of one transport share: the request
// counts of `http_fail scope=proxy` clauses, one per clause. Thread-safe.
class HttpSharedState {
 public:
  explicit HttpSharedState(std::size_t clauses) : counts_(clauses) {}
  // take: the count before this request, then counts it.
  std::uint64_t take(std::size_t clause) { return counts_.at(clause).fetch_add(1); }

 private:
  std::vector<std::atomic<std::uint64_t>> counts_;
};

// HttpOutput: what one input event produced for each direction.
struct HttpOutput {
  Output up;    // towards the upstream (input of the up chain)
  Output down;  // towards the client (input of the down chain)
};

// HttpExchange: see the file comment.
class HttpExchange {
 public:
  // `shared` may be null: scope=proxy then counts per connection.
  HttpExchange(Profile profile, std::uint64_t seed, std::uint64_t connection_index,
               std::shared_ptr<HttpSharedState> shared, ChainClock clock = {});

  void on_client_chunk(Chunk chunk, Time now, HttpOutput& out);
  void on_client_end(End end, Time now, HttpOutput& out);
  void on_upstream_chunk(Chunk chunk, Time now, HttpOutput& out);
  void on_upstream_end(End end, Time now, HttpOutput& out);

 private:
  // Slot: one request, in order: forwarded (its response comes from the
  // upstream) or answered here.
  struct Slot {
    bool answered = false;
    std::string reply;                          // answered: the response to send
    bool close_after = false;                   // answered: end the connection after the reply
    std::vector<std::size_t> response_clauses;  // forwarded: faults on its response
    std::uint64_t sequence = 0;
  };

  bool applies(std::size_t clause, const http::Message& request, Time now);
  void take_requests(Time now, HttpOutput& out);
  void take_responses(Time now, HttpOutput& out);
  void send_response(http::Message response, const Slot& slot, Time now, HttpOutput& out);
  void flush_answers(Time now, HttpOutput& out);
  void emit_up(std::string bytes, Time release, HttpOutput& out);
  void emit_down(std::string bytes, Time release, HttpOutput& out);
  void end_down(Time at, HttpOutput& out);
  void fire(Output& out, std::size_t clause, std::string_view what, Time at,
            std::uint64_t value = 0) const;

  Profile profile_;
  std::uint64_t seed_;
  std::uint64_t connection_;
  std::shared_ptr<HttpSharedState> shared_;
  ChainClock clock_;
  std::vector<Rng> rngs_;              // per clause: the per-request p draws
  std::vector<std::uint64_t> counts_;  // per clause: http_fail's requests on this connection
  http::Parser requests_{http::MessageType::request};
  http::Parser responses_{http::MessageType::response};
  std::deque<Slot> slots_;
  std::uint64_t next_sequence_ = 0;
  bool up_raw_ = false;  // after an upgrade: bytes pass through
  bool down_raw_ = false;
  bool down_ended_ = false;
  Time last_up_{0};
  Time last_down_{0};
};

// make_http_reply: the response an http fault sends in place of the upstream:
// `status`, a short text body naming the clause, Connection: close if asked.
std::string make_http_reply(int status, std::string_view fault, bool close);

}  // namespace faultline::fault
