// harness/proxy/control_api.h: a runtime control plane for running proxies,
// over HTTP + JSON, in the manner of Toxiproxy's API, so a test in any
// language can flip faults while its traffic flows.
//
//   GET    /proxies                       every proxy: listen, upstream, profile, counters
//   GET    /proxies/{name}                one proxy
//   GET    /proxies/{name}/faults         {"profile": "...", "faults": ["clause", ...]}
//   POST   /proxies/{name}/faults         body {"profile": "latency delay=50ms; ..."} (or the
//                                         spec as text/plain): REPLACES the whole profile;
//                                         400 names the bad token; an empty body is a 400
//   POST   /proxies/{name}/faults?mode=append
//                                         adds the body's clauses after the current ones
//   DELETE /proxies/{name}/faults         clears every fault
//   DELETE /proxies/{name}/faults/{index} removes one clause (0-based, as GET lists them)
//   GET    /metrics                       Prometheus text: bytes and connections per
//                                         direction, fault events per clause
//   GET    /version
//
// Every answer is JSON, errors included ({"error": "..."}), even those the
// HTTP server gives itself (a malformed request, a body over 1MiB, headers
// over 64KiB). With a token (require_token), every request needs
// "Authorization: Bearer <token>" (compared in constant time) or gets 401.
//
//   proxy::ControlApi api;
//   api.add("default", proxy::ControlApi::handle_for(tcp_proxy, upstream));
//   api.require_token(token);                        // needed off loopback
//   http::HttpServer server(api.server_options(listen));
//
//   curl -X POST localhost:8474/proxies/default/faults -d '{"profile":"stall dir=down"}'
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/fault/profile.h"
#include "harness/proxy/tcp_proxy.h"
#include "harness/proxy/udp_proxy.h"
#include "targets/http/server/handler.h"
#include "targets/http/server/server.h"

namespace faultline::proxy {

// MetricSample: one Prometheus sample of a proxy, before the proxy's name is
// added to its labels: faultline_proxy_bytes_total{dir="up"} 123.
struct MetricSample {
  std::string family;  // "faultline_proxy_bytes_total"
  std::string labels;  // "dir=\"up\"" ("" for none); values escaped
  std::uint64_t value = 0;
};

// ProxyHandle: what the API needs of one proxy.
struct ProxyHandle {
  std::string protocol;  // "tcp" or "udp"
  fault::Transport transport = fault::Transport::stream;
  std::function<net::Address()> listen;
  net::Address upstream;
  std::function<fault::Profile()> profile;
  std::function<void(fault::Profile)> set_profile;
  std::function<nlohmann::json()> counters;
  // http_aware: the proxy reads HTTP (--protocol http), so http_* faults apply.
  bool http_aware = false;
  // metrics: the proxy's samples for GET /metrics.
  std::function<std::vector<MetricSample>()> metrics{};
};

// prometheus_label_value: a Prometheus label value, escaped (backslash,
// quote, newline).
std::string prometheus_label_value(std::string_view text);

// connection_outcomes: a TCP proxy's connections by what became of them, as
// faultline_proxy_connections_total's outcome labels name them.
std::vector<std::pair<std::string_view, std::uint64_t>> connection_outcomes(
    const ProxyCounters& counters);

// prometheus_text: the samples of every named proxy in the Prometheus text
// exposition format (version 0.0.4), one HELP and TYPE line per family.
std::string prometheus_text(const std::map<std::string, std::vector<MetricSample>>& by_proxy);

// ControlApi: see the file comment. Thread-safe.
class ControlApi {
 public:
  static ProxyHandle handle_for(TcpProxy& proxy, net::Address upstream);
  static ProxyHandle handle_for(UdpProxy& proxy, net::Address upstream);

  void add(std::string name, ProxyHandle handle);
  // require_token makes every request carry "Authorization: Bearer <token>".
  void require_token(std::string token);
  // handler answers the API's requests (for http::HttpServerOptions::handler).
  http::Handler handler();
  // server_options: the HTTP server settings the API wants: its handler, a
  // 1MiB body limit and JSON for the server's own error answers.
  http::HttpServerOptions server_options(net::Address listen);

  // respond: the API as a plain function (method, target, body) -> Reply.
  http::Reply respond(const std::string& method, const std::string& target,
                      const std::string& body);

 private:
  nlohmann::json describe(const std::string& name, const ProxyHandle& handle) const;
  std::mutex mutex_;
  std::map<std::string, ProxyHandle> proxies_;
  std::string token_;
};

}  // namespace faultline::proxy
