#include "harness/proxy/toxiproxy_api.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "harness/fault/profile.h"
#include "harness/proxy/control_api.h"

namespace faultline::proxy {
namespace {

using Json = nlohmann::ordered_json;

// The largest request body read (a populate of many proxies fits easily).
constexpr std::uint64_t kMaxBodyBytes = 1024 * 1024;
constexpr const char* kVersion = "faultline 0.1.0 (Toxiproxy API v2)";

// ApiError: Toxiproxy's error, {"error": message, "status": code}.
struct ApiError {
  int status = 500;
  std::string message;
};

http::Reply reply_with(int status, const std::string& body,
                       const std::string& type = "application/json") {
  http::Reply reply;
  reply.response.status_code = status;
  reply.response.reason = std::string(http::reason_phrase(status));
  if (!body.empty()) reply.response.headers = {{"Content-Type", type}};
  reply.response.body = body;
  return reply;
}

http::Reply json_reply(int status, const Json& body) {
  return reply_with(status, body.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
}

http::Reply error_reply(const ApiError& error) {
  return json_reply(error.status, Json{{"error", error.message}, {"status", error.status}});
}

ApiError bad_body(const std::string& detail) {
  return {400, "bad request body: " + detail};
}
const ApiError kProxyNotFound{404, "proxy not found"};
const ApiError kProxyExists{409, "proxy already exists"};
const ApiError kInvalidStream{400, "stream was invalid, can be either upstream or downstream"};
const ApiError kInvalidType{400, "invalid toxic type"};
const ApiError kToxicExists{409, "toxic already exists"};
const ApiError kToxicNotFound{404, "toxic not found"};

// percent_decode: a path segment as the name it stands for.
std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<std::string> path_segments(const std::string& target) {
  std::string_view path = std::string_view(target).substr(0, target.find('?'));
  std::vector<std::string> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    out.push_back(percent_decode(path.substr(0, slash)));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

// parse_object: the body as a JSON value (an error names what is wrong).
std::optional<ApiError> parse_body(const std::string& body, nlohmann::json& out) {
  out = nlohmann::json::parse(body, nullptr, false);
  if (out.is_discarded()) {
    return bad_body(body.find_first_not_of(" \t\r\n") == std::string::npos ? "empty body"
                                                                           : "not JSON");
  }
  return std::nullopt;
}

// string_field / bool_field: an optional field of the given JSON type.
std::optional<ApiError> string_field(const nlohmann::json& object, const char* key,
                                     std::string& out) {
  if (!object.contains(key) || object[key].is_null()) return std::nullopt;
  if (!object[key].is_string()) return bad_body(fmt::format("'{}' must be a string", key));
  out = object[key].get<std::string>();
  return std::nullopt;
}

std::optional<ApiError> bool_field(const nlohmann::json& object, const char* key, bool& out) {
  if (!object.contains(key) || object[key].is_null()) return std::nullopt;
  if (!object[key].is_boolean()) return bad_body(fmt::format("'{}' must be true or false", key));
  out = object[key].get<bool>();
  return std::nullopt;
}

// listen_address: Toxiproxy's listen text ("" and ":PORT" included) as an
// address; "" is loopback port 0 (Toxiproxy would take every interface).
net::Result<net::Address> listen_address(const std::string& listen) {
  if (listen.empty()) return net::Address::loopback(0);
  if (listen.front() == ':') return net::Address::parse("0.0.0.0" + listen);
  return net::Address::parse(listen);
}

std::uint64_t name_hash(const std::string& name) {
  std::uint64_t hash = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : name) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

// whole_attribute: attribute `key` of a toxic as a whole number >= 0.
net::Result<std::int64_t> whole_attribute(const ToxiproxyToxic& toxic, const char* key) {
  const auto& value = toxic.attributes.contains(key) ? toxic.attributes[key] : Json(0);
  if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           fmt::format("{} attribute '{}' must be a whole number >= 0, got {}",
                                       toxic.type, key, value.dump()));
  }
  return value.get<std::int64_t>();
}

// toxicity_field: the body's "toxicity", when given, into `toxic`.
std::optional<ApiError> toxicity_field(const nlohmann::json& input, ToxiproxyToxic& toxic) {
  if (!input.contains("toxicity") || input["toxicity"].is_null()) return std::nullopt;
  const auto& value = input["toxicity"];
  if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1) {
    return bad_body("'toxicity' must be a number from 0 to 1");
  }
  toxic.toxicity = value.get<double>();
  return std::nullopt;
}

// merge_attributes: the body's "attributes" over `toxic`'s; keys the type
// does not have are ignored, as Toxiproxy's JSON decoding ignores them.
std::optional<ApiError> merge_attributes(const nlohmann::json& input, ToxiproxyToxic& toxic) {
  if (!input.contains("attributes") || input["attributes"].is_null()) return std::nullopt;
  if (!input["attributes"].is_object()) return bad_body("'attributes' must be a JSON object");
  for (const auto& [key, value] : input["attributes"].items())
    if (toxic.attributes.contains(key)) toxic.attributes[key] = value;
  return std::nullopt;
}

}  // namespace

