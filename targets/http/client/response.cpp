#include "targets/http/client/response.h"

#include <cctype>

namespace faultline::http::client {

net::Result<nlohmann::json> Response::json() const {
  // nlohmann reports where parsing stopped only through its exception; it is
  // caught here and turned into an error value.
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& error) {
    std::string what = error.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
    if (auto bracket = what.find("] ");
        what.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) {
      what.erase(0, bracket + 2);
    }
    std::string message =
        "response body is not JSON: " + what + " at byte " + std::to_string(error.byte);
    if (!url.empty()) message += " (" + url + ")";
    return net::make_error(net::ErrorKind::bad_data, std::move(message));
  }
}

bool Response::is_json() const {
  auto type = header("content-type");
  if (!type) return false;
  std::string_view media = type->substr(0, type->find(';'));
  while (!media.empty() && std::isspace(static_cast<unsigned char>(media.back()))) {
    media.remove_suffix(1);
  }
  if (iequals(media, "application/json")) return true;
  return media.size() > 5 && iequals(media.substr(media.size() - 5), "+json");
}

}  // namespace faultline::http::client
