// targets/ws/conformance/conformance.h: a table-driven WebSocket conformance
// suite in the manner of the Autobahn testsuite's groups (framing, ping/pong,
// reserved bits, opcodes, fragmentation, UTF-8, limits, close handling).
//
// Each case is a byte script (frames, possibly hostile, sent in chosen
// pieces) and an expected outcome. The same script runs against a server
// (the frames masked, as a client sends them) and against a client (the
// frames unmasked, from a scripted server; the client under test must echo
// messages back, as Autobahn's client tests require).
//
//   for (const auto& c : ws::conformance::cases()) {
//     auto seen = ws::conformance::run_against_server(c, server_address, 2s);
//     results.push_back({c, ws::conformance::judge(c, seen)});
//   }
//   std::cout << ws::conformance::group_table(results);   // pass / non-strict / fail per group
//
// Verdicts: pass is exactly the expected behaviour; non-strict is what
// Autobahn calls NON-STRICT: the connection failed as it had to, but without
// the expected close code (another code, or just a TCP close), or not at the
// first invalid byte; fail is anything else (an invalid message echoed, the
// connection left open, a wrong echo).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "targets/net/address.h"
#include "targets/net/deadline.h"
#include "targets/net/fd.h"

namespace faultline::ws::conformance {

// ScriptFrame: one frame to send: any opcode (reserved ones too), RSV bits,
// FIN; `raw` (when not empty) is sent as is instead, unmasked, for frames the
// encoder would never write (a non-minimal length). chunk > 0 sends the
// encoded frame in pieces of that many bytes; partial > 0 sends the header
// and only the first `partial` payload bytes, and ends the script there
// (fail-fast cases).
struct ScriptFrame {
  bool fin = true;
  std::uint8_t rsv = 0;
  std::uint8_t opcode = 0x1;
  std::string payload{};
  std::string raw{};
  std::size_t chunk = 0;
  std::size_t partial = 0;
};

// Expect: what the peer must do.
enum class Expect {
  echo,          // echo every message (pong every ping), then answer our close 1000
  close_answer,  // the script ends with a close: answer it with `code`
  fail,          // fail the connection with `code`
};

struct Case {
  std::string id;     // "5.3"
  std::string group;  // "fragmentation"
  std::string description;
  std::vector<ScriptFrame> script;
  Expect expect = Expect::echo;
  // The peer's frames before the close, in order: "text:hello",
  // "binary:<bytes>", "pong:<payload>".
  std::vector<std::string> replies{};
  std::uint16_t code = 1000;  // close_answer and fail
};

// cases: the whole table, in id order.
const std::vector<Case>& cases();

// Observation: what the peer did.
struct Observation {
  std::vector<std::string> replies{};  // as in Case::replies
  bool close_received = false;
  std::uint16_t close_code = 1006;  // 1005: a close without a code
  bool tcp_closed = false;          // EOF or reset before the deadline
  bool timed_out = false;           // neither a close frame nor EOF in time
  bool bad_frames = false;          // the peer itself broke the framing rules
  std::string note{};               // what went wrong, for the report
};

// run_against_server: connect, upgrade, play the script (masked), observe.
Observation run_against_server(const Case& c, const net::Address& server, net::Duration timeout,
                               std::uint64_t seed = 1);
// run_against_client: on a connection the client under test opened: answer
// its upgrade request, play the script (unmasked), observe.
Observation run_against_client(const Case& c, net::Fd connection, net::Duration timeout);

enum class Verdict { pass, non_strict, fail };
std::string_view verdict_name(Verdict verdict);

// judge: the verdict of one observation, and why when it is not a pass.
struct Judgement {
  Verdict verdict = Verdict::fail;
  std::string why{};
};
Judgement judge(const Case& c, const Observation& seen);

struct CaseResult {
  std::string id;
  std::string group;
  Judgement judgement;
};

// group_table: a Markdown table, one row per group: cases, pass, non-strict,
// fail; then one line per case that did not pass.
std::string group_table(const std::string& title, const std::vector<CaseResult>& results);

}  // namespace faultline::ws::conformance
