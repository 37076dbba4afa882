#include "targets/net/event_loop.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace faultline::net {
namespace {

using namespace std::chrono_literals;

TEST(EventLoopTest, TimersFireInDeadlineOrder) {
  auto loop = EventLoop::create().value();
  std::vector<int> order;
  loop->add_timer(20ms, [&] { order.push_back(2); });
  loop->add_timer(1ms, [&] { order.push_back(1); });
  loop->add_timer(30ms, [&] {
    order.push_back(3);
    loop->stop();
  });
  ASSERT_TRUE(loop->run());
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(EventLoopTest, CancelledTimerNeverFires) {
  auto loop = EventLoop::create().value();
  bool fired = false;
  auto id = loop->add_timer(1ms, [&] { fired = true; });
  EXPECT_TRUE(loop->cancel_timer(id));
  EXPECT_FALSE(loop->cancel_timer(id));
  loop->add_timer(5ms, [&] { loop->stop(); });
  ASSERT_TRUE(loop->run());
  EXPECT_FALSE(fired);
}

TEST(EventLoopTest, DispatchesReadinessAndAllowsSelfRemoval) {
  auto loop = EventLoop::create().value();
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair), 0);
  Fd a(pair[0]), b(pair[1]);
  int calls = 0;
  ASSERT_TRUE(loop->add(a.get(), EPOLLIN, [&](std::uint32_t events) {
    EXPECT_TRUE(events & EPOLLIN);
    ++calls;
    loop->remove(a.get());
    loop->stop();
  }));
  ASSERT_EQ(::write(b.get(), "x", 1), 1);
  loop->add_timer(5s, [&] { loop->stop(); });  // guard: the test ends even if dispatch fails
  ASSERT_TRUE(loop->run());
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(loop->watching(a.get()));
}

TEST(EventLoopTest, PostAndStopWakeTheLoopFromAnotherThread) {
  auto loop = EventLoop::create().value();
  std::atomic<bool> ran{false};
  loop->add_timer(10s, [&] { loop->stop(); });  // guard
  std::thread other([&] {
    loop->post([&] { ran = true; });
    loop->stop();
  });
  ASSERT_TRUE(loop->run());
  other.join();
  EXPECT_TRUE(ran);
  EXPECT_EQ(loop->timer_count(), 1u);  // the guard was not what ended it
}

TEST(EventLoopTest, ModifyOfUnknownFdIsAnError) {
  auto loop = EventLoop::create().value();
  auto status = loop->modify(12345, EPOLLIN);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, ErrorKind::invalid_argument);
}

}  // namespace
}  // namespace faultline::net
