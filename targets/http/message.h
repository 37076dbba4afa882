// targets/http/message.h: HTTP/1.x messages as values: what the parser
// produces (Message) and what clients and servers build to send (Request,
// Response), with case-insensitive header lookup.
//
//   http::Message m = parser.next().value();
//   if (auto length = m.header("content-length")) use(*length);
//   for (std::string_view cookie : m.headers_named("Set-Cookie")) store(cookie);
//
//   http::Request request{.method = "GET", .target = "/health",
//                         .headers = {{"Host", "localhost:8080"}}};
//   std::string bytes = http::serialize(request);   // see serialize.h
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::http {

// Header: one field line, name and value as received (value without the
// surrounding whitespace). Repeated names stay separate entries, in order.
struct Header {
  std::string name{};
  std::string value{};

  friend bool operator==(const Header&, const Header&) = default;
};

using Headers = std::vector<Header>;

// iequals compares two strings ASCII case-insensitively (header names, tokens).
bool iequals(std::string_view a, std::string_view b);

// find_header gives the value of the first header named `name` (any case).
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

// find_headers gives the values of every header named `name`, in order.
std::vector<std::string_view> find_headers(const Headers& headers, std::string_view name);

// trim_whitespace drops the optional whitespace (SP, HTAB) around a value.
std::string_view trim_whitespace(std::string_view text);

// last_coding gives the last element of one Transfer-Encoding value, without
// the whitespace around it ("gzip, chunked\t" -> "chunked"; "chunked," -> "").
std::string_view last_coding(std::string_view value);

// has_chunked_coding tells whether the last Transfer-Encoding coding is
// "chunked", i.e. whether the body is sent with chunked framing.
bool has_chunked_coding(const Headers& headers);

// MessageType: which start line a message (or a parser) has.
enum class MessageType { request, response };

// Message: one parsed request or response. The parser fills every field it
// can; fields of the other type stay at their defaults. Strings are owned,
// so a Message outlives the buffers it was parsed from.
//
// (Every member of these aggregates has an initializer, so designated
// initialisation of some of them stays clean under GCC 12's -Wextra.)
struct Message {
  MessageType type = MessageType::request;
  std::string method{};  // requests: "GET", "POST", ...
  std::string target{};  // requests: the request-target as sent ("/a?b=c")
  int status_code = 0;   // responses
  std::string reason{};  // responses: the reason phrase, possibly empty
  int version_major = 1;
  int version_minor = 1;
  Headers headers{};
  std::string body{};       // decoded: chunk framing removed
  Headers trailers{};       // chunked messages only
  bool keep_alive = false;  // llhttp_should_keep_alive: another message may follow
  bool upgrade = false;     // CONNECT, Upgrade or 101: the stream leaves HTTP after this
  bool chunked = false;     // the body came with chunked framing
  std::optional<std::uint64_t> content_length{};  // the Content-Length header, if present

  // header gives the first value of `name` (any case); headers_named all of them.
  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
  std::vector<std::string_view> headers_named(std::string_view name) const {
    return find_headers(headers, name);
  }

  friend bool operator==(const Message&, const Message&) = default;
};

// Request: a request to send. serialize() adds Content-Length when the
// headers give no framing and the body needs one.
struct Request {
  std::string method = "GET";
  std::string target = "/";
  int version_major = 1;
  int version_minor = 1;
  Headers headers{};
  std::string body{};

  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
  friend bool operator==(const Request&, const Request&) = default;
};

// Response: a response to send. serialize() adds Content-Length (also 0)
// unless the headers frame the body or the status has no body, so a
// keep-alive peer never has to wait for EOF.
struct Response {
  int status_code = 200;
  std::string reason = "OK";
  int version_major = 1;
  int version_minor = 1;
  Headers headers{};
  std::string body{};

  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
  friend bool operator==(const Response&, const Response&) = default;
};

// reason_phrase gives the standard reason for a status code ("Not Found"),
// or "" for codes without one.
std::string_view reason_phrase(int status_code);

// status_has_body is false for 1xx, 204 and 304: those responses end with
// their header section whatever the headers say (RFC 9112 section 6.3).
bool status_has_body(int status_code);

}  // namespace faultline::http
