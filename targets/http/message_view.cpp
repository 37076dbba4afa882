#include "targets/http/message_view.h"

namespace faultline::http {
namespace {

Headers to_headers(std::span<const HeaderView> lines) {
  Headers out;
  out.reserve(lines.size());
  for (const HeaderView& line : lines)
    out.push_back(Header{std::string(line.name), std::string(line.value)});
  return out;
}

}  // namespace

std::optional<std::string_view> MessageView::header(std::string_view name) const {
  for (const HeaderView& line : headers) {
    if (iequals(line.name, name)) return line.value;
  }
  return std::nullopt;
}

Message MessageView::to_message() const {
  Message out;
  out.type = type;
  out.method = method;
  out.target = target;
  out.status_code = status_code;
  out.reason = reason;
  out.version_major = version_major;
  out.version_minor = version_minor;
  out.headers = to_headers(headers);
  out.body = body;
  out.trailers = to_headers(trailers);
  out.keep_alive = keep_alive;
  out.upgrade = upgrade;
  out.chunked = chunked;
  out.content_length = content_length;
  return out;
}

}  // namespace faultline::http
