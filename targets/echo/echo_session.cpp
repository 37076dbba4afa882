#include "targets/echo/echo_session.h"

#include <algorithm>

namespace faultline::echo {

void EchoSession::on_receive(std::string_view bytes) {
  // Compact before growing: the sent prefix is dead weight.
  if (sent_offset_ > 0 && sent_offset_ >= buffer_.size() / 2) {
    buffer_.erase(0, sent_offset_);
    sent_offset_ = 0;
  }
  buffer_.append(bytes);
  bytes_received_ += bytes.size();
}

void EchoSession::on_sent(std::size_t count) {
  count = std::min(count, owed().size());
  sent_offset_ += count;
  bytes_sent_ += count;
  if (sent_offset_ == buffer_.size()) {
    buffer_.clear();
    sent_offset_ = 0;
  }
}

}  // namespace faultline::echo
