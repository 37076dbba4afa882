// targets/http/message_test_printers.h: GoogleTest printers for messages and
// parse errors (test-only), so a failed comparison shows the fields as JSON.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "targets/http/message.h"
#include "targets/http/message_json.h"
#include "targets/http/parser.h"

namespace faultline::http {

inline void PrintTo(const Message& message, std::ostream* out) {
  *out << nlohmann::json(message).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

inline void PrintTo(const ParseError& error, std::ostream* out) {
  *out << error.to_string();
}

}  // namespace faultline::http
