// fuzz/http_response_fuzzer.cpp: response streams through http::Parser, in
// strict mode and every combination of lenient flags, with limits on.
//
// Input: [flags][requests][stream...]. The flags byte picks the lenient flags
// and the limits (fuzz/http_fuzz_support.h); the requests byte lists up to
// four requests sent before the stream (2 bits each, lowest first: 1 GET,
// 2 HEAD, 3 CONNECT, 0 ends the list), so bodyless HEAD responses and CONNECT
// tunnels get fuzzed too. The stream is fed at once, then finish(): bodies
// that run to EOF complete. Properties: fuzz/http_parse_properties.h.
// Dictionary: corpus/dict/http.dict
#include <cstddef>
#include <cstdint>

#include "fuzz/http_parse_properties.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fuzz = faultline::fuzz;
  fuzz::FuzzInput input(data, size);
  const auto options = fuzz::parser_options_from_byte(input.byte());
  const auto expected = fuzz::expected_methods_from_byte(input.byte());
  fuzz::check_parse_properties("http_response_fuzzer", faultline::http::MessageType::response,
                               options, expected, input.rest());
  return 0;
}
