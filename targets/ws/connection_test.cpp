#include "targets/ws/connection.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace faultline::ws {
namespace {

// A frame as a client sends it (masked).
std::string client_frame(Opcode opcode, std::string_view payload, bool fin = true,
                         std::uint32_t mask = 0x11223344) {
  return encode_frame({.fin = fin, .opcode = opcode, .masked = true, .mask = mask}, payload);
}

std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
  return encode_close_payload(code, reason);
}

// Outcome: everything a connection did with a stream, to compare splits.
struct Outcome {
  std::vector<std::string> events;  // "message text Hello", "ping p", "close 1000 bye"
  std::string output;
  State state = State::open;
  std::optional<ProtocolError> error;
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

Outcome run(Role role, const std::vector<std::string_view>& pieces,
            ConnectionOptions options = {}) {
  options.role = role;
  Connection connection(options);
  Outcome outcome;
  for (auto piece : pieces) {
    (void)connection.receive(piece);
    while (auto event = connection.next_event()) {
      switch (event->kind) {
        case EventKind::message:
          outcome.events.push_back("message " + std::string(opcode_name(event->opcode)) + " " +
                                   event->payload);
          break;
        case EventKind::ping:
          outcome.events.push_back("ping " + event->payload);
          break;
        case EventKind::pong:
          outcome.events.push_back("pong " + event->payload);
          break;
        case EventKind::close:
          outcome.events.push_back("close " + std::to_string(event->close_code) + " " +
                                   event->close_reason);
          break;
      }
    }
  }
  outcome.output = connection.take_output();
  outcome.state = connection.state();
  outcome.error = connection.error();
  return outcome;
}

Outcome run_whole(std::string_view stream, ConnectionOptions options = {}) {
  return run(Role::server, {stream}, options);
}

// Every split into single bytes and every two-piece split give the same outcome.
void expect_split_invariant(std::string_view stream, ConnectionOptions options = {}) {
  const Outcome whole = run_whole(stream, options);
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < stream.size(); ++i)
    bytes.push_back(stream.substr(i, 1));
  EXPECT_EQ(run(Role::server, bytes, options), whole) << "byte by byte";
  for (std::size_t cut = 0; cut <= stream.size(); ++cut)
    EXPECT_EQ(run(Role::server, {stream.substr(0, cut), stream.substr(cut)}, options), whole)
        << "cut at " << cut;
}

TEST(Connection, DeliversTextAndBinaryMessages) {
  auto outcome = run_whole(client_frame(Opcode::text, "Hello") +
                           client_frame(Opcode::binary, std::string("\0\xff", 2)));
  ASSERT_EQ(outcome.events.size(), 2u);
  EXPECT_EQ(outcome.events[0], "message text Hello");
  EXPECT_EQ(outcome.events[1], std::string("message binary \0\xff", 17));
  EXPECT_EQ(outcome.state, State::open);
  EXPECT_TRUE(outcome.output.empty());
}

TEST(Connection, ReassemblesFragmentsWithControlFramesBetween) {
  std::string stream = client_frame(Opcode::text, "fr", false) + client_frame(Opcode::ping, "p") +
                       client_frame(Opcode::continuation, "ag", false) +
                       client_frame(Opcode::continuation, "ment");
  auto outcome = run_whole(stream);
  EXPECT_EQ(outcome.events, (std::vector<std::string>{"ping p", "message text fragment"}));
  EXPECT_EQ(outcome.output, encode_frame({.opcode = Opcode::pong}, "p"));
  expect_split_invariant(stream);
}

TEST(Connection, AcceptsACharacterSplitAcrossFrames) {
  // "€" is E2 82 AC: split over three frames.
  std::string stream = client_frame(Opcode::text, "\xE2", false) +
                       client_frame(Opcode::continuation, "\x82", false) +
                       client_frame(Opcode::continuation, "\xAC");
  auto outcome = run_whole(stream);
  EXPECT_EQ(outcome.events, (std::vector<std::string>{"message text \xE2\x82\xAC"}));
  expect_split_invariant(stream);
}

TEST(Connection, FailsFastOnInvalidUtf8BeforeTheFrameEnds) {
  // The header promises 10 bytes; the 3rd is invalid: fail with only 3 sent.
  std::string frame = client_frame(Opcode::text, "ab\xC0xxxxxxx");
  Connection connection({.role = Role::server});
  auto result = connection.receive(std::string_view(frame).substr(0, 6 + 3));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().close_code, 1007);
  EXPECT_EQ(result.error().offset, 6u + 2u);
  EXPECT_EQ(connection.state(), State::failed);
  EXPECT_EQ(connection.take_output().substr(0, 4), std::string("\x88\x21\x03\xef", 4));
  expect_split_invariant(frame);
}

