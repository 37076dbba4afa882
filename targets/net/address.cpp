#include "targets/net/address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace faultline::net {
namespace {

tl::unexpected<Error> bad_address(std::string_view text, std::string_view why) {
  return make_error(ErrorKind::invalid_argument,
                    "address '" + std::string(text) + "': " + std::string(why));
}

}  // namespace

Result<Address> Address::parse(std::string_view text) {
  std::string_view host;
  std::string_view port_text;
  if (text.empty()) return bad_address(text, "empty (expected HOST:PORT)");
  if (auto scheme = text.find("://"); scheme != std::string_view::npos) {
    std::string_view rest = text.substr(scheme + 3);
    rest = rest.substr(0, rest.find('/'));
    return bad_address(text,
                       "expected HOST:PORT, not a URL (did you mean '" + std::string(rest) + "'?)");
  }
  if (text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return bad_address(text, "missing ']' after IPv6 host");
    host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      return bad_address(text, "missing ':PORT' after ']'");
    }
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad_address(text, "missing ':PORT'");
    host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      return bad_address(text, "IPv6 hosts need brackets, as in [::1]:8080");
    }
    port_text = text.substr(colon + 1);
  }
  if (host.empty()) return bad_address(text, "missing host");
  if (port_text.empty()) return bad_address(text, "missing port");
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
    return bad_address(text, "port '" + std::string(port_text) + "' is not a number in 0..65535");
  }

  Address out;
  std::string host_string(host);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage_);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage_);
  if (::inet_pton(AF_INET, host_string.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    out.length_ = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, host_string.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    out.length_ = sizeof(sockaddr_in6);
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* results = nullptr;
    int rc = ::getaddrinfo(host_string.c_str(), nullptr, &hints, &results);
    if (rc != 0 || results == nullptr) {
      return make_error(ErrorKind::unreachable, "address '" + std::string(text) +
                                                    "': cannot resolve host '" + host_string +
                                                    "': " + ::gai_strerror(rc));
    }
    const addrinfo* chosen = results;
    for (const addrinfo* r = results; r != nullptr; r = r->ai_next) {
      if (r->ai_family == AF_INET) {
        chosen = r;
        break;
      }
    }
    std::memcpy(&out.storage_, chosen->ai_addr, chosen->ai_addrlen);
    out.length_ = chosen->ai_addrlen;
    ::freeaddrinfo(results);
  }
  out.set_port(static_cast<std::uint16_t>(port));
  return out;
}

Address Address::from_sockaddr(const sockaddr* addr, socklen_t length) {
  Address out;
  if (length > sizeof(out.storage_)) length = sizeof(out.storage_);
  std::memcpy(&out.storage_, addr, length);
  out.length_ = length;
  return out;
}

Address Address::loopback(std::uint16_t port) {
  Address out;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage_);
  v4->sin_family = AF_INET;
  v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  v4->sin_port = htons(port);
  out.length_ = sizeof(sockaddr_in);
  return out;
}

std::uint16_t Address::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (family() == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  }
  return 0;
}

void Address::set_port(std::uint16_t port) {
  if (family() == AF_INET) reinterpret_cast<sockaddr_in*>(&storage_)->sin_port = htons(port);
  if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&storage_)->sin6_port = htons(port);
}

std::string Address::host() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, buffer,
                sizeof(buffer));
  } else if (family() == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, buffer,
                sizeof(buffer));
  } else {
    return "?";
  }
  return buffer;
}

std::string Address::to_string() const {
  // Appended piecewise: g++ 12 warns falsely (-Wrestrict) on "[" + std::string.
  std::string out;
  if (family() == AF_INET6) out.push_back('[');
  out.append(host());
  if (family() == AF_INET6) out.push_back(']');
  out.push_back(':');
  out.append(std::to_string(port()));
  return out;
}

bool operator==(const Address& a, const Address& b) {
  return a.length_ == b.length_ && std::memcmp(&a.storage_, &b.storage_, a.length_) == 0;
}

}  // namespace faultline::net
