// harness/proxy/control_api.h: a runtime control plane for running proxies,
// over HTTP + JSON, in the manner of Toxiproxy's API, so a test in any
// language can flip faults while its traffic flows.
//
//   GET    /proxies                  every proxy: listen, upstream, profile, counters
//   GET    /proxies/{name}           one proxy
//   POST   /proxies/{name}/faults    body {"profile": "latency delay=50ms; ..."} (or the
//                                    spec as text/plain): replaces the profile; 400 names
//                                    the bad token
//   DELETE /proxies/{name}/faults    clears every fault
//   GET    /version
//
//   proxy::ControlApi api;
//   api.add("default", proxy::ControlApi::handle_for(tcp_proxy, "tcp", upstream));
//   http::HttpServerOptions options;
//   options.handler = api.handler();          // serve it with the reference HTTP server
//
//   curl -X POST localhost:8474/proxies/default/faults -d '{"profile":"stall dir=down"}'
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/fault/profile.h"
#include "harness/proxy/tcp_proxy.h"
#include "harness/proxy/udp_proxy.h"
#include "targets/http/server/handler.h"

namespace faultline::proxy {

// ProxyHandle: what the API needs of one proxy.
struct ProxyHandle {
  std::string protocol;  // "tcp" or "udp"
  fault::Transport transport = fault::Transport::stream;
  std::function<net::Address()> listen;
  net::Address upstream;
  std::function<fault::Profile()> profile;
  std::function<void(fault::Profile)> set_profile;
  std::function<nlohmann::json()> counters;
};

// ControlApi: see the file comment. Thread-safe.
class ControlApi {
 public:
  static ProxyHandle handle_for(TcpProxy& proxy, net::Address upstream);
  static ProxyHandle handle_for(UdpProxy& proxy, net::Address upstream);

  void add(std::string name, ProxyHandle handle);
  // handler answers the API's requests (for http::HttpServerOptions::handler).
  http::Handler handler();

  // respond: the API as a plain function (method, target, body) -> Reply.
  http::Reply respond(const std::string& method, const std::string& target,
                      const std::string& body);

 private:
  nlohmann::json describe(const std::string& name, const ProxyHandle& handle) const;
  std::mutex mutex_;
  std::map<std::string, ProxyHandle> proxies_;
};

}  // namespace faultline::proxy
