#include "targets/ws/conformance/conformance.h"

#include <algorithm>
#include <map>
#include <random>

#include <fmt/core.h>

#include "targets/net/socket.h"
#include "targets/ws/connection.h"
#include "targets/ws/handshake.h"

namespace faultline::ws::conformance {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

// with_mask_bit: a raw (unmasked) frame as a client would send it: mask bit
// set and a zero key, so the payload bytes stay as written.
std::string with_mask_bit(std::string raw) {
  if (raw.size() < 2) return raw;
  const std::uint8_t len7 = static_cast<std::uint8_t>(raw[1]) & 0x7F;
  const std::size_t key_at = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
  raw[1] = static_cast<char>(raw[1] | 0x80);
  if (raw.size() < key_at) return raw;
  raw.insert(key_at, std::string(4, '\0'));
  return raw;
}

std::string describe_reply(const Event& event) {
  switch (event.kind) {
    case EventKind::message:
      return (event.opcode == Opcode::text ? "text:" : "binary:") + event.payload;
    case EventKind::pong:
      return "pong:" + event.payload;
    case EventKind::ping:
      return "ping:" + event.payload;
    case EventKind::close:
      return "close";
  }
  return "?";
}

// Player: one side of a conformance connection, after the handshake.
class Player {
 public:
  Player(net::Fd fd, Role role, std::string leftover, net::Duration timeout, std::uint64_t seed)
      : fd_(std::move(fd)),
        role_(role),
        reader_(ConnectionOptions{
            .role = role,
            .limits = {.max_frame_bytes = 64 << 20, .max_message_bytes = 64 << 20},
            .mask_seed = seed,
            .auto_pong = false}),
        mask_generator_(seed),
        deadline_(net::Deadline::after(timeout)) {
    absorb(leftover);
  }

  Observation play(const Case& c) {
    bool stopped = false;
    for (const auto& step : c.script) {
      std::string bytes = encode(step);
      if (step.partial > 0) bytes.resize(header_size(bytes) + step.partial);
      const std::size_t chunk = step.chunk ? step.chunk : bytes.size();
      for (std::size_t at = 0; at < bytes.size() && !stopped; at += chunk)
        stopped = !send(std::string_view(bytes).substr(at, chunk));
      if (stopped || step.partial > 0) {
        stopped = true;
        break;
      }
      read_available();
    }
    if (!stopped && c.expect == Expect::echo) {
      // As Autobahn does: the echoes first, then our close (a close sent at
      // once may overtake a peer's pending echo, which it then must drop).
      wait_for_replies(c.replies.size());
      FrameHeader header{.opcode = Opcode::close,
                         .masked = role_ == Role::client,
                         .mask = static_cast<std::uint32_t>(mask_generator_())};
      (void)send(encode_frame(header, encode_close_payload(1000, "")));
      our_close_sent_ = true;
    }
    observe();
    return seen_;
  }

 private:
  std::string encode(const ScriptFrame& step) {
    if (!step.raw.empty()) return role_ == Role::client ? with_mask_bit(step.raw) : step.raw;
    FrameHeader header{.fin = step.fin,
                       .rsv = step.rsv,
                       .opcode = static_cast<Opcode>(step.opcode),
                       .masked = role_ == Role::client,
                       .mask = static_cast<std::uint32_t>(mask_generator_())};
    return encode_frame(header, step.payload);
  }
  static std::size_t header_size(const std::string& frame) {
    const std::uint8_t b1 = static_cast<std::uint8_t>(frame[1]);
    const std::uint8_t len7 = b1 & 0x7F;
    return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((b1 & 0x80) ? 4 : 0);
  }

