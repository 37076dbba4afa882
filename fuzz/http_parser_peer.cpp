// fuzz/http_parser_peer.cpp: http-parser 2.9 behind http_parser_peer.h.
// This is the only file that includes http_parser.h (it clashes with llhttp.h).
#include "fuzz/http_parser_peer.h"

#include <http_parser.h>

namespace faultline::fuzz {
namespace {

// Collector: the parser's callbacks write into the message being parsed.
struct Collector {
  http::MessageType type;
  PeerOutcome outcome;
  http::Message current;
  bool in_message = false;
  bool headers_done = false;
  bool last_was_value = false;  // a field callback after a value starts a new line

  http::Headers& lines() { return headers_done ? current.trailers : current.headers; }
};

Collector& collector(http_parser* parser) {
  return *static_cast<Collector*>(parser->data);
}

int on_message_begin(http_parser* parser) {
  Collector& c = collector(parser);
  c.current = http::Message{};
  c.current.type = c.type;
  c.in_message = true;
  c.headers_done = false;
  c.last_was_value = true;
  return 0;
}

int on_url(http_parser* parser, const char* at, std::size_t length) {
  collector(parser).current.target.append(at, length);
  return 0;
}

int on_status(http_parser* parser, const char* at, std::size_t length) {
  collector(parser).current.reason.append(at, length);
  return 0;
}

int on_header_field(http_parser* parser, const char* at, std::size_t length) {
  Collector& c = collector(parser);
  if (c.last_was_value || c.lines().empty()) c.lines().emplace_back();
  c.lines().back().name.append(at, length);
  c.last_was_value = false;
  return 0;
}

int on_header_value(http_parser* parser, const char* at, std::size_t length) {
  Collector& c = collector(parser);
  if (c.lines().empty()) c.lines().emplace_back();
  c.lines().back().value.append(at, length);
  c.last_was_value = true;
  return 0;
}

int on_headers_complete(http_parser* parser) {
  Collector& c = collector(parser);
  c.headers_done = true;
  c.last_was_value = true;
  http::Message& m = c.current;
  m.version_major = parser->http_major;
  m.version_minor = parser->http_minor;
  if (c.type == http::MessageType::request) {
    m.method = http_method_str(static_cast<http_method>(parser->method));
  } else {
    m.status_code = static_cast<int>(parser->status_code);
  }
  m.chunked = (parser->flags & F_CHUNKED) != 0;
  if ((parser->flags & F_CONTENTLENGTH) != 0) m.content_length = parser->content_length;
  return 0;
}

int on_body(http_parser* parser, const char* at, std::size_t length) {
  collector(parser).current.body.append(at, length);
  return 0;
}

int on_message_complete(http_parser* parser) {
  Collector& c = collector(parser);
  c.current.keep_alive = http_should_keep_alive(parser) != 0;
  c.current.upgrade = parser->upgrade != 0;
  c.outcome.messages.push_back(std::move(c.current));
  c.current = http::Message{};
  c.in_message = false;
  return 0;
}

const http_parser_settings& settings() {
  static const http_parser_settings kSettings = [] {
    http_parser_settings s;
    http_parser_settings_init(&s);
    s.on_message_begin = on_message_begin;
    s.on_url = on_url;
    s.on_status = on_status;
    s.on_header_field = on_header_field;
    s.on_header_value = on_header_value;
    s.on_headers_complete = on_headers_complete;
    s.on_body = on_body;
    s.on_message_complete = on_message_complete;
    return s;
  }();
  return kSettings;
}

}  // namespace

PeerOutcome parse_with_http_parser(http::MessageType type, std::string_view stream) {
  Collector c{type, {}, {}};
  http_parser parser;
  http_parser_init(&parser, type == http::MessageType::request ? HTTP_REQUEST : HTTP_RESPONSE);
  parser.data = &c;
  const std::size_t parsed =
      http_parser_execute(&parser, &settings(), stream.data(), stream.size());
  if (parser.upgrade) {
    c.outcome.upgraded = true;
    c.outcome.upgrade_data = std::string(stream.substr(parsed));
  } else if (HTTP_PARSER_ERRNO(&parser) != HPE_OK) {
    c.outcome.error_name = http_errno_name(HTTP_PARSER_ERRNO(&parser));
    c.outcome.error_offset = parsed;
  } else {
    // EOF: completes a body that runs to the end of the stream.
    http_parser_execute(&parser, &settings(), nullptr, 0);
    if (HTTP_PARSER_ERRNO(&parser) != HPE_OK) {
      c.outcome.error_name = http_errno_name(HTTP_PARSER_ERRNO(&parser));
      c.outcome.error_offset = stream.size();
    }
  }
  c.outcome.in_progress = c.in_message;
  return std::move(c.outcome);
}

}  // namespace faultline::fuzz
