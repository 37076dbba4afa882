#include "targets/net/error.h"

#include <cerrno>
#include <cstring>

namespace faultline::net {

std::string_view kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::timeout:
      return "timeout";
    case ErrorKind::refused:
      return "refused";
    case ErrorKind::reset:
      return "reset";
    case ErrorKind::closed:
      return "closed";
    case ErrorKind::invalid_argument:
      return "invalid_argument";
    case ErrorKind::address_in_use:
      return "address_in_use";
    case ErrorKind::address_unavailable:
      return "address_unavailable";
    case ErrorKind::unreachable:
      return "unreachable";
    case ErrorKind::too_large:
      return "too_large";
    case ErrorKind::bad_data:
      return "bad_data";
    case ErrorKind::too_many_redirects:
      return "too_many_redirects";
    case ErrorKind::limit_reached:
      return "limit_reached";
    case ErrorKind::not_found:
      return "not_found";
    case ErrorKind::io:
      return "io";
    case ErrorKind::tls_handshake_timeout:
      return "tls_handshake_timeout";
    case ErrorKind::tls_unknown_ca:
      return "tls_unknown_ca";
    case ErrorKind::tls_expired:
      return "tls_expired";
    case ErrorKind::tls_wrong_host:
      return "tls_wrong_host";
    case ErrorKind::tls_bad_certificate:
      return "tls_bad_certificate";
    case ErrorKind::tls_alert:
      return "tls_alert";
    case ErrorKind::tls_truncated:
      return "tls_truncated";
    case ErrorKind::tls_protocol:
      return "tls_protocol";
  }
  return "io";
}

std::string Error::to_string() const {
  std::string out(kind_name(kind));
  out += ": ";
  out += message;
  return out;
}

ErrorKind kind_from_errno(int err) {
  switch (err) {
    case ETIMEDOUT:
    case EAGAIN:
      return ErrorKind::timeout;
    case ECONNREFUSED:
      return ErrorKind::refused;
    case ECONNRESET:
    case EPIPE:
    case ECONNABORTED:
      return ErrorKind::reset;
    case EINVAL:
    case EAFNOSUPPORT:
    case EBADF:
      return ErrorKind::invalid_argument;
    case EADDRINUSE:
      return ErrorKind::address_in_use;
    case EADDRNOTAVAIL:
      return ErrorKind::address_unavailable;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN:
      return ErrorKind::unreachable;
    case EMFILE:
    case ENFILE:
      return ErrorKind::limit_reached;
    case ENOENT:
      return ErrorKind::not_found;
    case EMSGSIZE:
      return ErrorKind::too_large;
    default:
      return ErrorKind::io;
  }
}

tl::unexpected<Error> from_errno(int err, std::string_view context) {
  std::string message(context);
  message += ": ";
  // strerror's text in the lower case of the rest of the line:
  // "bind 10.255.255.1:0: cannot assign requested address".
  std::string reason = std::strerror(err);
  if (!reason.empty() && reason[0] >= 'A' && reason[0] <= 'Z' &&
      (reason.size() < 2 || !(reason[1] >= 'A' && reason[1] <= 'Z'))) {
    reason[0] = static_cast<char>(reason[0] - 'A' + 'a');
  }
  message += reason;
  return make_error(kind_from_errno(err), std::move(message), err);
}

}  // namespace faultline::net
