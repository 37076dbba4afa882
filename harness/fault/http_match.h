// harness/fault/http_match.h: the match= key of the http faults: which
// requests a clause acts on (and, for faults on responses, whose responses).
//
//   http_abort status=503 match=POST                  # by method
//   http_fail first=2 match='GET /api/*'              # method and target glob
//   http_delay delay=2s match=/slow/*                 # target glob alone
//   http_header set=X-Debug:1 match=header:X-Test=1   # by a request header (name any case)
//
// The glob covers the whole request-target, query included ('*' matches '/'
// and '?' too). A value with a blank is quoted: match='GET /a b' is not a
// valid target, but match='header:X-Name=a b' is.
#pragma once

#include <string>
#include <string_view>

#include "targets/http/message.h"
#include "targets/net/error.h"

namespace faultline::fault {

// HttpMatch: the parsed selector; an empty one matches every request.
struct HttpMatch {
  std::string method;        // "" = any method
  std::string target_glob;   // "" = any target
  std::string header_name;   // "" = no header condition
  std::string header_value;  // exact, after the optional whitespace is trimmed

  bool matches_all() const { return method.empty() && target_glob.empty() && header_name.empty(); }
  bool matches(const http::Message& request) const;
  // to_string: the canonical value, quoted when it holds a blank:
  // "GET", "'GET /api/*'", "header:X-Test=1".
  std::string to_string() const;

  friend bool operator==(const HttpMatch&, const HttpMatch&) = default;
};

// parse_http_match: a match= value (with or without its quotes). The error
// message says what is wrong, without the key or position (the caller adds
// them): "unterminated quote", "method 'get' is not upper-case ...".
net::Result<HttpMatch> parse_http_match(std::string_view value);

}  // namespace faultline::fault
