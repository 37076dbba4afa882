// The conformance table: Autobahn's groups, each case a byte script and its
// expected outcome (see conformance.h).
#include <string>

#include <fmt/core.h>

#include "targets/ws/conformance/conformance.h"
#include "targets/ws/frame.h"

namespace faultline::ws::conformance {
namespace {

ScriptFrame frame(std::uint8_t opcode, std::string payload, bool fin = true, std::uint8_t rsv = 0) {
  return ScriptFrame{.fin = fin, .rsv = rsv, .opcode = opcode, .payload = std::move(payload)};
}
ScriptFrame text(std::string payload, bool fin = true) {
  return frame(0x1, std::move(payload), fin);
}
ScriptFrame binary(std::string payload, bool fin = true) {
  return frame(0x2, std::move(payload), fin);
}
ScriptFrame more(std::string payload, bool fin = true) {
  return frame(0x0, std::move(payload), fin);
}
ScriptFrame ping(std::string payload) {
  return frame(0x9, std::move(payload));
}
ScriptFrame pong(std::string payload) {
  return frame(0xA, std::move(payload));
}
ScriptFrame close(std::string payload) {
  return frame(0x8, std::move(payload));
}
ScriptFrame chunked(ScriptFrame f, std::size_t chunk) {
  f.chunk = chunk;
  return f;
}
std::string code_bytes(int code) {
  return std::string{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
}
std::string filled(std::size_t size, char c = '*') {
  return std::string(size, c);
}
std::string bin_pattern(std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    out[i] = static_cast<char>((i * 131 + 7) & 0xFF);
  return out;
}

const std::string kKosme = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";  // κόσμε
const std::string kInvalidKosme = kKosme +
                                  "\xed\xa0\x80"
                                  "edited";  // a surrogate

std::vector<Case> build() {
  std::vector<Case> c;
  auto echo = [&](std::string id, std::string group, std::string description,
                  std::vector<ScriptFrame> script, std::vector<std::string> replies) {
    c.push_back(Case{std::move(id), std::move(group), std::move(description), std::move(script),
                     Expect::echo, std::move(replies), 1000});
  };
  auto fail = [&](std::string id, std::string group, std::string description,
                  std::vector<ScriptFrame> script, std::uint16_t code,
                  std::vector<std::string> replies = {}) {
    c.push_back(Case{std::move(id), std::move(group), std::move(description), std::move(script),
                     Expect::fail, std::move(replies), code});
  };
  auto answer = [&](std::string id, std::string description, std::vector<ScriptFrame> script,
                    std::uint16_t code, std::vector<std::string> replies = {}) {
    c.push_back(Case{std::move(id), "close handling", std::move(description), std::move(script),
                     Expect::close_answer, std::move(replies), code});
  };

  // 1 framing: every length form, text and binary, whole and 1-byte pieces.
  int n = 1;
  for (std::size_t size : {0, 125, 126, 127, 128, 65535, 65536}) {
    echo(fmt::format("1.1.{}", n), "framing", fmt::format("text of {} bytes", size),
         {text(filled(size))}, {"text:" + filled(size)});
    echo(fmt::format("1.2.{}", n), "framing", fmt::format("binary of {} bytes", size),
         {binary(bin_pattern(size))}, {"binary:" + bin_pattern(size)});
    ++n;
  }
  echo("1.1.8", "framing", "text of 65536 bytes in 997-byte pieces",
       {chunked(text(filled(65536)), 997)}, {"text:" + filled(65536)});
  echo("1.2.8", "framing", "binary of 200 bytes, 1 byte per write (headers split too)",
       {chunked(binary(bin_pattern(200)), 1)}, {"binary:" + bin_pattern(200)});

  // 2 ping/pong.
  echo("2.1", "ping/pong", "ping without payload", {ping("")}, {"pong:"});
  echo("2.2", "ping/pong", "ping with a text payload", {ping("Hello, world!")},
       {"pong:Hello, world!"});
  echo("2.3", "ping/pong", "ping with a binary payload", {ping(bin_pattern(8))},
       {"pong:" + bin_pattern(8)});
  echo("2.4", "ping/pong", "ping with 125 bytes", {ping(filled(125, 'p'))},
       {"pong:" + filled(125, 'p')});
  fail("2.5", "ping/pong", "ping with 126 bytes", {ping(filled(126, 'p'))}, 1002);
  echo("2.6", "ping/pong", "unsolicited pong is ignored", {pong("unsolicited"), text("after")},
       {"text:after"});
  echo("2.7", "ping/pong", "ping sent 1 byte per write", {chunked(ping("split"), 1)},
       {"pong:split"});
  {
    std::vector<ScriptFrame> pings;
    std::vector<std::string> pongs;
    for (int i = 0; i < 10; ++i) {
      pings.push_back(ping(fmt::format("ping {}", i)));
      pongs.push_back(fmt::format("pong:ping {}", i));
    }
    echo("2.8", "ping/pong", "10 pings, 10 pongs in order", pings, pongs);
  }

  // 3 reserved bits: no extension is negotiated.
  for (std::uint8_t rsv = 1; rsv <= 7; ++rsv) {
    fail(fmt::format("3.{}", rsv), "reserved bits",
         fmt::format("text with RSV {:03b} after a good text", rsv),
         {text("good"), frame(0x1, "bad", true, rsv), ping("")}, 1002, {"text:good"});
  }
  fail("3.8", "reserved bits", "ping with RSV1", {frame(0x9, "", true, 4)}, 1002);

  // 4 opcodes: reserved data (3-7) and control (B-F) opcodes.
  int k = 1;
  for (std::uint8_t op : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    fail(fmt::format("4.{}", k++), "opcodes", fmt::format("reserved opcode 0x{:X}", op),
         {text("good"), frame(op, "x"), ping("")}, 1002, {"text:good"});
  }

  // 5 fragmentation.
  fail("5.1", "fragmentation", "fragmented ping", {frame(0x9, "frag", false), more("ment")}, 1002);
  fail("5.2", "fragmentation", "fragmented pong", {frame(0xA, "frag", false), more("ment")}, 1002);
  echo("5.3", "fragmentation", "text in 2 fragments", {text("frag", false), more("ment")},
       {"text:fragment"});
  echo("5.4", "fragmentation", "text in 2 fragments with a ping between",
       {text("frag", false), ping("between"), more("ment")}, {"pong:between", "text:fragment"});
  echo("5.5", "fragmentation", "binary in 1-byte fragments, 1 byte per write",
       [] {
         std::vector<ScriptFrame> s;
         const std::string data = bin_pattern(20);
         for (std::size_t i = 0; i < data.size(); ++i) {
           ScriptFrame f = i == 0 ? binary(data.substr(0, 1), false)
                                  : more(data.substr(i, 1), i + 1 == data.size());
           s.push_back(chunked(f, 1));
         }
         return s;
       }(),
       {"binary:" + bin_pattern(20)});
  echo("5.6", "fragmentation", "empty fragments", {text("", false), more("", false), more("")},
       {"text:"});
  fail("5.7", "fragmentation", "continuation with no message", {more("x")}, 1002);
  fail("5.8", "fragmentation", "continuation after a final fragment", {text("done"), more("again")},
       1002, {"text:done"});
  fail("5.9", "fragmentation", "a new text inside a fragmented text",
       {text("one", false), text("two")}, 1002);
  fail("5.10", "fragmentation", "a new binary inside a fragmented binary",
       {binary("one", false), binary("two")}, 1002);

  // 6 UTF-8.
  echo("6.1", "utf-8", "valid: κόσμε", {text(kKosme)}, {"text:" + kKosme});
  {
    std::vector<ScriptFrame> s;
    for (std::size_t i = 0; i < kKosme.size(); ++i)
      s.push_back(i == 0 ? text(kKosme.substr(0, 1), false)
                         : more(kKosme.substr(i, 1), i + 1 == kKosme.size()));
    echo("6.2", "utf-8", "valid: κόσμε, one byte per fragment", s, {"text:" + kKosme});
  }
  echo("6.3", "utf-8", "valid: κόσμε, one byte per write", {chunked(text(kKosme), 1)},
       {"text:" + kKosme});
  echo("6.4", "utf-8", "valid: U+10FFFF and U+FFFF", {text("\xf4\x8f\xbf\xbf\xef\xbf\xbf")},
       {"text:\xf4\x8f\xbf\xbf\xef\xbf\xbf"});
  fail("6.5", "utf-8", "invalid: surrogate in κόσμε", {text(kInvalidKosme)}, 1007);
  {
    std::vector<ScriptFrame> s;
    for (std::size_t i = 0; i < kInvalidKosme.size(); ++i)
      s.push_back(i == 0 ? text(kInvalidKosme.substr(0, 1), false)
                         : more(kInvalidKosme.substr(i, 1), i + 1 == kInvalidKosme.size()));
    fail("6.6", "utf-8", "invalid: surrogate, one byte per fragment", s, 1007);
  }
  fail("6.7", "utf-8", "invalid: overlong C0 AF", {text("\xc0\xaf")}, 1007);
  fail("6.8", "utf-8", "invalid: beyond U+10FFFF (F4 90 80 80)", {text("\xf4\x90\x80\x80")}, 1007);
  fail("6.9", "utf-8", "invalid: lone continuation byte", {text("a\x80z")}, 1007);
  fail("6.10", "utf-8", "invalid: FE", {text("\xfe")}, 1007);
  fail("6.11", "utf-8", "invalid: message ends inside a character",
       {text("\xce\xba\xe1", false), more("\xbd")}, 1007);
  {
    // Fail fast: the frame promises more bytes, but the invalid byte is
    // already there; the peer must close without waiting for the rest.
    ScriptFrame f = text(kInvalidKosme + filled(100));
    f.partial = kKosme.size() + 2;  // up to the invalid 0xA0
    fail("6.12", "utf-8", "fail fast: invalid byte inside an unfinished frame", {f}, 1007);
    ScriptFrame g = text(kKosme, false);
    ScriptFrame h = more("\xed\xa0\x80" + filled(50));
    h.partial = 2;
    fail("6.13", "utf-8", "fail fast: invalid byte at the start of an unfinished fragment", {g, h},
         1007);
  }

  // 7 limits and length forms.
  fail("7.1", "limits", "16-bit length for 5 bytes (non-minimal)",
       {ScriptFrame{.raw = std::string("\x82\x7e\x00\x05", 4) + "hello"}}, 1002);
  fail("7.2", "limits", "64-bit length for 5 bytes (non-minimal)",
       {ScriptFrame{.raw = std::string("\x82\x7f\0\0\0\0\0\0\0\x05", 10) + "hello"}}, 1002);
  fail("7.3", "limits", "64-bit length with the most significant bit set",
       {ScriptFrame{.raw = std::string("\x82\x7f\x80\0\0\0\0\0\0\x05", 10) + "hello"}}, 1002);
  {
    // A header announcing 64 MiB: the peer refuses it before any payload.
    ScriptFrame huge{.raw = std::string("\x82\x7f\0\0\0\0\x04\0\0\0", 10)};
    fail("7.4", "limits", "frame of 64 MiB announced (over the limit)", {huge}, 1009);
  }
  echo("7.5", "limits", "binary of 256 KiB", {binary(bin_pattern(256 * 1024))},
       {"binary:" + bin_pattern(256 * 1024)});

  // 8 close handling.
  answer("8.1", "close without payload", {close("")}, 1005);
  answer("8.2", "close 1000 with a reason", {close(code_bytes(1000) + "bye")}, 1000);
  answer("8.3", "close, then a text that must be ignored", {close(code_bytes(1000)), text("late")},
         1000);
  fail("8.4", "close handling", "close with a 1-byte payload", {close("\x03")}, 1002);
  fail("8.5", "close handling", "close with 126 bytes", {close(code_bytes(1000) + filled(124))},
       1002);
  fail("8.6", "close handling", "close reason not UTF-8", {close(code_bytes(1000) + kInvalidKosme)},
       1007);
  answer("8.7", "close reason of 123 bytes", {close(code_bytes(1000) + filled(123, 'r'))}, 1000);
  int v = 1;
  for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999})
    answer(fmt::format("8.8.{}", v++), fmt::format("valid close code {}", code),
           {close(code_bytes(code))}, static_cast<std::uint16_t>(code));
  v = 1;
  for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
    fail(fmt::format("8.9.{}", v++), "close handling", fmt::format("invalid close code {}", code),
         {close(code_bytes(code))}, 1002);
  return c;
}

}  // namespace

const std::vector<Case>& cases() {
  static const std::vector<Case> table = build();
  return table;
}

}  // namespace faultline::ws::conformance
