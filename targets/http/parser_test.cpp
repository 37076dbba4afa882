#include "targets/http/parser.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "targets/http/message_test_printers.h"
#include "targets/http/serialize.h"

namespace faultline::http {
namespace {

using Code = ParseErrorCode;

// ParseCase: one stream of bytes and everything the parser must make of it.
struct ParseCase {
  std::string name;  // the behaviour pinned, as a test name suffix
  MessageType type = MessageType::request;
  std::string input{};
  std::vector<Message> messages{};  // complete messages, in order (also those before an error)
  std::optional<Code> error{};
  std::string llhttp_name{};                // checked when `error` is set
  std::optional<std::uint64_t> offset{};    // checked when set
  bool finish = false;                      // call finish() after the last byte
  std::vector<std::string> responses_to{};  // expect_response_to, in order
  ParserOptions options{};
  std::string upgrade_data{};
};

void PrintTo(const ParseCase& c, std::ostream* out) {
  *out << c.name;
}

// Outcome: what a parser made of a stream, however it was split.
struct Outcome {
  std::vector<Message> messages;
  std::optional<ParseError> error;
  std::string upgrade_data;

  friend bool operator==(const Outcome&, const Outcome&) = default;
};

void PrintTo(const Outcome& outcome, std::ostream* out) {
  *out << outcome.messages.size() << " message(s)";
  for (const Message& message : outcome.messages) {
    *out << "\n  ";
    PrintTo(message, out);
  }
  if (outcome.error) *out << "\n  error: " << outcome.error->to_string();
  if (!outcome.upgrade_data.empty()) *out << "\n  upgrade data: " << outcome.upgrade_data.size();
}

// Taking: how parse_pieces takes messages. Through next_view(), each piece is
// fed from its own buffer, overwritten as soon as the parser's promise about
// it ends (after feed() without borrow_input, once the messages are taken
// with it), so a view that outlives its bytes shows up as garbage; with a
// sink, bodies are rebuilt from its pieces.
struct Taking {
  bool views = false;
  bool borrow = false;
  bool sink = false;
};

Outcome parse_pieces(const ParseCase& c, const std::vector<std::string_view>& pieces,
                     Taking taking = {}) {
  ParserOptions options = c.options;
  options.borrow_input = taking.borrow;
  Parser parser(c.type, options);
  for (const std::string& method : c.responses_to)
    parser.expect_response_to(method);
  std::string sunk;
  std::vector<std::string> sunk_bodies;
  if (taking.sink) {
    parser.set_body_sink([&](std::string_view piece, bool last) {
      sunk.append(piece);
      if (last) sunk_bodies.push_back(std::exchange(sunk, {}));
    });
  }
  Outcome outcome;
  auto take_ready = [&] {
    if (!taking.views) {
      while (std::optional<Message> message = parser.next())
        outcome.messages.push_back(*message);
      return;
    }
    while (std::optional<MessageView> view = parser.next_view()) {
      Message message = view->to_message();
      if (taking.sink) {
        EXPECT_TRUE(message.body.empty());
        message.body = sunk_bodies.at(outcome.messages.size());
      }
      EXPECT_EQ(view->body_size, message.body.size());
      outcome.messages.push_back(std::move(message));
    }
  };
  for (std::string_view piece : pieces) {
    std::string buffer(piece);
    ParseResult fed = parser.feed(taking.views ? std::string_view(buffer) : piece);
    if (!taking.borrow) std::fill(buffer.begin(), buffer.end(), '\xAA');
    take_ready();
    std::fill(buffer.begin(), buffer.end(), '\xAA');
    if (!fed) {
      outcome.error = fed.error();
      break;
    }
  }
  if (!outcome.error && c.finish) {
    ParseResult finished = parser.finish();
    take_ready();
    if (!finished) outcome.error = finished.error();
  }
  if (outcome.error) {
    // The error state is sticky: more bytes, or EOF, give the same error.
    EXPECT_EQ(parser.feed("GET / HTTP/1.1\r\n\r\n").error(), *outcome.error);
    EXPECT_EQ(parser.finish().error(), *outcome.error);
    EXPECT_EQ(parser.error(), outcome.error);
  }
  outcome.upgrade_data = parser.take_upgrade_data();
  return outcome;
}

Outcome parse_whole(const ParseCase& c) {
  return parse_pieces(c, {c.input});
}

// check_split_invariance feeds the input split at every byte boundary (first
// k bytes, then the rest) and one byte at a time: each outcome must equal the
// outcome of feeding it whole.
void check_split_invariance(const ParseCase& c, const Outcome& whole) {
  const std::string_view input = c.input;
  for (std::size_t k = 1; k < input.size(); ++k) {
    EXPECT_EQ(parse_pieces(c, {input.substr(0, k), input.substr(k)}), whole)
        << "split after byte " << k;
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < input.size(); ++i)
    bytes.push_back(input.substr(i, 1));
  EXPECT_EQ(parse_pieces(c, bytes), whole) << "one byte at a time";
}

void check_case(const ParseCase& c) {
  const Outcome whole = parse_whole(c);
  EXPECT_EQ(whole.messages, c.messages);
  if (c.error) {
    ASSERT_TRUE(whole.error.has_value()) << "expected " << code_name(*c.error);
    EXPECT_EQ(whole.error->code, *c.error) << whole.error->to_string();
    if (!c.llhttp_name.empty()) {
      EXPECT_EQ(whole.error->llhttp_name, c.llhttp_name);
    }
    if (c.offset) {
      EXPECT_EQ(whole.error->offset, *c.offset) << whole.error->to_string();
    }
  } else {
    EXPECT_FALSE(whole.error.has_value()) << whole.error->to_string();
  }
  EXPECT_EQ(whole.upgrade_data, c.upgrade_data);
  check_split_invariance(c, whole);
}

std::string case_name(const testing::TestParamInfo<ParseCase>& info) {
  return info.param.name;
}

// --- message builders for the expectations -------------------------------

Message request(std::string method, std::string target, Headers headers, std::string body = {}) {
  Message m;
  m.type = MessageType::request;
  m.method = std::move(method);
  m.target = std::move(target);
  m.headers = std::move(headers);
  m.body = std::move(body);
  m.keep_alive = true;
  if (auto length = find_header(m.headers, "Content-Length")) {
    m.content_length = std::stoull(std::string(*length));
  }
  m.chunked = has_chunked_coding(m.headers);
  return m;
}

Message response(int status, std::string reason, Headers headers, std::string body = {}) {
  Message m;
  m.type = MessageType::response;
  m.status_code = status;
  m.reason = std::move(reason);
  m.headers = std::move(headers);
  m.body = std::move(body);
  m.keep_alive = true;
  if (auto length = find_header(m.headers, "Content-Length")) {
    m.content_length = std::stoull(std::string(*length));
  }
  m.chunked = has_chunked_coding(m.headers);
  return m;
}

Message with(Message m, const std::function<void(Message&)>& change) {
  change(m);
  return m;
}

const std::string kChunkedUpload =
    "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n";
const std::string kCloseThenMore = "GET /1 HTTP/1.1\r\nConnection: close\r\n\r\n";

// --- valid streams ---------------------------------------------------------

std::vector<ParseCase> valid_cases() {
  std::vector<ParseCase> cases;
  cases.push_back({
      .name = "GetKeepsHeaderOrderCaseAndRepeats",
      .input = "GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n"
               "X-Dup: a\r\nx-dup: b\r\n\r\n",
      .messages = {request(
          "GET", "/index.html?x=1",
          {{"Host", "example.com"}, {"Accept", "*/*"}, {"X-Dup", "a"}, {"x-dup", "b"}})},
  });
  cases.push_back({
      .name = "PostBodyFollowsContentLength",
      .input = "POST /submit HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world",
      .messages = {request("POST", "/submit", {{"Host", "a"}, {"Content-Length", "11"}},
                           "hello world")},
  });
  cases.push_back({
      .name = "ChunkedBodyIsDecodedAndTrailersKept",
      .input = kChunkedUpload,
      .messages = {with(request("POST", "/upload",
                                {{"Host", "a"}, {"Transfer-Encoding", "chunked"}}, "hello world"),
                        [](Message& m) {
                          m.trailers = {{"X-Checksum", "abc"}};
                        })},
  });
  cases.push_back({
      .name = "PipelinedPairComesOutInOrder",
      .input = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
               "POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz",
      .messages = {request("GET", "/a", {{"Host", "a"}}),
                   request("POST", "/b", {{"Host", "a"}, {"Content-Length", "3"}}, "xyz")},
  });
  cases.push_back({
      .name = "Http10ClosesByDefault",
      .input = "GET / HTTP/1.0\r\n\r\n",
      .messages = {with(request("GET", "/", {}),
                        [](Message& m) {
                          m.version_minor = 0;
                          m.keep_alive = false;
                        })},
  });
  cases.push_back({
      .name = "Http10KeepAliveAllowsASecondRequest",
      .input = "GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n",
      .messages = {with(request("GET", "/1", {{"Connection", "keep-alive"}}),
                        [](Message& m) { m.version_minor = 0; }),
                   with(request("GET", "/2", {}),
                        [](Message& m) {
                          m.version_minor = 0;
                          m.keep_alive = false;
                        })},
  });
  cases.push_back({
      .name = "Http11ConnectionCloseEndsKeepAlive",
      .input = "GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
      .messages = {with(request("GET", "/", {{"Connection", "close"}}),
                        [](Message& m) { m.keep_alive = false; })},
  });
  cases.push_back({
      .name = "ValueWhitespaceIsTrimmed",
      .input = "GET / HTTP/1.1\r\nX:  a b \t\r\nEmpty:\r\n\r\n",
      .messages = {request("GET", "/", {{"X", "a b"}, {"Empty", ""}})},
  });
  cases.push_back({
      .name = "EmptyLineBeforeRequestIsIgnored",
      .input = "\r\nGET / HTTP/1.1\r\n\r\n",
      .messages = {request("GET", "/", {})},
  });
  cases.push_back({
      .name = "BodyMayHoldBareLfAndLeadingSpace",
      .input = "POST / HTTP/1.1\r\nContent-Length: 6\r\n\r\n a\n\n b",
      .messages = {request("POST", "/", {{"Content-Length", "6"}}, " a\n\n b")},
  });
  cases.push_back({
      .name = "ChunkDataMayHoldBareLf",
      .input = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n\n x\n\r\n0\r\n\r\n",
      .messages = {request("POST", "/", {{"Transfer-Encoding", "chunked"}}, "\n x\n")},
  });
  cases.push_back({
      .name = "WebSocketUpgradeHandsOverTheRest",
      .input = "GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
               "\x81\x05hello",
      .messages = {with(
          request("GET", "/chat",
                  {{"Host", "a"}, {"Connection", "Upgrade"}, {"Upgrade", "websocket"}}),
          [](Message& m) { m.upgrade = true; })},
      .upgrade_data = "\x81\x05hello",
  });
  cases.push_back({
      .name = "ConnectStartsATunnel",
      .input = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01",
      .messages = {with(request("CONNECT", "example.com:443", {{"Host", "example.com:443"}}),
                        [](Message& m) { m.upgrade = true; })},
      .upgrade_data = "\x16\x03\x01",
  });

  // Responses.
  cases.push_back({
      .name = "ResponseBodyFollowsContentLength",
      .type = MessageType::response,
      .input = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
      .messages = {response(200, "OK", {{"Content-Type", "text/plain"}, {"Content-Length", "5"}},
                            "hello")},
  });
  cases.push_back({
      .name = "ChunkedResponseIsDecoded",
      .type = MessageType::response,
      .input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      .messages = {response(200, "OK", {{"Transfer-Encoding", "chunked"}}, "abc")},
  });
  cases.push_back({
      .name = "CloseDelimitedBodyEndsAtFinish",
      .type = MessageType::response,
      .input = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the\nend",
      .messages = {with(response(200, "OK", {{"Content-Type", "text/plain"}}, "until the\nend"),
                        [](Message& m) { m.keep_alive = false; })},
      .finish = true,
  });
  cases.push_back({
      .name = "Http10ResponseBodyEndsAtFinish",
      .type = MessageType::response,
      .input = "HTTP/1.0 200 OK\r\n\r\nabc",
      .messages = {with(response(200, "OK", {}, "abc"),
                        [](Message& m) {
                          m.version_minor = 0;
                          m.keep_alive = false;
                        })},
      .finish = true,
  });
  cases.push_back({
      .name = "NoContentHasNoBodyEvenWithContentLength",
      .type = MessageType::response,
      .input = "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"
               "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
      .messages = {response(204, "No Content", {{"Content-Length", "5"}}),
                   response(200, "OK", {{"Content-Length", "2"}}, "ok")},
  });
  cases.push_back({
      .name = "NotModifiedHasNoBody",
      .type = MessageType::response,
      .input = "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"
               "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
      .messages = {response(304, "Not Modified", {{"Content-Length", "10"}}),
                   response(200, "OK", {{"Content-Length", "0"}})},
  });
  cases.push_back({
      .name = "ResponseToHeadHasNoBody",
      .type = MessageType::response,
      .input = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
               "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
      .messages = {response(200, "OK", {{"Content-Length", "5"}}),
                   response(200, "OK", {{"Content-Length", "5"}}, "hello")},
      .responses_to = {"HEAD", "GET"},
  });
  cases.push_back({
      .name = "ContinueThenFinalResponseToHead",
      .type = MessageType::response,
      .input = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
      .messages = {response(100, "Continue", {}), response(200, "OK", {{"Content-Length", "5"}})},
      .responses_to = {"HEAD"},  // the 100 does not use it up
  });
  cases.push_back({
      .name = "ContinueThenOk",
      .type = MessageType::response,
      .input = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
      .messages = {response(100, "Continue", {}),
                   response(200, "OK", {{"Content-Length", "2"}}, "ok")},
  });
  cases.push_back({
      .name = "EmptyReasonPhrase",
      .type = MessageType::response,
      .input = "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n",
      .messages = {response(404, "", {{"Content-Length", "0"}})},
  });
  cases.push_back({
      .name = "ConnectOkStartsATunnel",
      .type = MessageType::response,
      .input = "HTTP/1.1 200 Connection established\r\n\r\ntunnel bytes",
      .messages = {with(response(200, "Connection established", {}),
                        [](Message& m) { m.upgrade = true; })},
      .responses_to = {"CONNECT"},
      .upgrade_data = "tunnel bytes",
  });
  // Regressions for bugs the fuzzers found (docs/fuzzing.md, "Bugs found").
  cases.push_back({
      // KI-1: finish() right after a message that closes the connection.
      .name = "FinishAfterClosingMessageIsClean",
      .input = "GET / HTTP/1.0\r\n\r\n",
      .messages = {with(request("GET", "/", {}),
                        [](Message& m) {
                          m.version_minor = 0;
                          m.keep_alive = false;
                        })},
      .finish = true,
  });
  cases.push_back({
      .name = "TransferCodingsWithParametersAndEmptyElements",
      .type = MessageType::response,
      .input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip;level=1 , ,chunked\r\n\r\n"
               "3\r\nabc\r\n0\r\n\r\n",
      .messages = {response(200, "OK", {{"Transfer-Encoding", "gzip;level=1 , ,chunked"}}, "abc")},
  });
  // Found by http_request_fuzzer: llhttp 8.1 missed "chunked" before a
  // HTAB (optional whitespace) and read such a response to EOF.
  cases.push_back({
      .name = "ChunkedFollowedByATabIsChunked",
      .type = MessageType::response,
      .input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\t\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      .messages = {response(200, "OK", {{"Transfer-Encoding", "chunked"}}, "abc")},
  });
  cases.push_back({
      .name = "RequestChunkedFollowedByATabIsChunked",
      .input = "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked \t\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      .messages = {request("POST", "/", {{"Transfer-Encoding", "gzip, chunked"}}, "abc")},
  });
  cases.push_back({
      .name = "CrInsideABodyIsData",
      .input = "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\na\rb",
      .messages = {request("POST", "/", {{"Content-Length", "3"}}, "a\rb")},
  });
  cases.push_back({
      .name = "StatusLineWithoutReasonPhrase",
      .type = MessageType::response,
      .input = "HTTP/1.1 204\r\n\r\nHTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n",
      .messages = {response(204, "", {}), response(200, "", {{"Content-Length", "0"}})},
  });
  {
    // KI-5: with lenient_keep_alive, a Content-Length whose body was skipped
    // (HEAD) carried over into the next message's ("1" read as "51").
    ParseCase c{
        .name = "SkippedBodyLengthDoesNotCarryOver",
        .type = MessageType::response,
        .input = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n"
                 "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
        .messages = {with(response(200, "OK", {{"Content-Length", "5"}, {"Connection", "close"}}),
                          [](Message& m) { m.keep_alive = false; }),
                     response(200, "OK", {{"Content-Length", "1"}}, "x")},
        .responses_to = {"HEAD", "GET"},
    };
    c.options.lenient_keep_alive = true;
    cases.push_back(std::move(c));
  }
  return cases;
}

class ValidStream : public testing::TestWithParam<ParseCase> {};

TEST_P(ValidStream, GivesTheSameMessagesWhereverItIsSplit) {
  check_case(GetParam());
}

// Serialising a parsed message and parsing it again gives the same message.
TEST_P(ValidStream, SerializedMessagesParseBackUnchanged) {
  const ParseCase& c = GetParam();
  const Outcome whole = parse_whole(c);
  ASSERT_FALSE(whole.error.has_value());
  std::string again;
  for (const Message& message : whole.messages)
    again += serialize(message);
  ParseCase reparse = c;
  reparse.input = again + c.upgrade_data;
  EXPECT_EQ(parse_whole(reparse), whole) << again;
}

// Views (copied out with to_message) give exactly the owned messages, fed
// whole, split anywhere, or a byte at a time; with and without borrowed
// input and a body sink.
TEST_P(ValidStream, ViewsGiveTheSameMessagesWhereverItIsSplit) {
  const ParseCase& c = GetParam();
  const Outcome whole = parse_whole(c);
  const std::string_view input = c.input;
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < input.size(); ++i)
    bytes.push_back(input.substr(i, 1));
  for (bool borrow : {false, true}) {
    for (bool sink : {false, true}) {
      SCOPED_TRACE(testing::Message() << "borrow_input " << borrow << ", body sink " << sink);
      const Taking taking{.views = true, .borrow = borrow, .sink = sink};
      EXPECT_EQ(parse_pieces(c, {input}, taking), whole);
      EXPECT_EQ(parse_pieces(c, bytes, taking), whole) << "one byte at a time";
      if (borrow != sink) continue;  // every split: two of the four modes
      for (std::size_t k = 1; k < input.size(); ++k) {
        EXPECT_EQ(parse_pieces(c, {input.substr(0, k), input.substr(k)}, taking), whole)
            << "split after byte " << k;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Http, ValidStream, testing::ValuesIn(valid_cases()), case_name);

// With borrow_input, a message that arrived in one feed is viewed in place:
// its strings point into the caller's bytes (no copy).
TEST(ParserViews, BorrowedInputIsViewedInPlace) {
  const std::string input =
      "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
      "HTTP/1.1 200 OK\r\n";  // not a request: only the first message matters
  Parser parser(MessageType::request, ParserOptions{.borrow_input = true});
  (void)parser.feed(std::string_view(input).substr(0, input.find("HTTP/1.1 200")));
  std::optional<MessageView> view = parser.next_view();
  ASSERT_TRUE(view.has_value());
  auto inside = [&](std::string_view text) {
    return text.data() >= input.data() && text.data() + text.size() <= input.data() + input.size();
  };
  EXPECT_TRUE(inside(view->target));
  ASSERT_EQ(view->headers.size(), 2u);
  EXPECT_TRUE(inside(view->headers[0].name));
  EXPECT_TRUE(inside(view->headers[1].value));
  EXPECT_TRUE(inside(view->body));
  EXPECT_EQ(view->body, "hello");
  EXPECT_EQ(view->header("content-length"), "5");
}

// Without borrow_input, a message still queued when feed() returns survives
// its bytes being overwritten; a token split across feeds is joined.
TEST(ParserViews, QueuedMessagesOutliveTheFedBytes) {
  Parser parser(MessageType::request);
  std::string first = "GET /a HTTP/1.1\r\nX-Long: abc";
  std::string second = "def\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
  ASSERT_TRUE(parser.feed(first));
  std::fill(first.begin(), first.end(), '?');
  ASSERT_TRUE(parser.feed(second));
  std::fill(second.begin(), second.end(), '?');
  std::optional<MessageView> a = parser.next_view();
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->target, "/a");
  EXPECT_EQ(a->header("x-long"), "abcdef");
  std::optional<MessageView> b = parser.next_view();
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->target, "/b");
  EXPECT_FALSE(parser.next_view().has_value());
}

// A body sink gets the decoded body in order, and `last` once per message.
TEST(ParserViews, BodySinkStreamsChunkedBodies) {
  Parser parser(MessageType::response);
  std::vector<std::pair<std::string, bool>> calls;
  parser.set_body_sink(
      [&](std::string_view piece, bool last) { calls.emplace_back(std::string(piece), last); });
  ASSERT_TRUE(parser.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
                          "HTTP/1.1 204 No Content\r\n\r\n"));
  std::optional<MessageView> first = parser.next_view();
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->body.empty());
  EXPECT_EQ(first->body_size, 5u);
  const std::vector<std::pair<std::string, bool>> expected = {
      {"abc", false}, {"de", false}, {"", true}, {"", true}};
  EXPECT_EQ(calls, expected);
}

