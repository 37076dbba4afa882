// targets/http/url.h: http:// URLs: parse, compose, join, resolve redirects,
// and percent/form encoding for paths and query strings.
//
//   auto url = http::Url::parse("http://[::1]:8080/api/items?page=2#top");
//   if (!url) return url.error();     // invalid_argument: names the URL and the problem
//   url->host;                // "::1"       url->port: 8080
//   url->request_target();    // "/api/items?page=2"   (the fragment is dropped)
//   url->host_header();       // "[::1]:8080"
//
//   auto base = http::Url::parse("http://localhost:8080/api/").value();
//   http::join(base, "/items");              // http://localhost:8080/api/items
//   http::with_params(base, {{"q", "a b"}});  // http://localhost:8080/api/?q=a+b
//   http::resolve(base, "../login");          // http://localhost:8080/login
//
// Parsing checks and canonicalises but does not rewrite what a test may want
// to send on purpose: dot segments stay, existing %XX escapes stay (hex
// upper-cased). Bytes a URL cannot carry as is (non-ASCII, "<>\"{}|\\^`")
// are percent-encoded; spaces and control characters are an error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "targets/net/error.h"

namespace faultline::http {

// kMaxUrlLength: longer input is refused (the parser's default limit too).
inline constexpr std::size_t kMaxUrlLength = 8 * 1024;

// Url: an absolute http or https URL without userinfo or fragment.
struct Url {
  std::string scheme = "http";  // "http" or "https", lower case
  std::string host{};           // lower case; an IPv6 literal without brackets ("::1")
  std::uint16_t port = 80;      // the scheme's default when the URL gives none
  std::string path = "/";       // percent-encoded, never empty
  std::string query{};          // percent-encoded, without '?'; empty means none

  // parse accepts "http://host[:port][/path][?query][#fragment]" (and https),
  // the scheme and host in any case. Errors are ErrorKind::invalid_argument.
  static net::Result<Url> parse(std::string_view text);

  // to_string: the canonical form: lower-case scheme and host, no default
  // port, no fragment ("http://example.com/a?b=1").
  std::string to_string() const;
  // request_target: path and query for the request line ("/a?b=1").
  std::string request_target() const;
  // host_header: host[:port] for the Host header, the port left out when it
  // is the scheme's default; IPv6 in brackets ("[::1]:8080").
  std::string host_header() const;
  bool is_ipv6() const { return host.find(':') != std::string::npos; }
  bool is_https() const { return scheme == "https"; }

  friend bool operator==(const Url&, const Url&) = default;
};

// default_port: 80 for http, 443 for https, 0 for anything else.
std::uint16_t default_port(std::string_view scheme);

// QueryParams: ordered key/value pairs; keys may repeat.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// percent_encode escapes every byte except the unreserved ones
// (A-Z a-z 0-9 - . _ ~) and those in `keep`, as upper-case %XX.
std::string percent_encode(std::string_view text, std::string_view keep = {});

// percent_decode turns %XX into bytes; a '%' without two hex digits is an error.
net::Result<std::string> percent_decode(std::string_view text);

// form_encode encodes one application/x-www-form-urlencoded key or value:
// space becomes '+', and everything but A-Z a-z 0-9 - . _ ~ becomes %XX
// (Python's quote_plus): "a b&c=d" -> "a+b%26c%3Dd", "안녕" -> "%EC%95%88%EB%85%95".
std::string form_encode(std::string_view text);

// form_decode reverses form_encode ('+' is a space).
net::Result<std::string> form_decode(std::string_view text);

// encode_query joins pairs as "k=v&k2=v2", each side form-encoded.
std::string encode_query(const QueryParams& params);

// parse_query splits "k=v&k2=v2" into decoded pairs, in order. A piece with
// no '=' is a key with an empty value; empty pieces ("a=1&&b=2") are skipped.
net::Result<QueryParams> parse_query(std::string_view query);

// with_params appends encoded params to the URL's query (after '&' if it
// already has one).
Url with_params(Url url, const QueryParams& params);

// join composes a request URL from a base the way Python requests-session
// users do: the base without trailing '/', then '/', then `path` without
// leading '/'. The base's query does not carry over; `path` may carry its
// own ("items?page=2"). An absolute URL ("http://...") in `path` is used as is.
net::Result<Url> join(const Url& base, std::string_view path);
net::Result<Url> join(std::string_view base, std::string_view path);

// resolve follows a redirect's Location against the URL that answered
// (RFC 3986 section 5.2): an absolute URL, "//host/path", "/absolute/path",
// "relative/path", "../up", "?query" or "" (the base itself).
net::Result<Url> resolve(const Url& base, std::string_view location);

// remove_dot_segments: RFC 3986 section 5.2.4 ("/a/b/../c/./d" -> "/a/c/d").
std::string remove_dot_segments(std::string_view path);

}  // namespace faultline::http
