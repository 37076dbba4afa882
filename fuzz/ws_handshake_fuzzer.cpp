// fuzz/ws_handshake_fuzzer.cpp: the WebSocket opening handshake, both sides,
// on hostile bytes: never a crash, and the same verdict, answer and leftover
// bytes however the input is split.
//
// Input: [mode][split][stream...]
//   mode   bit 0: the bytes are a server's response to ClientHandshake
//          (whose key is fixed by seed 1), else a client's request to
//          ServerHandshake; bit 1: offer the subprotocol "chat"
//   split  the split point, as a fraction of the stream (0-255)
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.h"
#include "targets/ws/handshake.h"

namespace {

namespace fuzz = faultline::fuzz;
namespace ws = faultline::ws;

std::string serve(std::string_view a, std::string_view b, bool chat) {
  ws::ServerHandshake handshake(
      {.subprotocols = chat ? std::vector<std::string>{"chat"} : std::vector<std::string>{}});
  auto first = handshake.feed(a);
  auto second = handshake.feed(b);
  std::string out = std::to_string(static_cast<int>(*second)) + "\n" + handshake.take_output() +
                    "\n" + handshake.take_leftover() + "\n" + handshake.protocol();
  if (*first == ws::HandshakeStep::rejected && *second != ws::HandshakeStep::rejected)
    fuzz::property_failed("ws_handshake_fuzzer", "a rejected handshake came back");
  return out;
}

std::string dial(std::string_view a, std::string_view b, bool chat) {
  ws::ClientHandshake handshake(
      {.host = "h",
       .subprotocols = chat ? std::vector<std::string>{"chat"} : std::vector<std::string>{},
       .key_seed = 1});
  auto first = handshake.feed(a);
  if (!first) return "error " + first.error().message;
  auto second = handshake.feed(b);
  if (!second) return "error " + second.error().message;
  return std::to_string(static_cast<int>(*second)) + "\n" + handshake.take_leftover() + "\n" +
         handshake.protocol();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  const std::uint8_t mode = input.byte();
  const std::uint8_t split = input.byte();
  const std::string_view stream = input.rest();
  const std::size_t cut = stream.size() * split / 255;
  const bool chat = (mode & 2) != 0;
  auto run = (mode & 1) ? dial : serve;
  const std::string whole = run(stream, {}, chat);
  const std::string pieces = run(stream.substr(0, cut), stream.substr(cut), chat);
  // The error text names the byte offset in the stream, the same either way.
  if (whole != pieces)
    fuzz::property_failed("ws_handshake_fuzzer", "split changes the handshake",
                          "whole: " + fuzz::escape(whole) + "\nsplit: " + fuzz::escape(pieces));
  return 0;
}
