#include "targets/ws/frame.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace faultline::ws {
namespace {

// RecordingSink: frames as (header, whole payload).
struct RecordingSink final : FrameSink {
  std::vector<std::pair<FrameHeader, std::string>> frames;
  std::string current;
  DecodeResult on_frame_header(const FrameHeader& header, std::uint64_t) override {
    frames.push_back({header, {}});
    return {};
  }
  DecodeResult on_frame_payload(std::string_view payload, std::uint64_t) override {
    frames.back().second.append(payload);
    return {};
  }
  DecodeResult on_frame_end() override { return {}; }
};

std::string hex(std::string_view text) {
  std::string out;
  for (unsigned char c : text)
    out += "0123456789abcdef"[c >> 4], out += "0123456789abcdef"[c & 15];
  return out;
}

TEST(EncodeFrame, Rfc6455Examples) {
  // RFC 6455 section 5.7.
  EXPECT_EQ(hex(encode_frame({.opcode = Opcode::text}, "Hello")), "810548656c6c6f");
  EXPECT_EQ(
      hex(encode_frame({.opcode = Opcode::text, .masked = true, .mask = 0x37fa213d}, "Hello")),
      "818537fa213d7f9f4d5158");
  EXPECT_EQ(hex(encode_frame({.fin = false, .opcode = Opcode::text}, "Hel")), "010348656c");
  EXPECT_EQ(hex(encode_frame({.opcode = Opcode::continuation}, "lo")), "80026c6f");
  EXPECT_EQ(hex(encode_frame({.opcode = Opcode::ping}, "Hello")), "890548656c6c6f");
  EXPECT_EQ(hex(encode_frame({.opcode = Opcode::binary}, std::string(256, 'x')).substr(0, 4)),
            "827e0100");
  EXPECT_EQ(hex(encode_frame({.opcode = Opcode::binary}, std::string(65536, 'x')).substr(0, 10)),
            "827f0000000000010000");
}

TEST(FrameDecoder, LengthsRoundTripInEveryFormMaskedAndNot) {
  for (Role role : {Role::server, Role::client}) {
    for (std::size_t size : {0, 1, 125, 126, 127, 65535, 65536, 70000}) {
      std::string payload(size, '\0');
      for (std::size_t i = 0; i < size; ++i)
        payload[i] = static_cast<char>(i * 31 + 7);
      FrameHeader header{
          .opcode = Opcode::binary, .masked = role == Role::server, .mask = 0xA1B2C3D4};
      RecordingSink sink;
      FrameDecoder decoder({.role = role});
      ASSERT_TRUE(decoder.feed(encode_frame(header, payload), sink)) << size;
      ASSERT_EQ(sink.frames.size(), 1u);
      EXPECT_EQ(sink.frames[0].first.length, size);
      EXPECT_EQ(sink.frames[0].second, payload) << size;
      EXPECT_FALSE(decoder.in_frame());
    }
  }
}

TEST(FrameDecoder, ByteByByteGivesTheSameFrames) {
  std::string stream =
      encode_frame({.fin = false, .opcode = Opcode::text, .masked = true, .mask = 1}, "Hel") +
      encode_frame({.opcode = Opcode::ping, .masked = true, .mask = 0xdeadbeef}, "p") +
      encode_frame({.opcode = Opcode::continuation, .masked = true, .mask = 77},
                   std::string(300, 'l')) +
      encode_frame({.opcode = Opcode::close, .masked = true, .mask = 5}, "\x03\xe8");
  RecordingSink whole;
  ASSERT_TRUE(FrameDecoder({.role = Role::server}).feed(stream, whole));
  RecordingSink pieces;
  FrameDecoder decoder({.role = Role::server});
  for (char c : stream)
    ASSERT_TRUE(decoder.feed(std::string_view(&c, 1), pieces));
  ASSERT_EQ(whole.frames.size(), 4u);
  EXPECT_EQ(pieces.frames, whole.frames);
  EXPECT_EQ(whole.frames[2].second, std::string(300, 'l'));
}

struct HeaderErrorCase {
  std::string name;
  Role role;
  std::string bytes;
  std::uint16_t code;
  std::uint64_t offset;
};

class HeaderErrorTest : public testing::TestWithParam<HeaderErrorCase> {};

TEST_P(HeaderErrorTest, FailsAtTheDecidingByteHoweverSplit) {
  const auto& c = GetParam();
  for (std::size_t cut = 0; cut <= c.bytes.size(); ++cut) {
    RecordingSink sink;
    FrameDecoder decoder({.role = c.role, .max_frame_bytes = 1 << 20});
    auto first = decoder.feed(std::string_view(c.bytes).substr(0, cut), sink);
    auto result = first ? decoder.feed(std::string_view(c.bytes).substr(cut), sink) : first;
    ASSERT_FALSE(result) << c.name << " cut " << cut;
    EXPECT_EQ(result.error().close_code, c.code) << c.name << ": " << result.error().to_string();
    EXPECT_EQ(result.error().offset, c.offset) << c.name << ": " << result.error().to_string();
    // Sticky.
    EXPECT_EQ(decoder.feed("\x81\x80", sink).error(), result.error());
  }
}

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values)
    out.push_back(static_cast<char>(v));
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    Table, HeaderErrorTest,
    testing::Values(
        HeaderErrorCase{"rsv1", Role::client, bytes({0xC1, 0x00}), 1002, 0},
        HeaderErrorCase{"rsv3", Role::client, bytes({0x91, 0x00}), 1002, 0},
        HeaderErrorCase{"opcode_3", Role::client, bytes({0x83, 0x00}), 1002, 0},
        HeaderErrorCase{"opcode_b", Role::client, bytes({0x8B, 0x00}), 1002, 0},
        HeaderErrorCase{"fragmented_ping", Role::client, bytes({0x09, 0x00}), 1002, 0},
        HeaderErrorCase{"fragmented_close", Role::client, bytes({0x08, 0x00}), 1002, 0},
        HeaderErrorCase{"unmasked_from_client", Role::server, bytes({0x81, 0x05}), 1002, 1},
        HeaderErrorCase{"masked_from_server", Role::client, bytes({0x81, 0x85}), 1002, 1},
        HeaderErrorCase{"ping_126", Role::client, bytes({0x89, 0x7E, 0x00, 0x7E}), 1002, 1},
        HeaderErrorCase{"non_minimal_16", Role::client, bytes({0x82, 0x7E, 0x00, 0x7D}), 1002, 3},
        HeaderErrorCase{"non_minimal_64", Role::client,
                        bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF}), 1002, 9},
        HeaderErrorCase{"msb_64", Role::client, bytes({0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 1}),
                        1002, 9},
        HeaderErrorCase{"over_limit", Role::client, bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0x20, 0, 0}),
                        1009, 9},
        HeaderErrorCase{"over_limit_masked", Role::server,
                        bytes({0x82, 0xFF, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4}), 1009, 9}),
    [](const auto& info) { return info.param.name; });

