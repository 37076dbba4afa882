#include "targets/http/serialize.h"

#include <cstdio>

namespace faultline::http {
namespace {

void append_version(std::string& out, int major, int minor) {
  out += "HTTP/";
  out += std::to_string(major);
  out += '.';
  out += std::to_string(minor);
}

void append_headers(std::string& out, const Headers& headers) {
  for (const Header& header : headers) {
    out += header.name;
    out += ": ";
    out += header.value;
    out += "\r\n";
  }
}

std::size_t headers_size(const Headers& headers) {
  std::size_t size = 0;
  for (const Header& header : headers)
    size += header.name.size() + header.value.size() + 4;
  return size;
}

bool has_framing_header(const Headers& headers) {
  return find_header(headers, "Content-Length") || find_header(headers, "Transfer-Encoding");
}

// append_rest finishes a message after its start line: headers, an optional
// Content-Length (the caller's rule), the blank line, the framed body.
void append_rest(std::string& out, const Headers& headers, bool add_content_length,
                 const std::string& body, const Headers& trailers) {
  append_headers(out, headers);
  if (add_content_length) {
    out += "Content-Length: ";
    out += std::to_string(body.size());
    out += "\r\n";
  }
  out += "\r\n";
  if (!has_chunked_coding(headers)) {
    out += body;
    return;
  }
  if (!body.empty()) {
    char size_line[32];
    int length = std::snprintf(size_line, sizeof size_line, "%zx\r\n", body.size());
    out.append(size_line, static_cast<std::size_t>(length));
    out += body;
    out += "\r\n";
  }
  out += "0\r\n";
  append_headers(out, trailers);
  out += "\r\n";
}

std::size_t estimated_size(const Headers& headers, const std::string& body,
                           const Headers& trailers) {
  return 64 + headers_size(headers) + body.size() + headers_size(trailers);
}

}  // namespace

std::string serialize(const Request& request) {
  const bool method_expects_body =
      request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  const bool add_content_length =
      !has_framing_header(request.headers) && (!request.body.empty() || method_expects_body);
  std::string out;
  out.reserve(estimated_size(request.headers, request.body, {}) + request.target.size());
  out += request.method;
  out += ' ';
  out += request.target;
  out += ' ';
  append_version(out, request.version_major, request.version_minor);
  out += "\r\n";
  append_rest(out, request.headers, add_content_length, request.body, {});
  return out;
}

std::string serialize(const Response& response) {
  const bool add_content_length =
      !has_framing_header(response.headers) && status_has_body(response.status_code);
  std::string out;
  out.reserve(estimated_size(response.headers, response.body, {}) + response.reason.size());
  append_version(out, response.version_major, response.version_minor);
  out += ' ';
  out += std::to_string(response.status_code);
  out += ' ';
  out += response.reason;
  out += "\r\n";
  append_rest(out, response.headers, add_content_length, response.body, {});
  return out;
}

std::string serialize(const Message& message) {
  std::string out;
  out.reserve(estimated_size(message.headers, message.body, message.trailers) +
              message.target.size() + message.reason.size());
  if (message.type == MessageType::request) {
    out += message.method;
    out += ' ';
    out += message.target;
    out += ' ';
    append_version(out, message.version_major, message.version_minor);
  } else {
    append_version(out, message.version_major, message.version_minor);
    out += ' ';
    out += std::to_string(message.status_code);
    out += ' ';
    out += message.reason;
  }
  out += "\r\n";
  append_rest(out, message.headers, /*add_content_length=*/false, message.body, message.trailers);
  return out;
}

}  // namespace faultline::http
