#include "targets/ws/frame.h"

#include <algorithm>
#include <cstring>

#include <fmt/core.h>

namespace faultline::ws {

std::string_view opcode_name(Opcode opcode) {
  switch (opcode) {
    case Opcode::continuation:
      return "continuation";
    case Opcode::text:
      return "text";
    case Opcode::binary:
      return "binary";
    case Opcode::close:
      return "close";
    case Opcode::ping:
      return "ping";
    case Opcode::pong:
      return "pong";
  }
  return "reserved";
}

bool valid_close_code(std::uint16_t code) {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

std::string_view close_code_name(std::uint16_t code) {
  switch (code) {
    case close_code::kNormal:
      return "normal";
    case close_code::kGoingAway:
      return "going_away";
    case close_code::kProtocolError:
      return "protocol_error";
    case close_code::kUnsupportedData:
      return "unsupported_data";
    case close_code::kNoStatus:
      return "no_status";
    case close_code::kAbnormal:
      return "abnormal";
    case close_code::kInvalidPayload:
      return "invalid_payload";
    case close_code::kPolicyViolation:
      return "policy_violation";
    case close_code::kMessageTooBig:
      return "message_too_big";
    case close_code::kMandatoryExtension:
      return "mandatory_extension";
    case close_code::kInternalError:
      return "internal_error";
    default:
      return "close";
  }
}

std::string ProtocolError::to_string() const {
  return fmt::format("{} ({}) at byte {}: {}", close_code_name(close_code), close_code, offset,
                     reason);
}

net::Error to_net_error(const ProtocolError& error) {
  auto kind = error.close_code == close_code::kMessageTooBig ? net::ErrorKind::too_large
                                                             : net::ErrorKind::bad_data;
  return net::Error{kind, 0, "websocket: " + error.to_string()};
}

void apply_mask(char* bytes, std::size_t size, std::uint32_t mask, std::size_t key_offset) {
  unsigned char key[4] = {static_cast<unsigned char>(mask >> 24),
                          static_cast<unsigned char>(mask >> 16),
                          static_cast<unsigned char>(mask >> 8), static_cast<unsigned char>(mask)};
  std::size_t i = 0;
  // Byte by byte until the key lines up, then 8 bytes at a time.
  for (; i < size && (key_offset + i) % 4 != 0; ++i)
    bytes[i] = static_cast<char>(bytes[i] ^ key[(key_offset + i) % 4]);
  std::uint64_t wide = 0;
  unsigned char key8[8] = {key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]};
  std::memcpy(&wide, key8, 8);
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes + i, 8);
    word ^= wide;
    std::memcpy(bytes + i, &word, 8);
  }
  for (; i < size; ++i)
    bytes[i] = static_cast<char>(bytes[i] ^ key[(key_offset + i) % 4]);
}

std::string encode_frame_header(const FrameHeader& header) {
  std::string out;
  out.reserve(14);
  out.push_back(static_cast<char>((header.fin ? 0x80 : 0) | ((header.rsv & 0x7) << 4) |
                                  (static_cast<std::uint8_t>(header.opcode) & 0x0F)));
  const std::uint8_t mask_bit = header.masked ? 0x80 : 0;
  if (header.length <= 125) {
    out.push_back(static_cast<char>(mask_bit | header.length));
  } else if (header.length <= 0xFFFF) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(header.length >> 8));
    out.push_back(static_cast<char>(header.length));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>(header.length >> shift));
  }
  if (header.masked) {
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>(header.mask >> shift));
  }
  return out;
}

std::string encode_frame(FrameHeader header, std::string_view payload) {
  header.length = payload.size();
  std::string out = encode_frame_header(header);
  const std::size_t start = out.size();
  out.append(payload);
  if (header.masked) apply_mask(out.data() + start, payload.size(), header.mask);
  return out;
}

DecodeResult FrameDecoder::fail(std::uint16_t code, std::string reason, std::uint64_t offset) {
  error_ = ProtocolError{code, std::move(reason), offset};
  return tl::unexpected(*error_);
}