TEST(ApplyMask, MatchesByteWiseXorAtEveryKeyOffset) {
  std::string data(37, '\0');
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<char>(i);
  const std::uint32_t mask = 0x01020304;
  for (std::size_t key_offset = 0; key_offset < 4; ++key_offset) {
    std::string masked = data;
    apply_mask(masked.data(), masked.size(), mask, key_offset);
    for (std::size_t i = 0; i < data.size(); ++i) {
      const int key = (mask >> (8 * (3 - (key_offset + i) % 4))) & 0xFF;
      EXPECT_EQ(static_cast<unsigned char>(masked[i]), (i ^ key) & 0xFF);
    }
  }
}

TEST(CloseCodes, ValidityFollowsTheRegistry) {
  for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999})
    EXPECT_TRUE(valid_close_code(static_cast<std::uint16_t>(code))) << code;
  for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
    EXPECT_FALSE(valid_close_code(static_cast<std::uint16_t>(code))) << code;
}

TEST(ProtocolError, NamesCodeByteAndReason) {
  ProtocolError error{1002, "unmasked frame from a client", 1};
  EXPECT_EQ(error.to_string(), "protocol_error (1002) at byte 1: unmasked frame from a client");
  EXPECT_EQ(to_net_error(error).kind, net::ErrorKind::bad_data);
  EXPECT_EQ(to_net_error({1009, "big", 9}).kind, net::ErrorKind::too_large);
}

}  // namespace
}  // namespace faultline::ws
