// targets/http/message_json.h: JSON views of parsed messages and parse
// errors, for reports, differential fuzzing output and the CLI.
//
//   nlohmann::json j = message;          // {"type":"request","method":"GET",...}
//   std::cout << j.dump(2) << "\n";
//   nlohmann::json e = parser.error().value();  // {"code":"url_too_long","offset":8204,...}
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "targets/http/message.h"
#include "targets/http/parser.h"

namespace faultline::http {

// to_json (found by nlohmann::json through ADL). Bodies are strings; bytes
// that are not UTF-8 are replaced when dumped (dump with error_handler_t::replace).
void to_json(nlohmann::json& out, const Header& header);
void to_json(nlohmann::json& out, const Message& message);
void to_json(nlohmann::json& out, const ParseError& error);

}  // namespace faultline::http