TEST(Connection, FailsATextMessageEndingInsideACharacter) {
  std::string stream =
      client_frame(Opcode::text, "a\xE2\x82", false) + client_frame(Opcode::continuation, "");
  auto outcome = run_whole(stream);
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->close_code, 1007);
  EXPECT_EQ(outcome.error->offset, stream.size() - 1);
  expect_split_invariant(stream);
}

TEST(Connection, BinaryMessagesAreNotUtf8Checked) {
  auto outcome = run_whole(client_frame(Opcode::binary, "\xC0\xFF"));
  EXPECT_FALSE(outcome.error);
  EXPECT_EQ(outcome.events.size(), 1u);
}

struct FailureCase {
  std::string name;
  std::string stream;
  std::uint16_t code;
};

class ConnectionFailureTest : public testing::TestWithParam<FailureCase> {};

TEST_P(ConnectionFailureTest, ClosesWithTheRightCodeHoweverSplit) {
  const auto& c = GetParam();
  auto outcome =
      run_whole(c.stream, {.limits = {.max_frame_bytes = 1000, .max_message_bytes = 2000}});
  ASSERT_TRUE(outcome.error) << c.name;
  EXPECT_EQ(outcome.error->close_code, c.code) << outcome.error->to_string();
  EXPECT_EQ(outcome.state, State::failed);
  // The close frame we sent carries the code.
  ASSERT_GE(outcome.output.size(), 4u);
  EXPECT_EQ(static_cast<unsigned char>(outcome.output[0]), 0x88);
  EXPECT_EQ((static_cast<unsigned char>(outcome.output[2]) << 8) |
                static_cast<unsigned char>(outcome.output[3]),
            c.code);
  expect_split_invariant(c.stream,
                         {.limits = {.max_frame_bytes = 1000, .max_message_bytes = 2000}});
}

INSTANTIATE_TEST_SUITE_P(
    Table, ConnectionFailureTest,
    testing::Values(
        FailureCase{"continuation_first", client_frame(Opcode::continuation, "x"), 1002},
        FailureCase{"text_inside_fragmented",
                    client_frame(Opcode::text, "a", false) + client_frame(Opcode::text, "b"), 1002},
        FailureCase{"binary_inside_fragmented",
                    client_frame(Opcode::binary, "a", false) + client_frame(Opcode::binary, "b"),
                    1002},
        FailureCase{"close_one_byte", client_frame(Opcode::close, "\x03"), 1002},
        FailureCase{"close_code_999", client_frame(Opcode::close, close_payload(999)), 1002},
        FailureCase{"close_code_1004", client_frame(Opcode::close, close_payload(1004)), 1002},
        FailureCase{"close_code_1005", client_frame(Opcode::close, "\x03\xed"), 1002},
        FailureCase{"close_code_1006", client_frame(Opcode::close, close_payload(1006)), 1002},
        FailureCase{"close_code_1015", client_frame(Opcode::close, close_payload(1015)), 1002},
        FailureCase{"close_code_1016", client_frame(Opcode::close, close_payload(1016)), 1002},
        FailureCase{"close_code_2999", client_frame(Opcode::close, close_payload(2999)), 1002},
        FailureCase{"close_code_5000", client_frame(Opcode::close, close_payload(5000)), 1002},
        FailureCase{"close_reason_invalid_utf8",
                    client_frame(Opcode::close, close_payload(1000) + "\xCE\xBA\xED\xA0\x80"),
                    1007},
        FailureCase{"frame_over_limit", client_frame(Opcode::binary, std::string(1001, 'x')), 1009},
        FailureCase{"message_over_limit",
                    client_frame(Opcode::binary, std::string(1000, 'x'), false) +
                        client_frame(Opcode::continuation, std::string(1000, 'x'), false) +
                        client_frame(Opcode::continuation, "x"),
                    1009},
        FailureCase{"unmasked", encode_frame({.opcode = Opcode::text}, "x"), 1002},
        FailureCase{"rsv2", std::string("\xA1\x80\0\0\0\0", 6), 1002},
        FailureCase{"fragmented_ping", client_frame(Opcode::ping, "x", false), 1002}),
    [](const auto& info) { return info.param.name; });

TEST(Connection, AnswersACloseAndIgnoresWhatFollows) {
  std::string stream = client_frame(Opcode::close, close_payload(1000, "bye")) +
                       client_frame(Opcode::text, "after") + "\xFF\xFF garbage";
  auto outcome = run_whole(stream);
  EXPECT_EQ(outcome.events, (std::vector<std::string>{"close 1000 bye"}));
  EXPECT_EQ(outcome.state, State::closed);
  EXPECT_FALSE(outcome.error);
  EXPECT_EQ(outcome.output, encode_frame({.opcode = Opcode::close}, close_payload(1000)));
  expect_split_invariant(stream);
}

