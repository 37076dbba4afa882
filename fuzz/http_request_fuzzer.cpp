// fuzz/http_request_fuzzer.cpp: request streams through http::Parser, in
// strict mode and every combination of lenient flags, with limits on.
//
// Input: [flags][stream...]. The flags byte picks the lenient flags, one bit
// each, and tight or roomy limits (fuzz/http_fuzz_support.h); the rest is one
// connection's bytes, fed at once and followed by finish(). Checked on every
// input (fuzz/http_parse_properties.h): errors are well formed and sticky,
// limits hold, strict mode accepts no smuggling shape, and every accepted
// message survives serialize() and a second parse unchanged.
// Dictionary: corpus/dict/http.dict
#include <cstddef>
#include <cstdint>

#include "fuzz/http_parse_properties.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fuzz = faultline::fuzz;
  fuzz::FuzzInput input(data, size);
  const auto options = fuzz::parser_options_from_byte(input.byte());
  fuzz::check_parse_properties("http_request_fuzzer", faultline::http::MessageType::request,
                               options, {}, input.rest());
  return 0;
}
