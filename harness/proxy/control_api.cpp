#include "harness/proxy/control_api.h"

namespace faultline::proxy {
namespace {

http::Reply json_reply(int status, const nlohmann::json& body) {
  http::Reply reply;
  reply.response.status_code = status;
  reply.response.reason = std::string(http::reason_phrase(status));
  reply.response.headers = {{"Content-Type", "application/json"}};
  reply.response.body = body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return reply;
}

http::Reply error_reply(int status, const std::string& message) {
  return json_reply(status, {{"error", message}});
}

}  // namespace

ProxyHandle ControlApi::handle_for(TcpProxy& proxy, net::Address upstream) {
  return ProxyHandle{"tcp",
                     fault::Transport::stream,
                     [&proxy] { return proxy.address(); },
                     upstream,
                     [&proxy] { return proxy.profile(); },
                     [&proxy](fault::Profile p) { proxy.set_profile(std::move(p)); },
                     [&proxy] {
                       auto c = proxy.counters();
                       return nlohmann::json{{"accepted", c.accepted},
                                             {"active", c.active},
                                             {"refused", c.refused},
                                             {"blackholed", c.blackholed},
                                             {"rejected", c.rejected},
                                             {"resets_sent", c.resets_sent},
                                             {"drain_timeouts", c.drain_timeouts},
                                             {"bytes_up", c.bytes_up},
                                             {"bytes_down", c.bytes_down}};
                     }};
}

ProxyHandle ControlApi::handle_for(UdpProxy& proxy, net::Address upstream) {
  return ProxyHandle{"udp",
                     fault::Transport::datagram,
                     [&proxy] { return proxy.address(); },
                     upstream,
                     [&proxy] { return proxy.profile(); },
                     [&proxy](fault::Profile p) { proxy.set_profile(std::move(p)); },
                     [&proxy] {
                       auto c = proxy.counters();
                       return nlohmann::json{{"sessions", c.sessions},
                                             {"datagrams_in", c.datagrams_in},
                                             {"datagrams_out", c.datagrams_out},
                                             {"queue_drops", c.queue_drops}};
                     }};
}

void ControlApi::add(std::string name, ProxyHandle handle) {
  std::lock_guard lock(mutex_);
  proxies_[std::move(name)] = std::move(handle);
}

nlohmann::json ControlApi::describe(const std::string& name, const ProxyHandle& handle) const {
  return nlohmann::json{{"name", name},
                        {"protocol", handle.protocol},
                        {"listen", handle.listen().to_string()},
                        {"upstream", handle.upstream.to_string()},
                        {"profile", handle.profile().to_string()},
                        {"counters", handle.counters()}};
}

http::Handler ControlApi::handler() {
  return [this](const http::Message& request, const http::RequestContext&) {
    return respond(request.method, request.target, request.body);
  };
}

http::Reply ControlApi::respond(const std::string& method, const std::string& target,
                                const std::string& body) {
  std::string path = target.substr(0, target.find('?'));
  std::lock_guard lock(mutex_);
  if (path == "/version") return json_reply(200, {{"name", "faultline"}, {"version", "0.1.0"}});
  if (path == "/proxies" || path == "/proxies/") {
    if (method != "GET") return error_reply(405, method + " " + path + ": only GET");
    nlohmann::json all = nlohmann::json::object();
    for (const auto& [name, handle] : proxies_)
      all[name] = describe(name, handle);
    return json_reply(200, all);
  }
  const std::string prefix = "/proxies/";
  if (path.rfind(prefix, 0) != 0) return error_reply(404, "no such resource: " + path);
  std::string rest = path.substr(prefix.size());
  std::string name = rest.substr(0, rest.find('/'));
  std::string tail = rest.size() > name.size() ? rest.substr(name.size()) : "";
  auto it = proxies_.find(name);
  if (it == proxies_.end()) return error_reply(404, "no proxy named '" + name + "'");
  ProxyHandle& handle = it->second;
  if (tail.empty() || tail == "/") {
    if (method != "GET") return error_reply(405, method + " " + path + ": only GET");
    return json_reply(200, describe(name, handle));
  }
  if (tail != "/faults") return error_reply(404, "no such resource: " + path);
  if (method == "DELETE") {
    handle.set_profile(fault::Profile{});
    return json_reply(200, describe(name, handle));
  }
  if (method == "GET") return json_reply(200, {{"profile", handle.profile().to_string()}});
  if (method != "POST" && method != "PUT") {
    return error_reply(405, method + " " + path + ": use GET, POST or DELETE");
  }
  // The body is {"profile": "..."} or the spec itself as text.
  std::string spec = body;
  if (!body.empty() && (body.front() == '{' || body.front() == ' ' || body.front() == '\n')) {
    auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("profile") ||
        !parsed["profile"].is_string()) {
      return error_reply(400, "body must be {\"profile\": \"<fault spec>\"} or the spec as text");
    }
    spec = parsed["profile"].get<std::string>();
  }
  auto profile = fault::parse_profile(spec);
  if (!profile) return error_reply(400, profile.error().message);
  if (auto valid = profile->validate_for(handle.transport); !valid) {
    return error_reply(400, valid.error().message);
  }
  handle.set_profile(*profile);
  return json_reply(200, describe(name, handle));
}

}  // namespace faultline::proxy