const std::vector<std::string>& toxic_types() {
  static const std::vector<std::string> kTypes = {"latency",    "bandwidth",  "slow_close",
                                                  "timeout",    "reset_peer", "slicer",
                                                  "limit_data", "faultline"};
  return kTypes;
}

nlohmann::ordered_json default_attributes(const std::string& type) {
  if (type == "latency") return Json{{"latency", 0}, {"jitter", 0}};
  if (type == "bandwidth") return Json{{"rate", 0}};
  if (type == "slow_close") return Json{{"delay", 0}};
  if (type == "timeout" || type == "reset_peer") return Json{{"timeout", 0}};
  if (type == "slicer") return Json{{"average_size", 0}, {"size_variation", 0}, {"delay", 0}};
  if (type == "limit_data") return Json{{"bytes", 0}};
  if (type == "faultline") return Json{{"spec", ""}};
  return Json::object();
}

net::Result<std::string> toxic_clause(const ToxiproxyToxic& toxic) {
  std::string clause;
  auto number = [&](const char* key) { return whole_attribute(toxic, key); };
  if (toxic.type == "faultline") {
    const auto& spec = toxic.attributes.contains("spec") ? toxic.attributes["spec"] : Json();
    if (!spec.is_string()) {
      return net::make_error(net::ErrorKind::invalid_argument,
                             "faultline attribute 'spec' must be a fault clause as a string, e.g. "
                             "\"corrupt rate=1%\"");
    }
    clause = spec.get<std::string>();
  } else if (toxic.type == "latency") {
    auto latency = number("latency");
    if (!latency) return tl::unexpected(latency.error());
    auto jitter = number("jitter");
    if (!jitter) return tl::unexpected(jitter.error());
    if (*latency == 0 && *jitter == 0) return std::string();
    // Toxiproxy's delays span [max(0, latency-jitter), latency+jitter]; the
    // same span, in microseconds, with jitter at most the delay.
    const std::int64_t low = std::max<std::int64_t>(0, *latency - *jitter) * 1000;
    const std::int64_t high = (*latency + *jitter) * 1000;
    clause = fmt::format("latency delay={}us", (low + high) / 2);
    if (high > low) clause += fmt::format(" jitter={}us", (high - low) / 2);
  } else if (toxic.type == "bandwidth") {
    auto rate = number("rate");
    if (!rate) return tl::unexpected(rate.error());
    if (*rate == 0) return std::string();  // Toxiproxy: no limit
    clause = fmt::format("bandwidth rate={}KB/s", *rate);
  } else if (toxic.type == "slow_close") {
    auto delay = number("delay");
    if (!delay) return tl::unexpected(delay.error());
    if (*delay == 0) return std::string();
    clause = fmt::format("slow_close delay={}ms", *delay);
  } else if (toxic.type == "timeout") {
    auto timeout = number("timeout");
    if (!timeout) return tl::unexpected(timeout.error());
    clause = *timeout == 0 ? "stall" : fmt::format("stall close_after={}ms", *timeout);
  } else if (toxic.type == "reset_peer") {
    auto timeout = number("timeout");
    if (!timeout) return tl::unexpected(timeout.error());
    clause = *timeout == 0 ? "reset" : fmt::format("stall reset_after={}ms", *timeout);
  } else if (toxic.type == "slicer") {
    auto average = number("average_size");
    if (!average) return tl::unexpected(average.error());
    auto variation = number("size_variation");
    if (!variation) return tl::unexpected(variation.error());
    auto delay = number("delay");
    if (!delay) return tl::unexpected(delay.error());
    if (*average < 1) {
      return net::make_error(net::ErrorKind::invalid_argument,
                             "slicer attribute 'average_size' must be at least 1");
    }
    clause = fmt::format("slicer min={}B max={}B", std::max<std::int64_t>(1, *average - *variation),
                         *average + *variation);
    if (*delay > 0) clause += fmt::format(" delay={}us", *delay);
  } else if (toxic.type == "limit_data") {
    auto bytes = number("bytes");
    if (!bytes) return tl::unexpected(bytes.error());
    clause = fmt::format("limit_data after={}B", *bytes);
  } else {
    return net::make_error(net::ErrorKind::invalid_argument, "invalid toxic type");
  }
  if (toxic.type != "faultline") {
    clause += toxic.stream == "upstream" ? " dir=up" : " dir=down";
    if (toxic.toxicity < 1.0) {
      clause += fmt::format(" p={}%", std::round(toxic.toxicity * 1e6) / 1e4);
    }
  }
  // One clause of the fault language, fit for a TCP proxy.
  auto profile = fault::parse_profile(clause);
  if (!profile) return tl::unexpected(profile.error());
  if (auto valid = profile->validate_for(fault::Transport::stream); !valid) {
    return tl::unexpected(valid.error());
  }
  return clause;
}

