#include "targets/http/url.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

namespace faultline::http {
namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";
constexpr std::size_t kMaxQuotedUrl = 200;  // how much of a bad URL an error message repeats

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}
char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
char ascii_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

bool is_unreserved(char c) {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool is_sub_delim(char c) {
  return std::string_view("!$&'()*+,;=").find(c) != std::string_view::npos;
}
// RFC 3986 pchar without pct-encoded, plus '/' (path) or "/?" (query).
bool allowed_in_path(char c) {
  return is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@' || c == '/';
}
bool allowed_in_query(char c) {
  return allowed_in_path(c) || c == '?';
}

bool is_control_or_space(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte <= 0x20 || byte == 0x7f;
}

void append_escape(std::string& out, unsigned char byte) {
  out += '%';
  out += kHexDigits[byte >> 4];
  out += kHexDigits[byte & 0x0f];
}

// quoted gives the URL for an error message: shortened, with unprintable
// bytes as \xNN so the message stays one readable line.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMaxQuotedUrl; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f || byte == '"' || byte == '\\') {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\x%02x", byte);
      out += escape;
    } else {
      out += static_cast<char>(byte);
    }
  }
  if (text.size() > kMaxQuotedUrl) out += "...";
  out += '"';
  return out;
}

tl::unexpected<net::Error> bad_url(std::string_view text, std::string problem) {
  return net::make_error(net::ErrorKind::invalid_argument,
                         "bad URL " + quoted(text) + ": " + std::move(problem));
}

// first_space_or_control: the first byte no URL may carry, or npos.
std::size_t first_space_or_control(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_control_or_space(text[i])) return i;
  }
  return std::string_view::npos;
}

std::string describe_byte_at(std::string_view text, std::size_t index) {
  const auto byte = static_cast<unsigned char>(text[index]);
  if (byte == ' ') return "space at position " + std::to_string(index);
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", byte);
  return std::string("control character ") + hex + " at position " + std::to_string(index);
}

// scheme_length: the length of a leading RFC 3986 scheme followed by ':'
// ("http:" -> 4), or 0 when the text does not start with one.
std::size_t scheme_length(std::string_view text) {
  if (text.empty() || !is_alpha(text[0])) return 0;
  for (std::size_t i = 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ':') return i;
    if (!(is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.')) return 0;
  }
  return 0;
}

// canonical_component re-encodes a path or query: %XX kept (hex upper-cased),
// allowed bytes kept, others percent-encoded. Fails on a broken %XX.
bool canonical_component(std::string_view text, bool (*allowed)(char), std::string* out,
                         std::string* problem) {
  out->clear();
  out->reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size() || !is_hex(text[i + 1]) || !is_hex(text[i + 2])) {
        *problem = "bad percent-encoding at position " + std::to_string(i) +
                   " (expected %XX with two hex digits)";
        return false;
      }
      *out += '%';
      *out += ascii_upper(text[i + 1]);
      *out += ascii_upper(text[i + 2]);
      i += 2;
    } else if (allowed(c)) {
      *out += c;
    } else {
      append_escape(*out, static_cast<unsigned char>(c));
    }
  }
  return true;
}

}  // namespace

std::uint16_t default_port(std::string_view scheme) {
  if (scheme == "http") return 80;
  if (scheme == "https") return 443;
  return 0;
}

