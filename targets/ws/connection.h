// targets/ws/connection.h: one WebSocket connection after the handshake,
// sans I/O: bytes in, events and bytes out (RFC 6455 sections 5-7).
//
//   ws::Connection connection({.role = ws::Role::server});
//   connection.receive(bytes_from_socket);           // never throws, never blocks
//   while (auto event = connection.next_event()) {
//     if (event->kind == ws::EventKind::message) connection.send(event->opcode, event->payload);
//   }
//   socket.write(connection.take_output());          // pongs, close replies, echoes
//   if (connection.state() == ws::State::closed) ...  // both close frames exchanged
//
// What it enforces: the frame rules of FrameDecoder; continuation only inside
// a fragmented message and no new message inside one; text valid UTF-8 as a
// whole, checked as bytes arrive (a character may be split across frames and
// reads; the first invalid byte fails the connection with 1007 at once);
// close payloads (no 1-byte payload, valid codes, UTF-8 reasons); message
// size. A violation queues a close frame with the right code (1002, 1007,
// 1009), and the connection is `failed`: the caller flushes the output and
// closes the TCP connection. The close frame (ours after a violation, or the
// answer to the peer's) is queued once the caller has taken every event that
// came before it (next_event() returned the peer's close, or nothing), so an
// echo of the messages before it still goes out first; error() is set at once.
//
// Close handshake:  open --close()--> closing --peer's close--> closed
//                   open --peer's close (answered at once)-----> closed
// Pings are answered with a pong carrying the same payload.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "targets/ws/frame.h"
#include "targets/ws/utf8.h"

namespace faultline::ws {

// ConnectionLimits: bounds on what a peer can make the connection hold.
struct ConnectionLimits {
  std::uint64_t max_frame_bytes = 16 * 1024 * 1024;
  std::uint64_t max_message_bytes = 16 * 1024 * 1024;  // reassembled; over: 1009
  std::size_t max_queued_events = 4096;                // events not yet taken: then 1008
};

// ConnectionOptions: set once per connection.
struct ConnectionOptions {
  Role role = Role::server;
  ConnectionLimits limits{};
  // mask_seed seeds the client's masking keys. Masks protect proxies from
  // cross-protocol attacks by a hostile script; a test harness wants them
  // replayable, so they come from a seeded generator.
  std::uint64_t mask_seed = 0x5eed;
  // auto_pong: answer every ping with a pong.
  bool auto_pong = true;
};

// State: where the closing handshake stands.
enum class State {
  open,
  closing,  // we sent a close frame and wait for the peer's
  closed,   // both close frames went (or we answered the peer's)
  failed,   // a protocol error: a close frame is queued; close the TCP connection
};
std::string_view state_name(State state);

enum class EventKind { message, ping, pong, close };

// Event: something the peer sent. message: opcode text or binary with the
// whole payload; ping and pong: their payload; close: code (1005 when the
// frame had none) and reason.
struct Event {
  EventKind kind = EventKind::message;
  Opcode opcode = Opcode::text;
  std::string payload{};
  std::uint16_t close_code = close_code::kNoStatus;
  std::string close_reason{};
};

// Connection: see the file comment. Move-only by convention; not thread-safe.
class Connection final : private FrameSink {
 public:
  explicit Connection(ConnectionOptions options = {});

  // receive feeds bytes from the peer. After the connection failed or closed
  // they are ignored. Returns the protocol error, if this call (or an earlier
  // one) failed the connection.
  DecodeResult receive(std::string_view bytes);

  std::optional<Event> next_event();
  std::size_t pending_events() const { return events_.size(); }

  // send queues a whole message as one frame, or in frames of at most
  // `fragment_size` payload bytes (0: one frame). Ignored unless open.
  void send(Opcode opcode, std::string_view payload, std::size_t fragment_size = 0);
  void send_text(std::string_view text) { send(Opcode::text, text); }
  void send_binary(std::string_view bytes) { send(Opcode::binary, bytes); }
  // send_ping/send_pong: payload of at most 125 bytes (longer is cut).
  void send_ping(std::string_view payload);
  void send_pong(std::string_view payload);
  // close starts the closing handshake (open -> closing). code 1005 sends an
  // empty close frame; the reason is cut to fit 123 bytes.
  void close(std::uint16_t code = close_code::kNormal, std::string_view reason = {});
  // fail queues a close frame with `code` and marks the connection failed
  // (for the driver's own reasons: a pong deadline, a close timeout).
  void fail(std::uint16_t code, std::string_view reason);

  // output: bytes to send, in order; take_output empties it.
  const std::string& output() const { return output_; }
  std::string take_output() { return std::exchange(output_, {}); }
  void consume_output(std::size_t n) { output_.erase(0, n); }

  State state() const { return state_; }
  // close_sent / close_received: the close frames of the closing handshake.
  bool close_sent() const { return close_sent_; }
  bool close_received() const { return close_received_; }
  // peer_close_code: the code of the peer's close frame (1005 none; 1006
  // while none has come).
  std::uint16_t peer_close_code() const { return peer_close_code_; }
  // error: why the connection failed (a peer's protocol error, or fail()).
  const std::optional<ProtocolError>& error() const { return error_; }
  Role role() const { return options_.role; }
  std::uint64_t bytes_received() const { return decoder_.bytes_fed(); }

 private:
  DecodeResult on_frame_header(const FrameHeader& header, std::uint64_t offset) override;
  DecodeResult on_frame_payload(std::string_view payload, std::uint64_t offset) override;
  DecodeResult on_frame_end() override;
  DecodeResult protocol_error(std::uint16_t code, std::string reason, std::uint64_t offset);
  // end_connection: a close frame (if any) and the final state, at once or,
  // while events wait, once the last of them is taken.
  void end_connection(State state, std::optional<std::string> close_payload);
  void apply_pending_end();
  void write_frame(bool fin, Opcode opcode, std::string_view payload);
  void push_event(Event event);

  ConnectionOptions options_;
  FrameDecoder decoder_;
  std::mt19937 mask_generator_;
  State state_ = State::open;
  std::string output_;
  std::deque<Event> events_;

  // The frame being read.
  FrameHeader frame_{};
  std::uint64_t frame_offset_ = 0;
  std::string control_payload_;
  // The message being reassembled (data frames).
  bool in_message_ = false;
  Opcode message_opcode_ = Opcode::text;
  std::string message_;
  Utf8Validator utf8_;

  bool close_sent_ = false;
  bool close_received_ = false;
  std::uint16_t peer_close_code_ = close_code::kAbnormal;
  std::optional<ProtocolError> error_;
  struct PendingEnd {
    State state;
    std::optional<std::string> close_payload;
  };
  std::optional<PendingEnd> pending_end_;
};

// encode_close_payload: the 2-byte code and the reason (1005: empty).
std::string encode_close_payload(std::uint16_t code, std::string_view reason);

}  // namespace faultline::ws
