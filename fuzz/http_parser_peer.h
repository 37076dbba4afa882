// fuzz/http_parser_peer.h: the differential peer: Node's older parser,
// http-parser 2.9 (Debian libhttp-parser-dev), producing the same
// http::Message values as our llhttp wrapper.
//
// http_parser.h and llhttp.h define the same names, so http_parser.h stays
// in http_parser_peer.cpp; this header only speaks in http:: types.
//
//   fuzz::PeerOutcome peer = fuzz::parse_with_http_parser(http::MessageType::request, bytes);
//   if (peer.error) std::puts(peer.error->c_str());   // "HPE_INVALID_METHOD at byte 0"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "targets/http/message.h"

namespace faultline::fuzz {

// PeerOutcome: the complete messages http-parser produced from a stream (fed
// at once, then EOF), and where it stopped.
struct PeerOutcome {
  std::vector<http::Message> messages;
  std::optional<std::string> error_name;  // "HPE_INVALID_CONSTANT"
  std::uint64_t error_offset = 0;
  bool upgraded = false;     // stopped at an upgrade; the rest is another protocol
  std::string upgrade_data;  // the bytes after the upgrade
  bool in_progress = false;  // a message had begun and not completed at EOF
};

PeerOutcome parse_with_http_parser(http::MessageType type, std::string_view stream);

}  // namespace faultline::fuzz
