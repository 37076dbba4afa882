#include "harness/proxy/self_forwarding.h"

#include <netinet/in.h>

#include <cstring>

namespace faultline::proxy {
namespace {

bool is_wildcard(const net::Address& address) {
  if (address.family() == AF_INET) {
    return reinterpret_cast<const sockaddr_in*>(address.sockaddr_ptr())->sin_addr.s_addr ==
           htonl(INADDR_ANY);
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address.sockaddr_ptr());
  return std::memcmp(&v6->sin6_addr, &in6addr_any, sizeof(in6_addr)) == 0;
}

bool is_loopback(const net::Address& address) {
  if (address.family() == AF_INET) {
    const auto ip =
        ntohl(reinterpret_cast<const sockaddr_in*>(address.sockaddr_ptr())->sin_addr.s_addr);
    return (ip >> 24) == 127;
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address.sockaddr_ptr());
  return std::memcmp(&v6->sin6_addr, &in6addr_loopback, sizeof(in6_addr)) == 0;
}

}  // namespace

net::Status check_not_self_forwarding(const net::Address& listen, const net::Address& upstream) {
  if (listen.port() == 0 || listen.port() != upstream.port()) return {};
  const bool same_host = listen.host() == upstream.host() || is_wildcard(listen) ||
                         is_wildcard(upstream) || (is_loopback(listen) && is_loopback(upstream));
  if (!same_host) return {};
  return net::make_error(net::ErrorKind::invalid_argument,
                         "listen address " + listen.to_string() + " is the upstream " +
                             upstream.to_string() +
                             ": the proxy would forward to itself (give --listen another port, "
                             "or port 0)");
}

}  // namespace faultline::proxy
