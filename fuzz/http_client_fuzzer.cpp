// fuzz/http_client_fuzzer.cpp: the whole http::client::Session against a
// server that answers with fuzzer bytes, in the simulated network, through
// a fuzzer-chosen fault schedule.
//
// Input: [config][schedule (fuzz/fault_schedule.h), up to 3 clauses]
//        [script: pieces, then (size, delay) per piece][response bytes: the rest]
//   config  bits 0-1 method (GET, HEAD, POST with a body, DELETE); bits 2-3
//           max_retries (0-3); bit 4 follow redirects; bit 5 a keep-alive pool
//           (else Connection: close); bits 6-7 what the server does after
//           its last piece: 0 close, 1 nothing (the client must time out),
//           2 reset, 3 close and answer before the request arrives
//   script  bits 0-3 the number of pieces the response goes out in (the last
//           one takes the rest); per piece a size byte and a delay byte (ms)
// Every connection (retries and redirects open more) gets the same script.
//
// Properties (fuzz/schedule_cases.h, run_http_client_case): the request ends
// in a response or in an error whose kind is a named client error and whose
// message names the method; a response respects the session limits (small
// here, so memory stays bounded); the call ends inside the total timeout in
// virtual time; the same input gives the same outcome and the same trace.
// A failing input shrinks with `faultline shrink --fuzzer http_client FILE`.
// Dictionary: corpus/dict/http.dict
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/schedule_cases.h"

namespace fuzz = faultline::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), data == nullptr ? 0 : size);
  auto http = fuzz::read_http_client_case(bytes);
  if (!http) {
    fuzz::property_failed("http_client_fuzzer", "the schedule table made a profile it rejects",
                          http.error().message);
  }
  const fuzz::CaseRun run = fuzz::run_http_client_case(*http, http->schedule.profile);
  if (run.violation) {
    fuzz::property_failed("http_client_fuzzer", run.violation->property,
                          run.violation->detail +
                              fuzz::http_client_context(*http, http->schedule.profile) + "\n" +
                              run.outcome);
  }
  return 0;
}
