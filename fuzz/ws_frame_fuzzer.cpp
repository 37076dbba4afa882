// fuzz/ws_frame_fuzzer.cpp: split invariance of the WebSocket frame decoder
// and connection. Any split of a stream must give the same frames, events,
// output bytes and state, or the same error (close code and byte offset):
// the promise at the top of targets/ws/frame.h.
//
// Input: [options][splits][2 bytes per split point...][stream...]
//   options  bit 0 client role (frames from a server, unmasked) else server;
//            bits 1-2 the frame and message limit (125, 1 KiB, 64 KiB, 16 MiB);
//            bit 3 also a one-byte-at-a-time run
//   splits   bits 0-5 the number of split points, each a big-endian offset
//            taken modulo the stream size + 1
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "fuzz/split_pieces.h"
#include "targets/ws/connection.h"

namespace {

namespace fuzz = faultline::fuzz;
namespace ws = faultline::ws;

struct FrameRecord final : ws::FrameSink {
  std::string log;
  ws::DecodeResult on_frame_header(const ws::FrameHeader& h, std::uint64_t offset) override {
    log += "H" + std::to_string(offset) + ":" + std::to_string(static_cast<int>(h.opcode)) +
           (h.fin ? "f" : "") + std::to_string(h.rsv) + "/" + std::to_string(h.length) + ";";
    return {};
  }
  ws::DecodeResult on_frame_payload(std::string_view payload, std::uint64_t) override {
    log += payload;  // pieces concatenate to the same text however split
    return {};
  }
  ws::DecodeResult on_frame_end() override {
    log += "|E;";
    return {};
  }
};

struct Outcome {
  std::string frames;
  std::string events;
  std::string output;
  ws::State state = ws::State::open;
  std::optional<ws::ProtocolError> decoder_error;
  std::optional<ws::ProtocolError> connection_error;
  bool operator==(const Outcome&) const = default;
};

Outcome run(const std::vector<std::string_view>& pieces, ws::Role role, std::uint64_t limit) {
  Outcome outcome;
  FrameRecord record;
  ws::FrameDecoder decoder({.role = role, .max_frame_bytes = limit});
  for (auto piece : pieces)
    if (!decoder.feed(piece, record)) break;
  outcome.frames = record.log;
  outcome.decoder_error = decoder.error();
  ws::Connection connection(
      {.role = role, .limits = {.max_frame_bytes = limit, .max_message_bytes = limit}});
  for (auto piece : pieces) {
    (void)connection.receive(piece);
    // Events taken after every piece, as a server loop does.
    while (auto event = connection.next_event())
      outcome.events += std::to_string(static_cast<int>(event->kind)) + ":" +
                        std::to_string(event->close_code) + ":" + event->payload + "|";
  }
  outcome.output = connection.take_output();
  outcome.state = connection.state();
  outcome.connection_error = connection.error();
  return outcome;
}

std::string describe(const Outcome& o) {
  return "frames: " + fuzz::escape(o.frames, 200) + "\nevents: " + fuzz::escape(o.events, 200) +
         "\nstate: " + std::string(ws::state_name(o.state)) +
         "\nerror: " + (o.connection_error ? o.connection_error->to_string() : "none");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  const std::uint8_t options = input.byte();
  const std::uint8_t splits = input.byte();
  const ws::Role role = (options & 1) ? ws::Role::client : ws::Role::server;
  constexpr std::uint64_t kLimits[] = {125, 1024, 64 * 1024, 16 * 1024 * 1024};
  const std::uint64_t limit = kLimits[(options >> 1) & 3];
  std::vector<std::size_t> offsets;
  for (int i = 0; i < (splits & 0x3f); ++i)
    offsets.push_back(input.u16());
  const std::string_view stream = input.rest();
  const Outcome whole = run({stream}, role, limit);
  const std::vector<std::string_view> pieces = fuzz::split_at(stream, offsets);
  const Outcome split = run(pieces, role, limit);
  if (!(split == whole))
    fuzz::property_failed("ws_frame_fuzzer", "split changes the outcome",
                          "whole:\n" + describe(whole) + "\nsplit:\n" + describe(split));
  if (options & 8) {
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < stream.size(); ++i)
      bytes.push_back(stream.substr(i, 1));
    const Outcome one = run(bytes, role, limit);
    if (!(one == whole))
      fuzz::property_failed("ws_frame_fuzzer", "byte-by-byte changes the outcome",
                            "whole:\n" + describe(whole) + "\nbytes:\n" + describe(one));
  }
  // An error names a byte that was fed.
  if (whole.connection_error && whole.connection_error->offset >= stream.size())
    fuzz::property_failed("ws_frame_fuzzer", "error offset past the stream",
                          whole.connection_error->to_string());
  return 0;
}
