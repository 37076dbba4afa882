#include "targets/net/stream.h"

#include <poll.h>

#include "targets/net/address.h"
#include "targets/net/socket.h"

namespace faultline::net {
namespace {

// to_deadline converts a SteadyClock TimePoint to a Deadline.
Deadline to_deadline(TimePoint when) {
  if (when == kNoDeadline) return Deadline::never();
  return Deadline::at(
      MonotonicClock::time_point(std::chrono::duration_cast<MonotonicClock::duration>(when)));
}

}  // namespace

Status TcpStream::write_all(std::string_view bytes, TimePoint deadline) {
  if (!fd_) return make_error(ErrorKind::closed, "send to " + peer_ + ": stream closed");
  return send_all(fd_.get(), bytes, to_deadline(deadline), "send to " + peer_);
}

Result<std::size_t> TcpStream::read_some(char* buffer, std::size_t capacity, TimePoint deadline) {
  if (!fd_) return make_error(ErrorKind::closed, "recv from " + peer_ + ": stream closed");
  return recv_some(fd_.get(), buffer, capacity, to_deadline(deadline), "recv from " + peer_);
}

bool TcpStream::readable_now() {
  if (!fd_) return true;
  pollfd entry{fd_.get(), POLLIN, 0};
  return ::poll(&entry, 1, 0) != 0;
}

Result<std::unique_ptr<Stream>> TcpDialer::dial(const std::string& host, std::uint16_t port,
                                                TimePoint deadline) {
  // Appended piecewise: g++ 12 warns falsely (-Wrestrict) on "[" + std::string.
  std::string text;
  bool bracket = host.find(':') != std::string::npos;
  if (bracket) text.push_back('[');
  text.append(host);
  if (bracket) text.push_back(']');
  text.push_back(':');
  text.append(std::to_string(port));
  auto address = Address::parse(text);
  if (!address) return tl::unexpected(address.error());
  auto fd = connect_tcp(*address, to_deadline(deadline));
  if (!fd) return tl::unexpected(fd.error());
  (void)set_nodelay(fd->get());
  ++connections_;
  return std::unique_ptr<Stream>(std::make_unique<TcpStream>(std::move(*fd), address->to_string()));
}

}  // namespace faultline::net
