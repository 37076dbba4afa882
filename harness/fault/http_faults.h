// harness/fault/http_faults.h: the HTTP-aware faults. They need a transport
// that reads HTTP/1.1 both ways (the TCP proxy with --protocol http; see
// http_exchange.h), and act per request rather than per byte:
//
//   http_abort status=503 p=10%                 answer in place of the upstream
//   http_fail first=2 [status=503] [scope=proxy] fail the first N requests
//   http_delay delay=2s dir=up|down|both         hold a request, or a response head
//   http_header set=NAME:VALUE | remove=NAME dir=up|down|both
//   http_truncate after=100B                     cut a response body mid-chunk, then FIN
//   http_slow_head [size=1B] [delay=10ms]        trickle the response head
//
// Each takes match= (http_match.h). Their p= is drawn per matching request
// (not once per connection as for byte faults), from the clause's own seeded
// generator. They are not Stages: make_stage() gives nullptr, and the
// transport runs them in an HttpExchange in front of the byte chains, so
// byte faults still apply to what they forward or answer.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "harness/fault/http_match.h"
#include "harness/fault/params.h"
#include "harness/fault/stage.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault {

// HttpFailScope: whose first N requests http_fail fails.
enum class HttpFailScope { connection, proxy };

// HttpAbortSettings: answer matching requests with `status`; the request is
// never forwarded. Event "abort" (value: the status).
struct HttpAbortSettings {
  static constexpr std::string_view kName = "http_abort";
  static constexpr std::array<std::string_view, 2> kKeys{"status", "match"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = false};
  static constexpr bool kHasDirection = false;

  int status = 503;
  HttpMatch match;

  static net::Result<HttpAbortSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext) const { return nullptr; }
  friend bool operator==(const HttpAbortSettings&, const HttpAbortSettings&) = default;
};

// HttpFailSettings: the first `first` matching requests of each connection
// (scope=proxy: of the whole proxy) are answered with `status`. Event "fail".
struct HttpFailSettings {
  static constexpr std::string_view kName = "http_fail";
  static constexpr std::array<std::string_view, 4> kKeys{"first", "status", "scope", "match"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = false};
  static constexpr bool kHasDirection = false;

  std::uint64_t first = 1;
  int status = 503;
  HttpFailScope scope = HttpFailScope::connection;
  HttpMatch match;

  static net::Result<HttpFailSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext) const { return nullptr; }
  friend bool operator==(const HttpFailSettings&, const HttpFailSettings&) = default;
};

// HttpDelaySettings: dir=up holds a matching request `delay` before it is
// forwarded; dir=down holds its response's head. Event "delay" (value: ns).
struct HttpDelaySettings {
  static constexpr std::string_view kName = "http_delay";
  static constexpr std::array<std::string_view, 2> kKeys{"delay", "match"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = false};
  static constexpr bool kHasDirection = true;

  Time delay{0};
  HttpMatch match;

  static net::Result<HttpDelaySettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext) const { return nullptr; }
  friend bool operator==(const HttpDelaySettings&, const HttpDelaySettings&) = default;
};

// HttpHeaderSettings: set (replace or add) or remove a header of matching
// requests (dir=up) or of their responses (dir=down). Event "header".
struct HttpHeaderSettings {
  static constexpr std::string_view kName = "http_header";
  static constexpr std::array<std::string_view, 3> kKeys{"set", "remove", "match"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = false};
  static constexpr bool kHasDirection = true;

  std::string name;   // the header set or removed
  std::string value;  // set only
  bool remove = false;
  HttpMatch match;

  static net::Result<HttpHeaderSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext) const { return nullptr; }
  friend bool operator==(const HttpHeaderSettings&, const HttpHeaderSettings&) = default;
};

// HttpTruncateSettings: the response to a matching request stops `after`
// bytes into its body as sent (chunk framing included, so a chunked body is
// cut mid-chunk), and the connection ends with a FIN. Event "truncate".
struct HttpTruncateSettings {
  static constexpr std::string_view kName = "http_truncate";
  static constexpr std::array<std::string_view, 2> kKeys{"after", "match"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = false};
  static constexpr bool kHasDirection = false;

  std::uint64_t after = 0;
  HttpMatch match;

  static net::Result<HttpTruncateSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext) const { return nullptr; }
  friend bool operator==(const HttpTruncateSettings&, const HttpTruncateSettings&) = default;
};

// HttpSlowHeadSettings: the response head to a matching request goes out in
// pieces of `size` bytes, `delay` apart; the body follows the last piece.
// Event "slow_head" (value: the head's size).
struct HttpSlowHeadSettings {
  static constexpr std::string_view kName = "http_slow_head";
  static constexpr std::array<std::string_view, 3> kKeys{"size", "delay", "match"};
  static constexpr TransportSet kTransports{.stream = true, .datagram = false};
  static constexpr bool kHasDirection = false;

  std::uint64_t size = 1;
  Time delay = std::chrono::milliseconds(10);
  HttpMatch match;

  static net::Result<HttpSlowHeadSettings> parse(ParamReader& params);
  void print(ParamWriter& out) const;
  std::unique_ptr<Stage> make_stage(StageContext) const { return nullptr; }
  friend bool operator==(const HttpSlowHeadSettings&, const HttpSlowHeadSettings&) = default;
};

}  // namespace faultline::fault
