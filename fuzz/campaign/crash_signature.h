// fuzz/campaign/crash_signature.h: what makes two crashes the same crash.
//
// A crash is identified by its kind (the sanitizer's error type, a libFuzzer
// timeout or OOM, or a fuzzer's property violation) and the top frames of its
// stack below the harness: runtime, libFuzzer and libc frames are skipped, and
// frames keep only function names (and the first one its source line), so the
// same bug hit through different inputs (or addresses) hashes the same.
//
//   fuzz::CrashSignature signature = fuzz::crash_signature(sanitizer_output);
//   signature.kind;     // "AddressSanitizer: heap-buffer-overflow"
//   signature.frames;   // {"faultline::http::Parser::Impl::run (parser.cpp:312)", ...}
//   signature.id;       // "5f0c8e1d2a3b4c6d": a crash directory's name
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::fuzz {

// CrashSignature: see the file comment.
struct CrashSignature {
  std::string kind;
  std::vector<std::string> frames;
  std::string id;       // 16 hex digits of a hash over kind and frames
  std::string summary;  // one line: "kind in frame0 < frame1 < frame2"
};

// kSignatureFrames: how many frames below the harness a signature keeps.
inline constexpr std::size_t kSignatureFrames = 3;

// crash_signature reads a crash report (a fuzzer's stderr for one input).
CrashSignature crash_signature(std::string_view report);

}  // namespace faultline::fuzz
