// fuzz/tls_fuzz_support.h: what the TLS handshake fuzzers share: contexts made
// once per process (immutable, as a server's are), and a drive loop that feeds
// one engine the fuzzer's peer bytes in pieces and checks what it says.
//
//   auto engine = faultline::tls::TlsEngine::client(client_context(config), "localhost");
//   fuzz::drive_handshake("tls_client_fuzzer", **engine, peer_bytes, piece_size);
//
// Properties: every failure is a named TLS (or closed) error whose message
// says what failed; an engine never produces output after a failure it
// already reported forever (the loop is bounded); a finished handshake
// (possible with --insecure-like configs) reads without crashing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "targets/net/error.h"
#include "targets/tls/test_pki.h"
#include "targets/tls/tls_engine.h"

namespace faultline::fuzz {

// fuzz_pki: a test PKI made at the first input (fresh keys per process; the
// fuzzed bytes never reach a signature check that depends on them).
inline const tls::TestPki& fuzz_pki() {
  static const tls::TestPki pki = [] {
    auto made = tls::make_test_pki();
    if (!made) {
      property_failed("tls fuzzers", "the test PKI could not be made", made.error().to_string());
    }
    return *made;
  }();
  return pki;
}

// apply_versions: config bit 0 caps the version at TLS 1.2, bit 1 (without
// bit 0) requires TLS 1.3; the same bits in both fuzzers.
template <typename Config>
void apply_versions(std::uint8_t bits, Config& config) {
  if (bits & 1) config.max_version = tls::TlsVersion::tls1_2;
  if ((bits & 2) && !(bits & 1)) config.min_version = tls::TlsVersion::tls1_3;
}

// cached_context: one context per configuration, made at first use by
// `make(config)` (which must not fail) and never changed after.
template <typename Context, std::size_t N, typename Make>
std::shared_ptr<const Context> cached_context(std::shared_ptr<const Context> (&cache)[N],
                                              std::uint8_t config, std::string_view fuzzer,
                                              Make make) {
  auto& context = cache[config % N];
  if (!context) {
    auto made = make(config);
    if (!made) property_failed(fuzzer, "a context could not be made", made.error().to_string());
    context = *made;
  }
  return context;
}

inline bool is_handshake_error(net::ErrorKind kind) {
  using net::ErrorKind;
  switch (kind) {
    case ErrorKind::tls_unknown_ca:
    case ErrorKind::tls_expired:
    case ErrorKind::tls_wrong_host:
    case ErrorKind::tls_bad_certificate:
    case ErrorKind::tls_alert:
    case ErrorKind::tls_protocol:
    case ErrorKind::tls_truncated:
    case ErrorKind::closed:
      return true;
    default:
      return false;
  }
}

// drive_handshake feeds `peer` to `engine` in pieces of `piece` bytes (0: all
// at once), then EOF, checking every error on the way.
inline void drive_handshake(std::string_view fuzzer, tls::TlsEngine& engine,
                            std::string_view peer, std::size_t piece) {
  if (piece == 0) piece = std::max<std::size_t>(peer.size(), 1);
  auto check = [&](const net::Error& error) {
    if (!is_handshake_error(error.kind)) {
      property_failed(fuzzer, "a handshake failure has a kind outside the TLS kinds",
                      error.to_string() + "\ninput: " + escape(peer));
    }
    if (error.message.find("tls ") != 0) {
      property_failed(fuzzer, "a TLS error message does not say it is TLS", error.to_string());
    }
  };
  // Bounded: one pass per piece, plus the EOF.
  std::size_t offset = 0;
  for (;;) {
    auto done = engine.handshake();
    (void)engine.take_output();
    if (!done) {
      check(done.error());
      return;
    }
    if (*done) break;
    if (offset >= peer.size()) {
      engine.feed_eof();
      auto ended = engine.handshake();
      if (ended) {
        if (!*ended) property_failed(fuzzer, "a handshake at EOF neither ended nor failed");
        break;
      }
      check(ended.error());
      return;
    }
    const std::string_view next = peer.substr(offset, piece);
    offset += next.size();
    engine.feed(next);
  }
  // Past the handshake: the rest of the peer's bytes are records.
  if (offset < peer.size()) engine.feed(peer.substr(offset));
  engine.feed_eof();
  char buffer[4096];
  for (int i = 0; i < 64; ++i) {
    auto outcome = engine.read(buffer, sizeof buffer);
    if (!outcome) {
      check(outcome.error());
      return;
    }
    if (outcome->closed || outcome->bytes == 0) return;
  }
}

}  // namespace faultline::fuzz
