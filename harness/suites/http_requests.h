// harness/suites/http_requests.h: the user's HTTP service under test, by the
// requests it should answer (`faultline suite --protocol http --request
// 'GET /' --target-cmd 'python3 -m http.server {port}'`).
//
// A differential oracle: each request is first sent straight to the service,
// with no fault (the baseline: status, body, stable headers); then through the
// fault proxy under each scenario, where the answer must be the same response,
// or a clear error of a kind the fault explains, inside the deadline.
//
//   auto spec = suites::parse_request_spec("POST /items @item.json", ".");
//   auto all = suites::parse_requests_file("requests.txt");   // one per line, # comments
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "targets/http/client/response.h"
#include "targets/net/error.h"

namespace faultline::suites {

// HttpRequestSpec: one request: METHOD PATH [@BODY_FILE].
struct HttpRequestSpec {
  std::string method;
  std::string path;
  std::optional<std::string> body;  // the file's bytes
  std::string content_type;         // from the body file's extension
  std::string text;                 // as written, for messages
};

// parse_request_spec parses 'METHOD PATH' or 'METHOD PATH @file' (a body
// file relative to `base_dir` unless absolute). Errors are invalid_argument
// (or not_found for a missing body file) and quote the text.
net::Result<HttpRequestSpec> parse_request_spec(std::string_view text,
                                                const std::string& base_dir = ".");

// parse_requests_file: one request per line; blank lines and '#' comments
// are skipped; body files are relative to the file's folder. Errors name the line.
net::Result<std::vector<HttpRequestSpec>> parse_requests_file(const std::string& path);

// HttpDifferential: the requests and the headers that may change between
// two answers (Date always may).
struct HttpDifferential {
  std::vector<HttpRequestSpec> requests;
  std::vector<std::string> volatile_headers;
};

// response_difference: how `got` differs from `baseline` (status, body,
// headers other than Date and the volatile ones), or nullopt when the same.
std::optional<std::string> response_difference(const http::client::Response& baseline,
                                               const http::client::Response& got,
                                               const std::vector<std::string>& volatile_headers);

}  // namespace faultline::suites
