// targets/http/message_view.h: a parsed HTTP/1.x message as views, the
// zero-copy shape of Message (message.h).
//
// Parser::next_view() hands one out: its strings point into the bytes given
// to Parser::feed() where a token arrived whole in one feed, and into memory
// the parser owns where it did not (a token split across feeds, a chunked
// body). Nothing is copied for the common case of whole tokens in one read.
//
//   while (std::optional<http::MessageView> request = parser.next_view()) {
//     if (auto host = request->header("host")) route(*host, request->target);
//     consume(request->body);              // a view, or empty with a body sink
//   }
//   http::Message owned = view.to_message();  // copy when it must outlive the parser's call
//
// Lifetime: see Parser::next_view().
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "targets/http/message.h"

namespace faultline::http {

// HeaderView: one field line, as Header but viewed.
struct HeaderView {
  std::string_view name{};
  std::string_view value{};
};

// MessageView: the fields of Message, viewed. body_size counts the decoded
// body bytes also when a body sink took them (body is then empty).
struct MessageView {
  MessageType type = MessageType::request;
  std::string_view method{};
  std::string_view target{};
  int status_code = 0;
  std::string_view reason{};
  int version_major = 1;
  int version_minor = 1;
  std::span<const HeaderView> headers{};
  std::string_view body{};
  std::span<const HeaderView> trailers{};
  std::uint64_t body_size = 0;
  bool keep_alive = false;
  bool upgrade = false;
  bool chunked = false;
  std::optional<std::uint64_t> content_length{};

  // header gives the first value of `name` (any case).
  std::optional<std::string_view> header(std::string_view name) const;

  // to_message copies every field into an owned Message.
  Message to_message() const;
};

}  // namespace faultline::http
