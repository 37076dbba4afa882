// targets/net/error.h: the error value every I/O path returns.
//
// An Error carries a kind a program can branch on and a message a person can
// read ("connect 127.0.0.1:8888: connection refused"). errno is converted once,
// where the syscall is made, with from_errno().
//
//   net::Result<Fd> fd = net::connect_tcp(address, deadline);
//   if (!fd) std::cerr << fd.error().to_string() << "\n";   // "refused: connect ..."
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace faultline::net {

// ErrorKind: what went wrong, coarse enough to assert on in a failure-mode test.
enum class ErrorKind {
  timeout,              // a deadline passed
  refused,              // ECONNREFUSED
  reset,                // ECONNRESET / EPIPE: the peer aborted
  closed,               // orderly EOF where more bytes were owed
  invalid_argument,     // a bad address, flag or spec
  address_in_use,       // EADDRINUSE
  address_unavailable,  // EADDRNOTAVAIL: no local interface has that address
  unreachable,          // ENETUNREACH / EHOSTUNREACH / no such host
  too_large,            // a configured limit was hit
  bad_data,             // malformed bytes from the peer
  too_many_redirects,
  limit_reached,  // connection or thread limits
  not_found,      // a file or resource is missing
  io,             // any other system error
  // TLS (targets/tls): each certificate and protocol failure has its own kind.
  tls_handshake_timeout,  // the handshake did not finish before its deadline
  tls_unknown_ca,         // the chain does not end at a trusted CA (self-signed too)
  tls_expired,            // a certificate is past its notAfter (or before notBefore)
  tls_wrong_host,         // the certificate does not name the host dialled
  tls_bad_certificate,    // any other certificate verification failure
  tls_alert,              // the peer sent a fatal alert (its name is in the message)
  tls_truncated,          // EOF without close_notify: the data may be cut short
  tls_protocol,           // malformed or tampered records (bad record MAC...)
};

// kind_name returns the stable lower-case name of a kind ("timeout", "reset").
std::string_view kind_name(ErrorKind kind);

// Error: a kind, the errno behind it (0 when none) and a message with context.
struct Error {
  ErrorKind kind = ErrorKind::io;
  int sys_errno = 0;
  std::string message;

  // to_string gives "kind: message", the one-line form the CLI prints.
  std::string to_string() const;
};

// Result: a value or an Error.
template <typename T>
using Result = tl::expected<T, Error>;

// Status: success or an Error, for operations with no value.
using Status = tl::expected<void, Error>;

// make_error builds an Error value wrapped for returning from a Result function.
inline tl::unexpected<Error> make_error(ErrorKind kind, std::string message, int sys_errno = 0) {
  return tl::unexpected<Error>(Error{kind, sys_errno, std::move(message)});
}

// kind_from_errno maps an errno value to the kind a caller branches on.
ErrorKind kind_from_errno(int err);

// from_errno builds "context: strerror(err)" with the matching kind.
tl::unexpected<Error> from_errno(int err, std::string_view context);

}  // namespace faultline::net
