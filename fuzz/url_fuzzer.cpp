// fuzz/url_fuzzer.cpp: http::Url and the URL helpers of targets/http/url.h.
//
// Input: text, used as a URL, as a redirect Location and as a join path
// against a fixed base, and as raw bytes for the encoders. Properties:
//  - parse, compose, parse again gives the same Url, and the composed text
//    is a fixed point; a parsed Url has a non-empty lower-case host, a
//    non-zero port and a path starting with '/', and composes to text with
//    no space, control byte or fragment;
//  - the same holds for every Url that resolve() and join() produce;
//  - percent and form encoding round-trip any bytes, and encode_query /
//    parse_query round-trip any key and value;
//  - remove_dot_segments on an absolute path is idempotent.
// Dictionary: corpus/dict/http.dict
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "targets/http/url.h"

namespace {

namespace fuzz = faultline::fuzz;
namespace http = faultline::http;
namespace net = faultline::net;

void fail(std::string_view text, std::string_view property, const std::string& detail = {}) {
  fuzz::property_failed("url_fuzzer", property, "input \"" + fuzz::escape(text) + "\"\n" + detail);
}

bool is_clean(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '#') return false;
  }
  return true;
}

// check_url: the properties every Url from the library has.
void check_url(std::string_view input, const http::Url& url, std::string_view how) {
  const std::string text = url.to_string();
  const std::string shown = std::string(how) + " gave \"" + fuzz::escape(text) + "\"\n";
  if (url.host.empty() || url.port == 0 || url.path.empty() || url.path.front() != '/') {
    fail(input, "an incomplete Url", shown);
  }
  for (char c : url.host) {
    if (c >= 'A' && c <= 'Z') fail(input, "an upper-case host", shown);
  }
  if (!is_clean(text)) fail(input, "a composed URL with a space, control byte or '#'", shown);
  const net::Result<http::Url> again = http::Url::parse(text);
  if (!again) fail(input, "a composed URL does not parse", shown + again.error().to_string());
  if (!(*again == url)) {
    fail(input, "parse(to_string(u)) != u",
         shown + "which parses back as \"" + fuzz::escape(again->to_string()) + "\"");
  }
  if (again->to_string() != text) fail(input, "to_string is not a fixed point", shown);
  const std::string target = url.request_target();
  if (target.empty() || target.front() != '/' || !is_clean(target)) {
    fail(input, "a bad request-target", shown + "target \"" + fuzz::escape(target) + "\"");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  const std::string_view text = input.rest();

  if (net::Result<http::Url> url = http::Url::parse(text)) {
    check_url(text, *url, "parse");
  } else if (url.error().message.empty() || url.error().kind != net::ErrorKind::invalid_argument) {
    fail(text, "an unclear parse error", url.error().to_string());
  }

  static const http::Url kBase = http::Url::parse("http://example.com:8080/a/b/c?q=1").value();
  if (net::Result<http::Url> resolved = http::resolve(kBase, text)) {
    check_url(text, *resolved, "resolve");
  }
  if (net::Result<http::Url> joined = http::join(kBase, text)) check_url(text, *joined, "join");

  const std::string encoded = http::percent_encode(text);
  const net::Result<std::string> decoded = http::percent_decode(encoded);
  if (!decoded || *decoded != text) fail(text, "percent_decode(percent_encode(x)) != x");
  const net::Result<std::string> form_decoded = http::form_decode(http::form_encode(text));
  if (!form_decoded || *form_decoded != text) fail(text, "form_decode(form_encode(x)) != x");
  const http::QueryParams params{{std::string(text), "v"}, {"k", std::string(text)}};
  const std::string query = http::encode_query(params);
  const net::Result<http::QueryParams> parsed_query = http::parse_query(query);
  if (!parsed_query || *parsed_query != params) {
    fail(text, "parse_query(encode_query(p)) != p", "query \"" + fuzz::escape(query) + "\"");
  }

  const std::string path = http::remove_dot_segments("/" + std::string(text));
  if (http::remove_dot_segments(path) != path) {
    fail(text, "remove_dot_segments is not idempotent", "path \"" + fuzz::escape(path) + "\"");
  }
  return 0;
}
