#include "targets/net/stream.h"

#include <gtest/gtest.h>

#include "targets/net/socket.h"

namespace faultline::net {
namespace {

using namespace std::chrono_literals;

TEST(TcpDialerTest, DialsAndMovesBytesBothWays) {
  auto listener = listen_tcp(Address::loopback(0));
  ASSERT_TRUE(listener);
  auto port = local_address(listener->get())->port();
  TcpDialer dialer;
  auto deadline = dialer.clock().now() + 2s;
  auto stream = dialer.dial("127.0.0.1", port, deadline);
  ASSERT_TRUE(stream) << stream.error().to_string();
  EXPECT_EQ(dialer.connections(), 1u);
  ASSERT_TRUE(wait_for(listener->get(), Readiness::readable, Deadline::after(2s), "accept"));
  auto server = accept_connection(listener->get());
  ASSERT_TRUE(server);

  EXPECT_FALSE((*stream)->readable_now());
  ASSERT_TRUE((*stream)->write_all("ping", deadline));
  char buffer[16];
  ASSERT_TRUE(recv_exact(server->get(), buffer, 4, Deadline::after(2s)));
  ASSERT_TRUE(send_all(server->get(), "pong", Deadline::after(2s)));
  std::string got;
  while (got.size() < 4) {
    auto n = (*stream)->read_some(buffer, sizeof(buffer), deadline);
    ASSERT_TRUE(n) << n.error().to_string();
    ASSERT_GT(*n, 0u);
    got.append(buffer, *n);
  }
  EXPECT_EQ(got, "pong");
  server->reset();
  auto eof = (*stream)->read_some(buffer, sizeof(buffer), deadline);
  ASSERT_TRUE(eof);
  EXPECT_EQ(*eof, 0u);
  EXPECT_TRUE((*stream)->readable_now());
}

TEST(TcpDialerTest, ReadTimesOutAtTheDeadline) {
  auto listener = listen_tcp(Address::loopback(0));
  ASSERT_TRUE(listener);
  TcpDialer dialer;
  auto stream =
      dialer.dial("localhost", local_address(listener->get())->port(), dialer.clock().now() + 2s);
  ASSERT_TRUE(stream) << stream.error().to_string();
  char byte;
  auto n = (*stream)->read_some(&byte, 1, dialer.clock().now() + 30ms);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().kind, ErrorKind::timeout);
}

TEST(TcpDialerTest, BadHostIsAnErrorNotACrash) {
  TcpDialer dialer;
  auto stream = dialer.dial("no-such-host.invalid", 80, dialer.clock().now() + 2s);
  ASSERT_FALSE(stream);
  EXPECT_EQ(stream.error().kind, ErrorKind::unreachable);
}

}  // namespace
}  // namespace faultline::net