net::Result<Url> Url::parse(std::string_view text) {
  if (text.empty()) return bad_url(text, "empty");
  if (text.size() > kMaxUrlLength) {
    return bad_url(text, "longer than " + std::to_string(kMaxUrlLength) + " bytes");
  }
  if (std::size_t bad = first_space_or_control(text); bad != std::string_view::npos) {
    return bad_url(text, describe_byte_at(text, bad) + " (percent-encode it)");
  }

  // scheme "://"
  const std::size_t scheme_size = scheme_length(text);
  const bool has_slashes = scheme_size > 0 && text.substr(scheme_size + 1, 2) == "//";
  Url url;
  url.scheme.resize(scheme_size);
  std::transform(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(scheme_size),
                 url.scheme.begin(), ascii_lower);
  const bool known_scheme = url.scheme == "http" || url.scheme == "https";
  if (!has_slashes) {
    if (known_scheme) return bad_url(text, "expected \"//\" after \"" + url.scheme + ":\"");
    return bad_url(text, "missing scheme (expected http://host/...)");
  }
  if (!known_scheme) {
    return bad_url(text, "unsupported scheme \"" + url.scheme + "\" (only http and https)");
  }
  std::string_view rest = text.substr(scheme_size + 3);

  // authority: [ "[" IPv6 "]" | host ] [ ":" port ]
  const std::size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  std::string_view authority = rest.substr(0, authority_end);
  rest.remove_prefix(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return bad_url(text, "userinfo (user@host) is not supported");
  }
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad_url(text, "bad IPv6 literal: no closing ']'");
    const std::string literal(authority.substr(1, close - 1));
    in6_addr address{};
    if (literal.empty() || ::inet_pton(AF_INET6, literal.c_str(), &address) != 1) {
      return bad_url(text, "bad IPv6 literal \"" + literal + "\"");
    }
    char canonical[INET6_ADDRSTRLEN];
    ::inet_ntop(AF_INET6, &address, canonical, sizeof canonical);
    url.host = canonical;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_url(text, "unexpected text after the IPv6 literal");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    const std::size_t colons =
        static_cast<std::size_t>(std::count(authority.begin(), authority.end(), ':'));
    if (colons > 1) return bad_url(text, "an IPv6 address must be in brackets (http://[::1]/)");
    const std::size_t colon = authority.find(':');
    std::string_view host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    for (char c : host) {
      if (!(is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_')) {
        return bad_url(text, std::string("invalid character '") + c + "' in host");
      }
    }
    url.host.resize(host.size());
    std::transform(host.begin(), host.end(), url.host.begin(), ascii_lower);
  }
  if (url.host.empty()) return bad_url(text, "empty host");

  url.port = default_port(url.scheme);
  if (has_port && !port_text.empty()) {  // "host:" means the default port (RFC 3986 3.2.3)
    const bool digits = std::all_of(port_text.begin(), port_text.end(), is_digit);
    unsigned long value = 0;
    if (digits && port_text.size() <= 5) value = std::stoul(std::string(port_text));
    if (!digits || port_text.size() > 5 || value < 1 || value > 65535) {
      return bad_url(text, "bad port \"" + std::string(port_text) + "\" (expected 1-65535)");
    }
    url.port = static_cast<std::uint16_t>(value);
  }

  // path [ "?" query ] [ "#" fragment ]: the fragment never leaves the client.
  const std::size_t fragment = rest.find('#');
  if (fragment != std::string_view::npos) rest = rest.substr(0, fragment);
  const std::size_t question = rest.find('?');
  std::string_view path = rest.substr(0, question);
  std::string_view query =
      question == std::string_view::npos ? std::string_view{} : rest.substr(question + 1);
  std::string problem;
  if (!canonical_component(path, allowed_in_path, &url.path, &problem)) {
    return bad_url(text, "path: " + problem);
  }
  if (url.path.empty()) url.path = "/";
  if (!canonical_component(query, allowed_in_query, &url.query, &problem)) {
    return bad_url(text, "query: " + problem);
  }
  return url;
}

std::string Url::to_string() const {
  std::string out = scheme;
  out += "://";
  out += host_header();
  out += request_target();
  return out;
}

std::string Url::request_target() const {
  if (query.empty()) return path;
  return path + "?" + query;
}

std::string Url::host_header() const {
  std::string out = is_ipv6() ? "[" + host + "]" : host;
  if (port != default_port(scheme)) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

std::string percent_encode(std::string_view text, std::string_view keep) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (is_unreserved(c) || keep.find(c) != std::string_view::npos) {
      out += c;
    } else {
      append_escape(out, static_cast<unsigned char>(c));
    }
  }
  return out;
}

namespace {

net::Result<std::string> decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size() || !is_hex(text[i + 1]) || !is_hex(text[i + 2])) {
        return net::make_error(net::ErrorKind::invalid_argument,
                               "bad percent-encoding in " + quoted(text) + " at position " +
                                   std::to_string(i) + " (expected %XX with two hex digits)");
      }
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

net::Result<std::string> percent_decode(std::string_view text) {
  return decode(text, false);
}

std::string form_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == ' ') {
      out += '+';
    } else if (is_unreserved(c)) {
      out += c;
    } else {
      append_escape(out, static_cast<unsigned char>(c));
    }
  }
  return out;
}

net::Result<std::string> form_decode(std::string_view text) {
  return decode(text, true);
}

std::string encode_query(const QueryParams& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += form_encode(key);
    out += '=';
    out += form_encode(value);
  }
  return out;
}

