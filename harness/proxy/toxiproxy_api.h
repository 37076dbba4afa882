// harness/proxy/toxiproxy_api.h: Toxiproxy's HTTP API (v2), spoken as its
// documentation and its client libraries use it, backed by faultline's TCP
// proxy and fault engine, so a test suite written against Toxiproxy runs
// against faultline by changing one port.
//
//   GET    /proxies                          {name: proxy, ...}
//   POST   /proxies                          {name, listen, upstream, enabled} -> 201
//   POST   /populate                         [proxy, ...] -> 201 {"proxies": [...]}
//   GET    /proxies/{proxy}                  proxy with its toxics
//   POST|PATCH /proxies/{proxy}              {listen?, upstream?, enabled?}
//   DELETE /proxies/{proxy}                  204
//   GET    /proxies/{proxy}/toxics           [toxic, ...]
//   POST   /proxies/{proxy}/toxics           {name?, type, stream?, toxicity?, attributes}
//   GET|POST|PATCH|DELETE /proxies/{proxy}/toxics/{toxic}
//   POST   /reset                            every proxy enabled, every toxic removed -> 204
//   GET    /version                          {"version": "..."}
//   GET    /metrics                          Prometheus text
//
// A proxy is {"name", "listen", "upstream", "enabled", "toxics": [...]}; a
// toxic is {"attributes": {...}, "name", "type", "stream", "toxicity"}.
// Errors are {"error": "proxy not found", "status": 404} with Toxiproxy's
// messages and codes (400, 404, 409, 500). A request whose User-Agent starts
// with "Mozilla/" gets 403, as Toxiproxy answers browsers (no cross-site
// request can drive the proxies).
//
// Each toxic becomes one fault clause (toxic_clause); a proxy's toxics, in
// the order they were added, are its fault profile. faultline's own faults
// are the extra toxic type "faultline" with {"attributes": {"spec":
// "corrupt rate=1%"}}: any clause of the fault language.
//
//   proxy::ToxiproxyApi api(seed);
//   http::HttpServer server(api.server_options(net::Address::loopback(8474)));
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/proxy/tcp_proxy.h"
#include "targets/http/server/handler.h"
#include "targets/http/server/server.h"

namespace faultline::proxy {

// ToxiproxyToxic: one toxic as the API shows it.
struct ToxiproxyToxic {
  std::string name;
  std::string type;
  std::string stream = "downstream";  // "upstream" (client to server) or "downstream"
  double toxicity = 1.0;
  nlohmann::ordered_json attributes = nlohmann::ordered_json::object();
};

// toxic_types: the Toxiproxy toxic types understood, then "faultline".
const std::vector<std::string>& toxic_types();

// default_attributes: a type's attributes with Toxiproxy's zero defaults, in
// Toxiproxy's order (what a toxic created with no attributes shows).
nlohmann::ordered_json default_attributes(const std::string& type);

// toxic_clause: the fault clause a toxic stands for ("" when it does nothing,
// e.g. latency 0); an error names the attribute that is wrong.
net::Result<std::string> toxic_clause(const ToxiproxyToxic& toxic);

// ToxiproxyApi: see the file comment. Thread-safe.
class ToxiproxyApi {
 public:
  explicit ToxiproxyApi(std::uint64_t seed = 1);
  ~ToxiproxyApi();
  ToxiproxyApi(const ToxiproxyApi&) = delete;
  ToxiproxyApi& operator=(const ToxiproxyApi&) = delete;

  // respond: the API as a plain function. `user_agent` may be empty.
  http::Reply respond(const std::string& method, const std::string& target, const std::string& body,
                      const std::string& user_agent = "");
  http::Handler handler();
  // server_options: the HTTP server settings the API wants.
  http::HttpServerOptions server_options(net::Address listen);

  // load_config: a Toxiproxy config file's text (a JSON list of proxies, as
  // POST /populate takes), where each proxy may also carry "toxics".
  net::Status load_config(const std::string& text);
  // stop_all stops every proxy (their connections end).
  void stop_all();

 private:
  struct Entry;
  http::Reply create_proxy(const std::string& body);
  http::Reply populate(const std::string& body);
  http::Reply update_proxy(Entry& entry, const std::string& body);
  http::Reply toxics(Entry& entry, const std::string& method, const std::string& toxic,
                     const std::string& body);
  http::Reply metrics();
  net::Status start(Entry& entry);
  net::Status apply_toxics(Entry& entry);
  nlohmann::ordered_json describe(const Entry& entry) const;
  net::Result<std::unique_ptr<Entry>> entry_from_json(const nlohmann::json& input,
                                                      const std::string& where) const;

  std::uint64_t seed_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Entry>> proxies_;
};

}  // namespace faultline::proxy
