// targets/http/server/httpbin.h: the reference server's default handler, an
// httpbin.org look-alike for exercising HTTP clients.
//
// A pure function of the request: no I/O, no clock, no global state; every
// "random" byte comes from a seed in the query. JSON bodies have httpbin's
// shape (keys sorted, pretty-printed) with one documented difference: header
// names appear as received, not title-cased (repeated headers are joined with
// "," under the first spelling).
//
//   GET  /get?k=v              {"args":{"k":"v"},"headers":{...},"origin":"...","url":"..."}
//   POST /post  (also /put /patch /delete)   + "data", "files", "form", "json"
//   ANY  /anything[/...]       the same plus "method"
//   GET  /headers              {"headers":{...}}
//   ANY  /status/{100..599}    that status; 3xx carry Location: /redirect/1
//   ANY  /delay/{0..10}        /get's body after that many seconds (fractions allowed)
//   GET  /bytes/{n}?seed=S     n <= 10 MiB seeded pseudo-random bytes (S default 0)
//   GET  /stream/{n}           n <= 100 JSON lines, one chunk each
//   GET  /chunked/{n}?chunk_size=C   n bytes of text in chunks of C (default 1024)
//   GET  /redirect/{n}         302 to /redirect/{n-1} ... /get (1 <= n <= 100)
//   ANY  /redirect-to?url=U&status_code=3xx
//   anything else              404 {"error": ...}; a wrong method 405 with Allow
//
// Out-of-range or malformed parameters give 400 with {"error": "..."} naming
// the limit (httpbin clamps some of them silently; here every limit is loud).
// A /status/1xx is sent as is and the connection closes after it: no final
// response follows, which is how to test a client against a lone interim
// response. multipart/form-data bodies are not decoded ("files" is always {}).
//
//   http::Reply reply = http::handle_httpbin(request, {.origin = "127.0.0.1"});
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "targets/http/message.h"
#include "targets/http/server/handler.h"

namespace faultline::http {

// kHttpbinMaxDelay, kHttpbinMaxBytes, ...: the endpoints' bounds.
inline constexpr double kHttpbinMaxDelaySeconds = 10.0;
inline constexpr std::uint64_t kHttpbinMaxBytes = 10 * 1024 * 1024;
inline constexpr std::uint64_t kHttpbinMaxStreamLines = 100;
inline constexpr std::uint64_t kHttpbinMaxChunks = 64 * 1024;
inline constexpr std::uint64_t kHttpbinMaxRedirects = 100;
inline constexpr std::uint64_t kHttpbinDefaultSeed = 0;

// handle_httpbin answers one request (see the file comment).
Reply handle_httpbin(const Message& request, const RequestContext& context);

// httpbin_handler wraps handle_httpbin as a Handler.
Handler httpbin_handler();

// httpbin_bytes gives the body of /bytes/{size}?seed={seed}: splitmix64 output,
// little-endian, so any implementation can reproduce it.
std::string httpbin_bytes(std::uint64_t size, std::uint64_t seed);

}  // namespace faultline::http