  bool send(std::string_view bytes) {
    if (seen_.tcp_closed) return false;
    // Read while writing, so a peer echoing a large message never blocks us.
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n > 0) {
        bytes.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (deadline_.expired()) return false;
        read_available();
        (void)net::wait_for(
            fd_.get(), net::Readiness::writable,
            net::Deadline::earlier(deadline_, net::Deadline::after(std::chrono::milliseconds(10))),
            "send");
        continue;
      }
      seen_.note = "send: the peer closed the connection";
      return false;
    }
    return true;
  }

  void absorb(std::string_view bytes) {
    if (bytes.empty()) return;
    auto received = reader_.receive(bytes);
    while (auto event = reader_.next_event()) {
      if (event->kind == EventKind::close) {
        seen_.close_received = true;
        seen_.close_code = event->close_code;
      } else if (event->kind != EventKind::ping) {
        seen_.replies.push_back(describe_reply(*event));
      }
    }
    if (!received && !seen_.close_received) {
      seen_.bad_frames = true;
      seen_.note = "the peer's frames: " + received.error().to_string();
    }
    // The reader answers the peer's close; our side then ends.
    if (seen_.close_received && !our_close_sent_) {
      (void)send(reader_.take_output());
      our_close_sent_ = true;
    }
    if (seen_.close_received) (void)net::shutdown_write(fd_.get());
  }

  // read_available: whatever the peer has sent so far, without waiting.
  void read_available() {
    char buffer[kReadChunk];
    for (int i = 0; i < 1024 && !seen_.tcp_closed; ++i) {
      ssize_t n = ::recv(fd_.get(), buffer, sizeof(buffer), MSG_DONTWAIT);
      if (n > 0) {
        absorb(std::string_view(buffer, static_cast<std::size_t>(n)));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        seen_.tcp_closed = true;
      return;
    }
  }

  // wait_for_replies: read until `count` replies came, or the connection
  // ended, or the deadline.
  void wait_for_replies(std::size_t count) {
    char buffer[kReadChunk];
    while (seen_.replies.size() < count && !seen_.tcp_closed && !seen_.close_received &&
           !seen_.bad_frames) {
      auto n = net::recv_some(fd_.get(), buffer, sizeof(buffer), deadline_);
      if (!n || *n == 0) {
        seen_.tcp_closed = n.has_value();
        return;
      }
      absorb(std::string_view(buffer, *n));
    }
  }

  // observe: read until the peer closes the TCP connection or the deadline.
  void observe() {
    char buffer[kReadChunk];
    while (!seen_.tcp_closed && !seen_.bad_frames) {
      auto n = net::recv_some(fd_.get(), buffer, sizeof(buffer), deadline_);
      if (!n) {
        if (n.error().kind == net::ErrorKind::timeout) {
          seen_.timed_out = !seen_.close_received;
          return;
        }
        seen_.tcp_closed = true;  // reset
        return;
      }
      if (*n == 0) {
        seen_.tcp_closed = true;
        return;
      }
      absorb(std::string_view(buffer, *n));
    }
  }

  net::Fd fd_;
  Role role_;
  Connection reader_;
  std::mt19937_64 mask_generator_;
  net::Deadline deadline_;
  Observation seen_;
  bool our_close_sent_ = false;
};

}  // namespace

Observation run_against_server(const Case& c, const net::Address& server, net::Duration timeout,
                               std::uint64_t seed) {
  Observation failed;
  failed.timed_out = true;
  auto deadline = net::Deadline::after(timeout);
  auto fd = net::connect_tcp(server, deadline);
  if (!fd) {
    failed.note = "connect: " + fd.error().to_string();
    return failed;
  }
  (void)net::set_nodelay(fd->get());
  ClientHandshake handshake({.host = server.to_string(), .target = "/" + c.id, .key_seed = seed});
  if (!net::send_all(fd->get(), handshake.request(), deadline)) {
    failed.note = "handshake: send failed";
    return failed;
  }
  char buffer[4096];
  for (int i = 0; i < 1000; ++i) {
    auto n = net::recv_some(fd->get(), buffer, sizeof(buffer), deadline);
    if (!n || *n == 0) {
      failed.note = "handshake: no response";
      return failed;
    }
    auto step = handshake.feed(std::string_view(buffer, *n));
    if (!step) {
      failed.note = step.error().to_string();
      return failed;
    }
    if (*step == HandshakeStep::accepted) break;
  }
  Player player(std::move(*fd), Role::client, handshake.take_leftover(), timeout, seed);
  return player.play(c);
}

Observation run_against_client(const Case& c, net::Fd connection, net::Duration timeout) {
  Observation failed;
  failed.timed_out = true;
  auto deadline = net::Deadline::after(timeout);
  (void)net::set_nodelay(connection.get());
  ServerHandshake handshake;
  char buffer[4096];
  for (int i = 0; i < 1000; ++i) {
    auto n = net::recv_some(connection.get(), buffer, sizeof(buffer), deadline);
    if (!n || *n == 0) {
      failed.note = "handshake: no request";
      return failed;
    }
    auto step = handshake.feed(std::string_view(buffer, *n));
    if (*step == HandshakeStep::rejected) {
      failed.note = handshake.error().to_string();
      return failed;
    }
    if (*step == HandshakeStep::accepted) break;
  }
  if (!net::send_all(connection.get(), handshake.take_output(), deadline)) {
    failed.note = "handshake: send failed";
    return failed;
  }
  Player player(std::move(connection), Role::server, handshake.take_leftover(), timeout, 1);
  return player.play(c);
}

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass:
      return "pass";
    case Verdict::non_strict:
      return "non-strict";
    case Verdict::fail:
      return "fail";
  }
  return "?";
}

