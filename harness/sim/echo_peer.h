// harness/sim/echo_peer.h: the echo protocol core (echo::EchoSession) as a
// simulated server: every byte received is sent back; on the client's FIN the
// owed bytes go out, then a FIN.
//
//   network.listen("echo", 7, [] { return std::make_unique<sim::EchoPeer>(); });
#pragma once

#include "harness/sim/network.h"
#include "targets/echo/echo_session.h"

namespace faultline::sim {

// EchoPeer: see the file comment.
class EchoPeer final : public Peer {
 public:
  void on_data(Endpoint& endpoint, std::string_view bytes) override {
    session_.on_receive(bytes);
    flush(endpoint);
  }
  void on_end(Endpoint& endpoint, fault::EndKind kind) override {
    if (kind == fault::EndKind::reset) return;
    session_.on_peer_closed();
    flush(endpoint);
  }

 private:
  void flush(Endpoint& endpoint) {
    // The simulated send buffer takes everything, so all that is owed goes at once.
    endpoint.send(session_.owed());
    session_.on_sent(session_.owed().size());
    if (session_.finished()) endpoint.close();
  }
  echo::EchoSession session_;
};

}  // namespace faultline::sim
