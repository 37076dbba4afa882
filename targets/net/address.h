// targets/net/address.h: socket addresses, parsed from "host:port" text.
//
//   auto a = net::Address::parse("127.0.0.1:8888");   // also "[::1]:8888", "localhost:0"
//   if (!a) std::cerr << a.error().message;            // names the bad text
//   ::connect(fd, a->sockaddr_ptr(), a->length());
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "targets/net/error.h"

namespace faultline::net {

// Address: an IPv4 or IPv6 address and port.
class Address {
 public:
  Address() = default;

  // parse accepts "IPv4:port", "[IPv6]:port" and "name:port" (resolved with
  // getaddrinfo, first result, IPv4 preferred). Port 0 means "pick one".
  static Result<Address> parse(std::string_view text);

  // from_sockaddr copies a kernel-filled address (accept, getsockname).
  static Address from_sockaddr(const sockaddr* addr, socklen_t length);

  // loopback: 127.0.0.1:port.
  static Address loopback(std::uint16_t port);

  int family() const { return storage_.ss_family; }
  std::uint16_t port() const;
  void set_port(std::uint16_t port);
  const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t length() const { return length_; }

  // host gives the numeric host ("127.0.0.1", "::1"); to_string "127.0.0.1:80" or "[::1]:80".
  std::string host() const;
  std::string to_string() const;

  friend bool operator==(const Address& a, const Address& b);

 private:
  sockaddr_storage storage_{};
  socklen_t length_ = 0;
};

}  // namespace faultline::net
