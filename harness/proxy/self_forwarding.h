// harness/proxy/self_forwarding.h: refuse a proxy that would forward to itself.
//
// A proxy listening where its upstream is would connect to its own listener,
// accept that connection, connect again, and so on until the fds run out.
// The same port with a wildcard (0.0.0.0, ::) on either side, or two loopback
// addresses (127.0.0.1 and 127.0.0.2 are one host), is the same socket too.
//
//   if (auto ok = proxy::check_not_self_forwarding(listen, upstream); !ok) return ok;
#pragma once

#include "targets/net/address.h"
#include "targets/net/error.h"

namespace faultline::proxy {

// check_not_self_forwarding: invalid_argument when a connection to `upstream`
// could reach a listener bound to `listen`.
net::Status check_not_self_forwarding(const net::Address& listen, const net::Address& upstream);

}  // namespace faultline::proxy
