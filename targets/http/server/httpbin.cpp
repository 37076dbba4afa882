#include "targets/http/server/httpbin.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "targets/http/url.h"

namespace faultline::http {
namespace {

using nlohmann::json;

// Target: the parts of a request-target the endpoints use.
struct Target {
  std::string path;   // raw (still percent-encoded)
  std::string query;  // raw, without '?'
  std::string url;    // the absolute URL echoed as "url"
};

// A JSON body nested deeper than this is echoed as "json": null: the nesting
// is bounded so that neither parsing nor printing it can exhaust the stack.
constexpr int kMaxJsonDepth = 128;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

bool starts_with_icase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

std::string dump(const json& value, int indent = 2) {
  return value.dump(indent, ' ', false, json::error_handler_t::replace);
}

Reply json_reply(int status, const json& body) {
  Reply reply;
  reply.response.status_code = status;
  reply.response.reason = std::string(reason_phrase(status));
  reply.response.headers = {{"Content-Type", "application/json"}};
  reply.response.body = dump(body) + "\n";
  return reply;
}

Reply error_reply(int status, std::string message) {
  return json_reply(status, json{{"error", std::move(message)}});
}

Reply method_not_allowed(const Message& request, const Target& target,
                         std::initializer_list<std::string_view> allowed) {
  std::string allow;
  json list = json::array();
  for (std::string_view method : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += method;
    list.push_back(method);
  }
  Reply reply =
      json_reply(405, json{{"error", "method " + request.method + " not allowed on " + target.path},
                           {"allowed", list}});
  reply.response.headers.push_back({"Allow", allow});
  return reply;
}

bool method_is(const Message& request, std::initializer_list<std::string_view> methods) {
  for (std::string_view method : methods) {
    if (request.method == method) return true;
  }
  return false;
}

std::optional<Target> split_target(const Message& request, const RequestContext& context) {
  Target target;
  const std::string& raw = request.target;
  if (starts_with_icase(raw, "http://") || starts_with_icase(raw, "https://")) {
    // absolute-form (a request sent as to a proxy)
    auto url = Url::parse(raw);
    if (!url) return std::nullopt;
    target.path = url->path;
    target.query = url->query;
    target.url = url->to_string();
    return target;
  }
  if (raw.empty() || raw.front() != '/') return std::nullopt;  // "*" or authority-form
  auto question = raw.find('?');
  target.path = raw.substr(0, question);
  if (question != std::string::npos) target.query = raw.substr(question + 1);
  std::string host(request.header("Host").value_or(context.authority));
  target.url = context.scheme + "://" + host + raw;
  return target;
}

// pairs_to_json gives httpbin's shape for args and form: a string per key, a
// list for a key that repeats.
json pairs_to_json(const QueryParams& pairs) {
  json out = json::object();
  for (const auto& [key, value] : pairs) {
    auto it = out.find(key);
    if (it == out.end()) {
      out[key] = value;
    } else if (it->is_array()) {
      it->push_back(value);
    } else {
      *it = json::array({*it, value});
    }
  }
  return out;
}

json headers_json(const Headers& headers) {
  // Names as received; repeats (in any case) join under the first spelling,
  // the way a WSGI server folds them for httpbin.
  json out = json::object();
  std::vector<std::string> spellings;
  for (const Header& header : headers) {
    std::string* spelling = nullptr;
    for (auto& seen : spellings) {
      if (iequals(seen, header.name)) spelling = &seen;
    }
    if (spelling == nullptr) {
      spellings.push_back(header.name);
      out[header.name] = header.value;
    } else {
      out[*spelling] = out[*spelling].get<std::string>() + "," + header.value;
    }
  }
  return out;
}

bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t min = 0;
    std::uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1, min = 0x80, code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, min = 0x800, code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, min = 0x10000, code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    std::uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                      (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                      static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (std::size_t rest = bytes.size() - i; rest > 0) {
    std::uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// json_text_to_parse prepares a body for nlohmann: nullopt when its brackets
// nest deeper than `max_depth` (parsing and printing recurse), else the body
// with every run of whitespace outside strings collapsed to one space. The
// meaning is unchanged, and a parse error stays cheap: nlohmann's error text
// escapes, one snprintf each, every CR/LF/TAB skipped before the bad token.
std::optional<std::string> json_text_to_parse(std::string_view text, int max_depth) {
  std::string out;
  out.reserve(text.size());
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      out += c;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (out.empty() || out.back() != ' ') out += ' ';
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return std::nullopt;
    } else if (c == ']' || c == '}') {
      --depth;
    }
    out += c;
  }
  return out;
}

json body_as_json(const std::string& body) {
  if (body.empty()) return nullptr;
  auto text = json_text_to_parse(body, kMaxJsonDepth);
  if (!text) return nullptr;
  json parsed = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return nullptr;
  return parsed;
}

bool is_form(const Message& request) {
  auto type = request.header("Content-Type");
  if (!type) return false;
  std::string_view media = type->substr(0, type->find(';'));
  return iequals(trim(media), "application/x-www-form-urlencoded");
}

// RequestEcho: the fields httpbin echoes, built once per request.
struct RequestEcho {
  json args;
  json headers;
  std::string origin;
  std::string url;
};

// add_body_fields adds "data", "files", "form" and (optionally) "json".
void add_body_fields(json& out, const Message& request, bool with_json) {
  json form = json::object();
  std::string data;
  bool form_parsed = false;
  if (is_form(request)) {
    if (auto pairs = parse_query(request.body)) {
      form = pairs_to_json(*pairs);
      form_parsed = true;
    }
  }
  if (!form_parsed) {
    data = is_utf8(request.body) ? request.body
                                 : "data:application/octet-stream;base64," + base64(request.body);
  }
  out["data"] = data;
  out["files"] = json::object();
  out["form"] = std::move(form);
  if (with_json) out["json"] = form_parsed ? json(nullptr) : body_as_json(request.body);
}

json echo_json(const RequestEcho& echo) {
  return json{
      {"args", echo.args}, {"headers", echo.headers}, {"origin", echo.origin}, {"url", echo.url}};
}

template <typename Number>
std::optional<Number> parse_number(std::string_view text) {
  Number value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// query_value gives the last value of `key` in the args ("?seed=1&seed=2" -> "2").
std::optional<std::string> query_value(const QueryParams& params, std::string_view key) {
  std::optional<std::string> found;
  for (const auto& [k, v] : params) {
    if (k == key) found = v;
  }
  return found;
}

// ---------------------------------------------------------------------------
// Endpoints

Reply status_endpoint(std::string_view text) {
  auto code = parse_number<int>(text);
  if (!code || *code < 100 || *code > 599) {
    return error_reply(
        400, "/status/{code}: expected a status code 100..599, got '" + std::string(text) + "'");
  }
  Reply reply;
  reply.response.status_code = *code;
  reply.response.reason = std::string(reason_phrase(*code));
  if (*code < 200) {
    reply.close = true;  // a lone interim response: nothing final follows
    return reply;
  }
  if (*code >= 300 && *code < 400 && *code != 304) {
    reply.response.headers.push_back({"Location", "/redirect/1"});
  }
  if (*code == 401) {
    reply.response.headers.push_back({"WWW-Authenticate", "Basic realm=\"Fake Realm\""});
  }
  if (*code == 418) {
    reply.response.reason = "I'm a teapot";  // RFC 2324; reason_phrase() leaves it out
    reply.response.headers.push_back({"Content-Type", "text/plain"});
    reply.response.body = "I'm a teapot\n";
  }
  return reply;
}

Reply delay_endpoint(std::string_view text, const Message& request, const RequestEcho& echo) {
  auto seconds = parse_number<double>(text);
  if (!seconds || !std::isfinite(*seconds) || *seconds < 0 || *seconds > kHttpbinMaxDelaySeconds) {
    return error_reply(400, "/delay/{seconds}: expected 0.." +
                                std::to_string(static_cast<int>(kHttpbinMaxDelaySeconds)) +
                                " seconds, got '" + std::string(text) + "'");
  }
  json body = echo_json(echo);
  add_body_fields(body, request, /*with_json=*/false);
  Reply reply = json_reply(200, body);
  reply.delay = std::chrono::duration_cast<net::Duration>(std::chrono::duration<double>(*seconds));
  return reply;
}

std::optional<std::uint64_t> bounded_count(std::string_view text, std::uint64_t max) {
  auto n = parse_number<std::uint64_t>(text);
  if (!n || *n > max) return std::nullopt;
  return n;
}

Reply bytes_endpoint(std::string_view text, const QueryParams& params) {
  auto size = bounded_count(text, kHttpbinMaxBytes);
  if (!size) {
    return error_reply(400, "/bytes/{n}: expected 0.." + std::to_string(kHttpbinMaxBytes) +
                                " bytes, got '" + std::string(text) + "'");
  }
  std::uint64_t seed = kHttpbinDefaultSeed;
  if (auto given = query_value(params, "seed")) {
    auto parsed = parse_number<std::uint64_t>(*given);
    if (!parsed)
      return error_reply(400, "/bytes: seed must be an unsigned integer, got '" + *given + "'");
    seed = *parsed;
  }
  Reply reply;
  reply.response.headers = {{"Content-Type", "application/octet-stream"}};
  reply.response.body = httpbin_bytes(*size, seed);
  return reply;
}

Reply stream_endpoint(std::string_view text, const RequestEcho& echo) {
  auto lines = bounded_count(text, kHttpbinMaxStreamLines);
  if (!lines) {
    return error_reply(400, "/stream/{n}: expected 0.." + std::to_string(kHttpbinMaxStreamLines) +
                                " lines, got '" + std::string(text) + "'");
  }
  Reply reply;
  reply.response.headers = {{"Content-Type", "application/json"}};
  json line = echo_json(echo);
  for (std::uint64_t id = 0; id < *lines; ++id) {
    line["id"] = id;
    reply.chunks.push_back(dump(line, -1) + "\n");
  }
  return reply;
}

Reply chunked_endpoint(std::string_view text, const QueryParams& params) {
  auto size = bounded_count(text, kHttpbinMaxBytes);
  if (!size) {
    return error_reply(400, "/chunked/{n}: expected 0.." + std::to_string(kHttpbinMaxBytes) +
                                " bytes, got '" + std::string(text) + "'");
  }
  std::uint64_t chunk_size = 1024;
  if (auto given = query_value(params, "chunk_size")) {
    auto parsed = parse_number<std::uint64_t>(*given);
    if (!parsed || *parsed == 0) {
      return error_reply(400,
                         "/chunked: chunk_size must be a positive integer, got '" + *given + "'");
    }
    chunk_size = *parsed;
  }
  if ((*size + chunk_size - 1) / chunk_size > kHttpbinMaxChunks) {
    return error_reply(400, "/chunked: at most " + std::to_string(kHttpbinMaxChunks) +
                                " chunks; raise chunk_size");
  }
  Reply reply;
  reply.response.headers = {{"Content-Type", "text/plain"}};
  std::string body(*size, '\0');
  for (std::uint64_t i = 0; i < *size; ++i) {
    body[i] = (i % 64 == 63) ? '\n' : static_cast<char>('a' + i % 26);
  }
  for (std::uint64_t at = 0; at < *size; at += chunk_size)
    reply.chunks.push_back(body.substr(at, chunk_size));
  return reply;
}

Reply redirect_endpoint(std::string_view text) {
  auto hops = bounded_count(text, kHttpbinMaxRedirects);
  if (!hops || *hops == 0) {
    return error_reply(400, "/redirect/{n}: expected 1.." + std::to_string(kHttpbinMaxRedirects) +
                                ", got '" + std::string(text) + "'");
  }
  Reply reply;
  reply.response.status_code = 302;
  reply.response.reason = "Found";
  reply.response.headers = {
      {"Location", *hops == 1 ? std::string("/get") : "/redirect/" + std::to_string(*hops - 1)}};
  return reply;
}

Reply redirect_to_endpoint(const QueryParams& params) {
  auto url = query_value(params, "url");
  if (!url || url->empty()) return error_reply(400, "/redirect-to: the url parameter is required");
  for (char c : *url) {
    // A control byte in a header value would split the response.
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return error_reply(400, "/redirect-to: url contains a control character");
    }
  }
  int status = 302;
  if (auto given = query_value(params, "status_code")) {
    auto parsed = parse_number<int>(*given);
    if (!parsed || *parsed < 300 || *parsed > 399) {
      return error_reply(400, "/redirect-to: status_code must be 300..399, got '" + *given + "'");
    }
    status = *parsed;
  }
  Reply reply;
  reply.response.status_code = status;
  reply.response.reason = std::string(reason_phrase(status));
  reply.response.headers = {{"Location", *url}};
  return reply;
}

Reply index_endpoint() {
  return json_reply(200, json{{"service", "faultline http serve (httpbin-like)"},
                              {"endpoints",
                               {"/get", "/post", "/put", "/patch", "/delete", "/anything[/...]",
                                "/headers", "/status/{code}", "/delay/{seconds}",
                                "/bytes/{n}?seed=S", "/stream/{n}", "/chunked/{n}?chunk_size=C",
                                "/redirect/{n}", "/redirect-to?url=U&status_code=C"}}});
}

// suffix_after gives the rest of `path` after `prefix` ("/status/418" -> "418").
std::optional<std::string_view> suffix_after(std::string_view path, std::string_view prefix) {
  if (path.size() <= prefix.size() || path.substr(0, prefix.size()) != prefix) return std::nullopt;
  return path.substr(prefix.size());
}

}  // namespace

std::string httpbin_bytes(std::uint64_t size, std::uint64_t seed) {
  std::string out(size, '\0');
  std::uint64_t state = seed;
  for (std::uint64_t i = 0; i < size; i += 8) {
    // splitmix64 (Steele, Lea, Flood 2014)
    state += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    for (std::uint64_t k = 0; k < 8 && i + k < size; ++k) {
      out[i + k] = static_cast<char>((z >> (8 * k)) & 0xFF);
    }
  }
  return out;
}

Reply handle_httpbin(const Message& request, const RequestContext& context) {
  auto target = split_target(request, context);
  if (!target) {
    return error_reply(400, "request-target '" + request.target + "' is not a path or an http URL");
  }
  auto params = parse_query(target->query);
  if (!params) return error_reply(400, "query: " + params.error().message);
  RequestEcho echo{pairs_to_json(*params), headers_json(request.headers), context.origin,
                   target->url};
  const std::string_view path = target->path;
  const bool get = method_is(request, {"GET", "HEAD"});

  if (path == "/")
    return get ? index_endpoint() : method_not_allowed(request, *target, {"GET", "HEAD"});
  if (path == "/get") {
    if (!get) return method_not_allowed(request, *target, {"GET", "HEAD"});
    return json_reply(200, echo_json(echo));
  }
  static constexpr std::pair<std::string_view, std::string_view> kBodyEndpoints[] = {
      {"/post", "POST"}, {"/put", "PUT"}, {"/patch", "PATCH"}, {"/delete", "DELETE"}};
  for (const auto& [own_path, method] : kBodyEndpoints) {
    if (path != own_path) continue;
    if (request.method != method) return method_not_allowed(request, *target, {method});
    json body = echo_json(echo);
    add_body_fields(body, request, /*with_json=*/true);
    return json_reply(200, body);
  }
  if (path == "/anything" || path.substr(0, 10) == "/anything/") {
    json body = echo_json(echo);
    add_body_fields(body, request, /*with_json=*/true);
    body["method"] = request.method;
    return json_reply(200, body);
  }
  if (path == "/headers") {
    if (!get) return method_not_allowed(request, *target, {"GET", "HEAD"});
    return json_reply(200, json{{"headers", echo.headers}});
  }
  if (path == "/redirect-to") return redirect_to_endpoint(*params);
  if (auto code = suffix_after(path, "/status/")) return status_endpoint(*code);
  if (auto seconds = suffix_after(path, "/delay/")) return delay_endpoint(*seconds, request, echo);

  struct GetEndpoint {
    std::string_view prefix;
    Reply (*handle)(std::string_view, const QueryParams&, const RequestEcho&);
  };
  static constexpr GetEndpoint kGetEndpoints[] = {
      {"/bytes/", [](std::string_view n, const QueryParams& p,
                     const RequestEcho&) { return bytes_endpoint(n, p); }},
      {"/stream/", [](std::string_view n, const QueryParams&,
                      const RequestEcho& e) { return stream_endpoint(n, e); }},
      {"/chunked/", [](std::string_view n, const QueryParams& p,
                       const RequestEcho&) { return chunked_endpoint(n, p); }},
      {"/redirect/", [](std::string_view n, const QueryParams&,
                        const RequestEcho&) { return redirect_endpoint(n); }},
  };
  for (const auto& endpoint : kGetEndpoints) {
    auto argument = suffix_after(path, endpoint.prefix);
    if (!argument) continue;
    if (!get) return method_not_allowed(request, *target, {"GET", "HEAD"});
    return endpoint.handle(*argument, *params, echo);
  }
  return json_reply(404, json{{"error", "not found"}, {"path", std::string(path)}});
}

Handler httpbin_handler() {
  return &handle_httpbin;
}

}  // namespace faultline::http
