// targets/http/server/counters.h: what the reference HTTP server counts.
//
// The loop thread bumps detail::LiveCounters (atomics); any thread reads a
// consistent-enough HttpServerCounters snapshot through HttpServer::counters().
//
//   auto c = server.counters();
//   fmt::print("requests={} 4xx={} header_timeouts={}\n", c.requests, c.responses_4xx,
//              c.header_timeouts);
#pragma once

#include <atomic>
#include <cstdint>

namespace faultline::http {

// HttpServerCounters: a snapshot of a server's counters since start().
struct HttpServerCounters {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_active = 0;    // open now (including ones closing)
  std::uint64_t connections_rejected = 0;  // over max_connections: 503, then closed
  std::uint64_t requests = 0;              // parsed requests answered by the handler
  std::uint64_t responses_1xx = 0;         // every response, error responses included
  std::uint64_t responses_2xx = 0;
  std::uint64_t responses_3xx = 0;
  std::uint64_t responses_4xx = 0;
  std::uint64_t responses_5xx = 0;
  std::uint64_t parse_errors = 0;     // malformed or over-limit requests (400/413/414/431)
  std::uint64_t idle_timeouts = 0;    // keep-alive connections closed with no request
  std::uint64_t header_timeouts = 0;  // header sections not complete in time (408)
  std::uint64_t body_timeouts = 0;    // bodies not complete in time (408)
  std::uint64_t send_timeouts = 0;    // peers that stopped reading their responses
  std::uint64_t bytes_received = 0;
  std::uint64_t bytes_sent = 0;
};

namespace detail {

// LiveCounters: the atomics behind HttpServerCounters.
struct LiveCounters {
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_active{0};
  std::atomic<std::uint64_t> connections_rejected{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> responses_by_class[5] = {};  // [0] is 1xx ... [4] is 5xx
  std::atomic<std::uint64_t> parse_errors{0};
  std::atomic<std::uint64_t> idle_timeouts{0};
  std::atomic<std::uint64_t> header_timeouts{0};
  std::atomic<std::uint64_t> body_timeouts{0};
  std::atomic<std::uint64_t> send_timeouts{0};
  std::atomic<std::uint64_t> bytes_received{0};
  std::atomic<std::uint64_t> bytes_sent{0};

  void count_response(int status_code) {
    int index = status_code / 100 - 1;
    if (index >= 0 && index < 5) ++responses_by_class[index];
  }

  HttpServerCounters snapshot() const {
    HttpServerCounters c;
    c.connections_accepted = connections_accepted.load();
    c.connections_active = connections_active.load();
    c.connections_rejected = connections_rejected.load();
    c.requests = requests.load();
    c.responses_1xx = responses_by_class[0].load();
    c.responses_2xx = responses_by_class[1].load();
    c.responses_3xx = responses_by_class[2].load();
    c.responses_4xx = responses_by_class[3].load();
    c.responses_5xx = responses_by_class[4].load();
    c.parse_errors = parse_errors.load();
    c.idle_timeouts = idle_timeouts.load();
    c.header_timeouts = header_timeouts.load();
    c.body_timeouts = body_timeouts.load();
    c.send_timeouts = send_timeouts.load();
    c.bytes_received = bytes_received.load();
    c.bytes_sent = bytes_sent.load();
    return c;
  }
};

}  // namespace detail
}  // namespace faultline::http
