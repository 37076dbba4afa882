#include "harness/fault/http_match.h"

#include "harness/fault/glob.h"

namespace faultline::fault {
namespace {

net::Result<HttpMatch> bad(std::string message) {
  return net::make_error(net::ErrorKind::invalid_argument, std::move(message));
}

// is_token_char: RFC 9110 tchar, what a method or header name is made of.
bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

bool is_visible(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) return false;
  }
  return true;
}

bool is_method(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!((c >= 'A' && c <= 'Z') || c == '-' || c == '_')) return false;
  }
  return true;
}

}  // namespace

bool HttpMatch::matches(const http::Message& request) const {
  if (!method.empty() && request.method != method) return false;
  if (!target_glob.empty() && !glob_match(target_glob, request.target)) return false;
  if (!header_name.empty()) {
    for (const auto& header : request.headers) {
      if (http::iequals(header.name, header_name) &&
          http::trim_whitespace(header.value) == header_value) {
        return true;
      }
    }
    return false;
  }
  return true;
}

std::string HttpMatch::to_string() const {
  std::string out;
  if (!header_name.empty()) {
    out = "header:" + header_name + "=" + header_value;
  } else {
    out = method;
    if (!method.empty() && !target_glob.empty()) out += ' ';
    out += target_glob;
  }
  if (out.find_first_of(" \t;#'\"") == std::string::npos) return out;
  const char quote = out.find('\'') == std::string::npos ? '\'' : '"';
  return quote + out + quote;
}

net::Result<HttpMatch> parse_http_match(std::string_view value) {
  if (!value.empty() && (value.front() == '\'' || value.front() == '"')) {
    if (value.size() < 2 || value.back() != value.front()) return bad("unterminated quote");
    value = value.substr(1, value.size() - 2);
  }
  if (value.find_first_of("'\"") != std::string_view::npos) {
    return bad("a quote inside the value (quote the whole value: match='GET /a*')");
  }
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 && c != '\t') return bad("a control byte in the value");
    if (byte == 0x7f) return bad("a control byte in the value");
  }
  if (value.empty())
    return bad("empty (expected METHOD, /glob, 'METHOD /glob' or header:NAME=VALUE)");
  HttpMatch match;
  constexpr std::string_view kHeader = "header:";
  if (value.starts_with(kHeader)) {
    std::string_view rest = value.substr(kHeader.size());
    const auto equals = rest.find('=');
    if (equals == std::string_view::npos) {
      return bad("header condition '" + std::string(rest) + "' has no '=' (header:NAME=VALUE)");
    }
    std::string_view name = rest.substr(0, equals);
    if (!is_token(name)) {
      return bad("header name '" + std::string(name) + "' is not a header name");
    }
    std::string_view header_value = rest.substr(equals + 1);
    if (http::trim_whitespace(header_value) != header_value) {
      return bad("header value '" + std::string(header_value) +
                 "' has blanks around it (values are compared trimmed)");
    }
    match.header_name = std::string(name);
    match.header_value = std::string(header_value);
    return match;
  }
  const auto blank = value.find_first_of(" \t");
  std::string_view first = value.substr(0, blank);
  std::string_view second;
  if (blank != std::string_view::npos) {
    second = value.substr(blank + 1);
    if (second.empty() || second.find_first_of(" \t") != std::string_view::npos) {
      return bad("'" + std::string(value) + "': expected METHOD, /glob or 'METHOD /glob'");
    }
  }
  const bool first_is_target = first.front() == '/' || first.front() == '*';
  if (first_is_target) {
    if (!second.empty()) return bad("'" + std::string(value) + "': the method comes first");
    if (!is_visible(first)) return bad("target glob '" + std::string(first) + "' has a blank");
    match.target_glob = std::string(first);
    return match;
  }
  if (!is_method(first)) {
    return bad("method '" + std::string(first) +
               "' is not an upper-case method (GET, POST, ...); a target glob starts with / or *");
  }
  match.method = std::string(first);
  if (!second.empty()) {
    if (second.front() != '/' && second.front() != '*') {
      return bad("target glob '" + std::string(second) + "' must start with / or *");
    }
    match.target_glob = std::string(second);
  }
  return match;
}

}  // namespace faultline::fault
