// targets/http/client/response.h: what a Session request returns: the final
// response after redirects, with its body read in full.
//
// (http::Response in message.h is a response a server *sends*; this one,
// http::client::Response, is one a client *received*, with the URL it came
// from and how long it took.)
//
//   net::Result<client::Response> r = session.get("/get", {.params = {{"key", "value"}}});
//   if (!r) return r.error();                 // timeout, reset, refused, bad_data, ...
//   if (!r->ok()) log(r->status, r->reason);  // 4xx/5xx are responses, not errors
//   net::Result<nlohmann::json> body = r->json();
//   if (body) use((*body)["args"]["key"]);
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "targets/http/message.h"
#include "targets/net/deadline.h"
#include "targets/net/error.h"

namespace faultline::http::client {

// Response: a complete response as the Session received it.
struct Response {
  int status = 0;
  std::string reason{};
  int version_major = 1;
  int version_minor = 1;
  Headers headers{};   // in order, as received; look up with header()
  std::string body{};  // decoded (chunk framing removed)
  std::string url{};   // the final URL, after redirects
  // history: the statuses of the redirects followed to get here, in order
  // ({301, 302} for two hops); empty when there were none.
  std::vector<int> history{};
  // elapsed: from the call to the end of the final response (retries,
  // backoff and redirects included), on the dialer's clock.
  net::Duration elapsed{};

  // header gives the first value of `name`, any case ("content-type").
  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
  // ok: status below 400, as in requests.
  bool ok() const { return status < 400; }
  // text: the body as bytes (no charset decoding).
  const std::string& text() const { return body; }
  // json parses the body; a body that is not JSON is a bad_data error
  // naming the parser's reason and the byte it stopped at.
  net::Result<nlohmann::json> json() const;
  // is_json: the Content-Type is application/json or some +json type.
  bool is_json() const;
};

}  // namespace faultline::http::client