struct ToxiproxyApi::Entry {
  std::string name;
  std::string listen;
  std::string upstream;
  bool enabled = false;
  std::vector<ToxiproxyToxic> toxics;
  std::unique_ptr<TcpProxy> proxy;
};

ToxiproxyApi::ToxiproxyApi(std::uint64_t seed) : seed_(seed) {}

ToxiproxyApi::~ToxiproxyApi() {
  stop_all();
}

void ToxiproxyApi::stop_all() {
  std::lock_guard lock(mutex_);
  for (auto& [name, entry] : proxies_) {
    entry->proxy.reset();
    entry->enabled = false;
  }
}

static Json toxic_json(const ToxiproxyToxic& toxic) {
  return Json{{"attributes", toxic.attributes},
              {"name", toxic.name},
              {"type", toxic.type},
              {"stream", toxic.stream},
              {"toxicity", toxic.toxicity}};
}

nlohmann::ordered_json ToxiproxyApi::describe(const Entry& entry) const {
  Json toxics = Json::array();
  // Toxiproxy lists the upstream chain, then the downstream one.
  for (const char* stream : {"upstream", "downstream"}) {
    for (const auto& toxic : entry.toxics)
      if (toxic.stream == stream) toxics.push_back(toxic_json(toxic));
  }
  return Json{{"name", entry.name},
              {"listen", entry.listen},
              {"upstream", entry.upstream},
              {"enabled", entry.enabled},
              {"toxics", toxics}};
}

net::Status ToxiproxyApi::apply_toxics(Entry& entry) {
  std::string spec;
  for (const auto& toxic : entry.toxics) {
    auto clause = toxic_clause(toxic);
    if (!clause) return tl::unexpected(clause.error());
    if (clause->empty()) continue;
    if (!spec.empty()) spec += "; ";
    spec += *clause;
  }
  auto profile = fault::parse_profile(spec);
  if (!profile) return tl::unexpected(profile.error());
  if (entry.proxy) entry.proxy->set_profile(*profile);
  return {};
}

net::Status ToxiproxyApi::start(Entry& entry) {
  if (entry.proxy) return {};
  auto listen = listen_address(entry.listen);
  if (!listen) return tl::unexpected(listen.error());
  auto upstream = net::Address::parse(entry.upstream);
  if (!upstream) return tl::unexpected(upstream.error());
  ProxyOptions options;
  options.listen = *listen;
  options.upstream = *upstream;
  // Each proxy's faults replay from (seed, proxy name): reproducible
  // whatever order proxies are made in.
  options.seed = seed_ ^ name_hash(entry.name);
  auto proxy = std::make_unique<TcpProxy>(options, fault::Profile{});
  if (auto started = proxy->start(); !started) return started;
  entry.proxy = std::move(proxy);
  entry.listen = entry.proxy->address().to_string();
  entry.enabled = true;
  return apply_toxics(entry);
}

