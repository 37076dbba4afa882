// targets/ws/frame.h: WebSocket frames (RFC 6455 section 5): the header,
// an encoder, and an incremental decoder that checks every header rule.
//
//   std::string bytes = ws::encode_frame({.opcode = ws::Opcode::text, .masked = true,
//                                         .mask = 0x37fa213d}, "Hello");
//   ws::FrameDecoder decoder({.role = ws::Role::server});   // frames from a client
//   auto fed = decoder.feed(bytes, sink);  // sink gets header, payload pieces, end
//   if (!fed) fed.error().to_string();     // "protocol_error (1002) at byte 1: ..."
//
// The decoder streams: payload reaches the sink unmasked, piece by piece, as
// it arrives, so a text message can be validated (and failed) before its
// frame is complete. Each header rule is checked at the byte that decides it,
// so an error names the same byte however the stream was split:
//   byte 0: RSV bits set (no extension negotiated), reserved opcode,
//           fragmented control frame (FIN clear);
//   byte 1: mask bit wrong for the sender's role, control payload > 125;
//   last length byte: length not in its minimal form, 64-bit length with the
//           most significant bit set, frame over the size limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "targets/net/error.h"

namespace faultline::ws {

// Role: which end of the connection this side is. Clients mask every frame
// they send; servers never mask.
enum class Role { client, server };

// Opcode: the 4-bit frame type.
enum class Opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};
std::string_view opcode_name(Opcode opcode);
inline bool is_control(Opcode opcode) {
  return (static_cast<std::uint8_t>(opcode) & 0x8) != 0;
}

// CloseCode: status codes of a close frame (RFC 6455 section 7.4).
namespace close_code {
inline constexpr std::uint16_t kNormal = 1000;
inline constexpr std::uint16_t kGoingAway = 1001;
inline constexpr std::uint16_t kProtocolError = 1002;
inline constexpr std::uint16_t kUnsupportedData = 1003;
inline constexpr std::uint16_t kNoStatus = 1005;  // never sent: "no code in the frame"
inline constexpr std::uint16_t kAbnormal = 1006;  // never sent: "no close frame at all"
inline constexpr std::uint16_t kInvalidPayload = 1007;
inline constexpr std::uint16_t kPolicyViolation = 1008;
inline constexpr std::uint16_t kMessageTooBig = 1009;
inline constexpr std::uint16_t kMandatoryExtension = 1010;
inline constexpr std::uint16_t kInternalError = 1011;
}  // namespace close_code

// valid_close_code: a code that may appear in a close frame: 1000-1003,
// 1007-1011 (and 1012-1014, registered since), 3000-4999. Not 1004-1006,
// 1015, below 1000 or 1016-2999.
bool valid_close_code(std::uint16_t code);

// kMaxControlPayload: control frames carry at most this many bytes.
inline constexpr std::size_t kMaxControlPayload = 125;

// FrameHeader: the decoded header of one frame.
struct FrameHeader {
  bool fin = true;
  std::uint8_t rsv = 0;  // RSV1..RSV3 as bits 2..0
  Opcode opcode = Opcode::text;
  bool masked = false;
  std::uint32_t mask = 0;  // big-endian key as on the wire
  std::uint64_t length = 0;
  friend bool operator==(const FrameHeader&, const FrameHeader&) = default;
};

// encode_frame serialises one frame: header (the minimal length form) and
// the payload, masked with header.mask when header.masked. header.length is
// ignored: the payload's size is used. No rule is checked, so tests can
// build hostile frames with it (use Connection to send correct ones).
std::string encode_frame(FrameHeader header, std::string_view payload);
// encode_frame_header writes just the header for a payload of `length` bytes.
std::string encode_frame_header(const FrameHeader& header);

// apply_mask XORs `bytes` with the 4-byte key, starting at key byte
// `key_offset % 4`: masking and unmasking are the same operation.
void apply_mask(char* bytes, std::size_t size, std::uint32_t mask, std::size_t key_offset = 0);

// ProtocolError: why a connection must fail, the close code to send, and the
// stream offset of the byte that showed it.
struct ProtocolError {
  std::uint16_t close_code = close_code::kProtocolError;
  std::string reason{};
  std::uint64_t offset = 0;

  // to_string: "protocol_error (1002) at byte 1: unmasked frame from a client".
  std::string to_string() const;
  friend bool operator==(const ProtocolError&, const ProtocolError&) = default;
};
std::string_view close_code_name(std::uint16_t code);
// to_net_error: 1009 becomes too_large, everything else bad_data.
net::Error to_net_error(const ProtocolError& error);

using DecodeResult = tl::expected<void, ProtocolError>;

// FrameSink: what a FrameDecoder reports. A sink may refuse a header or a
// payload piece by returning an error; decoding stops there for good.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // on_frame_header: a complete header; `offset` is the stream offset of its
  // first byte.
  virtual DecodeResult on_frame_header(const FrameHeader& header, std::uint64_t offset) = 0;
  // on_frame_payload: the next unmasked payload bytes; `offset` is the
  // stream offset of payload[0]. Never called with an empty piece.
  virtual DecodeResult on_frame_payload(std::string_view payload, std::uint64_t offset) = 0;
  // on_frame_end: the frame's last payload byte arrived (also for length 0).
  virtual DecodeResult on_frame_end() = 0;
};

// DecoderOptions: who sends the frames being decoded, and the size limit.
struct DecoderOptions {
  // role: this side. A server decodes client frames (which must be masked),
  // a client server frames (which must not be).
  Role role = Role::server;
  std::uint64_t max_frame_bytes = 16 * 1024 * 1024;  // payload bytes; over: 1009
  // allowed_rsv: RSV bits an extension negotiated; none by default.
  std::uint8_t allowed_rsv = 0;
};

// FrameDecoder: bytes in, frames out to a FrameSink. Errors are sticky.
class FrameDecoder {
 public:
  explicit FrameDecoder(DecoderOptions options = {}) : options_(options) {}
  // feed decodes `bytes`; on error nothing after the bad byte is looked at.
  DecodeResult feed(std::string_view bytes, FrameSink& sink);
  // in_frame: some bytes of a frame were read but not all of it.
  bool in_frame() const { return header_size_ > 0 || in_payload_; }
  std::uint64_t bytes_fed() const { return offset_; }
  const std::optional<ProtocolError>& error() const { return error_; }

 private:
  DecodeResult fail(std::uint16_t code, std::string reason, std::uint64_t offset);
  DecodeResult header_byte(char byte, FrameSink& sink);
  // keep: a sink's refusal becomes the decoder's sticky error.
  DecodeResult keep(DecodeResult result);

  DecoderOptions options_;
  std::uint64_t offset_ = 0;
  unsigned char header_[14] = {};
  std::size_t header_size_ = 0;
  std::size_t header_needed_ = 2;
  std::uint64_t frame_start_ = 0;
  FrameHeader header_value_{};
  bool in_payload_ = false;
  std::uint64_t payload_left_ = 0;
  std::uint64_t payload_done_ = 0;
  std::optional<ProtocolError> error_;
};

}  // namespace faultline::ws
