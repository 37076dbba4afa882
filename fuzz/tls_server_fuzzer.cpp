// fuzz/tls_server_fuzzer.cpp: the TLS server engine through a handshake
// against client bytes the fuzzer chooses, in memory.
//
// Input: [config][piece][client bytes: the rest]
//   config  bit 0 highest version TLS 1.2 (else 1.3); bit 1 lowest version
//           TLS 1.3; bit 2 no ALPN
//   piece   the size of the pieces the client bytes arrive in (0: all at once)
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

std::shared_ptr<const tls::ServerContext> server_context(std::uint8_t config) {
  static std::shared_ptr<const tls::ServerContext> contexts[8];
  return fuzz::cached_context(contexts, config, "tls_server_fuzzer", [](std::uint8_t bits) {
    tls::ServerConfig settings;
    settings.certificate_chain_pem = fuzz::fuzz_pki().server.certificate_pem;
    settings.private_key_pem = fuzz::fuzz_pki().server.private_key_pem;
    fuzz::apply_versions(bits, settings);
    if (bits & 4) settings.alpn.clear();
    return tls::ServerContext::make(settings);
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  const std::uint8_t config = input.byte();
  const std::size_t piece = input.byte();
  const std::string_view client = input.rest();
  auto engine = tls::TlsEngine::server(server_context(config));
  if (!engine) fuzz::property_failed("tls_server_fuzzer", "a server engine could not be made");
  fuzz::drive_handshake("tls_server_fuzzer", **engine, client, piece);
  return 0;
}
