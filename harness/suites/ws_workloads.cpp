// The ws-echo workloads. The stream ones (exchange, large, half-close,
// isolation) drive the reference WebSocket client (targets/ws/client.h)
// through the fault proxy and end with the closing handshake, which must be
// clean: a server that just closes TCP has not echoed the exchange whole.
// The WebSocket ones drive a scripted peer (a raw socket, the client
// handshake, and frames built byte by byte) that breaks one rule or goes
// silent, and judge what the server answers:
//
//   unmasked frame, fragmented ping   close 1002, and no echo or pong first
//   frame over the limit              close 1009, before the payload
//   close unanswered, pong missing    the server ends the connection in time
#include <sys/socket.h>

#include <thread>

#include <fmt/core.h>

#include "harness/fault/rng.h"
#include "harness/suites/workload.h"
#include "targets/net/socket.h"
#include "targets/net/stream.h"
#include "targets/ws/client.h"
#include "targets/ws/connection.h"
#include "targets/ws/handshake.h"

namespace faultline::suites {
namespace {

using namespace std::chrono_literals;
using ws::Opcode;

constexpr std::uint32_t kMask = 0x1f2e3d4c;

ws::ClientOptions client_options(const Scenario& scenario, std::uint64_t seed) {
  ws::ClientOptions options;
  // Faults that stall must be seen as timeouts well inside the deadline.
  options.connect_timeout = std::min<net::Duration>(3s, scenario.deadline / 3);
  options.io_timeout = std::min<net::Duration>(5s, scenario.deadline / 2);
  options.close_timeout = 3s;
  options.seed = seed;
  return options;
}

std::string url_for(const net::Address& via) {
  return "ws://" + via.to_string() + "/echo";
}

std::string preview(std::string_view bytes) {
  return std::string(bytes.substr(0, 40)) + (bytes.size() > 40 ? "..." : "");
}

// Messages: the exchange's payloads, every third one binary.
struct Sent {
  Opcode opcode;
  std::string payload;
};

// exchange_on: the messages on one connection, then the closing handshake.
// Text goes in fragments of 1..7 bytes, so characters are split across frames.
Outcome exchange_on(const Scenario& scenario, const WorkloadContext& context,
                    const std::vector<Sent>& messages, std::uint64_t seed, bool fragment) {
  auto url = ws::WsUrl::parse(url_for(context.via));
  if (!url) return broken(Invariant::clarity, url.error().to_string());
  net::TcpDialer dialer;
  auto client = ws::Client::connect(dialer, *url, client_options(scenario, seed));
  if (!client) return failed_with(client.error());
  fault::Rng rng(seed);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& message = messages[i];
    const std::size_t fragment_size =
        fragment && message.opcode == Opcode::text ? rng.between(1, 7) : 0;
    if (auto sent = (*client)->send(message.opcode, message.payload, fragment_size); !sent)
      return failed_with(sent.error());
    auto reply = (*client)->receive();
    if (!reply) return failed_with(reply.error());
    if (reply->opcode != message.opcode || reply->payload != message.payload) {
      std::size_t at = 0;
      while (at < reply->payload.size() && at < message.payload.size() &&
             reply->payload[at] == message.payload[at])
        ++at;
      return broken(Invariant::integrity,
                    fmt::format("message {} ({} {} bytes) came back as {} {} bytes, first "
                                "difference at byte {}",
                                i, ws::opcode_name(message.opcode), message.payload.size(),
                                ws::opcode_name(reply->opcode), reply->payload.size(), at));
    }
  }
  auto closed = (*client)->close();
  if (!closed) return failed_with(closed.error());
  if (!closed->clean || closed->peer_code != ws::close_code::kNormal) {
    return broken(Invariant::integrity,
                  fmt::format("{} messages echoed, but the closing handshake was not done: the "
                              "server answered our close 1000 with {} ({}){}",
                              messages.size(), closed->peer_code,
                              ws::close_code_name(closed->peer_code),
                              closed->clean ? "" : ", not cleanly (no close frame, or no FIN)"));
  }
  Outcome out;
  out.detail = fmt::format("{} messages echoed whole, then a clean close", messages.size());
  return out;
}

std::vector<Sent> exchange_messages(std::uint64_t seed, std::size_t max_size) {
  std::vector<Sent> out;
  auto texts = payloads(seed, 6, max_size);
  for (std::size_t i = 0; i < texts.size(); ++i)
    out.push_back({i % 3 == 2 ? Opcode::binary : Opcode::text, std::move(texts[i])});
  return out;
}

Outcome exchange(const Scenario& scenario, const WorkloadContext& context) {
  return exchange_on(scenario, context,
                     exchange_messages(context.seed, scenario.max_message_bytes), context.seed,
                     true);
}

Outcome large(const Scenario& scenario, const WorkloadContext& context) {
  fault::Rng rng(context.seed);
  return exchange_on(scenario, context,
                     {{Opcode::text, utf8_text(rng, scenario.max_message_bytes)}}, context.seed,
                     false);
}

// ScriptedPeer: a client that writes frames byte by byte and reads what the
// server answers through a client-role Connection (which decodes, and would
// answer, but whose output is sent only when a script says so).
class ScriptedPeer {
 public:
  static net::Result<ScriptedPeer> open(const net::Address& via, net::Deadline deadline,
                                        bool auto_pong = true) {
    auto fd = net::connect_tcp(via, deadline);
    if (!fd) return tl::unexpected(fd.error());
    ScriptedPeer peer(std::move(*fd), auto_pong);
    ws::ClientHandshake handshake({.host = via.to_string(), .target = "/echo"});
    if (auto sent = net::send_all(peer.fd_.get(), handshake.request(), deadline, "handshake");
        !sent)
      return tl::unexpected(sent.error());
    char buffer[4096];
    for (;;) {
      auto n = net::recv_some(peer.fd_.get(), buffer, sizeof(buffer), deadline, "handshake");
      if (!n) return tl::unexpected(n.error());
      if (*n == 0) return net::make_error(net::ErrorKind::closed, "EOF during the handshake");
      auto step = handshake.feed(std::string_view(buffer, *n));
      if (!step) return tl::unexpected(step.error());
      if (*step == ws::HandshakeStep::accepted) break;
    }
    peer.take(handshake.take_leftover());
    return peer;
  }

