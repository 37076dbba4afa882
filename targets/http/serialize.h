// targets/http/serialize.h: HTTP/1.x messages to bytes on the wire.
//
// serialize writes the start line, the headers in order and the body. It does
// not validate: a fuzzer or a mutant may need to send a broken message on
// purpose, so names and values go out exactly as given.
//
//   std::string wire = http::serialize(http::Request{
//       .method = "POST", .target = "/echo",
//       .headers = {{"Host", "localhost"}}, .body = "hello"});
//   // "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello"
//
// Framing: when the headers say Transfer-Encoding: chunked, the body goes out
// as one chunk and the last chunk (with the trailers, for a Message).
// Otherwise the body is written as is.
#pragma once

#include <string>

#include "targets/http/message.h"

namespace faultline::http {

// serialize(Request) adds "Content-Length" when the headers have neither
// Content-Length nor Transfer-Encoding and the body is non-empty or the
// method is POST, PUT or PATCH.
std::string serialize(const Request& request);

// serialize(Response) adds "Content-Length" (also 0) when the headers have
// neither Content-Length nor Transfer-Encoding and the status allows a body.
std::string serialize(const Response& response);

// serialize(Message) writes a parsed message back with exactly its headers
// (nothing added), re-chunking the body and writing the trailers when the
// headers say chunked: parse(serialize(m)) == m for the parser's output.
std::string serialize(const Message& message);

}  // namespace faultline::http
