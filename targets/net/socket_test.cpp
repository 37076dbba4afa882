#include "targets/net/socket.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace faultline::net {
namespace {

using namespace std::chrono_literals;

TEST(SocketTest, ListenOnPortZeroPicksAPort) {
  auto listener = listen_tcp(Address::loopback(0));
  ASSERT_TRUE(listener) << listener.error().to_string();
  auto bound = local_address(listener->get());
  ASSERT_TRUE(bound);
  EXPECT_NE(bound->port(), 0);
}

TEST(SocketTest, ListenBoundReportsThePickedAddress) {
  auto listener = listen_bound(Address::loopback(0));
  ASSERT_TRUE(listener) << listener.error().to_string();
  EXPECT_NE(listener->address.port(), 0);
  EXPECT_EQ(local_address(listener->fd.get()).value(), listener->address);
}

TEST(SocketTest, ConnectToClosedPortIsRefused) {
  // Bind a port, then close it, so nothing listens there.
  std::uint16_t port;
  {
    auto listener = listen_tcp(Address::loopback(0));
    ASSERT_TRUE(listener);
    port = local_address(listener->get())->port();
  }
  auto fd = connect_tcp(Address::loopback(port), Deadline::after(2s));
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().kind, ErrorKind::refused);
  EXPECT_NE(fd.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << fd.error().message;
}

TEST(SocketTest, SendAllAndRecvExactMoveEveryByte) {
  auto listener = listen_tcp(Address::loopback(0));
  ASSERT_TRUE(listener);
  auto address = local_address(listener->get()).value();
  std::string payload(4 << 20, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<char>(i * 31 + 7);

  std::string received(payload.size(), '\0');
  Status server_status;
  std::thread server([&] {
    auto ready = wait_for(listener->get(), Readiness::readable, Deadline::after(5s), "accept");
    if (!ready) {
      server_status = ready;
      return;
    }
    auto conn = accept_connection(listener->get());
    if (!conn) {
      server_status = tl::unexpected(conn.error());
      return;
    }
    server_status = recv_exact(conn->get(), received.data(), received.size(), Deadline::after(10s));
  });
  auto client = connect_tcp(address, Deadline::after(2s));
  ASSERT_TRUE(client) << client.error().to_string();
  ASSERT_TRUE(send_all(client->get(), payload, Deadline::after(10s)));
  server.join();
  ASSERT_TRUE(server_status) << server_status.error().to_string();
  EXPECT_EQ(received, payload);
}

TEST(SocketTest, RecvTimesOutAtTheDeadline) {
  auto listener = listen_tcp(Address::loopback(0));
  ASSERT_TRUE(listener);
  auto client = connect_tcp(local_address(listener->get()).value(), Deadline::after(2s));
  ASSERT_TRUE(client);
  char byte;
  auto start = MonotonicClock::now();
  auto n = recv_some(client->get(), &byte, 1, Deadline::after(50ms));
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().kind, ErrorKind::timeout);
  EXPECT_GE(MonotonicClock::now() - start, 50ms);
}

TEST(SocketTest, RecvExactReportsEarlyClose) {
  auto listener = listen_tcp(Address::loopback(0));
  ASSERT_TRUE(listener);
  auto client = connect_tcp(local_address(listener->get()).value(), Deadline::after(2s));
  ASSERT_TRUE(client);
  ASSERT_TRUE(wait_for(listener->get(), Readiness::readable, Deadline::after(2s), "accept"));
  auto conn = accept_connection(listener->get());
  ASSERT_TRUE(conn);
  ASSERT_TRUE(send_all(conn->get(), "abc", Deadline::after(2s)));
  conn->reset();
  char buffer[8];
  auto status = recv_exact(client->get(), buffer, sizeof(buffer), Deadline::after(2s));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, ErrorKind::closed);
  EXPECT_NE(status.error().message.find("3 of 8"), std::string::npos) << status.error().message;
}

TEST(SocketTest, LingerResetGivesPeerConnectionReset) {
  auto listener = listen_tcp(Address::loopback(0));
  ASSERT_TRUE(listener);
  auto client = connect_tcp(local_address(listener->get()).value(), Deadline::after(2s));
  ASSERT_TRUE(client);
  ASSERT_TRUE(wait_for(listener->get(), Readiness::readable, Deadline::after(2s), "accept"));
  auto conn = accept_connection(listener->get());
  ASSERT_TRUE(conn);
  ASSERT_TRUE(set_linger_reset(conn->get()));
  conn->reset();
  char buffer[8];
  auto n = recv_some(client->get(), buffer, sizeof(buffer), Deadline::after(2s));
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().kind, ErrorKind::reset);
}

TEST(SocketTest, ListenOnAnAddressNoInterfaceHasIsAddressUnavailable) {
  // 10.255.255.1 is on no interface of a test machine: bind says EADDRNOTAVAIL.
  auto listener = listen_tcp(Address::parse("10.255.255.1:0").value());
  ASSERT_FALSE(listener);
  EXPECT_EQ(listener.error().kind, ErrorKind::address_unavailable);
  EXPECT_EQ(listener.error().to_string(),
            "address_unavailable: bind 10.255.255.1:0: cannot assign requested address");
}

}  // namespace
}  // namespace faultline::net
