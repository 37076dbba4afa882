// fuzz/tls_client_fuzzer.cpp: the TLS client engine through a handshake
// against server bytes the fuzzer chooses, in memory.
//
// Input: [config][piece][server bytes: the rest]
//   config  bit 0 highest version TLS 1.2 (else 1.3); bit 1 lowest version
//           TLS 1.3; bit 2 insecure (no certificate checks, so more of the
//           handshake is reachable); bit 3 dial an IP address (127.0.0.1)
//           instead of a name (no SNI, IP verification); bit 4 no ALPN
//   piece   the size of the pieces the server bytes arrive in (0: all at once)
//
// Properties (fuzz/tls_fuzz_support.h): no crash or leak, every failure a
// named TLS error, the loop bounded.
// Dictionary: corpus/dict/tls.dict
#include <cstddef>
#include <cstdint>

#include "fuzz/tls_fuzz_support.h"

namespace {

namespace fuzz = faultline::fuzz;
namespace tls = faultline::tls;

std::shared_ptr<const tls::ClientContext> client_context(std::uint8_t config) {
  static std::shared_ptr<const tls::ClientContext> contexts[32];
  return fuzz::cached_context(contexts, config, "tls_client_fuzzer", [](std::uint8_t bits) {
    tls::ClientConfig settings;
    settings.ca_pem = fuzz::fuzz_pki().ca.certificate_pem;
    fuzz::apply_versions(bits, settings);
    settings.insecure = (bits & 4) != 0;
    if (bits & 16) settings.alpn.clear();
    return tls::ClientContext::make(settings);
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  const std::uint8_t config = input.byte();
  const std::size_t piece = input.byte();
  const std::string_view server = input.rest();
  auto engine =
      tls::TlsEngine::client(client_context(config), (config & 8) ? "127.0.0.1" : "localhost");
  if (!engine) fuzz::property_failed("tls_client_fuzzer", "a client engine could not be made");
  fuzz::drive_handshake("tls_client_fuzzer", **engine, server, piece);
  return 0;
}