net::Result<QueryParams> parse_query(std::string_view query) {
  const std::string_view whole = query;
  QueryParams params;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (piece.empty()) continue;
    const std::size_t equals = piece.find('=');
    auto key = form_decode(piece.substr(0, equals));
    auto value = form_decode(equals == std::string_view::npos ? std::string_view{}
                                                              : piece.substr(equals + 1));
    if (!key || !value) {
      return net::make_error(
          net::ErrorKind::invalid_argument,
          "bad query " + quoted(whole) + ": " + (key ? value.error() : key.error()).message);
    }
    params.emplace_back(std::move(*key), std::move(*value));
  }
  return params;
}

Url with_params(Url url, const QueryParams& params) {
  const std::string encoded = encode_query(params);
  if (encoded.empty()) return url;
  if (!url.query.empty()) url.query += '&';
  url.query += encoded;
  return url;
}

net::Result<Url> join(const Url& base, std::string_view path) {
  // An absolute URL replaces the base, as requests-session helpers do.
  if (std::size_t scheme = scheme_length(path); scheme > 0 && path.substr(scheme + 1, 2) == "//") {
    return Url::parse(path);
  }
  std::string_view base_path = base.path;
  while (!base_path.empty() && base_path.back() == '/')
    base_path.remove_suffix(1);
  while (!path.empty() && path.front() == '/')
    path.remove_prefix(1);
  std::string composed = base.scheme + "://" + base.host_header();
  composed += base_path;
  composed += '/';
  composed += path;
  return Url::parse(composed);
}

net::Result<Url> join(std::string_view base, std::string_view path) {
  auto base_url = Url::parse(base);
  if (!base_url) return base_url;
  return join(*base_url, path);
}

std::string remove_dot_segments(std::string_view input) {
  std::string output;
  auto drop_last_segment = [&output] {
    const std::size_t slash = output.rfind('/');
    output.erase(slash == std::string::npos ? 0 : slash);
  };
  while (!input.empty()) {
    if (input.starts_with("../")) {
      input.remove_prefix(3);
    } else if (input.starts_with("./")) {
      input.remove_prefix(2);
    } else if (input.starts_with("/./")) {
      input.remove_prefix(2);  // leaves "/..."
    } else if (input == "/.") {
      input = "/";
    } else if (input.starts_with("/../")) {
      input.remove_prefix(3);
      drop_last_segment();
    } else if (input == "/..") {
      input = "/";
      drop_last_segment();
    } else if (input == "." || input == "..") {
      input = {};
    } else {
      const std::size_t next = input.find('/', 1);
      const std::size_t length = next == std::string_view::npos ? input.size() : next;
      output.append(input.substr(0, length));
      input.remove_prefix(length);
    }
  }
  return output;
}

net::Result<Url> resolve(const Url& base, std::string_view location) {
  if (std::size_t bad = first_space_or_control(location); bad != std::string_view::npos) {
    return net::make_error(
        net::ErrorKind::invalid_argument,
        "bad Location " + quoted(location) + ": " + describe_byte_at(location, bad));
  }
  if (scheme_length(location) > 0) return Url::parse(location);
  if (location.starts_with("//")) return Url::parse(base.scheme + ":" + std::string(location));

  // A reference without scheme or authority: [path] ["?" query] ["#" fragment].
  const std::size_t fragment = location.find('#');
  if (fragment != std::string_view::npos) location = location.substr(0, fragment);
  const std::size_t question = location.find('?');
  const std::string_view ref_path = location.substr(0, question);
  const bool has_query = question != std::string_view::npos;
  const std::string_view ref_query = has_query ? location.substr(question + 1) : std::string_view{};

  std::string path;
  std::string query;
  if (ref_path.empty()) {
    path = base.path;
    query = has_query ? std::string(ref_query) : base.query;
  } else {
    if (ref_path.front() == '/') {
      path = remove_dot_segments(ref_path);
    } else {
      // RFC 3986 5.2.3: the base path up to its last '/', then the reference.
      std::string merged = base.path.substr(0, base.path.rfind('/') + 1);
      merged += ref_path;
      path = remove_dot_segments(merged);
    }
    query = std::string(ref_query);
  }
  std::string composed = base.scheme + "://" + base.host_header() + path;
  if (!query.empty()) composed += "?" + query;
  return Url::parse(composed);
}

}  // namespace faultline::http
