#include "targets/echo/echo_session.h"

#include <gtest/gtest.h>

namespace faultline::echo {
namespace {

TEST(EchoSessionTest, OwesBackExactlyWhatItReceived) {
  EchoSession session;
  session.on_receive("안녕");
  session.on_receive("하세요!");
  EXPECT_EQ(session.owed(), "안녕하세요!");
  session.on_sent(3);
  EXPECT_EQ(session.owed(), "녕하세요!");
  session.on_sent(100);  // more than owed is clamped
  EXPECT_TRUE(session.owed().empty());
  EXPECT_EQ(session.bytes_received(), session.bytes_sent());
}

TEST(EchoSessionTest, StopsWantingInputAtTheOwedLimit) {
  EchoSession session(EchoSession::Limits{8});
  session.on_receive("1234567");
  EXPECT_TRUE(session.wants_input());
  session.on_receive("8");
  EXPECT_FALSE(session.wants_input());
  session.on_sent(1);
  EXPECT_TRUE(session.wants_input());
}

TEST(EchoSessionTest, HalfCloseFinishesOnlyAfterOwedBytesAreSent) {
  EchoSession session;
  session.on_receive("abc");
  session.on_peer_closed();
  EXPECT_FALSE(session.wants_input());
  EXPECT_FALSE(session.finished());
  session.on_sent(3);
  EXPECT_TRUE(session.finished());
}

TEST(EchoSessionTest, KeepsOrderAcrossCompaction) {
  EchoSession session;
  std::string expected;
  std::string echoed;
  for (int i = 0; i < 1000; ++i) {
    std::string chunk(static_cast<std::size_t>(i % 17 + 1), static_cast<char>('a' + i % 26));
    session.on_receive(chunk);
    expected += chunk;
    auto take = std::min<std::size_t>(session.owed().size(), static_cast<std::size_t>(i % 13));
    echoed.append(session.owed().substr(0, take));
    session.on_sent(take);
  }
  echoed.append(session.owed());
  EXPECT_EQ(echoed, expected);
}

}  // namespace
}  // namespace faultline::echo
