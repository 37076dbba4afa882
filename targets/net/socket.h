// targets/net/socket.h: TCP and UDP sockets with deadlines.
//
// Every socket made here is non-blocking and close-on-exec; the blocking-style
// helpers (connect_tcp, send_all, recv_some, recv_exact) wait with poll() until
// the deadline, so no call can hang past it.
//
//   auto fd = net::connect_tcp(address, net::Deadline::after(2s));
//   if (!fd) return tl::unexpected(fd.error());      // refused / timeout / unreachable
//   auto sent = net::send_all(fd->get(), "hello", deadline);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "targets/net/address.h"
#include "targets/net/deadline.h"
#include "targets/net/error.h"
#include "targets/net/fd.h"

namespace faultline::net {

// ListenOptions: listen_tcp settings.
struct ListenOptions {
  int backlog = 1024;
  bool reuse_address = true;
};

// listen_tcp binds and listens; port 0 picks a free port (see local_address).
Result<Fd> listen_tcp(const Address& address, ListenOptions options = {});

// BoundListener: a listening socket and the address it really got (the port
// the kernel picked when asked for port 0).
struct BoundListener {
  Fd fd;
  Address address;
};

// listen_bound is listen_tcp followed by local_address, as every server needs.
Result<BoundListener> listen_bound(const Address& address, ListenOptions options = {});

// bind_udp binds a datagram socket.
Result<Fd> bind_udp(const Address& address);

// udp_socket makes an unbound datagram socket of the address's family.
Result<Fd> udp_socket(const Address& peer);

// connect_tcp connects with a deadline (non-blocking connect + poll).
Result<Fd> connect_tcp(const Address& address, Deadline deadline);

// accept_connection accepts one pending connection (non-blocking, close-on-exec);
// timeout kind with EAGAIN when none is pending.
Result<Fd> accept_connection(int listen_fd, Address* peer = nullptr);

Status set_nonblocking(int fd, bool enabled = true);
Status set_nodelay(int fd, bool enabled = true);
// set_linger_reset makes close() send RST instead of FIN (SO_LINGER 0).
Status set_linger_reset(int fd);
Status set_buffer_sizes(int fd, int send_bytes, int receive_bytes);
Result<Address> local_address(int fd);
Result<Address> peer_address(int fd);

// Readiness a wait_for can ask for.
enum class Readiness { readable, writable };

// wait_for polls one fd until it is ready or the deadline passes (timeout kind).
Status wait_for(int fd, Readiness readiness, Deadline deadline, std::string_view context);

// send_all writes every byte (looping over partial writes) or fails.
Status send_all(int fd, std::string_view data, Deadline deadline,
                std::string_view context = "send");

// recv_some reads at most `capacity` bytes; 0 means the peer closed (EOF).
Result<std::size_t> recv_some(int fd, char* buffer, std::size_t capacity, Deadline deadline,
                              std::string_view context = "recv");

// recv_exact reads exactly `size` bytes; EOF before that is a `closed` error.
Status recv_exact(int fd, char* buffer, std::size_t size, Deadline deadline,
                  std::string_view context = "recv");

// shutdown_write sends FIN (half-close), keeping the read side open.
Status shutdown_write(int fd);

}  // namespace faultline::net