  net::Status send(std::string_view bytes, net::Deadline deadline) {
    return net::send_all(fd_.get(), bytes, deadline, "scripted peer send");
  }
  // send_answers: what the connection queued (pongs, a close reply).
  net::Status send_answers(net::Deadline deadline) {
    return send(connection_.take_output(), deadline);
  }
  // read: one read into the connection; false at EOF (or a reset: ended()).
  net::Result<bool> read(net::Deadline deadline) {
    char buffer[64 * 1024];
    auto n = net::recv_some(fd_.get(), buffer, sizeof(buffer), deadline, "scripted peer recv");
    if (!n) {
      if (n.error().kind != net::ErrorKind::reset) return tl::unexpected(n.error());
      ended_ = "a reset";
      return false;
    }
    if (*n == 0) {
      ended_ = "a FIN";
      return false;
    }
    take(std::string_view(buffer, *n));
    return true;
  }
  // read_until: reads until `done` holds for the events so far, or the end
  // of the connection; timeout kind at the deadline.
  template <typename Done>
  net::Result<bool> read_until(Done done, net::Deadline deadline) {
    while (!done(events_)) {
      auto more = read(deadline);
      if (!more) return tl::unexpected(more.error());
      if (!*more) return false;
    }
    return true;
  }
  const std::vector<ws::Event>& events() const { return events_; }
  const std::string& ended() const { return ended_; }
  int fd() const { return fd_.get(); }

 private:
  ScriptedPeer(net::Fd fd, bool auto_pong)
      : fd_(std::move(fd)),
        connection_(ws::ConnectionOptions{.role = ws::Role::client, .auto_pong = auto_pong}) {}
  void take(std::string_view bytes) {
    (void)connection_.receive(bytes);
    while (auto event = connection_.next_event())
      events_.push_back(std::move(*event));
  }

