#include "harness/fault/http_faults.h"

namespace faultline::fault {
namespace {

constexpr std::uint64_t kMaxHeadPiece = 64 * 1024;

HttpMatch read_match(ParamReader& params) {
  auto text = params.text("match");
  if (!text) return {};
  auto match = parse_http_match(*text);
  if (!match) {
    params.fail("match", match.error().message);
    return {};
  }
  return *match;
}

void print_match(ParamWriter& out, const HttpMatch& match) {
  if (!match.matches_all()) out.word("match", match.to_string());
}

int read_status(ParamReader& params) {
  return static_cast<int>(params.count("status", 503, 200, 599));
}

void print_status(ParamWriter& out, int status) {
  if (status != 503) out.word("status", std::to_string(status));
}

}  // namespace

net::Result<HttpAbortSettings> HttpAbortSettings::parse(ParamReader& params) {
  HttpAbortSettings s;
  s.status = read_status(params);
  s.match = read_match(params);
  return params.finish(s);
}

void HttpAbortSettings::print(ParamWriter& out) const {
  print_status(out, status);
  print_match(out, match);
}

net::Result<HttpFailSettings> HttpFailSettings::parse(ParamReader& params) {
  HttpFailSettings s;
  s.first = params.required_count("first", 1, 1'000'000'000);
  s.status = read_status(params);
  s.scope = params.choice("scope", {"connection", "proxy"}, "connection") == "proxy"
                ? HttpFailScope::proxy
                : HttpFailScope::connection;
  s.match = read_match(params);
  return params.finish(s);
}

void HttpFailSettings::print(ParamWriter& out) const {
  out.word("first", std::to_string(first));
  print_status(out, status);
  if (scope == HttpFailScope::proxy) out.word("scope", "proxy");
  print_match(out, match);
}

net::Result<HttpDelaySettings> HttpDelaySettings::parse(ParamReader& params) {
  HttpDelaySettings s;
  s.delay = params.required_duration("delay");
  s.match = read_match(params);
  return params.finish(s);
}

void HttpDelaySettings::print(ParamWriter& out) const {
  out.duration("delay", delay);
  print_match(out, match);
}

net::Result<HttpHeaderSettings> HttpHeaderSettings::parse(ParamReader& params) {
  HttpHeaderSettings s;
  auto set = params.text("set");
  auto remove = params.text("remove");
  auto is_name = [](std::string_view name) {
    if (name.empty()) return false;
    for (char c : name) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      std::string_view("!#$%&*+-.^_`|~").find(c) != std::string_view::npos;
      if (!ok) return false;
    }
    return true;
  };
  if (set && remove) {
    params.fail("remove", "give set= or remove=, not both (one header change per clause)");
  } else if (!set && !remove) {
    params.fail("set", "http_header needs set=NAME:VALUE or remove=NAME");
  } else if (set) {
    const auto colon = set->find(':');
    std::string_view name = set->substr(0, colon);
    if (colon == std::string_view::npos) {
      params.fail("set", "'" + std::string(*set) + "': expected NAME:VALUE, like X-Debug:1");
    } else if (!is_name(name)) {
      params.fail("set", "'" + std::string(name) + "' is not a header name");
    } else {
      s.name = std::string(name);
      s.value = std::string(set->substr(colon + 1));
      for (char c : s.value) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f || c == '\'' || c == '"') {
          params.fail("set", "the value of " + s.name + " has a control byte or a quote");
          break;
        }
      }
    }
  } else {
    if (!is_name(*remove)) {
      params.fail("remove", "'" + std::string(*remove) + "' is not a header name");
    } else {
      s.name = std::string(*remove);
      s.remove = true;
    }
  }
  s.match = read_match(params);
  return params.finish(s);
}

void HttpHeaderSettings::print(ParamWriter& out) const {
  if (remove)
    out.word("remove", name);
  else
    out.word("set", name + ":" + value);
  print_match(out, match);
}

net::Result<HttpTruncateSettings> HttpTruncateSettings::parse(ParamReader& params) {
  HttpTruncateSettings s;
  s.after = params.required_size("after");
  s.match = read_match(params);
  return params.finish(s);
}

void HttpTruncateSettings::print(ParamWriter& out) const {
  out.size("after", after);
  print_match(out, match);
}

net::Result<HttpSlowHeadSettings> HttpSlowHeadSettings::parse(ParamReader& params) {
  HttpSlowHeadSettings s;
  s.size = params.size("size", 1);
  if (params.ok() && (s.size == 0 || s.size > kMaxHeadPiece)) {
    params.fail("size", "size must be within 1B.." + format_size(kMaxHeadPiece));
  }
  s.delay = params.duration("delay", std::chrono::milliseconds(10));
  s.match = read_match(params);
  return params.finish(s);
}

void HttpSlowHeadSettings::print(ParamWriter& out) const {
  if (size != 1) out.size("size", size);
  if (delay != std::chrono::milliseconds(10)) out.duration("delay", delay);
  print_match(out, match);
}

}  // namespace faultline::fault