// --- invalid streams -------------------------------------------------------

std::vector<ParseCase> invalid_cases() {
  std::vector<ParseCase> cases;
  cases.push_back({.name = "UnknownMethod",
                   .input = "GXT / HTTP/1.1\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_METHOD",
                   .offset = 1});
  cases.push_back({.name = "LowerCaseMethod",
                   .input = "get / HTTP/1.1\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_METHOD",
                   .offset = 0});
  cases.push_back({.name = "MalformedVersion",
                   .input = "GET / HTTP/1.x\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_VERSION",
                   .offset = 13});
  cases.push_back({.name = "UnsupportedMinorVersion",
                   .input = "GET / HTTP/1.2\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_VERSION"});
  cases.push_back({.name = "SpaceBeforeColon",
                   .input = "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_HEADER_TOKEN",
                   .offset = 20});
  cases.push_back({.name = "TabBeforeColon",
                   .input = "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_HEADER_TOKEN",
                   .offset = 20});
  cases.push_back({.name = "EmptyHeaderName",
                   .input = "GET / HTTP/1.1\r\n: a\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_HEADER_TOKEN"});
  cases.push_back({.name = "CrGluedToHeaderName",
                   .input = "GET / HTTP/1.1\r\nX\r: a\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_HEADER_TOKEN",
                   .offset = 17});
  cases.push_back({.name = "ContentLengthWithTransferEncoding",
                   .input =
                       "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "0\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_UNEXPECTED_CONTENT_LENGTH"});
  cases.push_back({.name = "ConflictingContentLengths",
                   .input = "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_UNEXPECTED_CONTENT_LENGTH"});
  cases.push_back({.name = "NegativeContentLength",
                   .input = "POST / HTTP/1.1\r\nContent-Length: -3\r\n\r\nabc",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_CONTENT_LENGTH",
                   .offset = 33});
  cases.push_back({.name = "ContentLengthWithTrailingJunk",
                   .input = "POST / HTTP/1.1\r\nContent-Length: 3x\r\n\r\nabc",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_CONTENT_LENGTH"});
  cases.push_back({.name = "BareLfEndsRequestLine",
                   .input = "GET / HTTP/1.1\nHost: a\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_CR_EXPECTED",
                   .offset = 14});
  cases.push_back({.name = "BareLfEndsHeaderSection",
                   .input = "GET / HTTP/1.1\r\nHost: a\r\n\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_CR_EXPECTED",
                   .offset = 25});
  cases.push_back(
      {.name = "BareLfEndsChunkSizeLine",
       .input = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n",
       .error = Code::invalid,
       .offset = 48});
  cases.push_back({.name = "ObsFoldInHeaderValue",
                   .input = "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_HEADER_TOKEN",
                   .offset = 22});
  cases.push_back({.name = "WhitespaceBeforeFirstHeader",
                   .input = "GET / HTTP/1.1\r\n Host: a\r\n\r\n",
                   .error = Code::invalid,
                   .offset = 16});
  cases.push_back({.name = "InvalidChunkSize",
                   .input = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_CHUNK_SIZE",
                   .offset = 47});
  cases.push_back(
      {.name = "ChunkSizeWithHexPrefix",
       .input = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n",
       .error = Code::invalid,
       .llhttp_name = "HPE_INVALID_CHUNK_SIZE"});
  cases.push_back(
      {.name = "ChunkDataNotFollowedByCrLf",
       .input = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY0\r\n\r\n",
       .error = Code::invalid,
       .llhttp_name = "HPE_STRICT",
       .offset = 53});
  cases.push_back({.name = "ChunkedNotLastCodingInRequest",
                   .input = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_TRANSFER_ENCODING"});
  cases.push_back({.name = "NulInHeaderValue",
                   .input = std::string("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 27),
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_HEADER_TOKEN",
                   .offset = 20});
  cases.push_back({.name = "ControlCharacterInTarget",
                   .input = "GET /a\x01 HTTP/1.1\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_URL",
                   .offset = 6});
  cases.push_back({.name = "DataAfterConnectionClose",
                   .input = kCloseThenMore + "GET /2 HTTP/1.1\r\n\r\n",
                   .messages = {with(request("GET", "/1", {{"Connection", "close"}}),
                                     [](Message& m) { m.keep_alive = false; })},
                   .error = Code::invalid,
                   .llhttp_name = "HPE_CLOSED_CONNECTION",
                   .offset = kCloseThenMore.size()});
  cases.push_back({.name = "SecondPipelinedRequestInvalid",
                   .input = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nX: \x7f\r\n\r\n",
                   .messages = {request("GET", "/a", {})},
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_HEADER_TOKEN",
                   .offset = 39});
  cases.push_back({.name = "InvalidStatusCode",
                   .type = MessageType::response,
                   .input = "HTTP/1.1 2x0 OK\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_STATUS",
                   .offset = 10});
  cases.push_back({.name = "EofInsideContentLengthBody",
                   .type = MessageType::response,
                   .input = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
                   .error = Code::truncated,
                   .llhttp_name = "HPE_INVALID_EOF_STATE",
                   .offset = 42,
                   .finish = true});
  cases.push_back({.name = "EofInsideHeaders",
                   .input = "GET / HTTP/1.1\r\nHost: a\r\n",
                   .error = Code::truncated,
                   .offset = 25,
                   .finish = true});
  // Regressions for bugs the fuzzers found (docs/fuzzing.md, "Bugs found").
  // KI-7: loose llhttp took a bare CR for a line end and skipped the byte
  // after it; the error is at that byte.
  cases.push_back({.name = "BareCrHidesContentLength",
                   .input = "GET / HTTP/1.1\r\nX: \rContent-Length: 5\r\n\r\nhello",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_LF_EXPECTED",
                   .offset = 20});
  cases.push_back({.name = "BareCrEndsHeaderSection",
                   .input = "GET / HTTP/1.1\r\nHost: a\r\n\rXGET /x HTTP/1.1\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_LF_EXPECTED",
                   .offset = 26});
  cases.push_back({.name = "BareCrAfterEmptyValue",
                   .input = "GET / HTTP/1.1\r\nX:\rY\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_LF_EXPECTED",
                   .offset = 19});
  cases.push_back(
      {.name = "BareCrEndsChunkSizeLine",
       .input = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\rXabc\r\n0\r\n\r\n",
       .error = Code::invalid,
       .llhttp_name = "HPE_LF_EXPECTED",
       .offset = 49});
  cases.push_back({.name = "BareCrBeforeARequest",
                   .input = "\rGET / HTTP/1.1\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_LF_EXPECTED",
                   .offset = 1});
  cases.push_back({.name = "BareCrEndsStatusLine",
                   .type = MessageType::response,
                   .input = "HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_LF_EXPECTED",
                   .offset = 16});
  cases.push_back({.name = "BareCrAtTheEndOfTheStream",
                   .input = "GET / HTTP/1.1\r\n\r\n\r",
                   .messages = {request("GET", "/", {})},
                   .error = Code::invalid,
                   .llhttp_name = "HPE_LF_EXPECTED",
                   .offset = 19,
                   .finish = true});
  // KI-2: an empty Transfer-Encoding was accepted (and the message framed by
  // its Content-Length).
  cases.push_back(
      {.name = "EmptyTransferEncodingWithContentLength",
       .input = "POST / HTTP/1.1\r\nTransfer-Encoding:\r\nContent-Length: 3\r\n\r\nabc",
       .error = Code::invalid,
       .llhttp_name = "HPE_INVALID_TRANSFER_ENCODING"});
  cases.push_back(
      {.name = "TransferEncodingElementNotAToken",
       .input = "POST / HTTP/1.1\r\nTransfer-Encoding: ing: B\xff, chunked\r\n\r\n0\r\n\r\n",
       .error = Code::invalid,
       .llhttp_name = "HPE_INVALID_TRANSFER_ENCODING"});
  cases.push_back(
      {.name = "TransferEncodingLinesEachChecked",
       .input = "POST / HTTP/1.1\r\nTransfer-Encoding: chunk/1.1\r\nTransfer-Encoding: "
                "chunked\r\n\r\n0\r\n\r\n",
       .error = Code::invalid,
       .llhttp_name = "HPE_INVALID_TRANSFER_ENCODING"});
  cases.push_back(
      {.name = "ChunkedWithAnEmptyParameterIsNotChunked",
       .input = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked;\r\n\r\n0\r\n\r\n",
       .error = Code::invalid,
       .llhttp_name = "HPE_INVALID_TRANSFER_ENCODING"});
  cases.push_back({.name = "EmptyTransferEncodingAlone",
                   .input = "POST / HTTP/1.1\r\nTransfer-Encoding:  \r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_TRANSFER_ENCODING"});
  // KI-3: status codes that are not three digits were accepted (status 0-99;
  // the client then skipped such a response as informational).
  for (const auto& [name, line] :
       std::vector<std::pair<std::string, std::string>>{{"StatusCodeOfTwoDigits", "HTTP/1.1 20 OK"},
                                                        {"StatusCodeMissing", "HTTP/1.1 "},
                                                        {"StatusCodeAfterTwoSpaces", "HTTP/1.1  200 OK"},
                                                        {"StatusCodeWithLeadingZero", "HTTP/1.1 0200 OK"},
                                                        {"StatusCodeOfOneDigitNoReason", "HTTP/1.1 2"},
                                                        {"StatusCodeBelow100", "HTTP/1.1 099 Low"}}) {
    cases.push_back({.name = name,
                     .type = MessageType::response,
                     .input = line + "\r\nContent-Length: 2\r\n\r\nhi",
                     .error = Code::invalid,
                     .llhttp_name = "HPE_INVALID_STATUS",
                     .offset = 9});
  }
  // KI-4: HTTP/0.9 was accepted, and with it an empty CONNECT target.
  cases.push_back({.name = "Http09RequestLineWithoutVersion",
                   .input = "GET /\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_VERSION"});
  cases.push_back({.name = "Http09Version",
                   .input = "GET / HTTP/0.9\r\n\r\n",
                   .error = Code::invalid,
                   .llhttp_name = "HPE_INVALID_VERSION"});
  cases.push_back({.name = "ConnectWithEmptyTarget",
                   .input = "CONNECT \r\n\r\n",
                   .error = Code::invalid});
  return cases;
}

class InvalidStream : public testing::TestWithParam<ParseCase> {};

TEST_P(InvalidStream, GivesTheSameErrorAtTheSameByteWhereverItIsSplit) {
  check_case(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Http, InvalidStream, testing::ValuesIn(invalid_cases()), case_name);

// --- limits ----------------------------------------------------------------

ParserOptions with_limits(const std::function<void(ParserLimits&)>& change) {
  ParserOptions options;
  change(options.limits);
  return options;
}

const std::string kSmallRequest = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";  // 27 bytes

std::vector<ParseCase> limit_cases() {
  std::vector<ParseCase> cases;
  cases.push_back({.name = "HeaderSectionTooLarge",
                   .input = "GET / HTTP/1.1\r\nX-Long: " + std::string(100, 'v') + "\r\n\r\n",
                   .error = Code::header_too_large,
                   .llhttp_name = "HPE_USER",
                   .offset = 64,
                   .options = with_limits([](ParserLimits& l) { l.max_header_bytes = 64; })});
  cases.push_back(
      {.name = "HeaderSectionOfLaterMessageTooLarge",
       .input = kSmallRequest + "GET / HTTP/1.1\r\nX-Long: " + std::string(100, 'v') + "\r\n\r\n",
       .messages = {request("GET", "/", {{"Host", "a"}})},
       .error = Code::header_too_large,
       .offset = kSmallRequest.size() + 64,
       .options = with_limits([](ParserLimits& l) { l.max_header_bytes = 64; })});
  cases.push_back({.name = "HeaderSectionExactlyAtLimitIsAccepted",
                   .input = kSmallRequest,
                   .messages = {request("GET", "/", {{"Host", "a"}})},
                   .options = with_limits([](ParserLimits& l) { l.max_header_bytes = 27; })});
  cases.push_back({.name = "WhitespaceCountsTowardsHeaderSection",
                   .input = "GET / HTTP/1.1\r\nX:" + std::string(100, ' ') + "a\r\n\r\n",
                   .error = Code::header_too_large,
                   .offset = 64,
                   .options = with_limits([](ParserLimits& l) { l.max_header_bytes = 64; })});
  cases.push_back({.name = "TooManyHeaders",
                   .input = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
                   .error = Code::too_many_headers,
                   .llhttp_name = "HPE_USER",
                   .offset = 34,  // the 'D'
                   .options = with_limits([](ParserLimits& l) { l.max_header_count = 3; })});
  cases.push_back(
      {.name = "TrailersCountTowardsHeaderLines",
       .input = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT1: 1\r\nT2: 2\r\n\r\n",
       .error = Code::too_many_headers,
       .offset = 57,  // the 'T' of T2
       .options = with_limits([](ParserLimits& l) { l.max_header_count = 2; })});
  cases.push_back({.name = "TrailerSectionTooLarge",
                   .input = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: " +
                            std::string(100, 't') + "\r\n\r\n",
                   .error = Code::header_too_large,
                   .offset = 53 + 63,  // name "T" (1 byte) + 63 value bytes fill the budget
                   .options = with_limits([](ParserLimits& l) { l.max_header_bytes = 64; })});
  cases.push_back({.name = "UrlTooLong",
                   .input = "GET /0123456789abcdef HTTP/1.1\r\n\r\n",
                   .error = Code::url_too_long,
                   .llhttp_name = "HPE_USER",
                   .offset = 14,
                   .options = with_limits([](ParserLimits& l) { l.max_url_length = 10; })});
  cases.push_back({.name = "UrlLimitWinsOverLaterInvalidByte",
                   .input = "GET /0123456789abcdef\x01 HTTP/1.1\r\n\r\n",
                   .error = Code::url_too_long,
                   .offset = 14,
                   .options = with_limits([](ParserLimits& l) { l.max_url_length = 10; })});
  cases.push_back({.name = "InvalidByteBeforeUrlLimitWins",
                   .input = "GET /01\x01"
                            "23456789abcdef HTTP/1.1\r\n\r\n",
                   .error = Code::invalid,
                   .offset = 7,
                   .options = with_limits([](ParserLimits& l) { l.max_url_length = 10; })});
  cases.push_back({.name = "ReasonTooLong",
                   .type = MessageType::response,
                   .input = "HTTP/1.1 200 Okay then\r\nContent-Length: 0\r\n\r\n",
                   .error = Code::reason_too_long,
                   .llhttp_name = "HPE_USER",
                   .offset = 18,
                   .options = with_limits([](ParserLimits& l) { l.max_reason_length = 5; })});
  cases.push_back({.name = "ContentLengthOverBodyLimit",
                   .input = "POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world",
                   .error = Code::body_too_large,
                   .llhttp_name = "HPE_USER",
                   .offset = 39,  // where the head ends: refused before any body byte
                   .options = with_limits([](ParserLimits& l) { l.max_body_bytes = 10; })});
  cases.push_back({.name = "ChunkedBodyOverBodyLimit",
                   .input = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n",
                   .error = Code::body_too_large,
                   .offset = 61,  // the second chunk's size line
                   .options = with_limits([](ParserLimits& l) { l.max_body_bytes = 10; })});
  cases.push_back({.name = "CloseDelimitedBodyOverBodyLimit",
                   .type = MessageType::response,
                   .input = "HTTP/1.1 200 OK\r\n\r\n" + std::string(20, 'b'),
                   .error = Code::body_too_large,
                   .offset = 19 + 10,
                   .finish = true,
                   .options = with_limits([](ParserLimits& l) { l.max_body_bytes = 10; })});
  cases.push_back({.name = "TooManyPendingMessages",
                   .input = kSmallRequest + kSmallRequest + kSmallRequest,
                   .messages = {},  // checked below: depends on pops between feeds
                   .error = Code::too_many_pending,
                   .llhttp_name = "HPE_USER",
                   .options = with_limits([](ParserLimits& l) { l.max_pending_messages = 2; })});
  return cases;
}

class LimitedStream : public testing::TestWithParam<ParseCase> {};

TEST_P(LimitedStream, HitsItsOwnLimitAtTheSameByteWhereverItIsSplit) {
  const ParseCase& c = GetParam();
  if (c.error == Code::too_many_pending) {
    // Backpressure, not a property of the stream: whole, it overflows the
    // queue; popped between small feeds, it does not.
    const Outcome whole = parse_whole(c);
    ASSERT_TRUE(whole.error.has_value());
    EXPECT_EQ(whole.error->code, Code::too_many_pending);
    EXPECT_EQ(whole.error->offset, 3 * kSmallRequest.size());
    EXPECT_EQ(whole.messages.size(), 2u);
    std::vector<std::string_view> per_request;
    for (int i = 0; i < 3; ++i)
      per_request.push_back(std::string_view(c.input).substr(27 * i, 27));
    EXPECT_EQ(parse_pieces(c, per_request).messages.size(), 3u);
    return;
  }
  check_case(c);
}

INSTANTIATE_TEST_SUITE_P(Http, LimitedStream, testing::ValuesIn(limit_cases()), case_name);

TEST(ParserLimits, EveryLimitHasItsOwnErrorCode) {
  std::set<Code> codes;
  for (const ParseCase& c : limit_cases()) {
    if (c.error && *c.error != Code::invalid) codes.insert(*c.error);
  }
  EXPECT_EQ(codes,
            (std::set<Code>{Code::header_too_large, Code::too_many_headers, Code::url_too_long,
                            Code::reason_too_long, Code::body_too_large, Code::too_many_pending}));
}

TEST(ParserLimits, DefaultsAreTheDocumentedOnes) {
  const ParserLimits limits;
  EXPECT_EQ(limits.max_header_bytes, 64u * 1024);
  EXPECT_EQ(limits.max_header_count, 100u);
  EXPECT_EQ(limits.max_url_length, 8u * 1024);
  EXPECT_EQ(limits.max_body_bytes, 8u * 1024 * 1024);
}

TEST(ParserLimits, DefaultHeaderCountLimitRefusesTheHundredAndFirstHeader) {
  std::string input = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i)
    input += "H" + std::to_string(i) + ": v\r\n";
  input += "\r\n";
  Parser parser(MessageType::request);
  ParseResult fed = parser.feed(input);
  ASSERT_FALSE(fed);
  EXPECT_EQ(fed.error().code, Code::too_many_headers);
}

// --- lenient flags -----------------------------------------------------------

struct LenientCase {
  std::string name{};
  std::string input{};
  std::function<void(ParserOptions&)> enable{};
  std::string strict_llhttp_name{};  // the error without the flag
  std::vector<Message> lenient_messages{};
  bool finish = false;
  std::vector<Message> strict_messages{};  // complete before the strict error
};

std::vector<LenientCase> lenient_cases() {
  std::vector<LenientCase> cases;
  cases.push_back({"Version",
                   "GET / HTTP/1.2\r\n\r\n",
                   [](ParserOptions& o) { o.lenient_version = true; },
                   "HPE_INVALID_VERSION",
                   {with(request("GET", "/", {}), [](Message& m) { m.version_minor = 2; })}});
  cases.push_back({"VersionAllowsHttp09",
                   "GET /\r\n\r\n",
                   [](ParserOptions& o) { o.lenient_version = true; },
                   "HPE_INVALID_VERSION",
                   {with(request("GET", "/", {}), [](Message& m) {
                     m.version_major = 0;
                     m.version_minor = 9;
                     m.keep_alive = false;
                   })}});
  cases.push_back({"HeadersAllowsControlBytesInValues",
                   "GET / HTTP/1.1\r\nX: a\x01z\r\n\r\n",
                   [](ParserOptions& o) { o.lenient_headers = true; },
                   "HPE_INVALID_HEADER_TOKEN",
                   {request("GET", "/", {{"X", "a\x01z"}})}});
  cases.push_back({"HeadersAllowsObsFold",
                   "GET / HTTP/1.1\r\nX: a\r\n  b\r\n\r\n",
                   [](ParserOptions& o) { o.lenient_headers = true; },
                   "HPE_INVALID_HEADER_TOKEN",
                   {request("GET", "/", {{"X", "a  b"}})}});
  cases.push_back(
      {"ChunkedLength",
       "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: "
       "chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
       [](ParserOptions& o) { o.lenient_chunked_length = true; },
       "HPE_UNEXPECTED_CONTENT_LENGTH",
       {request("POST", "/", {{"Content-Length", "3"}, {"Transfer-Encoding", "chunked"}}, "abc")}});
  const Message closing = with(request("GET", "/1", {{"Connection", "close"}}),
                               [](Message& m) { m.keep_alive = false; });
  cases.push_back({"KeepAlive",
                   kCloseThenMore + "GET /2 HTTP/1.1\r\n\r\n",
                   [](ParserOptions& o) { o.lenient_keep_alive = true; },
                   "HPE_CLOSED_CONNECTION",
                   {closing, request("GET", "/2", {})},
                   /*finish=*/false,
                   /*strict_messages=*/{closing}});
  cases.push_back({"TransferEncodingReadsUnknownCodingToEof",
                   "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nabc",
                   [](ParserOptions& o) { o.lenient_transfer_encoding = true; },
                   "HPE_INVALID_TRANSFER_ENCODING",
                   // llhttp_should_keep_alive ignores that a request body ran to EOF.
                   {request("POST", "/", {{"Transfer-Encoding", "gzip"}}, "abc")},
                   /*finish=*/true});
  cases.push_back({"OptionalCrBeforeLf",
                   "GET / HTTP/1.1\nHost: a\r\n\r\n",
                   [](ParserOptions& o) { o.lenient_optional_cr_before_lf = true; },
                   "HPE_CR_EXPECTED",
                   {request("GET", "/", {{"Host", "a"}})}});
  cases.push_back(
      {"OptionalCrlfAfterChunk",
       "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY2\r\nde\r\n0\r\n\r\n",
       [](ParserOptions& o) { o.lenient_optional_crlf_after_chunk = true; },
       "HPE_STRICT",
       {request("POST", "/", {{"Transfer-Encoding", "chunked"}}, "abcde")}});
  return cases;
}

void PrintTo(const LenientCase& c, std::ostream* out) {
  *out << c.name;
}

class LenientFlag : public testing::TestWithParam<LenientCase> {};

TEST_P(LenientFlag, AcceptsWhatStrictModeRefuses) {
  const LenientCase& lenient = GetParam();
  ParseCase strict{.name = lenient.name,
                   .input = lenient.input,
                   .messages = lenient.strict_messages,
                   .error = Code::invalid,
                   .llhttp_name = lenient.strict_llhttp_name,
                   .finish = lenient.finish};
  check_case(strict);

  ParseCase relaxed{.name = lenient.name,
                    .input = lenient.input,
                    .messages = lenient.lenient_messages,
                    .finish = lenient.finish};
  lenient.enable(relaxed.options);
  check_case(relaxed);
}

INSTANTIATE_TEST_SUITE_P(Http, LenientFlag, testing::ValuesIn(lenient_cases()),
                         [](const testing::TestParamInfo<LenientCase>& info) {
                           return info.param.name;
                         });

// --- the parser object ----------------------------------------------------

TEST(Parser, ErrorOffsetCountsBytesOfEarlierFeeds) {
  Parser parser(MessageType::request);
  ASSERT_TRUE(parser.feed(kSmallRequest));
  ASSERT_TRUE(parser.feed(kSmallRequest));
  ParseResult fed = parser.feed("GXT / HTTP/1.1\r\n\r\n");
  ASSERT_FALSE(fed);
  EXPECT_EQ(fed.error().offset, 2 * kSmallRequest.size() + 1);
  EXPECT_EQ(parser.pending(), 2u);
  EXPECT_EQ(parser.bytes_fed(), 2 * kSmallRequest.size() + 18);
}

TEST(Parser, StateResetsBetweenKeepAliveMessages) {
  Parser parser(MessageType::request);
  ASSERT_TRUE(parser.feed("POST /a HTTP/1.1\r\nX-First: 1\r\nContent-Length: 2\r\n\r\nab"));
  ASSERT_TRUE(parser.feed("GET /b HTTP/1.1\r\nX-Second: 2\r\n\r\n"));
  Message first = parser.next().value();
  Message second = parser.next().value();
  EXPECT_EQ(first.body, "ab");
  EXPECT_EQ(second.headers, (Headers{{"X-Second", "2"}}));
  EXPECT_EQ(second.body, "");
  EXPECT_EQ(second.content_length, std::nullopt);
  EXPECT_FALSE(parser.next().has_value());
}

TEST(Parser, QueueKeepsOrderWhenNeverFullyDrained) {
  ParserOptions options;
  options.limits.max_pending_messages = 3;
  Parser parser(MessageType::request, options);
  // Always leave one message behind: the queue must neither reorder nor fill up.
  for (int i = 0; i < 50; ++i) {
    const std::string target = "/" + std::to_string(i);
    ASSERT_TRUE(parser.feed("GET " + target + " HTTP/1.1\r\n\r\n"));
    if (i == 0) continue;
    EXPECT_EQ(parser.next().value().target, "/" + std::to_string(i - 1));
    EXPECT_EQ(parser.pending(), 1u);
  }
}

TEST(Parser, MessageInProgressTracksPartialMessages) {
  Parser parser(MessageType::request);
  EXPECT_FALSE(parser.message_in_progress());
  ASSERT_TRUE(parser.feed("GET / HT"));
  EXPECT_TRUE(parser.message_in_progress());
  ASSERT_TRUE(parser.feed("TP/1.1\r\n\r\n"));
  EXPECT_FALSE(parser.message_in_progress());
}

TEST(Parser, MovedParserContinuesTheMessage) {
  Parser parser(MessageType::request);
  ASSERT_TRUE(parser.feed("GET /moved HTTP/1.1\r\nHo"));
  Parser moved = std::move(parser);
  ASSERT_TRUE(moved.feed("st: a\r\n\r\n"));
  EXPECT_EQ(moved.next().value().headers, (Headers{{"Host", "a"}}));
}

TEST(Parser, BytesAfterUpgradeCollectAcrossFeeds) {
  Parser parser(MessageType::request);
  ASSERT_TRUE(parser.feed("GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\nab"));
  EXPECT_TRUE(parser.upgraded());
  ASSERT_TRUE(parser.feed("cd"));
  EXPECT_EQ(parser.take_upgrade_data(), "abcd");
  EXPECT_EQ(parser.take_upgrade_data(), "");
}

TEST(Parser, BytesAfterUpgradeAreKeptUpToTheBodyLimit) {
  ParserOptions options;
  options.limits.max_body_bytes = 4;
  Parser parser(MessageType::request, options);
  const std::string head = "GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n";
  ASSERT_TRUE(parser.feed(head + "ab"));
  ParseResult fed = parser.feed("cdef");
  ASSERT_FALSE(fed);
  EXPECT_EQ(fed.error().code, Code::body_too_large);
  EXPECT_EQ(fed.error().offset, head.size() + 4);
  EXPECT_EQ(parser.take_upgrade_data(), "abcd");
}

// Found by http_response_fuzzer: a limit crossed inside finish() (the
// message a close ends is one too many) was handed back by llhttp_finish as
// an invalid llhttp_errno_t (UBSan). Reproducer:
// corpus/http_response/regression_pending_limit_at_finish.
TEST(Parser, ALimitCrossedAtFinishIsReportedAtTheEnd) {
  ParserOptions options;
  options.limits.max_pending_messages = 1;
  Parser parser(MessageType::response, options);
  const std::string stream = "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n\r\nbody";
  ASSERT_TRUE(parser.feed(stream));
  ParseResult finished = parser.finish();
  ASSERT_FALSE(finished);
  EXPECT_EQ(finished.error().code, Code::too_many_pending);
  EXPECT_EQ(finished.error().offset, stream.size());
  EXPECT_EQ(parser.pending(), 1u);
}

TEST(Parser, FinishBetweenMessagesIsClean) {
  Parser parser(MessageType::response);
  ASSERT_TRUE(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_TRUE(parser.finish());
  ParseResult after = parser.feed("x");
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, Code::invalid);
}

TEST(ParseError, MapsToNetErrorKinds) {
  EXPECT_EQ(to_net_error({Code::invalid, "HPE_INVALID_METHOD", "Invalid method", 3}).kind,
            net::ErrorKind::bad_data);
  EXPECT_EQ(to_net_error({Code::url_too_long, "HPE_USER", "long", 3}).kind,
            net::ErrorKind::too_large);
  EXPECT_EQ(to_net_error({Code::body_too_large, "HPE_USER", "long", 3}).kind,
            net::ErrorKind::too_large);
  EXPECT_EQ(to_net_error({Code::truncated, "HPE_INVALID_EOF_STATE", "eof", 3}).kind,
            net::ErrorKind::closed);
}

TEST(ParseError, MessageNamesCodeOffsetReasonAndLlhttpName) {
  Parser parser(MessageType::request);
  ParseResult fed = parser.feed("GXT / HTTP/1.1\r\n\r\n");
  ASSERT_FALSE(fed);
  EXPECT_EQ(fed.error().to_string(),
            "invalid at byte 1: Invalid method encountered (HPE_INVALID_METHOD)");
  EXPECT_EQ(to_net_error(fed.error()).to_string(),
            "bad_data: http parse: invalid at byte 1: Invalid method encountered "
            "(HPE_INVALID_METHOD)");
}

}  // namespace
}  // namespace faultline::http