net::Result<std::unique_ptr<ToxiproxyApi::Entry>> ToxiproxyApi::entry_from_json(
    const nlohmann::json& input, const std::string& where) const {
  auto fail = [](const ApiError& error) {
    return net::make_error(
        error.status == 400 ? net::ErrorKind::invalid_argument : net::ErrorKind::io, error.message);
  };
  if (!input.is_object()) return fail(bad_body("a proxy must be a JSON object" + where));
  auto entry = std::make_unique<Entry>();
  entry->enabled = true;
  if (auto e = string_field(input, "name", entry->name)) return fail(*e);
  if (auto e = string_field(input, "listen", entry->listen)) return fail(*e);
  if (auto e = string_field(input, "upstream", entry->upstream)) return fail(*e);
  if (auto e = bool_field(input, "enabled", entry->enabled)) return fail(*e);
  if (entry->name.empty()) return fail({400, "missing required field: name" + where});
  if (entry->upstream.empty()) return fail({400, "missing required field: upstream" + where});
  if (auto upstream = net::Address::parse(entry->upstream); !upstream) {
    return fail(bad_body("upstream: " + upstream.error().message));
  }
  if (auto listen = listen_address(entry->listen); !listen) {
    return fail(bad_body("listen: " + listen.error().message));
  }
  return entry;
}

http::Reply ToxiproxyApi::create_proxy(const std::string& body) {
  nlohmann::json input;
  if (auto e = parse_body(body, input)) return error_reply(*e);
  auto entry = entry_from_json(input, "");
  if (!entry) return error_reply({400, entry.error().message});
  if (proxies_.count((*entry)->name)) return error_reply(kProxyExists);
  if ((*entry)->enabled) {
    if (auto started = start(**entry); !started) {
      return error_reply({500, started.error().message});
    }
  }
  const std::string name = (*entry)->name;
  proxies_[name] = std::move(*entry);
  return json_reply(201, describe(*proxies_[name]));
}

http::Reply ToxiproxyApi::populate(const std::string& body) {
  nlohmann::json input;
  if (auto e = parse_body(body, input)) return error_reply(*e);
  if (!input.is_array()) return error_reply(bad_body("expected a JSON list of proxies"));
  // Every proxy checked before any is made.
  std::vector<std::unique_ptr<Entry>> wanted;
  std::vector<nlohmann::json> toxic_lists;
  for (std::size_t i = 0; i < input.size(); ++i) {
    auto entry = entry_from_json(input[i], fmt::format(" at proxy {}", i + 1));
    if (!entry) {
      return error_reply({400, entry.error().message});
    }
    wanted.push_back(std::move(*entry));
  }
  // Then applied, all or nothing: a proxy that fails to start undoes the
  // ones made before it and brings back the ones it replaced.
  std::vector<std::pair<std::string, std::unique_ptr<Entry>>> replaced;
  std::vector<std::string> made;
  Json listed = Json::array();
  std::optional<ApiError> failure;
  for (auto& entry : wanted) {
    auto existing = proxies_.find(entry->name);
    if (existing != proxies_.end()) {
      auto same_listen = listen_address(entry->listen);
      auto old_listen = listen_address(existing->second->listen);
      auto same_upstream = net::Address::parse(entry->upstream);
      auto old_upstream = net::Address::parse(existing->second->upstream);
      const bool differs = !(same_listen && old_listen && same_upstream && old_upstream &&
                             same_listen->to_string() == old_listen->to_string() &&
                             same_upstream->to_string() == old_upstream->to_string());
      if (!differs) {
        listed.push_back(describe(*existing->second));
        continue;
      }
      existing->second->proxy.reset();
      replaced.emplace_back(entry->name, std::move(existing->second));
      proxies_.erase(existing);
    }
    if (entry->enabled) {
      if (auto started = start(*entry); !started) {
        failure = ApiError{500, started.error().message};
        break;
      }
    }
    made.push_back(entry->name);
    listed.push_back(describe(*entry));
    proxies_[entry->name] = std::move(entry);
  }
  if (failure) {
    for (const auto& name : made)
      proxies_.erase(name);
    for (auto& [name, old] : replaced) {
      const bool was_enabled = old->enabled;
      old->enabled = false;
      if (was_enabled) (void)start(*old);
      proxies_[name] = std::move(old);
    }
    return json_reply(
        failure->status,
        Json{{"error", failure->message}, {"status", failure->status}, {"proxies", Json::array()}});
  }
  return json_reply(201, Json{{"proxies", listed}});
}

