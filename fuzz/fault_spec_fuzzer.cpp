// fuzz/fault_spec_fuzzer.cpp: the fault profile language (harness/fault/README.md).
//
// Input: profile text. Properties:
//  - parsing never crashes; a rejected text gives an invalid_argument error
//    with a non-empty message that names a column;
//  - parsing the same text as a named multi-line source agrees (same profile,
//    or an error too);
//  - an accepted profile round-trips: parse(to_string(p)) == p, and
//    to_string is a fixed point (the canonical text prints back unchanged);
//  - a profile that validates for a transport builds its chains for it;
//  - a profile with HTTP faults runs an HttpExchange over a fixed request and
//    response (timelines and match= evaluated, nothing crashes).
// Dictionary: corpus/dict/fault.dict
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "harness/fault/http_exchange.h"
#include "harness/fault/profile.h"
#include "harness/fault/shared_link.h"

namespace {

namespace fuzz = faultline::fuzz;
namespace fault = faultline::fault;
namespace net = faultline::net;

void fail(std::string_view text, std::string_view property, const std::string& detail = {}) {
  fuzz::property_failed("fault_spec_fuzzer", property,
                        "spec \"" + fuzz::escape(text) + "\"\n" + detail);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  const std::string_view text = input.rest();
  const net::Result<fault::Profile> parsed = fault::parse_profile(text);
  const net::Result<fault::Profile> from_file =
      fault::parse_profile_text(text, fault::SpecSource{"fuzz.profile", true});
  if (parsed.has_value() != from_file.has_value() || (parsed && !(*parsed == *from_file))) {
    fail(text, "parse_profile and parse_profile_text disagree");
  }
  if (!parsed) {
    const net::Error& error = parsed.error();
    if (error.kind != net::ErrorKind::invalid_argument || error.message.empty() ||
        error.message.find("column") == std::string::npos) {
      fail(text, "unclear error", error.to_string());
    }
    if (from_file.error().message.find("fuzz.profile line ") == std::string::npos) {
      fail(text, "a file error does not name the file and line", from_file.error().message);
    }
    return 0;
  }

  const fault::Profile& profile = *parsed;
  const std::string canonical = profile.to_string();
  const net::Result<fault::Profile> again = fault::parse_profile(canonical);
  const std::string shown = "canonical \"" + fuzz::escape(canonical) + "\"\n";
  if (!again) fail(text, "the canonical text does not parse", shown + again.error().to_string());
  if (!(*again == profile)) {
    fail(text, "parse(to_string(p)) != p",
         shown + "reads back as \"" + fuzz::escape(again->to_string()) + "\"");
  }
  if (again->to_string() != canonical) {
    fail(text, "to_string is not a fixed point",
         shown + "prints back as \"" + fuzz::escape(again->to_string()) + "\"");
  }
  if (profile.is_empty() != canonical.empty()) fail(text, "empty profile <=> empty text broken");

  for (fault::Transport transport : {fault::Transport::stream, fault::Transport::datagram}) {
    if (!profile.validate_for(transport)) continue;
    for (std::uint64_t connection = 0; connection < 2; ++connection) {
      (void)profile.connection_policy(/*seed=*/7, connection);
      (void)profile.make_chain(fault::Direction::down, 7, connection, transport);
      // A few chunks through the up chain: loss models and delay
      // distributions draw, and every release stays at or after its entry.
      fault::Chain up = profile.make_chain(fault::Direction::up, 7, connection, transport);
      fault::Output out;
      for (int i = 0; i < 8 && !up.ended(); ++i) {
        const fault::Time now = std::chrono::milliseconds(i);
        out.clear();
        up.on_chunk(fault::Chunk{"chunk", now}, now, out);
        for (const auto& chunk : out.chunks) {
          if (chunk.release < now) fail(text, "a release precedes its entry");
        }
      }
    }
  }
  // The shared link (bandwidth scope=proxy): a few round-robin turns.
  if (auto link = fault::make_shared_link(profile, fault::Direction::up)) {
    using namespace std::chrono_literals;
    std::uint64_t granted = 0;
    for (std::uint64_t flow = 0; flow < 3; ++flow)
      link->request(flow, 1000, 0s);
    for (fault::Time now{0}; now < 100ms; now += 1ms) {
      for (const auto& grant : link->grant(now)) {
        granted += grant.bytes;
        link->request(grant.flow, 1000, now);
      }
    }
    if (granted > link->bytes_per_second() / 10 + link->quantum() * 2) {
      fail(text, "the shared link granted more than its rate");
    }
  }
  if (profile.has_http_faults() && profile.validate_for(fault::Transport::stream)) {
    using namespace std::chrono_literals;
    auto shared = std::make_shared<fault::HttpSharedState>(profile.clauses().size());
    fault::HttpExchange exchange(profile, 7, 0, shared, fault::ChainClock{0s, 0s});
    fault::HttpOutput out;
    exchange.on_client_chunk(
        fault::Chunk{"GET /api/x HTTP/1.1\r\nX-Test: 1\r\n\r\nPOST /p HTTP/1.1\r\n"
                     "Content-Length: 1\r\n\r\nx",
                     1s},
        1s, out);
    exchange.on_upstream_chunk(
        fault::Chunk{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                     3s},
        3s, out);
    exchange.on_upstream_end(fault::End{fault::EndKind::close, 4s}, 4s, out);
  }
  return 0;
}
