#include "targets/http/message_json.h"

#include <nlohmann/json.hpp>

namespace faultline::http {

void to_json(nlohmann::json& out, const Header& header) {
  out = nlohmann::json::array({header.name, header.value});
}

void to_json(nlohmann::json& out, const Message& message) {
  out = nlohmann::json::object();
  if (message.type == MessageType::request) {
    out["type"] = "request";
    out["method"] = message.method;
    out["target"] = message.target;
  } else {
    out["type"] = "response";
    out["status_code"] = message.status_code;
    out["reason"] = message.reason;
  }
  out["version"] =
      std::to_string(message.version_major) + "." + std::to_string(message.version_minor);
  out["headers"] = message.headers;
  out["body"] = message.body;
  if (!message.trailers.empty()) out["trailers"] = message.trailers;
  out["keep_alive"] = message.keep_alive;
  out["upgrade"] = message.upgrade;
  out["chunked"] = message.chunked;
  if (message.content_length) out["content_length"] = *message.content_length;
}

void to_json(nlohmann::json& out, const ParseError& error) {
  out = nlohmann::json{{"code", code_name(error.code)},
                       {"llhttp_name", error.llhttp_name},
                       {"reason", error.reason},
                       {"offset", error.offset}};
}

}  // namespace faultline::http