http::Reply ToxiproxyApi::update_proxy(Entry& entry, const std::string& body) {
  nlohmann::json input;
  if (auto e = parse_body(body, input)) return error_reply(*e);
  if (!input.is_object()) return error_reply(bad_body("expected a JSON object"));
  std::string listen = entry.listen;
  std::string upstream = entry.upstream;
  bool enabled = entry.enabled;
  if (auto e = string_field(input, "listen", listen)) return error_reply(*e);
  if (auto e = string_field(input, "upstream", upstream)) return error_reply(*e);
  if (auto e = bool_field(input, "enabled", enabled)) return error_reply(*e);
  if (auto parsed = net::Address::parse(upstream); !parsed) {
    return error_reply(bad_body("upstream: " + parsed.error().message));
  }
  if (auto parsed = listen_address(listen); !parsed) {
    return error_reply(bad_body("listen: " + parsed.error().message));
  }
  if (listen != entry.listen || upstream != entry.upstream) {
    entry.proxy.reset();
    entry.enabled = false;
    entry.listen = listen;
    entry.upstream = upstream;
  }
  if (!enabled) {
    // As Toxiproxy: the listener closes and every connection is dropped.
    entry.proxy.reset();
    entry.enabled = false;
  } else if (!entry.proxy) {
    if (auto started = start(entry); !started) return error_reply({500, started.error().message});
  }
  return json_reply(200, describe(entry));
}

http::Reply ToxiproxyApi::toxics(Entry& entry, const std::string& method,
                                 const std::string& toxic_name, const std::string& body) {
  auto find = [&](const std::string& name) {
    return std::find_if(entry.toxics.begin(), entry.toxics.end(),
                        [&](const ToxiproxyToxic& t) { return t.name == name; });
  };
  if (toxic_name.empty()) {
    if (method == "GET") {
      Json list = Json::array();
      for (const char* stream : {"upstream", "downstream"}) {
        for (const auto& toxic : entry.toxics)
          if (toxic.stream == stream) list.push_back(toxic_json(toxic));
      }
      return json_reply(200, list);
    }
    if (method != "POST") return error_reply({405, "method not allowed"});
    nlohmann::json input;
    if (auto e = parse_body(body, input)) return error_reply(*e);
    if (!input.is_object()) return error_reply(bad_body("a toxic must be a JSON object"));
    ToxiproxyToxic toxic;
    if (auto e = string_field(input, "name", toxic.name)) return error_reply(*e);
    if (auto e = string_field(input, "type", toxic.type)) return error_reply(*e);
    if (auto e = string_field(input, "stream", toxic.stream)) return error_reply(*e);
    if (auto e = toxicity_field(input, toxic)) return error_reply(*e);
    if (toxic.stream != "upstream" && toxic.stream != "downstream") {
      return error_reply(kInvalidStream);
    }
    if (toxic.name.empty()) toxic.name = toxic.type + "_" + toxic.stream;
    if (std::find(toxic_types().begin(), toxic_types().end(), toxic.type) == toxic_types().end()) {
      return error_reply(kInvalidType);
    }
    if (find(toxic.name) != entry.toxics.end()) return error_reply(kToxicExists);
    toxic.attributes = default_attributes(toxic.type);
    if (auto e = merge_attributes(input, toxic)) return error_reply(*e);
    if (auto clause = toxic_clause(toxic); !clause) {
      return error_reply(bad_body(clause.error().message));
    }
    entry.toxics.push_back(toxic);
    if (auto applied = apply_toxics(entry); !applied) {
      entry.toxics.pop_back();
      return error_reply(bad_body(applied.error().message));
    }
    return json_reply(200, toxic_json(toxic));
  }
  auto it = find(toxic_name);
  if (it == entry.toxics.end()) return error_reply(kToxicNotFound);
  if (method == "GET") return json_reply(200, toxic_json(*it));
  if (method == "DELETE") {
    entry.toxics.erase(it);
    (void)apply_toxics(entry);
    return reply_with(204, "");
  }
  if (method != "POST" && method != "PATCH") return error_reply({405, "method not allowed"});
  // An update merges: attributes and toxicity not given keep their values.
  nlohmann::json input;
  if (auto e = parse_body(body, input)) return error_reply(*e);
  if (!input.is_object()) return error_reply(bad_body("a toxic must be a JSON object"));
  ToxiproxyToxic updated = *it;
  if (auto e = toxicity_field(input, updated)) return error_reply(*e);
  if (auto e = merge_attributes(input, updated)) return error_reply(*e);
  if (auto clause = toxic_clause(updated); !clause) {
    return error_reply(bad_body(clause.error().message));
  }
  const ToxiproxyToxic previous = *it;
  *it = updated;
  if (auto applied = apply_toxics(entry); !applied) {
    *it = previous;
    return error_reply(bad_body(applied.error().message));
  }
  return json_reply(200, toxic_json(updated));
}