DecodeResult FrameDecoder::header_byte(char byte, FrameSink& sink) {
  const std::uint64_t at = offset_;
  if (header_size_ == 0) frame_start_ = at;
  header_[header_size_++] = static_cast<unsigned char>(byte);
  ++offset_;
  if (header_size_ == 1) {
    const std::uint8_t b0 = header_[0];
    const std::uint8_t rsv = (b0 >> 4) & 0x7;
    const std::uint8_t op = b0 & 0x0F;
    if (rsv & ~options_.allowed_rsv)
      return fail(close_code::kProtocolError,
                  fmt::format("reserved bits set (RSV {:03b}) with no extension negotiated", rsv),
                  at);
    if (!(op <= 2 || (op >= 8 && op <= 10)))
      return fail(close_code::kProtocolError, fmt::format("reserved opcode 0x{:X}", op), at);
    if ((op & 0x8) && !(b0 & 0x80))
      return fail(close_code::kProtocolError,
                  fmt::format("fragmented control frame ({} without FIN)",
                              opcode_name(static_cast<Opcode>(op))),
                  at);
    header_value_ = FrameHeader{};
    header_value_.fin = (b0 & 0x80) != 0;
    header_value_.rsv = rsv;
    header_value_.opcode = static_cast<Opcode>(op);
    return {};
  }
  if (header_size_ == 2) {
    const std::uint8_t b1 = header_[1];
    header_value_.masked = (b1 & 0x80) != 0;
    const std::uint8_t len7 = b1 & 0x7F;
    if (options_.role == Role::server && !header_value_.masked)
      return fail(close_code::kProtocolError, "unmasked frame from a client", at);
    if (options_.role == Role::client && header_value_.masked)
      return fail(close_code::kProtocolError, "masked frame from a server", at);
    if (is_control(header_value_.opcode) && len7 > kMaxControlPayload)
      return fail(close_code::kProtocolError,
                  fmt::format("{} frame longer than 125 bytes", opcode_name(header_value_.opcode)),
                  at);
    const std::size_t length_bytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    header_needed_ = 2 + length_bytes + (header_value_.masked ? 4 : 0);
    if (length_bytes == 0) header_value_.length = len7;
  }
  const std::size_t length_bytes = (header_[1] & 0x7F) == 126   ? 2
                                   : (header_[1] & 0x7F) == 127 ? 8
                                                                : 0;
  if (header_size_ == 2 + length_bytes) {
    if (length_bytes > 0) {
      std::uint64_t length = 0;
      for (std::size_t i = 0; i < length_bytes; ++i)
        length = (length << 8) | header_[2 + i];
      if (length_bytes == 8 && (header_[2] & 0x80))
        return fail(close_code::kProtocolError,
                    "64-bit payload length with the most significant bit set", at);
      if ((length_bytes == 2 && length <= 125) || (length_bytes == 8 && length <= 0xFFFF))
        return fail(close_code::kProtocolError,
                    fmt::format("payload length {} not in its minimal form ({}-bit)", length,
                                length_bytes * 8),
                    at);
      header_value_.length = length;
    }
    if (header_value_.length > options_.max_frame_bytes)
      return fail(close_code::kMessageTooBig,
                  fmt::format("frame of {} bytes over the limit of {}", header_value_.length,
                              options_.max_frame_bytes),
                  at);
  }
  if (header_size_ < header_needed_) return {};
  if (header_value_.masked) {
    const std::size_t k = header_needed_ - 4;
    header_value_.mask = (std::uint32_t{header_[k]} << 24) | (std::uint32_t{header_[k + 1]} << 16) |
                         (std::uint32_t{header_[k + 2]} << 8) | std::uint32_t{header_[k + 3]};
  }
  header_size_ = 0;
  header_needed_ = 2;
  if (auto accepted = keep(sink.on_frame_header(header_value_, frame_start_)); !accepted)
    return accepted;
  in_payload_ = true;
  payload_left_ = header_value_.length;
  payload_done_ = 0;
  if (payload_left_ == 0) {
    in_payload_ = false;
    return keep(sink.on_frame_end());
  }
  return {};
}

DecodeResult FrameDecoder::keep(DecodeResult result) {
  if (!result) error_ = result.error();
  return result;
}

DecodeResult FrameDecoder::feed(std::string_view bytes, FrameSink& sink) {
  if (error_) return tl::unexpected(*error_);
  std::size_t i = 0;
  char scratch[4096];
  while (i < bytes.size()) {
    if (!in_payload_) {
      if (auto step = header_byte(bytes[i], sink); !step) return step;
      ++i;
      continue;
    }
    const std::size_t take = static_cast<std::size_t>(
        std::min<std::uint64_t>({payload_left_, bytes.size() - i, sizeof(scratch)}));
    std::memcpy(scratch, bytes.data() + i, take);
    if (header_value_.masked)
      apply_mask(scratch, take, header_value_.mask, static_cast<std::size_t>(payload_done_ % 4));
    const std::uint64_t at = offset_;
    offset_ += take;
    i += take;
    payload_left_ -= take;
    payload_done_ += take;
    if (auto piece = keep(sink.on_frame_payload(std::string_view(scratch, take), at)); !piece)
      return piece;
    if (payload_left_ == 0) {
      in_payload_ = false;
      if (auto ended = keep(sink.on_frame_end()); !ended) return ended;
    }
  }
  return {};
}

}  // namespace faultline::ws
