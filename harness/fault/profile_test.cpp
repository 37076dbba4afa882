#include "harness/fault/profile.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "harness/fault/rng.h"

namespace faultline::fault {
namespace {

struct GoodSpec {
  const char* text;
  const char* canonical;
};

const GoodSpec kGoodSpecs[] = {
    {"", ""},
    {"  ;; \n # only a comment\n", ""},
    {"latency delay=100ms", "latency delay=100ms"},
    {"latency delay=100ms jitter=20ms dir=down", "latency delay=100ms jitter=20ms dir=down"},
    {"latency jitter=20ms delay=0.1s", "latency delay=100ms jitter=20ms"},
    {"latency delay=100ms jitter=0s dir=both p=100%", "latency delay=100ms"},
    {"latency delay=1500us", "latency delay=1.5ms"},
    {"bandwidth rate=64KiB/s", "bandwidth rate=64KiB/s"},
    {"bandwidth rate=1048576B/s dir=up", "bandwidth rate=1MiB/s dir=up"},
    {"bandwidth rate=64KB/s", "bandwidth rate=64000B/s"},
    {"slicer min=1B max=64B delay=1ms", "slicer max=64B delay=1ms"},
    {"slicer max=16", "slicer max=16B"},
    {"slicer min=2B max=2B", "slicer min=2B max=2B"},
    {"stall", "stall"},
    {"stall after=1KiB close_after=30s dir=down", "stall after=1KiB close_after=30s dir=down"},
    {"stall reset_after=1.5s", "stall reset_after=1.5s"},
    {"reset", "reset"},
    {"reset after=10240 p=25%", "reset after=10KiB p=25%"},
    {"limit_data after=1MiB", "limit_data after=1MiB"},
    {"slow_close delay=2s", "slow_close delay=2s"},
    {"half_close after=5B dir=up", "half_close after=5B dir=up"},
    {"retransmit rate=5%", "retransmit rate=5%"},
    {"retransmit rate=5% rto=200ms max=120s", "retransmit rate=5%"},
    {"retransmit rate=1% rto=100ms max=2s", "retransmit rate=1% rto=100ms max=2s"},
    {"corrupt rate=1% per=byte", "corrupt rate=1%"},
    {"corrupt rate=0.01% per=chunk dir=down", "corrupt rate=0.01% per=chunk dir=down"},
    {"drop rate=10%", "drop rate=10%"},
    {"drop rate=10% correlation=25%", "drop rate=10% correlation=25%"},
    {"drop rate=10% correlation=0%", "drop rate=10%"},
    {"drop model=random rate=10%", "drop rate=10%"},
    {"drop model=gilbert p=1% r=25%", "drop model=gilbert p=1% r=25%"},
    {"drop model=gilbert p=1%", "drop model=gilbert p=1%"},
    {"drop model=gilbert p=1% r=99%", "drop model=gilbert p=1%"},
    {"drop model=gilbert p=1% r=25% h=0% k=100%", "drop model=gilbert p=1% r=25%"},
    {"drop k=99.9% h=10% r=25% p=1% model=gilbert dir=up",
     "drop model=gilbert p=1% r=25% h=10% k=99.9% dir=up"},
    {"latency delay=100ms jitter=20ms distribution=normal",
     "latency delay=100ms jitter=20ms distribution=normal"},
    {"latency delay=100ms jitter=20ms distribution=uniform", "latency delay=100ms jitter=20ms"},
    {"latency distribution=pareto jitter=1ms delay=5ms dir=up",
     "latency delay=5ms jitter=1ms distribution=pareto dir=up"},
    {"latency delay=5ms jitter=5ms distribution=paretonormal",
     "latency delay=5ms jitter=5ms distribution=paretonormal"},
    {"bandwidth rate=64KiB/s scope=proxy", "bandwidth rate=64KiB/s scope=proxy"},
    {"bandwidth rate=64KiB/s scope=connection", "bandwidth rate=64KiB/s"},
    {"bandwidth rate=1MiB/s scope=proxy dir=down p=50%",
     "bandwidth rate=1MiB/s scope=proxy dir=down p=50%"},
    {"duplicate rate=5.5%", "duplicate rate=5.5%"},
    {"reorder rate=10%", "reorder rate=10%"},
    {"reorder rate=10% delay=30ms", "reorder rate=10% delay=30ms"},
    {"truncate rate=5% max=16B", "truncate rate=5% max=16B"},
    {"down", "down mode=refuse"},
    {"down mode=blackhole p=20%", "down mode=blackhole p=20%"},
    {"latency delay=100ms jitter=20ms dir=down; slicer min=1B max=64B delay=1ms; "
     "reset after=10KiB p=25%; bandwidth rate=64KiB/s; drop rate=10%; down mode=refuse",
     "latency delay=100ms jitter=20ms dir=down; slicer max=64B delay=1ms; reset after=10KiB "
     "p=25%; bandwidth rate=64KiB/s; drop rate=10%; down mode=refuse"},
    {"  latency\tdelay=5ms ;; ; slicer max=8B  ", "latency delay=5ms; slicer max=8B"},
    {"# a profile file\nlatency delay=5ms   # trailing comment\n\r\nslicer max=8B\n",
     "latency delay=5ms; slicer max=8B"},
    {"latency delay=1ms; latency delay=2ms", "latency delay=1ms; latency delay=2ms"},
    // The README's bound on sizes, written in its own unit.
    {"reset after=1PiB", "reset after=1PiB"},
    {"limit_data after=1099511627776", "limit_data after=1TiB"},
    {"http_abort", "http_abort"},
    {"http_abort status=503 p=10%", "http_abort p=10%"},
    {"http_abort status=500 match=POST", "http_abort status=500 match=POST"},
    {"http_fail first=2 scope=proxy match='GET /api/*'",
     "http_fail first=2 scope=proxy match='GET /api/*'"},
    {"http_fail first=1 scope=connection match=\"/a*\"", "http_fail first=1 match=/a*"},
    {"http_delay delay=2s dir=down match=header:X-Test=1",
     "http_delay delay=2s match=header:X-Test=1 dir=down"},
    {"http_header set=X-Debug:1 dir=up", "http_header set=X-Debug:1 dir=up"},
    {"http_header remove=Content-Type", "http_header remove=Content-Type"},
    {"http_truncate after=100", "http_truncate after=100B"},
    {"http_slow_head size=1B delay=10ms", "http_slow_head"},
    {"http_slow_head size=4B delay=2ms; slicer max=7B",
     "http_slow_head size=4B delay=2ms; slicer max=7B"},
    {"http_abort match='header:X-Name=a b;c'", "http_abort match='header:X-Name=a b;c'"},
    {"down start=2s for=3s", "down mode=refuse start=2s for=3s"},
    {"down start=10s for=2s every=10s", "down mode=refuse start=10s for=2s every=10s"},
    {"reset after=1KiB from_conn=3 to_conn=3", "reset after=1KiB from_conn=3 to_conn=3"},
    {"stall dir=down start=500ms clock=connection", "stall dir=down start=500ms clock=connection"},
    {"latency delay=5ms start=0s for=10s every=1m clock=proxy",
     "latency delay=5ms for=10s every=1m"},
    {"http_fail first=1 start=1s for=2s", "http_fail first=1 start=1s for=2s"},
};

TEST(FaultProfileTest, GoodSpecsParseToTheirCanonicalText) {
  for (const auto& spec : kGoodSpecs) {
    auto profile = parse_profile(spec.text);
    ASSERT_TRUE(profile) << spec.text << ": " << profile.error().message;
    EXPECT_EQ(profile->to_string(), spec.canonical) << spec.text;
  }
}

TEST(FaultProfileTest, CanonicalTextRoundTrips) {
  for (const auto& spec : kGoodSpecs) {
    auto profile = parse_profile(spec.text).value();
    auto again = parse_profile(profile.to_string());
    ASSERT_TRUE(again) << profile.to_string() << ": " << again.error().message;
    EXPECT_EQ(*again, profile) << spec.text;  // parse(to_string(p)) == p
    auto canonical = parse_profile(spec.canonical).value();
    EXPECT_EQ(canonical.to_string(), spec.canonical);  // to_string(parse(c)) == c
  }
}

struct BadSpec {
  const char* text;
  const char* where;  // "column 9" or "line 2 column 12"
  const char* message;
};

const BadSpec kBadSpecs[] = {
    {"latency delya=5ms", "column 9",
     "unknown key 'delya' for latency (expected delay, jitter, distribution, dir, p)"},
    {"latncy delay=5ms", "column 1",
     "unknown fault 'latncy' (known: latency, bandwidth, slicer, stall, reset, limit_data, "
     "slow_close, half_close, retransmit, corrupt, drop, duplicate, reorder, truncate, down, "
     "http_abort, http_fail, http_delay, http_header, http_truncate, http_slow_head)"},
    {"delay=5ms", "column 1", "expected a fault name before 'delay=5ms'"},
    {"latency", "column 1", "latency: missing required key 'delay' (e.g. delay=100ms)"},
    {"latency delay=5parsecs", "column 15", "unknown unit 'parsecs'"},
    {"latency delay=5", "column 15", "duration '5': missing unit"},
    {"latency delay=25h", "column 15", "too long"},
    {"latency delay=10ms jitter=20ms", "column 27", "jitter must not exceed delay"},
    {"latency delay=10ms delay=20ms", "column 20", "duplicate key 'delay' for latency"},
    {"latency delay=10ms 20ms", "column 20", "expected key=value, got '20ms'"},
    {"latency delay=", "column 9", "key 'delay' of latency has no value"},
    {"latency =5ms", "column 9", "expected key=value, got '=5ms'"},
    {"latency delay=5ms dir=sideways", "column 23",
     "unknown value 'sideways' (expected up, down, both)"},
    {"slicer min=10B max=1B", "column 12", "min=10B is larger than max=1B"},
    {"slicer min=0B max=1B", "column 12", "at least 1B"},
    {"slicer min=8B", "column 1", "slicer: missing required key 'max' (e.g. max=1KiB)"},
    {"slicer max=1furlong", "column 12", "unknown unit 'furlong'"},
    {"reset after=10KiB p=150%", "column 21", "must be within 0%..100%"},
    {"reset p=25", "column 9", "expected a percentage"},
    {"down dir=up", "column 6", "unknown key 'dir' for down (expected mode, p)"},
    {"down mode=off", "column 11", "unknown value 'off' (expected refuse, blackhole)"},
    {"down; down", "column 7",
     "only one down clause per profile (the first is at fault spec "
     "column 1)"},
    {"bandwidth rate=64KiB", "column 16", "expected bytes per second, like 64KiB/s"},
    {"bandwidth rate=1KiB/s scope=world", "column 29",
     "bandwidth scope: unknown value 'world' (expected connection, proxy)"},
    {"bandwidth rate=1KiB/s scope=proxy; bandwidth rate=2KiB/s scope=proxy", "column 36",
     "only one bandwidth scope=proxy clause per profile (the first is at fault spec column 1)"},
    {"drop model=markov rate=1%", "column 12",
     "drop model: unknown value 'markov' (expected random, gilbert)"},
    {"drop model=gilbert r=25%", "column 12", "drop model: model=gilbert needs p="},
    {"drop model=gilbert p=1% rate=5%", "column 30",
     "drop rate: rate= and correlation= belong to the random model"},
    {"drop model=gilbert p=1% correlation=5%", "column 37", "drop correlation: rate= and"},
    {"drop model=gilbert p=150%", "column 22", "drop p: percentage '150%'"},
    {"drop model=gilbert p=1% h=1.5", "column 27", "drop h: percentage '1.5'"},
    {"drop rate=5% h=10%", "column 16",
     "drop h: h= belongs to the Gilbert-Elliott model: add model=gilbert"},
    {"drop rate=5% r=10%", "column 16", "drop r: r= belongs to the Gilbert-Elliott model"},
    {"drop k=10%", "column 8", "drop k: k= belongs to the Gilbert-Elliott model"},
    {"drop rate=5% correlation=100%", "column 26", "correlation must be below 100%"},
    {"drop correlation=5%", "column 1", "drop: missing required key 'rate'"},
    {"drop model=gilbert p=1% gap=2", "column 25",
     "unknown key 'gap' for drop (expected model, rate, correlation, r, h, k, dir, p)"},
    {"latency delay=5ms distribution=normal", "column 32",
     "latency distribution: distribution=normal shapes the jitter: give jitter= too"},
    {"latency delay=5ms jitter=1ms distribution=gauss", "column 43",
     "unknown value 'gauss' (expected uniform, normal, pareto, paretonormal)"},
    {"bandwidth rate=0B/s", "column 16", "must be within 1B/s"},
    {"stall close_after=1s reset_after=1s", "column 34", "not both"},
    {"retransmit rate=5% rto=1s max=500ms", "column 31", "max=500ms is shorter than rto=1s"},
    {"corrupt rate=1% per=word", "column 21", "unknown value 'word' (expected byte, chunk)"},
    {"reorder rate=1% delay=0s", "column 23", "must be positive"},
    {"latency delay=5ms\nslicer max=0B", "line 2 column 12", "min=1B is larger than max=0B"},
    {"latency delay=5ms; slicer mux=8B", "column 27", "unknown key 'mux' for slicer"},
    {"reset after=1025TiB", "column 13", "at most 1PiB"},
    {"http_fail", "column 1", "http_fail: missing required key 'first' (e.g. first=2)"},
    {"http_fail first=two", "column 17",
     "http_fail first: count 'two': expected a whole number, like 2"},
    {"http_abort status=999", "column 19",
     "http_abort status: count '999' must be within 200..599"},
    {"http_abort match=get", "column 18",
     "http_abort match: method 'get' is not an upper-case method (GET, POST, ...); a target glob "
     "starts with / or *"},
    {"http_abort match='GET /a", "column 18", "http_abort match: unterminated quote"},
    {"http_fail first=1 scope=world", "column 25",
     "http_fail scope: unknown value 'world' (expected connection, proxy)"},
    {"http_header dir=up", "column 1",
     "http_header set: http_header needs set=NAME:VALUE or remove=NAME"},
    {"http_header set=X-A", "column 17",
     "http_header set: 'X-A': expected NAME:VALUE, like X-Debug:1"},
    {"http_header set=X:1 remove=Y", "column 28",
     "http_header remove: give set= or remove=, not both (one header change per clause)"},
    {"http_abort dir=up", "column 12",
     "unknown key 'dir' for http_abort (expected status, match, p)"},
    {"latency delay=5ms every=10s", "column 25",
     "latency every: every= repeats a window: give its length with for= (e.g. for=2s)"},
    {"latency delay=5ms for=20s every=10s", "column 23",
     "latency for: for=20s is longer than every=10s (the windows would overlap)"},
    {"down clock=connection start=1s", "column 12",
     "down clock: this fault acts when a connection opens: only clock=proxy applies"},
    {"reset to_conn=1 from_conn=2", "column 15", "reset to_conn: to_conn=1 is before from_conn=2"},
    {"reset clock=connection", "column 13",
     "reset clock: clock=connection goes with start= or for= (there is no window to time)"},
    {"reset strat=1s", "column 7",
     "unknown key 'strat' for reset (expected after, dir, p), nor a timeline key (start, for, "
     "every, clock, from_conn, to_conn)"},
};

TEST(FaultProfileTest, BadSpecsAreRejectedAtTheOffendingToken) {
  for (const auto& spec : kBadSpecs) {
    auto profile = parse_profile(spec.text);
    ASSERT_FALSE(profile) << spec.text;
    const auto& error = profile.error();
    EXPECT_EQ(error.kind, net::ErrorKind::invalid_argument) << spec.text;
    const std::string prefix = std::string("fault spec ") + spec.where + ": ";
    EXPECT_EQ(error.message.rfind(prefix, 0), 0u) << spec.text << "\n  got: " << error.message;
    EXPECT_NE(error.message.find(spec.message), std::string::npos)
        << spec.text << "\n  got: " << error.message;
  }
}

TEST(FaultProfileTest, EqualityIgnoresWhereAClauseWasWritten) {
  EXPECT_EQ(parse_profile("latency delay=1ms").value(),
            parse_profile("   latency   delay=1000us").value());
  EXPECT_FALSE(parse_profile("latency delay=1ms").value() ==
               parse_profile("latency delay=1ms dir=up").value());
  EXPECT_EQ(Profile::empty(), parse_profile("").value());
  EXPECT_TRUE(Profile::empty().is_empty());
}

struct TransportCase {
  const char* text;
  Transport transport;
  const char* error;  // nullptr: valid
};

TEST(FaultProfileTest, ValidatorRejectsFaultsThatDoNotFitTheTransport) {
  const TransportCase cases[] = {
      {"latency delay=1ms; bandwidth rate=1KiB/s; corrupt rate=1%; down", Transport::stream,
       nullptr},
      {"latency delay=1ms; bandwidth rate=1KiB/s; corrupt rate=1%; down", Transport::datagram,
       nullptr},
      {"slicer max=1B; stall; reset; limit_data after=1B; slow_close delay=1s; half_close; "
       "retransmit rate=1%",
       Transport::stream, nullptr},
      {"drop rate=1%; duplicate rate=1%; reorder rate=1%; truncate rate=1%", Transport::datagram,
       nullptr},
      // The shared link: every transport keeps one (TCP proxy, UDP proxy, simulator).
      {"bandwidth rate=1KiB/s scope=proxy", Transport::stream, nullptr},
      {"drop rate=1%; bandwidth rate=1KiB/s scope=proxy", Transport::datagram, nullptr},
      {"drop rate=10%", Transport::stream,
       "fault spec column 1: drop applies to datagrams (UDP) only, not to a stream (TCP) "
       "transport"},
      {"latency delay=5ms; reset", Transport::datagram,
       "fault spec column 20: reset applies to streams (TCP) only, not to a datagram (UDP) "
       "transport"},
      {"slicer max=8B", Transport::datagram, "slicer applies to streams (TCP) only"},
  };
  for (const auto& c : cases) {
    auto profile = parse_profile(c.text).value();
    auto valid = profile.validate_for(c.transport);
    if (!c.error) {
      EXPECT_TRUE(valid) << c.text << ": " << valid.error().message;
      continue;
    }
    ASSERT_FALSE(valid) << c.text;
    EXPECT_EQ(valid.error().kind, net::ErrorKind::invalid_argument);
    EXPECT_NE(valid.error().message.find(c.error), std::string::npos) << valid.error().message;
  }
}

TEST(FaultProfileTest, ConnectionPolicyFollowsTheDownClause) {
  EXPECT_EQ(Profile::empty().connection_policy(), ConnectionPolicy::accept);
  EXPECT_EQ(parse_profile("latency delay=1ms").value().connection_policy(),
            ConnectionPolicy::accept);
  EXPECT_EQ(parse_profile("down").value().connection_policy(), ConnectionPolicy::refuse);
  EXPECT_EQ(parse_profile("down mode=blackhole").value().connection_policy(),
            ConnectionPolicy::blackhole);
  auto some = parse_profile("latency delay=1ms; down mode=refuse p=20%").value();
  int refused = 0;
  for (std::uint64_t connection = 0; connection < 5000; ++connection) {
    auto policy = some.connection_policy(3, connection);
    ASSERT_EQ(policy, some.connection_policy(3, connection));  // deterministic
    refused += policy == ConnectionPolicy::refuse ? 1 : 0;
  }
  EXPECT_NEAR(refused, 1000, 90);
  EXPECT_EQ(connection_policy_name(ConnectionPolicy::blackhole), "blackhole");
}

TEST(FaultProfileTest, RandomSpecsNeverCrashAndWhatParsesRoundTrips) {
  // A small in-test fuzzer: clauses assembled from real names, keys and values
  // plus junk, so many parse and many fail in every way.
  const char* const kWords[] = {
      "latency",    "bandwidth",  "slicer",  "stall",  "reset",     "limit_data", "slow_close",
      "half_close", "retransmit", "corrupt", "drop",   "duplicate", "reorder",    "truncate",
      "down",       "nope",       "=",       "delay=", "x=y",       "#",          "%"};
  const char* const kKeys[] = {"delay", "jitter",      "rate",        "min",  "max",
                               "after", "close_after", "reset_after", "rto",  "per",
                               "mode",  "dir",         "p",           "bogus"};
  const char* const kValues[] = {"0",       "1ms",
                                 "1.5s",    "25h",
                                 "100ms",   "5",
                                 "64KiB",   "1B",
                                 "0B",      "17",
                                 "64KiB/s", "0B/s",
                                 "10%",     "0%",
                                 "100%",    "100.5%",
                                 "0.0001%", "up",
                                 "down",    "both",
                                 "chunk",   "byte",
                                 "refuse",  "blackhole",
                                 "",        "9999999999999999999999s",
                                 "-1ms"};
  const char* const kSeparators[] = {"; ", "\n", " ;\n# note\n", ";"};
  Rng rng(2024);
  int parsed = 0;
  for (int run = 0; run < 20'000; ++run) {
    std::string text;
    const auto clauses = rng.between(1, 3);
    for (std::uint64_t c = 0; c < clauses; ++c) {
      if (c > 0) text += kSeparators[rng.below(std::size(kSeparators))];
      text += kWords[rng.below(std::size(kWords))];
      const auto params = rng.below(4);
      for (std::uint64_t k = 0; k < params; ++k) {
        text += ' ';
        text += kKeys[rng.below(std::size(kKeys))];
        text += '=';
        text += kValues[rng.below(std::size(kValues))];
      }
    }
    auto profile = parse_profile(text);
    if (!profile) {
      ASSERT_EQ(profile.error().kind, net::ErrorKind::invalid_argument) << text;
      ASSERT_EQ(profile.error().message.rfind("fault spec ", 0), 0u) << text;
      continue;
    }
    ++parsed;
    const std::string canonical = profile->to_string();
    auto again = parse_profile(canonical);
    ASSERT_TRUE(again) << text << "\n  canonical: " << canonical << "\n  " << again.error().message;
    ASSERT_EQ(*again, *profile) << text;
    ASSERT_EQ(again->to_string(), canonical) << text;
  }
  EXPECT_GT(parsed, 500);  // the generator must reach the success paths too
}

class FaultProfileFileTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    std::string path = ::testing::TempDir() + "fault_profile_test_" + name;
    std::ofstream(path) << text;
    paths_.push_back(path);
    return path;
  }
  ~FaultProfileFileTest() override {
    for (const auto& path : paths_)
      std::remove(path.c_str());
  }
  std::vector<std::string> paths_;
};

