// harness/sim/peer_server_test.cpp: sans-I/O peers on real loopback sockets.
#include "harness/sim/peer_server.h"

#include <sys/socket.h>

#include <gtest/gtest.h>

#include "harness/sim/echo_peer.h"
#include "targets/net/stream.h"

namespace faultline::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

net::TimePoint in(net::Duration d) {
  return net::SteadyClock::instance().now() + d;
}

std::unique_ptr<net::Stream> dial(const PeerServer& server) {
  net::TcpDialer dialer;
  auto stream = dialer.dial(server.address().host(), server.address().port(), in(seconds(5)));
  EXPECT_TRUE(stream) << (stream ? "" : stream.error().to_string());
  return stream ? std::move(*stream) : nullptr;
}

// read_to_end: everything until EOF, or the error that ended it.
net::Result<std::string> read_to_end(net::Stream& stream) {
  std::string out;
  char buffer[4096];
  for (int i = 0; i < 10'000; ++i) {
    auto n = stream.read_some(buffer, sizeof buffer, in(seconds(5)));
    if (!n) return tl::unexpected(n.error());
    if (*n == 0) return out;
    out.append(buffer, *n);
  }
  return out;
}

TEST(PeerServerTest, ServesTheEchoPeerAndEndsWithItsFinAfterTheClients) {
  PeerServer server([] { return std::make_unique<EchoPeer>(); });
  ASSERT_TRUE(server.start());
  auto stream = dial(server);
  ASSERT_TRUE(stream);
  ASSERT_TRUE(stream->write_all("hello, 안녕", in(seconds(5))));
  // Half-close: the echo peer sends what it owes, then its FIN.
  ::shutdown(static_cast<net::TcpStream&>(*stream).fd(), SHUT_WR);
  auto reply = read_to_end(*stream);
  ASSERT_TRUE(reply) << reply.error().to_string();
  EXPECT_EQ(*reply, "hello, 안녕");
  EXPECT_EQ(server.accepted(), 1u);
}

// A peer that answers after a delay, then resets: Endpoint::after and reset.
class LateThenReset final : public Peer {
 public:
  void on_open(Endpoint& endpoint) override {
    endpoint.after(milliseconds(20), [&endpoint] {
      endpoint.send("late");
      endpoint.after(milliseconds(20), [&endpoint] { endpoint.reset(); });
    });
  }
  void on_data(Endpoint&, std::string_view) override {}
  void on_end(Endpoint&, fault::EndKind) override {}
};

TEST(PeerServerTest, RunsTimedTasksAndAResetReachesTheClientAsOne) {
  PeerServer server([] { return std::make_unique<LateThenReset>(); });
  ASSERT_TRUE(server.start());
  auto stream = dial(server);
  ASSERT_TRUE(stream);
  char buffer[16];
  auto n = stream->read_some(buffer, sizeof buffer, in(seconds(5)));
  ASSERT_TRUE(n) << n.error().to_string();
  EXPECT_EQ(std::string(buffer, *n), "late");
  auto end = read_to_end(*stream);
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().kind, net::ErrorKind::reset) << end.error().to_string();
}

TEST(PeerServerTest, StopEndsOpenConnectionsAndConnectionsOverTheBoundAreClosed) {
  PeerServerOptions options;
  options.max_connections = 1;
  PeerServer server([] { return std::make_unique<EchoPeer>(); }, options);
  ASSERT_TRUE(server.start());
  auto first = dial(server);
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->write_all("x", in(seconds(5))));
  char buffer[4];
  auto echoed = first->read_some(buffer, sizeof buffer, in(seconds(5)));
  ASSERT_TRUE(echoed && *echoed == 1);
  // The second is over the bound: accepted, then closed at once.
  auto second = dial(server);
  ASSERT_TRUE(second);
  auto refused = read_to_end(*second);
  EXPECT_TRUE(!refused || refused->empty());
  EXPECT_EQ(server.accepted(), 2u);
  // stop() with the first still open: it returns, and the client sees the end.
  server.stop();
  auto after_stop = read_to_end(*first);
  EXPECT_TRUE(!after_stop || after_stop->empty());
}

}  // namespace
}  // namespace faultline::sim