namespace {
std::string shorten(const std::string& reply) {
  std::string out = reply.substr(0, 40);
  for (auto& ch : out)
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7f) ch = '.';
  return reply.size() > 40 ? out + fmt::format("...({} bytes)", reply.size()) : out;
}
std::string list(const std::vector<std::string>& replies) {
  std::string out = "[";
  for (const auto& r : replies)
    out += (out.size() > 1 ? ", " : "") + shorten(r);
  return out + "]";
}
// ending: how the connection ended, for a failure's explanation.
std::string ending(const Observation& seen) {
  std::string out = seen.close_received ? fmt::format("; close {}", seen.close_code)
                                        : std::string("; no close frame");
  if (seen.tcp_closed) out += ", TCP closed";
  if (seen.timed_out) out += ", timed out";
  if (!seen.note.empty()) out += ", " + seen.note;
  return out;
}
bool is_prefix(const std::vector<std::string>& prefix, const std::vector<std::string>& of) {
  return prefix.size() <= of.size() && std::equal(prefix.begin(), prefix.end(), of.begin());
}
}  // namespace

Judgement judge(const Case& c, const Observation& seen) {
  auto verdict = [](Verdict v, std::string why) { return Judgement{v, std::move(why)}; };
  if (seen.bad_frames) return verdict(Verdict::fail, seen.note);
  const bool fail_fast_case =
      std::any_of(c.script.begin(), c.script.end(), [](const auto& f) { return f.partial > 0; });
  switch (c.expect) {
    case Expect::echo:
    case Expect::close_answer: {
      if (seen.replies != c.replies)
        return verdict(Verdict::fail, "replies " + list(seen.replies) + ", expected " +
                                          list(c.replies) + ending(seen));
      if (seen.close_received && seen.close_code == c.code) return verdict(Verdict::pass, "");
      if (seen.close_received)
        return verdict(Verdict::non_strict,
                       fmt::format("closed with {}, expected {}", seen.close_code, c.code));
      if (seen.tcp_closed) return verdict(Verdict::non_strict, "TCP closed without a close frame");
      return verdict(Verdict::fail, "no close answer before the deadline " + seen.note);
    }
    case Expect::fail: {
      if (!is_prefix(seen.replies, c.replies))
        return verdict(Verdict::fail,
                       "replied " + list(seen.replies) + " to a bad script" +
                           (c.replies.empty() ? "" : ", expected " + list(c.replies)));
      std::string short_replies =
          seen.replies.size() < c.replies.size() ? " (the message before it not echoed)" : "";
      if (seen.close_received && seen.close_code == c.code)
        return short_replies.empty() ? verdict(Verdict::pass, "")
                                     : verdict(Verdict::non_strict, "failed" + short_replies);
      if (seen.close_received)
        return verdict(Verdict::non_strict, fmt::format("failed with {}, expected {}{}",
                                                        seen.close_code, c.code, short_replies));
      if (seen.tcp_closed)
        return verdict(Verdict::non_strict, "TCP closed without a close frame" + short_replies);
      if (fail_fast_case)
        return verdict(Verdict::non_strict, "did not fail fast (waited for the rest of the frame)");
      return verdict(Verdict::fail, "the connection stayed open " + seen.note);
    }
  }
  return verdict(Verdict::fail, "unknown expectation");
}

std::string group_table(const std::string& title, const std::vector<CaseResult>& results) {
  struct Counts {
    int cases = 0, pass = 0, non_strict = 0, fail = 0;
  };
  std::vector<std::string> order;
  std::map<std::string, Counts> groups;
  Counts total;
  for (const auto& r : results) {
    if (!groups.count(r.group)) order.push_back(r.group);
    auto& g = groups[r.group];
    for (Counts* counts : {&g, &total}) {
      ++counts->cases;
      if (r.judgement.verdict == Verdict::pass) ++counts->pass;
      if (r.judgement.verdict == Verdict::non_strict) ++counts->non_strict;
      if (r.judgement.verdict == Verdict::fail) ++counts->fail;
    }
  }
  std::string out = fmt::format(
      "{}\n\n| group | cases | pass | non-strict | fail |\n|---|---|---|---|---|\n", title);
  for (const auto& name : order) {
    const auto& g = groups[name];
    out += fmt::format("| {} | {} | {} | {} | {} |\n", name, g.cases, g.pass, g.non_strict, g.fail);
  }
  out += fmt::format("| all | {} | {} | {} | {} |\n", total.cases, total.pass, total.non_strict,
                     total.fail);
  for (const auto& r : results) {
    if (r.judgement.verdict != Verdict::pass)
      out += fmt::format("- {} {}: {}\n", r.id, verdict_name(r.judgement.verdict), r.judgement.why);
  }
  return out;
}

}  // namespace faultline::ws::conformance