TEST_F(FaultProfileFileTest, ReadsCommentsAndNewlines) {
  auto path = write("good.txt",
                    "# flaky mobile link\n"
                    "latency delay=300ms jitter=100ms   # each way\n"
                    "bandwidth rate=32KiB/s dir=down\n"
                    "\n"
                    "reset after=64KiB p=5%\n");
  auto profile = parse_profile_file(path);
  ASSERT_TRUE(profile) << profile.error().message;
  EXPECT_EQ(profile->to_string(),
            "latency delay=300ms jitter=100ms; bandwidth rate=32KiB/s dir=down; reset "
            "after=64KiB p=5%");
}

TEST_F(FaultProfileFileTest, ErrorsNameThePathLineAndColumn) {
  auto path = write("bad.txt", "latency delay=5ms\n# comment\nslicer mux=8B\n");
  auto profile = parse_profile_file(path);
  ASSERT_FALSE(profile);
  EXPECT_EQ(profile.error().message.rfind(path + " line 3 column 8: unknown key 'mux'", 0), 0u)
      << profile.error().message;
}

TEST_F(FaultProfileFileTest, AMissingFileIsNotFoundAndNamesThePath) {
  const std::string path = ::testing::TempDir() + "no_such_fault_profile.txt";
  auto profile = parse_profile_file(path);
  ASSERT_FALSE(profile);
  EXPECT_EQ(profile.error().kind, net::ErrorKind::not_found);
  EXPECT_NE(profile.error().message.find(path), std::string::npos) << profile.error().message;
}

