#include "targets/ws/connection.h"

#include <algorithm>

#include <fmt/core.h>

namespace faultline::ws {
namespace {
// A close frame's reason: at most 123 bytes (125 minus the code), cut at a
// character boundary so it stays valid UTF-8.
std::string_view fit_reason(std::string_view reason) {
  if (reason.size() <= 123) return reason;
  std::size_t end = 123;
  while (end > 0 && (static_cast<unsigned char>(reason[end]) & 0xC0) == 0x80)
    --end;
  return reason.substr(0, end);
}
}  // namespace

std::string_view state_name(State state) {
  switch (state) {
    case State::open:
      return "open";
    case State::closing:
      return "closing";
    case State::closed:
      return "closed";
    case State::failed:
      return "failed";
  }
  return "unknown";
}

std::string encode_close_payload(std::uint16_t code, std::string_view reason) {
  if (code == close_code::kNoStatus) return {};
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(fit_reason(reason));
  return payload;
}

Connection::Connection(ConnectionOptions options)
    : options_(options),
      decoder_(DecoderOptions{options.role, options.limits.max_frame_bytes, 0}),
      mask_generator_(
          static_cast<std::mt19937::result_type>(options.mask_seed ^ (options.mask_seed >> 32))) {}

DecodeResult Connection::receive(std::string_view bytes) {
  if (error_) return tl::unexpected(*error_);
  if (state_ == State::closed || close_received_) return {};
  auto fed = decoder_.feed(bytes, *this);
  if (!fed && !close_received_) {
    // A header rule broken: the decoder found it, the connection answers it.
    if (!error_)
      (void)protocol_error(fed.error().close_code, fed.error().reason, fed.error().offset);
    return tl::unexpected(*error_);
  }
  return {};
}

std::optional<Event> Connection::next_event() {
  // A pending end applies once the caller has handled every event before it:
  // when it takes the peer's close, or asks again and finds nothing.
  if (events_.empty()) {
    apply_pending_end();
    return std::nullopt;
  }
  Event event = std::move(events_.front());
  events_.pop_front();
  if (event.kind == EventKind::close) apply_pending_end();
  return event;
}

void Connection::apply_pending_end() {
  if (!pending_end_) return;
  auto end = std::move(*pending_end_);
  pending_end_.reset();
  end_connection(end.state, std::move(end.close_payload));
}

void Connection::end_connection(State state, std::optional<std::string> close_payload) {
  // The peer's messages before the end are answered first: the close frame
  // waits until the caller has taken every event before it.
  if (!events_.empty()) {
    pending_end_ = PendingEnd{state, std::move(close_payload)};
    return;
  }
  if (close_payload && !close_sent_) write_frame(true, Opcode::close, *close_payload);
  if (close_payload) close_sent_ = true;
  if (state_ != State::failed) state_ = state;
}

DecodeResult Connection::protocol_error(std::uint16_t code, std::string reason,
                                        std::uint64_t offset) {
  error_ = ProtocolError{code, reason, offset};
  end_connection(State::failed, encode_close_payload(code, reason));
  return tl::unexpected(*error_);
}

void Connection::push_event(Event event) {
  events_.push_back(std::move(event));
}

DecodeResult Connection::on_frame_header(const FrameHeader& header, std::uint64_t offset) {
  if (close_received_) return {};
  frame_ = header;
  frame_offset_ = offset;
  if (events_.size() >= options_.limits.max_queued_events)
    return protocol_error(
        close_code::kPolicyViolation,
        fmt::format("more than {} events not taken", options_.limits.max_queued_events), offset);
  if (is_control(header.opcode)) {
    control_payload_.clear();
    return {};
  }
  if (header.opcode == Opcode::continuation) {
    if (!in_message_)
      return protocol_error(close_code::kProtocolError,
                            "continuation frame with no message to continue", offset);
  } else {
    if (in_message_)
      return protocol_error(
          close_code::kProtocolError,
          fmt::format("{} frame inside a fragmented message", opcode_name(header.opcode)), offset);
    in_message_ = true;
    message_opcode_ = header.opcode;
    message_.clear();
    utf8_.reset();
  }
  if (message_.size() + header.length > options_.limits.max_message_bytes)
    return protocol_error(
        close_code::kMessageTooBig,
        fmt::format("message of more than {} bytes", options_.limits.max_message_bytes), offset);
  return {};
}

DecodeResult Connection::on_frame_payload(std::string_view payload, std::uint64_t offset) {
  if (close_received_) return {};
  if (is_control(frame_.opcode)) {
    control_payload_.append(payload);
    return {};
  }
  if (message_opcode_ == Opcode::text) {
    if (auto bad = utf8_.feed(payload))
      return protocol_error(close_code::kInvalidPayload, "invalid UTF-8 in a text message",
                            offset + *bad);
  }
  message_.append(payload);
  return {};
}

DecodeResult Connection::on_frame_end() {
  if (close_received_) return {};
  const std::uint64_t last_byte = decoder_.bytes_fed() - 1;
  switch (frame_.opcode) {
    case Opcode::ping:
      push_event(Event{EventKind::ping, Opcode::ping, control_payload_});
      if (options_.auto_pong && !close_sent_) send_pong(control_payload_);
      return {};
    case Opcode::pong:
      push_event(Event{EventKind::pong, Opcode::pong, control_payload_});
      return {};
    case Opcode::close: {
      std::uint16_t code = close_code::kNoStatus;
      std::string reason;
      if (control_payload_.size() == 1)
        return protocol_error(close_code::kProtocolError, "close frame with a 1-byte payload",
                              frame_offset_);
      if (control_payload_.size() >= 2) {
        code = static_cast<std::uint16_t>((static_cast<unsigned char>(control_payload_[0]) << 8) |
                                          static_cast<unsigned char>(control_payload_[1]));
        if (!valid_close_code(code))
          return protocol_error(close_code::kProtocolError,
                                fmt::format("invalid close code {}", code), frame_offset_);
        reason = control_payload_.substr(2);
        if (first_invalid_utf8(reason))
          return protocol_error(close_code::kInvalidPayload, "close reason is not valid UTF-8",
                                frame_offset_);
      }
      close_received_ = true;
      peer_close_code_ = code;
      push_event(Event{EventKind::close, Opcode::close, {}, code, reason});
      // Answered with the peer's code, as most endpoints do, once the events
      // before it (and this one) are taken.
      end_connection(State::closed,
                     close_sent_ ? std::nullopt : std::optional(encode_close_payload(code, {})));
      return {};
    }
    default:
      break;
  }
  if (!frame_.fin) return {};
  if (message_opcode_ == Opcode::text && !utf8_.complete())
    return protocol_error(close_code::kInvalidPayload, "text message ends inside a UTF-8 sequence",
                          last_byte);
  in_message_ = false;
  push_event(Event{EventKind::message, message_opcode_, std::move(message_)});
  message_.clear();
  return {};
}

void Connection::write_frame(bool fin, Opcode opcode, std::string_view payload) {
  FrameHeader header;
  header.fin = fin;
  header.opcode = opcode;
  header.length = payload.size();
  header.masked = options_.role == Role::client;
  if (header.masked) header.mask = static_cast<std::uint32_t>(mask_generator_());
  output_ += encode_frame_header(header);
  const std::size_t payload_start = output_.size();
  output_.append(payload);
  if (header.masked) apply_mask(output_.data() + payload_start, payload.size(), header.mask);
}

void Connection::send(Opcode opcode, std::string_view payload, std::size_t fragment_size) {
  if (state_ != State::open) return;
  if (fragment_size == 0 || payload.size() <= fragment_size) {
    write_frame(true, opcode, payload);
    return;
  }
  bool first = true;
  while (!payload.empty()) {
    const std::size_t take = std::min(fragment_size, payload.size());
    write_frame(take == payload.size(), first ? opcode : Opcode::continuation,
                payload.substr(0, take));
    payload.remove_prefix(take);
    first = false;
  }
}

void Connection::send_ping(std::string_view payload) {
  if (state_ != State::open) return;
  write_frame(true, Opcode::ping, payload.substr(0, kMaxControlPayload));
}

void Connection::send_pong(std::string_view payload) {
  if (close_sent_ || state_ == State::failed) return;
  write_frame(true, Opcode::pong, payload.substr(0, kMaxControlPayload));
}

void Connection::close(std::uint16_t code, std::string_view reason) {
  if (state_ != State::open) return;
  write_frame(true, Opcode::close, encode_close_payload(code, reason));
  close_sent_ = true;
  state_ = State::closing;
}

void Connection::fail(std::uint16_t code, std::string_view reason) {
  if (state_ == State::closed || state_ == State::failed) return;
  if (!close_sent_) write_frame(true, Opcode::close, encode_close_payload(code, reason));
  close_sent_ = true;
  state_ = State::failed;
  error_ = ProtocolError{code, std::string(reason), decoder_.bytes_fed()};
}

}  // namespace faultline::ws
