#include "targets/http/url.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace faultline::http {

void PrintTo(const Url& url, std::ostream* out) {
  *out << url.to_string();
}

namespace {

// --- parse and compose -------------------------------------------------------

struct ParseCase {
  std::string name;
  std::string text;
  Url expected;
  std::string canonical;  // to_string()
  std::string request_target;
  std::string host_header;
};

std::vector<ParseCase> parse_cases() {
  return {
      {"Minimal", "http://example.com", Url{.host = "example.com"}, "http://example.com/", "/",
       "example.com"},
      {"PathQueryAndFragmentDropped", "http://example.com/a/b?x=1&y=2#frag",
       Url{.host = "example.com", .path = "/a/b", .query = "x=1&y=2"},
       "http://example.com/a/b?x=1&y=2", "/a/b?x=1&y=2", "example.com"},
      {"ExplicitPort", "http://localhost:8080/api",
       Url{.host = "localhost", .port = 8080, .path = "/api"}, "http://localhost:8080/api", "/api",
       "localhost:8080"},
      {"DefaultPortIsLeftOut", "http://example.com:80/", Url{.host = "example.com"},
       "http://example.com/", "/", "example.com"},
      {"SchemeAndHostLowerCased", "HTTP://Example.COM/Path",
       Url{.host = "example.com", .path = "/Path"}, "http://example.com/Path", "/Path",
       "example.com"},
      {"Ipv4", "http://127.0.0.1:9000/", Url{.host = "127.0.0.1", .port = 9000},
       "http://127.0.0.1:9000/", "/", "127.0.0.1:9000"},
      {"Ipv6Loopback", "http://[::1]:8080/x", Url{.host = "::1", .port = 8080, .path = "/x"},
       "http://[::1]:8080/x", "/x", "[::1]:8080"},
      {"Ipv6DefaultPortAndCanonicalForm", "http://[0:0:0:0:0:0:0:1]/", Url{.host = "::1"},
       "http://[::1]/", "/", "[::1]"},
      {"Ipv6Full", "http://[2001:DB8::A]:81", Url{.host = "2001:db8::a", .port = 81},
       "http://[2001:db8::a]:81/", "/", "[2001:db8::a]:81"},
      {"Https", "https://example.com/", Url{.scheme = "https", .host = "example.com", .port = 443},
       "https://example.com/", "/", "example.com"},
      {"HttpsNonDefaultPort", "https://example.com:80/",
       Url{.scheme = "https", .host = "example.com", .port = 80}, "https://example.com:80/", "/",
       "example.com:80"},
      {"EmptyPortMeansDefault", "http://example.com:/", Url{.host = "example.com"},
       "http://example.com/", "/", "example.com"},
      {"QueryWithoutPath", "http://example.com?q=1", Url{.host = "example.com", .query = "q=1"},
       "http://example.com/?q=1", "/?q=1", "example.com"},
      {"EmptyQueryDropped", "http://example.com/p?", Url{.host = "example.com", .path = "/p"},
       "http://example.com/p", "/p", "example.com"},
      {"EscapesKeptWithUpperCaseHex", "http://h/a%2fb?x=%e2%82%ac",
       Url{.host = "h", .path = "/a%2Fb", .query = "x=%E2%82%AC"}, "http://h/a%2Fb?x=%E2%82%AC",
       "/a%2Fb?x=%E2%82%AC", "h"},
      {"NonAsciiAndUnsafeBytesEncoded", "http://h/안?q=\"<>\"",
       Url{.host = "h", .path = "/%EC%95%88", .query = "q=%22%3C%3E%22"},
       "http://h/%EC%95%88?q=%22%3C%3E%22", "/%EC%95%88?q=%22%3C%3E%22", "h"},
      {"DotSegmentsStayAsSent", "http://h/a/../b/./c", Url{.host = "h", .path = "/a/../b/./c"},
       "http://h/a/../b/./c", "/a/../b/./c", "h"},
  };
}

void PrintTo(const ParseCase& c, std::ostream* out) {
  *out << c.name;
}

class UrlParse : public testing::TestWithParam<ParseCase> {};

TEST_P(UrlParse, GivesPartsCanonicalFormTargetAndHostHeader) {
  const ParseCase& c = GetParam();
  auto url = Url::parse(c.text);
  ASSERT_TRUE(url) << url.error().to_string();
  EXPECT_EQ(*url, c.expected);
  EXPECT_EQ(url->to_string(), c.canonical);
  EXPECT_EQ(url->request_target(), c.request_target);
  EXPECT_EQ(url->host_header(), c.host_header);
}

TEST_P(UrlParse, CanonicalFormParsesBackToTheSameUrl) {
  const ParseCase& c = GetParam();
  auto url = Url::parse(c.text);
  ASSERT_TRUE(url);
  auto again = Url::parse(url->to_string());
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(*again, *url);
  EXPECT_EQ(again->to_string(), url->to_string());
}

INSTANTIATE_TEST_SUITE_P(Http, UrlParse, testing::ValuesIn(parse_cases()),
                         [](const auto& info) { return info.param.name; });

// --- bad URLs ------------------------------------------------------------

struct BadUrlCase {
  std::string name;
  std::string text;
  std::string problem;  // must appear in the message
};

std::vector<BadUrlCase> bad_url_cases() {
  return {
      {"Empty", "", "empty"},
      {"MissingScheme", "example.com/path", "missing scheme"},
      {"MissingSchemeHostPort", "localhost:8080/x", "missing scheme"},
      {"SchemeRelative", "//example.com/", "missing scheme"},
      {"MissingSlashes", "http:example.com", "expected \"//\" after \"http:\""},
      {"UnsupportedScheme", "ftp://example.com/", "unsupported scheme \"ftp\""},
      {"EmptyHost", "http:///path", "empty host"},
      {"EmptyHostWithPort", "http://:80/", "empty host"},
      {"PortNotANumber", "http://h:8a/", "bad port \"8a\""},
      {"PortTooLarge", "http://h:65536/", "bad port \"65536\""},
      {"PortZero", "http://h:0/", "bad port \"0\""},
      {"PortTooManyDigits", "http://h:000080/", "bad port"},
      {"Ipv6WithoutBrackets", "http://::1/", "must be in brackets"},
      {"Ipv6Unclosed", "http://[::1/", "no closing ']'"},
      {"Ipv6Malformed", "http://[::g]/", "bad IPv6 literal \"::g\""},
      {"Ipv6Empty", "http://[]/", "bad IPv6 literal"},
      {"Ipv6JunkAfter", "http://[::1]x/", "after the IPv6 literal"},
      {"SpaceInPath", "http://h/a b", "space at position 10"},
      {"LeadingSpace", " http://h/", "space at position 0"},
      {"TabInHost", "http://h\t/", "control character 0x09"},
      {"NewlineInQuery", "http://h/?a=1\r\nX: y", "control character 0x0d"},
      {"Userinfo", "http://user:pw@h/", "userinfo"},
      {"BadCharacterInHost", "http://exa!mple.com/", "invalid character '!' in host"},
      {"BrokenPercentEncoding", "http://h/a%zz", "bad percent-encoding"},
      {"TruncatedPercentEncoding", "http://h/?q=%4", "bad percent-encoding"},
      {"TooLong", "http://h/" + std::string(kMaxUrlLength, 'a'), "longer than 8192 bytes"},
  };
}

void PrintTo(const BadUrlCase& c, std::ostream* out) {
  *out << c.name;
}

class BadUrl : public testing::TestWithParam<BadUrlCase> {};

TEST_P(BadUrl, IsInvalidArgumentNamingTheUrlAndTheProblem) {
  const BadUrlCase& c = GetParam();
  auto url = Url::parse(c.text);
  ASSERT_FALSE(url) << "parsed as " << url->to_string();
  EXPECT_EQ(url.error().kind, net::ErrorKind::invalid_argument);
  EXPECT_NE(url.error().message.find(c.problem), std::string::npos) << url.error().message;
  EXPECT_NE(url.error().message.find("bad URL \""), std::string::npos) << url.error().message;
}

INSTANTIATE_TEST_SUITE_P(Http, BadUrl, testing::ValuesIn(bad_url_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(BadUrlMessage, QuotesTheUrlWithControlBytesEscaped) {
  auto url = Url::parse("http://h/\x01");
  ASSERT_FALSE(url);
  EXPECT_EQ(url.error().message,
            "bad URL \"http://h/\\x01\": control character 0x01 at position 9 (percent-encode it)");
}

// --- join ------------------------------------------------------------------

struct JoinCase {
  std::string base;
  std::string path;
  std::string expected;
};

void PrintTo(const JoinCase& c, std::ostream* out) {
  *out << c.base << " + " << c.path;
}

class Join : public testing::TestWithParam<JoinCase> {};

TEST_P(Join, PutsExactlyOneSlashBetweenBaseAndPath) {
  const JoinCase& c = GetParam();
  auto joined = join(c.base, c.path);
  ASSERT_TRUE(joined) << joined.error().to_string();
  EXPECT_EQ(joined->to_string(), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Http, Join,
    testing::Values(JoinCase{"http://h/api", "items", "http://h/api/items"},
                    JoinCase{"http://h/api/", "items", "http://h/api/items"},
                    JoinCase{"http://h/api", "/items", "http://h/api/items"},
                    JoinCase{"http://h/api/", "/items", "http://h/api/items"},
                    JoinCase{"http://h/api//", "//items", "http://h/api/items"},
                    JoinCase{"http://h", "items", "http://h/items"},
                    JoinCase{"http://h/", "/", "http://h/"},
                    JoinCase{"http://h:8080/v1", "a/b?page=2#top", "http://h:8080/v1/a/b?page=2"},
                    JoinCase{"http://h/api?key=1", "items", "http://h/api/items"},
                    JoinCase{"http://h/api", "http://other:81/x", "http://other:81/x"},
                    JoinCase{"http://[::1]:9/api/", "x", "http://[::1]:9/api/x"}));

TEST(JoinErrors, BadPathNamesTheComposedUrl) {
  auto joined = join("http://h/api", "a b");
  ASSERT_FALSE(joined);
  EXPECT_NE(joined.error().message.find("\"http://h/api/a b\""), std::string::npos)
      << joined.error().message;
}

TEST(JoinErrors, AbsoluteUrlWithOtherSchemeIsRefused) {
  auto joined = join("http://h/api", "ftp://x/y");
  ASSERT_FALSE(joined);
  EXPECT_NE(joined.error().message.find("unsupported scheme"), std::string::npos);
}

TEST(JoinErrors, BadBaseIsReported) {
  auto joined = join("h/api", "x");
  ASSERT_FALSE(joined);
  EXPECT_NE(joined.error().message.find("missing scheme"), std::string::npos);
}

// --- query parameters ------------------------------------------------------

TEST(QueryParams, FormEncodingMatchesPythonQuotePlus) {
  EXPECT_EQ(form_encode("a b"), "a+b");
  EXPECT_EQ(form_encode("a&b=c"), "a%26b%3Dc");
  EXPECT_EQ(form_encode("안녕"), "%EC%95%88%EB%85%95");
  EXPECT_EQ(form_encode("~-._*!+"), "~-._%2A%21%2B");
  EXPECT_EQ(form_encode(""), "");
}

TEST(QueryParams, EncodeJoinsPairsInOrder) {
  EXPECT_EQ(encode_query({{"q", "안녕"}, {"a b", "c&d=e"}, {"q", ""}}),
            "q=%EC%95%88%EB%85%95&a+b=c%26d%3De&q=");
  EXPECT_EQ(encode_query({}), "");
}

TEST(QueryParams, ParseDecodesPairsInOrder) {
  auto params = parse_query("q=%EC%95%88%EB%85%95&a+b=c%26d%3De&flag&&x=1=2");
  ASSERT_TRUE(params) << params.error().to_string();
  EXPECT_EQ(*params, (QueryParams{{"q", "안녕"}, {"a b", "c&d=e"}, {"flag", ""}, {"x", "1=2"}}));
}

TEST(QueryParams, ParseInvertsEncode) {
  const QueryParams params{{"space", "a b"}, {"amp", "&"},     {"eq", "="},
                           {"plus", "+"},    {"utf8", "안녕"}, {"", "empty key"}};
  auto parsed = parse_query(encode_query(params));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, params);
}

TEST(QueryParams, ParseRefusesBrokenEscapes) {
  auto params = parse_query("x=1&a=%G1");
  ASSERT_FALSE(params);
  EXPECT_EQ(params.error().kind, net::ErrorKind::invalid_argument);
  EXPECT_EQ(params.error().message,
            "bad query \"x=1&a=%G1\": bad percent-encoding in \"%G1\" at position 0 "
            "(expected %XX with two hex digits)");
}

TEST(QueryParams, WithParamsAppendsToAnExistingQuery) {
  Url url = Url::parse("http://h/search?lang=ko").value();
  EXPECT_EQ(with_params(url, {{"q", "안녕 하세요"}}).to_string(),
            "http://h/search?lang=ko&q=%EC%95%88%EB%85%95+%ED%95%98%EC%84%B8%EC%9A%94");
}

TEST(QueryParams, WithParamsStartsAQuery) {
  Url url = Url::parse("http://h/search").value();
  EXPECT_EQ(with_params(url, {{"a", "1"}, {"b", "x y"}}).request_target(), "/search?a=1&b=x+y");
  EXPECT_EQ(with_params(url, {}).to_string(), "http://h/search");
}

TEST(PercentEncoding, EncodeKeepsUnreservedAndChosenBytes) {
  EXPECT_EQ(percent_encode("a b/c?"), "a%20b%2Fc%3F");
  EXPECT_EQ(percent_encode("a b/c?", "/"), "a%20b/c%3F");
  EXPECT_EQ(percent_encode("안"), "%EC%95%88");
}

TEST(PercentEncoding, DecodeGivesBytesAndKeepsPlus) {
  EXPECT_EQ(percent_decode("a%20b+c%2f").value(), "a b+c/");
  EXPECT_EQ(percent_decode("%EC%95%88").value(), "안");
  EXPECT_FALSE(percent_decode("100%"));
  EXPECT_FALSE(percent_decode("%4"));
}

// --- resolve (redirects) ------------------------------------------------------

struct ResolveCase {
  std::string location;
  std::string expected;
};

void PrintTo(const ResolveCase& c, std::ostream* out) {
  *out << "Location: " << c.location;
}

class Resolve : public testing::TestWithParam<ResolveCase> {};

// RFC 3986 section 5.4 examples, base "http://a/b/c/d;p?q" (authority-only
// results end in '/', the canonical form).
TEST_P(Resolve, FollowsRfc3986AgainstTheBase) {
  const Url base = Url::parse("http://a/b/c/d;p?q").value();
  const ResolveCase& c = GetParam();
  auto resolved = resolve(base, c.location);
  ASSERT_TRUE(resolved) << resolved.error().to_string();
  EXPECT_EQ(resolved->to_string(), c.expected) << "Location: " << c.location;
}

INSTANTIATE_TEST_SUITE_P(
    Http, Resolve,
    testing::Values(ResolveCase{"g", "http://a/b/c/g"}, ResolveCase{"./g", "http://a/b/c/g"},
                    ResolveCase{"g/", "http://a/b/c/g/"}, ResolveCase{"/g", "http://a/g"},
                    ResolveCase{"//g", "http://g/"}, ResolveCase{"?y", "http://a/b/c/d;p?y"},
                    ResolveCase{"g?y", "http://a/b/c/g?y"}, ResolveCase{"#s", "http://a/b/c/d;p?q"},
                    ResolveCase{"g#s", "http://a/b/c/g"}, ResolveCase{";x", "http://a/b/c/;x"},
                    ResolveCase{"", "http://a/b/c/d;p?q"}, ResolveCase{".", "http://a/b/c/"},
                    ResolveCase{"./", "http://a/b/c/"}, ResolveCase{"..", "http://a/b/"},
                    ResolveCase{"../", "http://a/b/"}, ResolveCase{"../g", "http://a/b/g"},
                    ResolveCase{"../..", "http://a/"}, ResolveCase{"../../g", "http://a/g"},
                    ResolveCase{"../../../g", "http://a/g"}, ResolveCase{"/./g", "http://a/g"},
                    ResolveCase{"/../g", "http://a/g"}, ResolveCase{"g.", "http://a/b/c/g."},
                    ResolveCase{"g/../h", "http://a/b/c/h"},
                    ResolveCase{"http://other:8080/x?y", "http://other:8080/x?y"},
                    ResolveCase{"HTTPS://Secure/", "https://secure/"}));

TEST(ResolveErrors, UnsupportedSchemeInLocationIsRefused) {
  const Url base = Url::parse("http://a/b").value();
  auto resolved = resolve(base, "ftp://files/x");
  ASSERT_FALSE(resolved);
  EXPECT_NE(resolved.error().message.find("unsupported scheme \"ftp\""), std::string::npos);
}

TEST(ResolveErrors, ControlBytesInLocationAreRefused) {
  const Url base = Url::parse("http://a/b").value();
  auto resolved = resolve(base, "/x\r\nSet-Cookie: a");
  ASSERT_FALSE(resolved);
  EXPECT_EQ(resolved.error().kind, net::ErrorKind::invalid_argument);
  EXPECT_NE(resolved.error().message.find("bad Location"), std::string::npos);
}

TEST(ResolveRelative, KeepsPortAndIpv6Host) {
  const Url base = Url::parse("http://[::1]:8080/a/b").value();
  EXPECT_EQ(resolve(base, "c").value().to_string(), "http://[::1]:8080/a/c");
  EXPECT_EQ(resolve(base, "//[::2]/z").value().to_string(), "http://[::2]/z");
}

TEST(RemoveDotSegments, FollowsRfc3986Section524) {
  EXPECT_EQ(remove_dot_segments("/a/b/c/./../../g"), "/a/g");
  EXPECT_EQ(remove_dot_segments("mid/content=5/../6"), "mid/6");
  EXPECT_EQ(remove_dot_segments("/.."), "/");
  EXPECT_EQ(remove_dot_segments("/a/.."), "/");
}

}  // namespace
}  // namespace faultline::http
