#include "targets/http/message.h"

#include <algorithm>

namespace faultline::http {
namespace {

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_optional_whitespace(char c) {
  return c == ' ' || c == '\t';
}

}  // namespace

std::string_view trim_whitespace(std::string_view text) {
  while (!text.empty() && is_optional_whitespace(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_optional_whitespace(text.back()))
    text.remove_suffix(1);
  return text;
}

std::string_view last_coding(std::string_view value) {
  const std::size_t comma = value.rfind(',');
  return trim_whitespace(comma == std::string_view::npos ? value : value.substr(comma + 1));
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const Header& header : headers) {
    if (iequals(header.name, name)) return std::string_view(header.value);
  }
  return std::nullopt;
}

std::vector<std::string_view> find_headers(const Headers& headers, std::string_view name) {
  std::vector<std::string_view> values;
  for (const Header& header : headers) {
    if (iequals(header.name, name)) values.emplace_back(header.value);
  }
  return values;
}

bool has_chunked_coding(const Headers& headers) {
  // The codings of every Transfer-Encoding line form one list; only the last
  // coding decides the framing (RFC 9112 section 6.3).
  std::string_view last;
  for (std::string_view value : find_headers(headers, "Transfer-Encoding")) {
    std::string_view coding = http::last_coding(value);
    if (!coding.empty()) last = coding;
  }
  return iequals(last, "chunked");
}

std::string_view reason_phrase(int status_code) {
  switch (status_code) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 418:
      return "I'm a teapot";  // RFC 2324; RFC 9110 section 15.5.19 keeps it unused
    case 421:
      return "Misdirected Request";
    case 422:
      return "Unprocessable Content";
    case 426:
      return "Upgrade Required";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "";
  }
}

bool status_has_body(int status_code) {
  return !(status_code / 100 == 1 || status_code == 204 || status_code == 304);
}

}  // namespace faultline::http
