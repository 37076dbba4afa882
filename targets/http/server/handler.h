// targets/http/server/handler.h: what a request handler of the reference
// server is: a function of one parsed request to a Reply.
//
// A handler never does I/O and never blocks: to answer later it sets
// Reply::delay and the server holds the response on a loop timer, serving
// other connections meanwhile. To send a body in pieces it fills
// Reply::chunks. The default handler is the httpbin-like one (httpbin.h).
//
//   http::Handler hello = [](const http::Message& request, const http::RequestContext&) {
//     http::Reply reply;
//     reply.response.body = "hello " + request.target + "\n";
//     reply.response.headers = {{"Content-Type", "text/plain"}};
//     return reply;
//   };
//   http::HttpServerOptions options;
//   options.handler = hello;
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "targets/http/message.h"
#include "targets/net/deadline.h"

namespace faultline::http {

// RequestContext: what a handler knows besides the request itself.
struct RequestContext {
  std::string origin;     // the client's numeric address ("127.0.0.1")
  std::string authority;  // where the server listens ("127.0.0.1:8080"), for a request with no Host
  std::string scheme = "http";  // "https" when the connection is TLS
};

// Reply: a response and how to deliver it.
struct Reply {
  Response response;
  // delay: hold the response this long before sending it. Responses still go
  // out in request order, so a delayed response holds back the ones pipelined
  // after it on the same connection (not other connections).
  net::Duration delay = net::Duration::zero();
  // chunks: when non-empty, the body is sent with chunked framing, one chunk
  // per element (empty elements are skipped), and response.body is ignored.
  std::vector<std::string> chunks;
  // close: close the connection after this response.
  bool close = false;
};

// Handler: turns a request into a Reply; runs on the server's loop thread.
using Handler = std::function<Reply(const Message& request, const RequestContext& context)>;

}  // namespace faultline::http