  net::Fd fd_;
  ws::Connection connection_;
  std::vector<ws::Event> events_;
  std::string ended_;
};

std::string masked(bool fin, Opcode opcode, std::string_view payload) {
  return ws::encode_frame({.fin = fin, .opcode = opcode, .masked = true, .mask = kMask}, payload);
}

bool has_close(const std::vector<ws::Event>& events) {
  return !events.empty() && events.back().kind == ws::EventKind::close;
}

// describe: what the peer got, for a verdict's detail.
std::string describe(const ScriptedPeer& peer) {
  std::string out;
  for (const auto& event : peer.events()) {
    if (!out.empty()) out += ", ";
    switch (event.kind) {
      case ws::EventKind::message:
        out += fmt::format("{} message '{}'", ws::opcode_name(event.opcode), preview(event.payload));
        break;
      case ws::EventKind::ping:
        out += "ping";
        break;
      case ws::EventKind::pong:
        out += fmt::format("pong '{}'", preview(event.payload));
        break;
      case ws::EventKind::close:
        out += fmt::format("close {} ({})", event.close_code, ws::close_code_name(event.close_code));
        break;
    }
  }
  if (out.empty()) out = "nothing";
  if (!peer.ended().empty()) out += ", then " + peer.ended();
  return out;
}

// expect_failure_close: after a violation, the server must answer with a
// close frame carrying `code`, and nothing that `forbidden` matches first.
Outcome expect_failure_close(const Scenario& scenario, const WorkloadContext& context,
                             const std::string& bytes, std::uint16_t code,
                             const std::string& violation,
                             bool (*forbidden)(const ws::Event&)) {
  const auto deadline = net::Deadline::after(scenario.deadline - 2s);
  auto peer = ScriptedPeer::open(context.via, deadline);
  if (!peer) return failed_with(peer.error());
  // A reset while sending means the server stopped reading: judged below.
  (void)peer->send(bytes, deadline);
  auto read = peer->read_until(has_close, deadline);
  for (const auto& event : peer->events()) {
    if (forbidden(event)) {
      return broken(Invariant::integrity,
                    fmt::format("the server accepted {}: it sent {}", violation, describe(*peer)));
    }
  }
  if (!read) {
    if (read.error().kind == net::ErrorKind::timeout) {
      return broken(Invariant::liveness, fmt::format("no close {} for {} inside the deadline ({})",
                                                     code, violation, describe(*peer)));
    }
    return failed_with(read.error());
  }
  if (!*read) {
    return broken(Invariant::clarity,
                  fmt::format("the server ended the connection without a close frame after {} "
                              "({}); RFC 6455 asks for close {}",
                              violation, describe(*peer), code));
  }
  const auto got = peer->events().back().close_code;
  if (got != code) {
    return broken(Invariant::clarity, fmt::format("{} earned close {} ({}), not {} ({})",
                                                  violation, got, ws::close_code_name(got), code,
                                                  ws::close_code_name(code)));
  }
  Outcome out;
  out.detail = fmt::format("{}: close {} ({})", violation, code, ws::close_code_name(code));
  return out;
}

bool is_message(const ws::Event& event) {
  return event.kind == ws::EventKind::message;
}
bool is_pong(const ws::Event& event) {
  return event.kind == ws::EventKind::pong;
}

// wait_for_end: reads (answering nothing) until the server ends the
// connection; a liveness failure if it has not by the deadline.
Outcome wait_for_end(ScriptedPeer& peer, net::Deadline deadline, const std::string& situation) {
  const auto started = net::MonotonicClock::now();
  auto read = peer.read_until([](const auto&) { return false; }, deadline);
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(net::MonotonicClock::now() - started);
  if (!read) {
    if (read.error().kind == net::ErrorKind::timeout) {
      return broken(Invariant::liveness,
                    fmt::format("{}: the server still held the connection after {} ms (it sent "
                                "{})",
                                situation, waited.count(), describe(peer)));
    }
    return failed_with(read.error());
  }
  Outcome out;
  out.detail = fmt::format("{}: the server ended the connection after {} ms ({})", situation,
                           waited.count(), describe(peer));
  return out;
}

Outcome close_unanswered(const Scenario& scenario, const WorkloadContext& context) {
  const auto deadline = net::Deadline::after(scenario.deadline - 2s);
  auto peer = ScriptedPeer::open(context.via, deadline);
  if (!peer) return failed_with(peer.error());
  // "κόσμε" and then ED A0 80, a UTF-16 surrogate: invalid at the A0.
  if (auto sent = peer->send(masked(true, Opcode::text, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce"
                                                        "\xb5\xed\xa0\x80"),
                             deadline);
      !sent)
    return failed_with(sent.error());
  auto read = peer->read_until(has_close, deadline);
  if (!read) return failed_with(read.error());
  if (*read && peer->events().back().close_code != ws::close_code::kInvalidPayload) {
    const auto got = peer->events().back().close_code;
    return broken(Invariant::clarity, fmt::format("invalid UTF-8 earned close {} ({}), not 1007",
                                                  got, ws::close_code_name(got)));
  }
  if (!*read) {
    Outcome out;
    out.detail = "the server ended the connection at once (" + describe(*peer) + ")";
    return out;
  }
  return wait_for_end(*peer, deadline, "our close reply withheld");
}

Outcome pong_missing(const Scenario& scenario, const WorkloadContext& context) {
  const auto deadline = net::Deadline::after(scenario.deadline - 2s);
  auto peer = ScriptedPeer::open(context.via, deadline, /*auto_pong=*/false);
  if (!peer) return failed_with(peer.error());
  if (auto sent = peer->send(masked(true, Opcode::text, "then silence"), deadline); !sent)
    return failed_with(sent.error());
  auto echoed =
      peer->read_until([](const auto& events) { return !events.empty() && is_message(events[0]); },
                       deadline);
  if (!echoed) return failed_with(echoed.error());
  if (!*echoed)
    return broken(Invariant::integrity, "the server ended the connection before its echo (" +
                                            describe(*peer) + ")");
  return wait_for_end(*peer, deadline, "a peer that answers no ping");
}

Outcome frame_over_limit(const Scenario& scenario, const WorkloadContext& context) {
  // A text frame of 1 GiB (64-bit length), and its first kilobyte.
  ws::FrameHeader header{.opcode = Opcode::text, .masked = true, .mask = kMask, .length = 1ull << 30};
  std::string bytes = ws::encode_frame_header(header) + std::string(1024, 'a');
  return expect_failure_close(scenario, context, bytes, ws::close_code::kMessageTooBig,
                              "a frame announcing 1 GiB", is_message);
}

Outcome unmasked_frame(const Scenario& scenario, const WorkloadContext& context) {
  std::string bytes =
      ws::encode_frame({.opcode = Opcode::text, .masked = false}, "unmasked: must not be echoed");
  return expect_failure_close(scenario, context, bytes, ws::close_code::kProtocolError,
                              "an unmasked client frame", is_message);
}

Outcome fragmented_control(const Scenario& scenario, const WorkloadContext& context) {
  std::string bytes = masked(false, Opcode::ping, "fragmented");
  return expect_failure_close(scenario, context, bytes, ws::close_code::kProtocolError,
                              "a ping with FIN clear", is_pong);
}

Outcome ping_between_fragments(const Scenario& scenario, const WorkloadContext& context) {
  const auto deadline = net::Deadline::after(scenario.deadline - 2s);
  auto peer = ScriptedPeer::open(context.via, deadline);
  if (!peer) return failed_with(peer.error());
  // "Hello, 안녕" with the ping between its halves, the 안 split across them.
  const std::string first = "Hello, \xec\x95", second = "\x88\xeb\x85\x95";
  std::string bytes = masked(false, Opcode::text, first) + masked(true, Opcode::ping, "between") +
                      masked(true, Opcode::continuation, second);
  if (auto sent = peer->send(bytes, deadline); !sent) return failed_with(sent.error());
  auto read = peer->read_until(
      [](const auto& events) {
        return std::any_of(events.begin(), events.end(), is_message) ||
               (!events.empty() && events.back().kind == ws::EventKind::close);
      },
      deadline);
  if (!read) return failed_with(read.error());
  const auto& events = peer->events();
  const bool pong_first = !events.empty() && is_pong(events[0]) && events[0].payload == "between";
  const bool echoed = events.size() >= 2 && is_message(events[1]) &&
                      events[1].opcode == Opcode::text && events[1].payload == first + second;
  if (!pong_first || !echoed) {
    return broken(Invariant::integrity,
                  "expected a pong 'between', then the text 'Hello, 안녕'; got " + describe(*peer));
  }
  Outcome out;
  out.detail = "pong first, then the whole message";
  return out;
}

// half_close: one thread sends the message and our close frame, then FIN,
// while this one reads to the end: the echo and the close reply must come.
Outcome half_close(const Scenario& scenario, const WorkloadContext& context) {
  const auto deadline = net::Deadline::after(scenario.deadline - 2s);
  auto peer = ScriptedPeer::open(context.via, deadline);
  if (!peer) return failed_with(peer.error());
  fault::Rng rng(context.seed);
  const std::string message = utf8_text(rng, scenario.max_message_bytes);
  const std::string bytes = masked(true, Opcode::text, message) +
                            masked(true, Opcode::close,
                                   ws::encode_close_payload(ws::close_code::kNormal, "bye"));
  net::Status sent;
  const int fd = peer->fd();
  std::thread sender([&] {
    sent = net::send_all(fd, bytes, deadline, "half-close send");
    if (sent) sent = net::shutdown_write(fd);
  });
  auto read = peer->read_until([](const auto&) { return false; }, deadline);
  sender.join();
  if (!sent) return failed_with(sent.error());
  if (!read) return failed_with(read.error());
  const auto& events = peer->events();
  const bool echoed = !events.empty() && is_message(events[0]) && events[0].payload == message;
  const bool closed = events.size() == 2 && events[1].kind == ws::EventKind::close &&
                      events[1].close_code == ws::close_code::kNormal;
  if (!echoed || !closed) {
    return broken(Invariant::integrity,
                  fmt::format("after our close frame and FIN, expected the {}-byte echo and "
                              "close 1000; got {}",
                              message.size(), describe(*peer)));
  }
  Outcome out;
  out.detail = fmt::format("the {}-byte echo and close 1000 arrived across the half-close",
                           message.size());
  return out;
}

Outcome isolation(const Scenario& scenario, const WorkloadContext& context) {
  // The bad peer: a whole handshake and two bytes of a frame header, then silence.
  const auto deadline = net::Deadline::after(3s);
  auto bad = ScriptedPeer::open(context.via, deadline);
  if (!bad) return failed_with(bad.error());
  if (auto sent = bad->send(std::string("\x81\xfe", 2), deadline); !sent)
    return failed_with(sent.error());
  std::vector<std::thread> threads;
  std::vector<Outcome> outcomes(4);
  for (std::size_t c = 0; c < outcomes.size(); ++c) {
    threads.emplace_back([&, c] {
      const auto seed = context.seed * 1000 + c;
      outcomes[c] = exchange_on(scenario, context, exchange_messages(seed, 2000), seed, true);
    });
  }
  for (auto& thread : threads)
    thread.join();
  for (std::size_t c = 0; c < outcomes.size(); ++c) {
    if (!outcomes[c].status || outcomes[c].broken) {
      return broken(Invariant::isolation,
                    fmt::format("with one peer holding half a frame header, client {} failed: {}",
                                c, outcomes[c].detail));
    }
  }
  Outcome out;
  out.detail = fmt::format("{} clients served while another held half a frame header",
                           outcomes.size());
  return out;
}

}  // namespace

Outcome run_ws_workload(const Scenario& scenario, const WorkloadContext& context) {
  switch (scenario.workload) {
    case Workload::exchange:
      return exchange(scenario, context);
    case Workload::large:
      return large(scenario, context);
    case Workload::half_close:
      return half_close(scenario, context);
    case Workload::isolation:
      return isolation(scenario, context);
    case Workload::ws_close_unanswered:
      return close_unanswered(scenario, context);
    case Workload::ws_pong_missing:
      return pong_missing(scenario, context);
    case Workload::ws_frame_over_limit:
      return frame_over_limit(scenario, context);
    case Workload::ws_unmasked_frame:
      return unmasked_frame(scenario, context);
    case Workload::ws_fragmented_control:
      return fragmented_control(scenario, context);
    case Workload::ws_ping_between_fragments:
      return ping_between_fragments(scenario, context);
    default:
      break;
  }
  return broken(Invariant::clarity,
                fmt::format("workload {} is not a ws-echo workload", workload_name(scenario.workload)));
}

}  // namespace faultline::suites