TEST_F(FaultProfileFileTest, ANonProfileFileIsNamedByLineAndColumnWithoutItsContent) {
  auto path =
      write("secret.pem", "\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n");
  auto profile = parse_profile_file(path);
  ASSERT_FALSE(profile);
  const std::string& message = profile.error().message;
  EXPECT_EQ(message.rfind(path + " line 2 column 1: unknown fault name (known: ", 0), 0u)
      << message;
  EXPECT_EQ(message.find("BEGIN"), std::string::npos) << message;
  EXPECT_EQ(message.find("MIIE"), std::string::npos) << message;
}

TEST_F(FaultProfileFileTest, ABinaryFileIsNotAProfile) {
  auto path = write("binary.bin", std::string("latency delay=5ms\nab\0cd", 23));
  auto profile = parse_profile_file(path);
  ASSERT_FALSE(profile);
  EXPECT_EQ(profile.error().message,
            path + " line 2 column 3: not a profile (a NUL byte: a binary file?)");
}

TEST(FaultProfileWarningsTest, ASemicolonInsideACommentHidesTheNextClause) {
  const std::string spec = "latency delay=5ms # c; reset after=1B";
  auto profile = parse_profile(spec);
  ASSERT_TRUE(profile) << profile.error().message;
  EXPECT_EQ(profile->to_string(), "latency delay=5ms");
  auto warnings = profile_warnings(spec);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(
      warnings[0].rfind("fault spec column 22: this ';' is inside the '#' comment at column 19", 0),
      0u)
      << warnings[0];
}

TEST(FaultProfileWarningsTest, CommentsWithoutAHiddenClauseDoNotWarn) {
  EXPECT_TRUE(profile_warnings("latency delay=5ms # slow; ").empty());
  EXPECT_TRUE(profile_warnings("latency delay=5ms # slow link\nreset after=1B").empty());
  EXPECT_TRUE(profile_warnings("latency delay=5ms; reset after=1B").empty());
}

}  // namespace
}  // namespace faultline::fault
