#include "targets/net/address.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

namespace faultline::net {
namespace {

TEST(AddressTest, ParsesIpv4) {
  auto a = Address::parse("127.0.0.1:8888");
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_EQ(a->family(), AF_INET);
  EXPECT_EQ(a->port(), 8888);
  EXPECT_EQ(a->to_string(), "127.0.0.1:8888");
}

TEST(AddressTest, ParsesBracketedIpv6) {
  auto a = Address::parse("[::1]:80");
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_EQ(a->family(), AF_INET6);
  EXPECT_EQ(a->to_string(), "[::1]:80");
}

TEST(AddressTest, ResolvesLocalhost) {
  auto a = Address::parse("localhost:0");
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_EQ(a->port(), 0);
  EXPECT_TRUE(a->host() == "127.0.0.1" || a->host() == "::1") << a->host();
}

struct BadAddress {
  const char* text;
  const char* message_part;
};

void PrintTo(const BadAddress& bad, std::ostream* out) {
  *out << "'" << bad.text << "'";
}

class BadAddressTest : public ::testing::TestWithParam<BadAddress> {};

TEST_P(BadAddressTest, RejectsWithMessageNamingTheProblem) {
  auto a = Address::parse(GetParam().text);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, ErrorKind::invalid_argument);
  EXPECT_NE(a.error().message.find(GetParam().message_part), std::string::npos)
      << a.error().message;
  EXPECT_NE(a.error().message.find(GetParam().text), std::string::npos) << a.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadAddressTest,
    ::testing::Values(BadAddress{"127.0.0.1", "missing ':PORT'"},
                      BadAddress{"127.0.0.1:", "missing port"}, BadAddress{":80", "missing host"},
                      BadAddress{"127.0.0.1:65536", "0..65535"},
                      BadAddress{"127.0.0.1:8x", "0..65535"}, BadAddress{"::1:80", "brackets"},
                      BadAddress{"[::1:80", "missing ']'"},
                      BadAddress{"[::1]80", "missing ':PORT'"},
                      BadAddress{"http://127.0.0.1:0", "not a URL (did you mean '127.0.0.1:0'?)"},
                      BadAddress{"tcp://[::1]:80/x", "not a URL"}));

TEST(AddressTest, UnknownHostIsUnreachable) {
  auto a = Address::parse("no-such-host.invalid:80");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, ErrorKind::unreachable);
  EXPECT_NE(a.error().message.find("no-such-host.invalid"), std::string::npos);
}

}  // namespace
}  // namespace faultline::net
