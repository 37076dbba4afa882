#include "harness/proxy/control_api.h"

#include <charconv>

namespace faultline::proxy {
namespace {

// The largest request body the API reads (a profile is at most 1MiB as a file).
constexpr std::uint64_t kMaxBodyBytes = 1024 * 1024;
// Error messages quote what was sent; a long token is cut to a short prefix.
constexpr std::size_t kMaxErrorBytes = 240;

http::Reply json_reply(int status, const nlohmann::json& body) {
  http::Reply reply;
  reply.response.status_code = status;
  reply.response.reason = std::string(http::reason_phrase(status));
  reply.response.headers = {{"Content-Type", "application/json"}};
  reply.response.body = body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return reply;
}

http::Reply error_reply(int status, const std::string& message) {
  if (message.size() <= kMaxErrorBytes) return json_reply(status, {{"error", message}});
  return json_reply(status, {{"error", message.substr(0, kMaxErrorBytes) + "... (cut; " +
                                           std::to_string(message.size()) + " bytes)"}});
}

// same_token compares in time that depends on the lengths only, not on
// where the first difference is.
bool same_token(std::string_view given, std::string_view expected) {
  unsigned difference = given.size() == expected.size() ? 0u : 1u;
  for (std::size_t i = 0; i < given.size(); ++i) {
    const char e = expected.empty() ? '\0' : expected[i % expected.size()];
    difference |= static_cast<unsigned char>(given[i] ^ e);
  }
  return difference == 0 && !expected.empty();
}

// query_value: the value of `key` in target's query ("" when absent).
std::string query_value(const std::string& target, std::string_view key) {
  const auto question = target.find('?');
  if (question == std::string::npos) return "";
  std::string_view query = std::string_view(target).substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair.substr(0, pair.find('=')) == key) {
      return pair.find('=') == std::string_view::npos
                 ? ""
                 : std::string(pair.substr(pair.find('=') + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return "";
}

nlohmann::json clause_list(const fault::Profile& profile) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& clause : profile.clauses())
    list.push_back(clause.to_string());
  return list;
}

// tally_samples: faultline_fault_events_total per clause and event.
void tally_samples(const std::vector<fault::ClauseTally>& tally, std::vector<MetricSample>& out) {
  for (std::size_t i = 0; i < tally.size(); ++i) {
    const auto& clause = tally[i];
    const std::string labels = "clause=\"" + std::to_string(i) + "\",fault=\"" +
                               prometheus_label_value(clause.fault) + "\",spec=\"" +
                               prometheus_label_value(clause.clause) + "\"";
    out.push_back({"faultline_fault_fired_total", labels, clause.times_fired()});
    for (const auto& [what, count] : clause.by_event) {
      out.push_back({"faultline_fault_events_total",
                     labels + ",event=\"" + prometheus_label_value(what) + "\"", count});
    }
  }
}

struct Family {
  std::string_view name;
  std::string_view type;
  std::string_view help;
};

constexpr Family kFamilies[] = {
    {"faultline_proxy_bytes_total", "counter", "Bytes written onwards, per direction."},
    {"faultline_proxy_connections_total", "counter",
     "Connections (UDP: sessions) by what became of them."},
    {"faultline_proxy_connections_active", "gauge", "Connections open now."},
    {"faultline_proxy_refuse_windows_total", "counter",
     "Times down mode=refuse closed the listening socket."},
    {"faultline_proxy_datagrams_total", "counter", "Datagrams, per direction (UDP)."},
    {"faultline_proxy_resets_sent_total", "counter", "Connections ended with an RST by a fault."},
    {"faultline_fault_fired_total", "counter",
     "Times each clause of the profile acted (latency, bandwidth, slicer: connection "
     "directions they were in)."},
    {"faultline_fault_events_total", "counter", "Fault events per clause and event."},
};

}  // namespace

std::string prometheus_label_value(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::vector<std::pair<std::string_view, std::uint64_t>> connection_outcomes(
    const ProxyCounters& c) {
  return {{"accepted", c.accepted},
          {"upstream_failed", c.upstream_failed},
          {"blackholed", c.blackholed},
          {"rejected", c.rejected}};
}

std::string prometheus_text(const std::map<std::string, std::vector<MetricSample>>& by_proxy) {
  std::string out;
  for (const Family& family : kFamilies) {
    std::string lines;
    for (const auto& [name, samples] : by_proxy) {
      for (const auto& sample : samples) {
        if (sample.family != family.name) continue;
        lines += sample.family + "{proxy=\"" + prometheus_label_value(name) + "\"" +
                 (sample.labels.empty() ? "" : "," + sample.labels) + "} " +
                 std::to_string(sample.value) + "\n";
      }
    }
    if (lines.empty()) continue;
    out += "# HELP " + std::string(family.name) + " " + std::string(family.help) + "\n";
    out += "# TYPE " + std::string(family.name) + " " + std::string(family.type) + "\n";
    out += lines;
  }
  return out;
}

ProxyHandle ControlApi::handle_for(TcpProxy& proxy, net::Address upstream) {
  ProxyHandle handle{proxy.http_aware() ? "http" : "tcp",
                     fault::Transport::stream,
                     [&proxy] { return proxy.address(); },
                     upstream,
                     [&proxy] { return proxy.profile(); },
                     [&proxy](fault::Profile p) { proxy.set_profile(std::move(p)); },
                     [&proxy] {
                       auto c = proxy.counters();
                       return nlohmann::json{{"accepted", c.accepted},
                                             {"active", c.active},
                                             {"upstream_failed", c.upstream_failed},
                                             {"refuse_windows", c.refuse_windows},
                                             {"blackholed", c.blackholed},
                                             {"rejected", c.rejected},
                                             {"resets_sent", c.resets_sent},
                                             {"drain_timeouts", c.drain_timeouts},
                                             {"bytes_up", c.bytes_up},
                                             {"bytes_down", c.bytes_down}};
                     }};
  handle.http_aware = proxy.http_aware();
  handle.metrics = [&proxy] {
    auto c = proxy.counters();
    std::vector<MetricSample> out = {
        {"faultline_proxy_bytes_total", "dir=\"up\"", c.bytes_up},
        {"faultline_proxy_bytes_total", "dir=\"down\"", c.bytes_down},
        {"faultline_proxy_refuse_windows_total", "", c.refuse_windows},
        {"faultline_proxy_connections_active", "", c.active},
        {"faultline_proxy_resets_sent_total", "", c.resets_sent}};
    for (const auto& [outcome, count] : connection_outcomes(c))
      out.push_back({"faultline_proxy_connections_total",
                     "outcome=\"" + std::string(outcome) + "\"", count});
    tally_samples(proxy.fault_tally(), out);
    return out;
  };
  return handle;
}

ProxyHandle ControlApi::handle_for(UdpProxy& proxy, net::Address upstream) {
  ProxyHandle handle{"udp",
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
  handle.metrics = [&proxy] {
    auto c = proxy.counters();
    std::vector<MetricSample> out = {
        {"faultline_proxy_datagrams_total", "dir=\"in\"", c.datagrams_in},
        {"faultline_proxy_datagrams_total", "dir=\"out\"", c.datagrams_out},
        {"faultline_proxy_connections_total", "outcome=\"session\"", c.sessions}};
    tally_samples(proxy.fault_tally(), out);
    return out;
  };
  return handle;
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

void ControlApi::require_token(std::string token) {
  std::lock_guard lock(mutex_);
  token_ = std::move(token);
}

http::Handler ControlApi::handler() {
  return [this](const http::Message& request, const http::RequestContext&) {
    std::string token;
    {
      std::lock_guard lock(mutex_);
      token = token_;
    }
    if (!token.empty()) {
      // The given token is never echoed, in whole or in part.
      const std::string_view kScheme = "Bearer ";
      auto authorization = request.header("authorization");
      const bool bearer = authorization && authorization->substr(0, kScheme.size()) == kScheme;
      if (!bearer || !same_token(authorization->substr(kScheme.size()), token)) {
        http::Reply reply = error_reply(
            401, bearer ? "wrong token" : "missing \"Authorization: Bearer <token>\" header");
        reply.response.headers.push_back({"WWW-Authenticate", "Bearer realm=\"faultline\""});
        return reply;
      }
    }
    return respond(request.method, request.target, request.body);
  };
}

http::HttpServerOptions ControlApi::server_options(net::Address listen) {
  http::HttpServerOptions options;
  options.listen = listen;
  options.handler = handler();
  options.session.limits.max_body_bytes = kMaxBodyBytes;
  options.session.error_reply = [](int status, const std::string& detail) {
    http::Reply reply = error_reply(status, detail);
    reply.close = true;
    return reply;
  };
  return options;
}

http::Reply ControlApi::respond(const std::string& method, const std::string& target,
                                const std::string& body) {
  std::string path = target.substr(0, target.find('?'));
  std::lock_guard lock(mutex_);
  if (path == "/version") return json_reply(200, {{"name", "faultline"}, {"version", "0.1.0"}});
  if (path == "/metrics") {
    if (method != "GET") return error_reply(405, method + " " + path + ": only GET");
    std::map<std::string, std::vector<MetricSample>> by_proxy;
    for (const auto& [name, handle] : proxies_) {
      if (handle.metrics) by_proxy[name] = handle.metrics();
    }
    http::Reply reply;
    reply.response.status_code = 200;
    reply.response.reason = "OK";
    reply.response.headers = {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}};
    reply.response.body = prometheus_text(by_proxy);
    return reply;
  }
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
  const std::string faults = "/faults";
  if (tail.rfind(faults + "/", 0) == 0) {
    // DELETE /proxies/{name}/faults/{index}: one clause out, the rest kept.
    const std::string index_text = tail.substr(faults.size() + 1);
    if (method != "DELETE") return error_reply(405, method + " " + path + ": only DELETE");
    std::size_t index = 0;
    auto [end, ec] =
        std::from_chars(index_text.data(), index_text.data() + index_text.size(), index);
    const fault::Profile current = handle.profile();
    if (ec != std::errc() || end != index_text.data() + index_text.size()) {
      return error_reply(400, "clause index must be a whole number, as GET " + prefix + name +
                                  faults + " lists them");
    }
    if (index >= current.clauses().size()) {
      return error_reply(404, "no clause " + std::to_string(index) + " (the profile has " +
                                  std::to_string(current.clauses().size()) + ")");
    }
    std::string rest_text;
    for (std::size_t i = 0; i < current.clauses().size(); ++i) {
      if (i == index) continue;
      if (!rest_text.empty()) rest_text += "; ";
      rest_text += current.clauses()[i].to_string();
    }
    auto remaining = fault::parse_profile(rest_text);
    if (!remaining) return error_reply(500, remaining.error().message);
    handle.set_profile(*remaining);
    return json_reply(200, describe(name, handle));
  }
  if (tail != faults) return error_reply(404, "no such resource: " + path);
  if (method == "DELETE") {
    handle.set_profile(fault::Profile{});
    return json_reply(200, describe(name, handle));
  }
  if (method == "GET") {
    const fault::Profile current = handle.profile();
    return json_reply(200, {{"profile", current.to_string()}, {"faults", clause_list(current)}});
  }
  if (method != "POST" && method != "PUT") {
    return error_reply(405, method + " " + path + ": use GET, POST or DELETE");
  }
  const std::string mode = query_value(target, "mode");
  if (!mode.empty() && mode != "replace" && mode != "append") {
    return error_reply(400, "mode must be replace (the default) or append");
  }
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    return error_reply(400,
                       "empty body: give {\"profile\": \"<fault spec>\"} or the spec as text "
                       "(DELETE clears the profile)");
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
  if (mode == "append" && !handle.profile().is_empty()) {
    // Errors above name positions in the body; only "one down clause per
    // profile" can fail here.
    profile = fault::parse_profile(handle.profile().to_string() + "; " + profile->to_string());
    if (!profile) return error_reply(400, "appending: " + profile.error().message);
  }
  if (auto valid = profile->validate_for(handle.transport); !valid) {
    return error_reply(400, valid.error().message);
  }
  if (auto valid = profile->validate_http(handle.http_aware); !valid) {
    return error_reply(400, valid.error().message);
  }
  handle.set_profile(*profile);
  return json_reply(200, describe(name, handle));
}

}  // namespace faultline::proxy