http::Reply ToxiproxyApi::metrics() {
  std::string text =
      "# HELP toxiproxy_proxy_sent_bytes_total Bytes the proxy wrote, per direction\n"
      "# TYPE toxiproxy_proxy_sent_bytes_total counter\n";
  std::string connections =
      "# HELP faultline_proxy_connections_total Connections by what became of them\n"
      "# TYPE faultline_proxy_connections_total counter\n";
  std::string resets =
      "# HELP faultline_proxy_resets_sent_total Connections a fault ended with an RST\n"
      "# TYPE faultline_proxy_resets_sent_total counter\n";
  for (const auto& [name, entry] : proxies_) {
    if (!entry->proxy) continue;
    const auto c = entry->proxy->counters();
    const std::string labels = fmt::format(
        "listener=\"{}\",proxy=\"{}\",upstream=\"{}\"", prometheus_label_value(entry->listen),
        prometheus_label_value(name), prometheus_label_value(entry->upstream));
    text += fmt::format("toxiproxy_proxy_sent_bytes_total{{direction=\"upstream\",{}}} {}\n",
                        labels, c.bytes_up);
    text += fmt::format("toxiproxy_proxy_sent_bytes_total{{direction=\"downstream\",{}}} {}\n",
                        labels, c.bytes_down);
    for (const auto& [outcome, count] : connection_outcomes(c))
      connections += fmt::format("faultline_proxy_connections_total{{{},outcome=\"{}\"}} {}\n",
                                 labels, outcome, count);
    resets += fmt::format("faultline_proxy_resets_sent_total{{{}}} {}\n", labels, c.resets_sent);
  }
  return reply_with(200, text + connections + resets, "text/plain; version=0.0.4");
}

