#include "harness/suites/catalog.h"

#include <algorithm>
#include <string>

namespace faultline::suites {
namespace {

using namespace std::chrono_literals;
using net::ErrorKind;

Scenario make(std::string name, Protocol protocol, std::string profile, Workload workload,
              std::vector<ErrorKind> expected, net::Duration deadline, std::string description,
              std::size_t max_message_bytes = 3000) {
  Scenario s;
  s.name = std::move(name);
  s.protocol = protocol;
  s.profile = std::move(profile);
  s.workload = workload;
  s.expected_errors = std::move(expected);
  s.deadline = deadline;
  s.description = std::move(description);
  s.max_message_bytes = max_message_bytes;
  return s;
}

std::vector<Scenario> echo_tcp() {
  const auto P = Protocol::echo_tcp;
  return {
      make("echo-tcp/baseline", P, "", Workload::exchange, {}, 10s,
           "no faults: every message echoed whole"),
      make("echo-tcp/slicer-1-byte", P, "slicer min=1B max=1B delay=1ms", Workload::exchange, {},
           20s, "partial reads and writes: one byte per segment, so a multibyte character is split",
           200),
      make("echo-tcp/slicer-small", P, "slicer min=1B max=7B delay=100us", Workload::exchange, {},
           20s, "partial reads and writes of 1..7 bytes"),
      make("echo-tcp/latency", P, "latency delay=20ms jitter=10ms", Workload::exchange, {}, 20s,
           "a slow peer: 10..30 ms each way"),
      make("echo-tcp/bandwidth", P, "bandwidth rate=2MiB/s", Workload::large, {}, 20s,
           "a slow link: 2 MiB/s both ways for a 3 MiB payload", 3 << 20),
      make("echo-tcp/slow-reader", P, "bandwidth rate=4MiB/s dir=down", Workload::large, {}, 20s,
           "the client reads slower than it sends 8 MiB: the server's socket buffer fills, and "
           "it must finish its partial writes",
           8 << 20),
      make("echo-tcp/large-payload", P, "", Workload::large, {}, 20s,
           "8 MiB in one exchange: partial writes everywhere", 8 << 20),
      make("echo-tcp/retransmit", P, "retransmit rate=10% rto=20ms", Workload::exchange, {}, 20s,
           "dropped packets as TCP shows them: retransmission stalls"),
      make("echo-tcp/half-close", P, "bandwidth rate=4MiB/s dir=down", Workload::half_close, {},
           20s,
           "the client sends 8 MiB, then FIN, while replies drain slowly: every byte still owed "
           "at the FIN must arrive",
           8 << 20),
      make("echo-tcp/stall", P, "stall dir=down", Workload::exchange, {ErrorKind::timeout}, 10s,
           "a blackholed reply: the client must time out, not hang"),
      make("echo-tcp/stall-then-close", P, "stall close_after=300ms dir=down", Workload::exchange,
           {ErrorKind::closed, ErrorKind::timeout}, 10s,
           "a stall ended by a FIN: closed (or timed out), never a hang"),
      make("echo-tcp/reset-mid-stream", P, "reset after=1KiB dir=down", Workload::large,
           {ErrorKind::reset}, 10s, "an RST in the middle of the reply", 1 << 20),
      make("echo-tcp/limit-data", P, "limit_data after=1KiB dir=down", Workload::large,
           {ErrorKind::closed}, 10s, "the connection closes after 1 KiB of reply", 1 << 20),
      make("echo-tcp/refused", P, "down mode=refuse", Workload::exchange, {ErrorKind::refused}, 10s,
           "nothing listens: connection refused"),
      make("echo-tcp/blackhole", P, "down mode=blackhole", Workload::exchange, {ErrorKind::timeout},
           10s, "connections accepted and never answered"),
      make("echo-tcp/isolation", P, "", Workload::isolation, {}, 15s,
           "one client connects, sends half a message and never reads: the others must be served"),
      make("echo-tcp/hygiene-resets", P, "reset after=100B", Workload::hygiene, {}, 30s,
           "200 connections reset mid-stream: the server's fd count must settle back"),
  };
}

std::vector<Scenario> echo_udp() {
  const auto P = Protocol::echo_udp;
  return {
      make("echo-udp/baseline", P, "", Workload::datagrams, {}, 10s, "no faults"),
      make("echo-udp/drop", P, "drop rate=20%", Workload::datagrams, {}, 20s,
           "20% of datagrams lost each way: the client retries"),
      make("echo-udp/duplicate", P, "duplicate rate=50%", Workload::datagrams, {}, 10s,
           "duplicated datagrams: each reply matched once"),
      make("echo-udp/reorder", P, "reorder rate=30% delay=5ms", Workload::datagrams, {}, 10s,
           "reordered datagrams: stale replies discarded"),
      make("echo-udp/truncate", P, "truncate rate=20%", Workload::datagrams, {}, 20s,
           "truncated datagrams: damaged replies discarded, the request retried"),
      make("echo-udp/corrupt", P, "corrupt rate=2% per=chunk", Workload::datagrams, {}, 20s,
           "bit flips: damaged replies discarded, the request retried"),
      make("echo-udp/latency", P, "latency delay=10ms jitter=5ms", Workload::datagrams, {}, 20s,
           "a slow path"),
      make("echo-udp/blackhole", P, "drop rate=100%", Workload::datagrams, {ErrorKind::timeout},
           10s, "every datagram lost: a timeout after bounded retries"),
  };
}

std::vector<Scenario> http() {
  const auto P = Protocol::http;
  return {
      make("http/baseline-get", P, "", Workload::http_get, {}, 10s,
           "GET /get?key=value: 200 with the argument echoed"),
      make("http/baseline-post", P, "", Workload::http_post, {}, 10s,
           "POST /post with JSON: 200 with the JSON echoed"),
      make("http/partial-io", P, "slicer min=1B max=5B delay=200us", Workload::http_post, {}, 20s,
           "requests and responses in 1..5-byte pieces"),
      make("http/slow-body", P, "bandwidth rate=64KiB/s dir=down", Workload::http_get, {}, 20s,
           "a slow response body"),
      make("http/slow-reader", P, "bandwidth rate=256KiB/s dir=down", Workload::http_get, {}, 20s,
           "the client reads a 1 MiB response slowly: the server must finish its partial writes",
           1 << 20),
      make("http/truncated-body", P, "limit_data after=150B dir=down", Workload::http_get,
           {ErrorKind::closed, ErrorKind::bad_data}, 10s,
           "the response is cut off mid-body: a clear error, not a short body"),
      make("http/server-reset", P, "reset after=60B dir=down", Workload::http_get,
           {ErrorKind::reset}, 10s, "the server side resets mid-response"),
      make("http/stall", P, "stall dir=down", Workload::http_get, {ErrorKind::timeout}, 10s,
           "no response byte ever: a timeout inside the deadline"),
      make("http/stale-keepalive", P, "", Workload::http_keepalive_stale, {}, 10s,
           "the server closes an idle pooled connection: the next request retries on a fresh one"),
      make("http/slow-headers", P, "", Workload::http_slow_headers, {}, 20s,
           "a slowloris client trickles header bytes: other clients are still served"),
      make("http/refused", P, "down mode=refuse", Workload::http_get, {ErrorKind::refused}, 10s,
           "nothing listens: connection refused"),
      // HTTP-aware faults: the proxy reads HTTP and acts per request.
      make("http/503-retried", P, "http_fail first=2 scope=proxy match='GET /get*'",
           Workload::http_get, {}, 10s,
           "the first two GET /get answered 503 by the proxy: a client that retries with backoff "
           "gets the third answer"),
      make("http/503-retried-sliced", P,
           "slicer max=7B delay=100us; http_fail first=1 scope=proxy match='GET /get*'",
           Workload::http_get, {}, 20s,
           "a 503 in 1..7-byte pieces, then the real answer: byte faults apply to what the "
           "proxy answers too"),
      make("http/post-not-retried", P, "http_fail first=1 match=POST", Workload::http_post_once, {},
           10s, "a POST answered 503: the client must hand back the 503, not send it again"),
      make("http/delayed", P, "http_delay delay=150ms", Workload::http_get, {}, 10s,
           "every request held 150ms before it is forwarded, and its response head as long"),
      make("http/slow-head", P, "http_slow_head size=4B delay=2ms", Workload::http_get, {}, 20s,
           "response heads trickled 4 bytes every 2ms"),
      make("http/connection-close", P, "http_header set=Connection:close dir=down",
           Workload::http_get, {}, 10s,
           "every response says Connection: close: the client must not reuse the connection"),
      make("http/truncated-chunk", P, "http_truncate after=100B match=/bytes/*", Workload::http_get,
           {ErrorKind::closed, ErrorKind::bad_data}, 10s,
           "a body cut 100 bytes in, then FIN: a clear error, not a short body"),
  };
}

// echo_tls: the echo-tcp scenarios that fit a TLS stream (half-close is
// TCP's alone: TLS ends with close_notify), with the kinds TLS gives them,
// and the TLS ones: the handshake under faults, tampering, truncation, and
// certificates the client must refuse.
std::vector<Scenario> echo_tls() {
  const auto P = Protocol::echo_tls;
  return {
      make("echo-tls/baseline", P, "", Workload::exchange, {}, 10s,
           "no faults: every message echoed whole over TLS"),
      make("echo-tls/slicer-1-byte", P, "slicer min=1B max=1B delay=1ms", Workload::exchange, {},
           30s, "records (and the handshake) cut into 1-byte segments", 200),
      make("echo-tls/slicer-small", P, "slicer min=1B max=7B delay=100us", Workload::exchange, {},
           20s, "records cut anywhere into 1..7-byte segments"),
      make("echo-tls/latency", P, "latency delay=20ms jitter=10ms", Workload::exchange, {}, 20s,
           "a slow peer: the handshake's round trips pay it too"),
      make("echo-tls/bandwidth", P, "bandwidth rate=2MiB/s", Workload::large, {}, 20s,
           "a slow link: 2 MiB/s both ways for a 3 MiB payload", 3 << 20),
      make("echo-tls/large-payload", P, "", Workload::large, {}, 20s,
           "8 MiB in one exchange: hundreds of records, each a separate read", 8 << 20),
      make("echo-tls/retransmit", P, "retransmit rate=10% rto=20ms", Workload::exchange, {}, 20s,
           "dropped packets as TCP shows them: retransmission stalls"),
      make("echo-tls/handshake-stall", P, "stall dir=down", Workload::exchange,
           {ErrorKind::tls_handshake_timeout}, 10s,
           "the server's handshake reply never comes: a handshake timeout, not a hang"),
      make("echo-tls/stall", P, "stall after=4KiB dir=down", Workload::large, {ErrorKind::timeout},
           10s, "the reply stalls after the handshake: a read timeout, apart from a handshake one",
           1 << 20),
      make("echo-tls/handshake-reset", P, "reset after=100B dir=down", Workload::exchange,
           {ErrorKind::reset}, 10s, "an RST in the middle of the server's handshake flight"),
      make("echo-tls/reset-mid-stream", P, "reset after=64KiB dir=down", Workload::large,
           {ErrorKind::reset}, 10s, "an RST in the middle of the reply", 1 << 20),
      make("echo-tls/truncation", P, "limit_data after=64KiB dir=down", Workload::large,
           {ErrorKind::tls_truncated}, 10s,
           "the connection ends mid-reply without close_notify: a truncation, never a short "
           "reply taken as whole",
           1 << 20),
      make("echo-tls/corrupt", P, "corrupt rate=0.001% dir=down", Workload::large,
           {ErrorKind::tls_protocol, ErrorKind::tls_alert, ErrorKind::tls_bad_certificate,
            ErrorKind::tls_unknown_ca},
           20s, "bit flips in the records: a bad record MAC error, never altered bytes", 2 << 20),
      make("echo-tls/refused", P, "down mode=refuse", Workload::exchange, {ErrorKind::refused}, 10s,
           "nothing listens: connection refused"),
      make("echo-tls/blackhole", P, "down mode=blackhole", Workload::exchange,
           {ErrorKind::tls_handshake_timeout, ErrorKind::timeout}, 10s,
           "connections accepted and never answered: the handshake times out"),
      make("echo-tls/isolation", P, "", Workload::isolation, {}, 15s,
           "one client sends half a ClientHello and never reads: the others must be served"),
      make("echo-tls/hygiene-resets", P, "reset after=100B", Workload::hygiene, {}, 30s,
           "200 connections reset mid-handshake: the server's fd count must settle back"),
      make("echo-tls/expired-certificate", P, "", Workload::tls_expired_certificate,
           {ErrorKind::tls_expired}, 10s,
           "the server presents an expired certificate: the client must refuse it"),
      make("echo-tls/wrong-host-certificate", P, "", Workload::tls_wrong_host_certificate,
           {ErrorKind::tls_wrong_host}, 10s,
           "the server presents a certificate for another host: the client must refuse it"),
      make("echo-tls/self-signed-certificate", P, "", Workload::tls_self_signed_certificate,
           {ErrorKind::tls_unknown_ca}, 10s,
           "the server presents a self-signed certificate: the client must refuse it"),
  };
}

// https: the http scenarios over TLS, and the TLS ones that matter to a body.
std::vector<Scenario> https() {
  const auto P = Protocol::https;
  return {
      make("https/baseline-get", P, "", Workload::http_get, {}, 10s,
           "GET /get?key=value over TLS: 200 with the argument echoed"),
      make("https/baseline-post", P, "", Workload::http_post, {}, 10s,
           "POST /post with JSON over TLS"),
      make("https/partial-io", P, "slicer min=1B max=5B delay=200us", Workload::http_post, {}, 30s,
           "records cut into 1..5-byte pieces both ways"),
      make("https/slow-body", P, "bandwidth rate=64KiB/s dir=down", Workload::http_get, {}, 20s,
           "a slow response body"),
      make("https/truncated-body", P, "limit_data after=8KiB dir=down", Workload::http_get,
           {ErrorKind::tls_truncated}, 10s,
           "the response is cut off mid-body without close_notify: a truncation, never a "
           "complete body",
           64 << 10),
      make("https/corrupt", P, "corrupt rate=0.002% dir=down", Workload::http_get,
           {ErrorKind::tls_protocol, ErrorKind::tls_alert, ErrorKind::tls_bad_certificate,
            ErrorKind::tls_unknown_ca},
           20s, "bit flips in the response records: a bad record MAC error", 1 << 20),
      make("https/handshake-stall", P, "stall dir=down", Workload::http_get,
           {ErrorKind::tls_handshake_timeout}, 15s,
           "the server's handshake reply never comes: a handshake timeout"),
      make("https/handshake-reset", P, "reset after=100B dir=down", Workload::http_get,
           {ErrorKind::reset}, 15s, "an RST during the handshake"),
      make("https/server-reset", P, "reset after=2KiB dir=down", Workload::http_get,
           {ErrorKind::reset}, 10s, "the server side resets mid-response"),
      make("https/stall", P, "stall after=3KiB dir=down", Workload::http_get, {ErrorKind::timeout},
           10s, "the response stalls after the handshake: a read timeout"),
      make("https/stale-keepalive", P, "", Workload::http_keepalive_stale, {}, 10s,
           "the server closes an idle pooled TLS connection: the next request retries fresh"),
      make("https/refused", P, "down mode=refuse", Workload::http_get, {ErrorKind::refused}, 10s,
           "nothing listens: connection refused"),
      make("https/expired-certificate", P, "", Workload::tls_expired_certificate,
           {ErrorKind::tls_expired}, 10s, "an expired server certificate: the client must refuse"),
      make("https/wrong-host-certificate", P, "", Workload::tls_wrong_host_certificate,
           {ErrorKind::tls_wrong_host}, 10s,
           "a certificate for another host: the client must refuse"),
      make("https/self-signed-certificate", P, "", Workload::tls_self_signed_certificate,
           {ErrorKind::tls_unknown_ca}, 10s, "a self-signed certificate: the client must refuse"),
  };
}

// ws_echo: the stream scenarios that fit a WebSocket echo (a 1-byte slicer
// splits frame headers and UTF-8 sequences alike; a reset or a FIN lands
// mid-frame), and the WebSocket ones: a scripted peer breaks one rule or
// goes silent, and the server must answer as RFC 6455 says. Large messages
// stay under 1 MiB, the default limit of common servers (Python websockets).
std::vector<Scenario> ws_echo() {
  const auto P = Protocol::ws_echo;
  constexpr std::size_t kLarge = 1000 << 10;
  return {
      make("ws-echo/baseline", P, "", Workload::exchange, {}, 10s,
           "no faults: text (in 1..7-byte fragments, characters split across frames) and binary "
           "echoed whole, then a clean closing handshake"),
      make("ws-echo/slicer-1-byte", P, "slicer min=1B max=1B delay=1ms", Workload::exchange, {},
           30s, "one byte per segment both ways: every frame header and UTF-8 sequence split "
           "across reads", 200),
      make("ws-echo/slicer-small", P, "slicer min=1B max=7B delay=100us", Workload::exchange, {},
           20s, "frames cut anywhere into 1..7-byte segments"),
      make("ws-echo/latency", P, "latency delay=20ms jitter=10ms", Workload::exchange, {}, 20s,
           "a slow peer: 10..30 ms each way, the handshake too"),
      make("ws-echo/retransmit", P, "retransmit rate=10% rto=20ms", Workload::exchange, {}, 20s,
           "dropped packets as TCP shows them: retransmission stalls"),
      make("ws-echo/large-message", P, "", Workload::large, {}, 20s,
           "a 1000 KiB text message in one frame: many reads, partial writes", kLarge),
      make("ws-echo/slow-reader", P, "bandwidth rate=1MiB/s dir=down", Workload::large, {}, 20s,
           "the client reads the 1000 KiB echo slowly: the server must finish its partial writes",
           kLarge),
      make("ws-echo/half-close", P, "bandwidth rate=1MiB/s dir=down", Workload::half_close, {},
           20s,
           "the client sends 1000 KiB and its close frame, then FIN, while the echo drains "
           "slowly: the echo and the close reply still owed must arrive",
           kLarge),
      make("ws-echo/stall", P, "stall dir=down", Workload::exchange, {ErrorKind::timeout}, 10s,
           "the 101 never comes: the client must time out, not hang"),
      make("ws-echo/stall-mid-message", P, "stall after=64KiB dir=down", Workload::large,
           {ErrorKind::timeout}, 15s, "the echo stops 64 KiB in: a timeout, not a hang", kLarge),
      make("ws-echo/reset-mid-frame", P, "reset after=64KiB dir=down", Workload::large,
           {ErrorKind::reset}, 10s, "an RST in the middle of the echo's frame", kLarge),
      make("ws-echo/fin-mid-frame", P, "limit_data after=64KiB dir=down", Workload::large,
           {ErrorKind::closed}, 10s,
           "the connection ends 64 KiB into the echo's frame: closed, never a short message",
           kLarge),
      make("ws-echo/refused", P, "down mode=refuse", Workload::exchange, {ErrorKind::refused}, 10s,
           "nothing listens: connection refused"),
      make("ws-echo/isolation", P, "", Workload::isolation, {}, 15s,
           "one peer sends its handshake and half a frame header, then never reads: the others "
           "must be served"),
      make("ws-echo/ping-between-fragments", P, "slicer min=1B max=3B delay=100us",
           Workload::ws_ping_between_fragments, {}, 20s,
           "a ping between the fragments of a message: a pong at once, then the whole echo"),
      make("ws-echo/close-unanswered", P, "", Workload::ws_close_unanswered, {}, 15s,
           "invalid UTF-8 earns close 1007; the peer never answers it: the server must still "
           "end the connection"),
      make("ws-echo/pong-missing", P, "", Workload::ws_pong_missing, {}, 20s,
           "the peer goes silent and answers no ping: the server's keepalive must end the "
           "connection inside the deadline"),
      make("ws-echo/frame-over-limit", P, "", Workload::ws_frame_over_limit, {}, 10s,
           "a frame header announcing 1 GiB: close 1009 at once, not a wait for the payload"),
      make("ws-echo/unmasked-frame", P, "", Workload::ws_unmasked_frame, {}, 10s,
           "a client frame without a mask: close 1002, never an echo"),
      make("ws-echo/fragmented-ping", P, "", Workload::ws_fragmented_control, {}, 10s,
           "a ping with FIN clear (a fragmented control frame): close 1002, never a pong"),
  };
}

}  // namespace

std::vector<Scenario> catalog(Protocol protocol) {
  switch (protocol) {
    case Protocol::echo_tcp:
      return echo_tcp();
    case Protocol::echo_udp:
      return echo_udp();
    case Protocol::http:
      return http();
    case Protocol::echo_tls:
      return echo_tls();
    case Protocol::https:
      return https();
    case Protocol::ws_echo:
      return ws_echo();
  }
  return {};
}

namespace {

// split_globs: the non-empty comma-separated globs of `globs`.
std::vector<std::string_view> split_globs(std::string_view globs) {
  std::vector<std::string_view> out;
  while (!globs.empty()) {
    auto comma = globs.find(',');
    auto glob = globs.substr(0, comma);
    if (!glob.empty()) out.push_back(glob);
    if (comma == std::string_view::npos) break;
    globs.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

std::vector<Scenario> select(const std::vector<Scenario>& scenarios, std::string_view globs) {
  if (globs.empty()) return scenarios;
  const auto patterns = split_globs(globs);
  std::vector<Scenario> out;
  for (const auto& scenario : scenarios) {
    if (std::any_of(patterns.begin(), patterns.end(),
                    [&](std::string_view glob) { return glob_match(glob, scenario.name); })) {
      out.push_back(scenario);
    }
  }
  return out;
}

std::vector<std::string> unmatched_globs(const std::vector<Scenario>& scenarios,
                                         std::string_view globs) {
  std::vector<std::string> out;
  for (auto glob : split_globs(globs)) {
    if (std::none_of(scenarios.begin(), scenarios.end(),
                     [&](const Scenario& s) { return glob_match(glob, s.name); })) {
      out.emplace_back(glob);
    }
  }
  return out;
}

}  // namespace faultline::suites