TEST(Connection, MessagesBeforeACloseAreAnsweredBeforeTheCloseReply) {
  Connection connection({.role = Role::server});
  ASSERT_TRUE(connection.receive(client_frame(Opcode::text, "one") +
                                 client_frame(Opcode::close, close_payload(1000))));
  EXPECT_TRUE(connection.output().empty());  // nothing until the events are taken
  auto message = connection.next_event();
  ASSERT_TRUE(message);
  connection.send_text(message->payload);  // the echo
  EXPECT_EQ(connection.next_event()->kind, EventKind::close);
  EXPECT_EQ(connection.take_output(),
            encode_frame({.opcode = Opcode::text}, "one") +
                encode_frame({.opcode = Opcode::close}, close_payload(1000)));
  EXPECT_EQ(connection.state(), State::closed);
}

TEST(Connection, MessagesBeforeAViolationAreAnsweredBeforeTheFailure) {
  Connection connection({.role = Role::server});
  auto result = connection.receive(client_frame(Opcode::text, "good") +
                                   encode_frame({.opcode = Opcode::text}, "unmasked"));
  ASSERT_FALSE(result);
  EXPECT_TRUE(connection.error());
  auto good = connection.next_event();
  ASSERT_TRUE(good);
  connection.send_text(good->payload);
  EXPECT_FALSE(connection.next_event());
  EXPECT_EQ(connection.state(), State::failed);
  std::string output = connection.take_output();
  EXPECT_EQ(output.substr(0, 6), encode_frame({.opcode = Opcode::text}, "good"));
  EXPECT_EQ(static_cast<unsigned char>(output[6]), 0x88);
}

TEST(Connection, EmptyCloseIsAnsweredWithAnEmptyClose) {
  auto outcome = run_whole(client_frame(Opcode::close, ""));
  EXPECT_EQ(outcome.events, (std::vector<std::string>{"close 1005 "}));
  EXPECT_EQ(outcome.output, encode_frame({.opcode = Opcode::close}, ""));
}

TEST(Connection, OurCloseThenThePeersCloses) {
  Connection connection({.role = Role::server});
  connection.close(1001, "going");
  EXPECT_EQ(connection.state(), State::closing);
  EXPECT_EQ(connection.take_output(),
            encode_frame({.opcode = Opcode::close}, close_payload(1001, "going")));
  connection.send_text("not after close");
  EXPECT_TRUE(connection.output().empty());
  ASSERT_TRUE(connection.receive(client_frame(Opcode::text, "late") +
                                 client_frame(Opcode::close, close_payload(1001))));
  EXPECT_EQ(connection.next_event()->payload, "late");
  EXPECT_EQ(connection.next_event()->kind, EventKind::close);
  EXPECT_EQ(connection.state(), State::closed);
  EXPECT_TRUE(connection.output().empty());  // no second close
  EXPECT_EQ(connection.peer_close_code(), 1001);
}

TEST(Connection, ClientMasksEverythingItSends) {
  Connection client({.role = Role::client, .mask_seed = 42});
  client.send(Opcode::text, "Hello, fragments", 5);
  client.send_ping("p");
  client.close();
  std::string wire = client.take_output();
  Connection server({.role = Role::server});
  ASSERT_TRUE(server.receive(wire));
  auto message = server.next_event();
  ASSERT_TRUE(message);
  EXPECT_EQ(message->payload, "Hello, fragments");
  EXPECT_EQ(server.next_event()->kind, EventKind::ping);
  EXPECT_EQ(server.next_event()->kind, EventKind::close);
  // The same seed gives the same bytes.
  Connection again({.role = Role::client, .mask_seed = 42});
  again.send(Opcode::text, "Hello, fragments", 5);
  again.send_ping("p");
  again.close();
  EXPECT_EQ(again.take_output(), wire);
}

TEST(Connection, ServerFramesAreUnmaskedAndAClientRefusesMaskedOnes) {
  Connection server({.role = Role::server});
  server.send_text("hi");
  Connection client({.role = Role::client});
  ASSERT_TRUE(client.receive(server.take_output()));
  EXPECT_EQ(client.next_event()->payload, "hi");
  auto masked = client.receive(client_frame(Opcode::text, "x"));
  ASSERT_FALSE(masked);
  EXPECT_EQ(masked.error().close_code, 1002);
}

TEST(Connection, CloseReasonIsCutAtACharacterBoundary) {
  std::string reason;
  for (int i = 0; i < 50; ++i)
    reason += "€";  // 150 bytes
  std::string payload = encode_close_payload(1000, reason);
  EXPECT_LE(payload.size(), 125u);
  EXPECT_FALSE(first_invalid_utf8(std::string_view(payload).substr(2)));
}

TEST(Connection, TooManyUntakenEventsFailWithPolicyViolation) {
  std::string stream;
  for (int i = 0; i < 5; ++i)
    stream += client_frame(Opcode::pong, "x");
  auto outcome = run_whole(stream, {.limits = {.max_queued_events = 3}, .auto_pong = false});
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->close_code, 1008);
}

}  // namespace
}  // namespace faultline::ws