http::Reply ToxiproxyApi::respond(const std::string& method, const std::string& target,
                                  const std::string& body, const std::string& user_agent) {
  if (user_agent.rfind("Mozilla/", 0) == 0) {
    // As Toxiproxy: a browser (and so a page on another site) is refused.
    return error_reply({403, "User agent not allowed"});
  }
  const auto parts = path_segments(target);
  std::lock_guard lock(mutex_);
  auto only = [&](std::initializer_list<const char*> methods) {
    return std::any_of(methods.begin(), methods.end(), [&](const char* m) { return method == m; });
  };
  const ApiError kNotAllowed{405, "method not allowed"};
  if (parts.size() == 1 && parts[0] == "version") {
    if (!only({"GET"})) return error_reply(kNotAllowed);
    http::Reply reply = json_reply(200, Json{{"version", kVersion}});
    reply.response.headers = {{"Content-Type", "application/json;charset=utf-8"}};
    return reply;
  }
  if (parts.size() == 1 && parts[0] == "metrics") {
    if (!only({"GET"})) return error_reply(kNotAllowed);
    return metrics();
  }
  if (parts.size() == 1 && parts[0] == "reset") {
    if (!only({"POST"})) return error_reply(kNotAllowed);
    for (auto& [name, entry] : proxies_) {
      entry->toxics.clear();
      if (!entry->proxy) {
        if (auto started = start(*entry); !started) {
          return error_reply({500, started.error().message});
        }
      }
      (void)apply_toxics(*entry);
    }
    return reply_with(204, "");
  }
  if (parts.size() == 1 && parts[0] == "populate") {
    if (!only({"POST"})) return error_reply(kNotAllowed);
    return populate(body);
  }
  if (parts.empty() || parts[0] != "proxies" || parts.size() > 4 ||
      (parts.size() >= 3 && parts[2] != "toxics")) {
    return error_reply({404, "not found: " + target.substr(0, 200)});
  }
  if (parts.size() == 1) {
    if (method == "GET") {
      Json all = Json::object();
      for (const auto& [name, entry] : proxies_)
        all[name] = describe(*entry);
      return json_reply(200, all);
    }
    if (method == "POST") return create_proxy(body);
    return error_reply(kNotAllowed);
  }
  auto it = proxies_.find(parts[1]);
  if (parts.size() == 2) {
    if (!only({"GET", "POST", "PATCH", "DELETE"})) return error_reply(kNotAllowed);
    if (it == proxies_.end()) return error_reply(kProxyNotFound);
    if (method == "GET") return json_reply(200, describe(*it->second));
    if (method == "DELETE") {
      proxies_.erase(it);  // its proxy stops with it
      return reply_with(204, "");
    }
    return update_proxy(*it->second, body);
  }
  if (it == proxies_.end()) return error_reply(kProxyNotFound);
  return toxics(*it->second, method, parts.size() == 4 ? parts[3] : "", body);
}

http::Handler ToxiproxyApi::handler() {
  return [this](const http::Message& request, const http::RequestContext&) {
    const auto agent = request.header("user-agent");
    return respond(request.method, request.target, request.body,
                   agent ? std::string(*agent) : std::string());
  };
}

http::HttpServerOptions ToxiproxyApi::server_options(net::Address listen) {
  http::HttpServerOptions options;
  options.listen = listen;
  options.handler = handler();
  options.session.limits.max_body_bytes = kMaxBodyBytes;
  options.session.error_reply = [](int status, const std::string& detail) {
    http::Reply reply = error_reply({status, detail});
    reply.close = true;
    return reply;
  };
  return options;
}

net::Status ToxiproxyApi::load_config(const std::string& text) {
  std::lock_guard lock(mutex_);
  auto input = nlohmann::json::parse(text, nullptr, false);
  if (input.is_discarded() || !input.is_array()) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "expected a JSON list of proxies, as Toxiproxy's config file");
  }
  // The proxies as POST /populate makes them; then each one's toxics.
  nlohmann::json proxies = nlohmann::json::array();
  for (const auto& proxy : input) {
    nlohmann::json copy = proxy;
    if (copy.is_object()) copy.erase("toxics");
    proxies.push_back(copy);
  }
  auto made = populate(proxies.dump());
  if (made.response.status_code != 201) {
    auto error = nlohmann::json::parse(made.response.body, nullptr, false);
    return net::make_error(net::ErrorKind::invalid_argument,
                           error.is_object() && error.contains("error")
                               ? error["error"].get<std::string>()
                               : made.response.body);
  }
  for (std::size_t i = 0; i < input.size(); ++i) {
    if (!input[i].contains("toxics")) continue;
    const auto& toxics_json = input[i]["toxics"];
    if (!toxics_json.is_array()) {
      return net::make_error(net::ErrorKind::invalid_argument,
                             fmt::format("proxy {}: 'toxics' must be a list", i + 1));
    }
    const std::string name = input[i]["name"].get<std::string>();
    for (std::size_t k = 0; k < toxics_json.size(); ++k) {
      auto added = toxics(*proxies_.at(name), "POST", "", toxics_json[k].dump());
      if (added.response.status_code != 200) {
        auto error = nlohmann::json::parse(added.response.body, nullptr, false);
        return net::make_error(net::ErrorKind::invalid_argument,
                               fmt::format("proxy '{}' toxic {}: {}", name, k + 1,
                                           error.is_object() && error.contains("error")
                                               ? error["error"].get<std::string>()
                                               : added.response.body));
      }
    }
  }
  return {};
}

}  // namespace faultline::proxy
