#include "fuzz/campaign/crash_signature.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <sstream>

namespace faultline::fuzz {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

// without_numbers: a UBSan message without its values, so "2147483647 + 1"
// and "100 + 2147483600" are the same overflow.
std::string without_numbers(std::string_view text) {
  std::string out;
  bool in_number = false;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      if (!in_number) out += 'N';
      in_number = true;
    } else {
      in_number = false;
      out += c;
    }
  }
  return out;
}

// kind_of: the crash's kind from one report line, or "".
std::string kind_of(std::string_view line) {
  if (const std::size_t at = line.find("property violated ===="); at != std::string_view::npos) {
    std::string_view fuzzer = trim(line.substr(0, at));  // "==== url_fuzzer:"
    while (!fuzzer.empty() && (fuzzer.front() == '=' || fuzzer.front() == ' '))
      fuzzer.remove_prefix(1);
    if (fuzzer.ends_with(':')) fuzzer.remove_suffix(1);
    return "property violated in " + std::string(fuzzer);
  }
  if (const std::size_t at = line.find("ERROR: AddressSanitizer: "); at != std::string_view::npos) {
    std::string_view rest = line.substr(at + 7);
    return std::string(rest.substr(0, rest.find(" on ")).substr(0, rest.find(" (")));
  }
  if (line.find("ERROR: LeakSanitizer: detected memory leaks") != std::string_view::npos) {
    return "LeakSanitizer: memory leak";
  }
  if (const std::size_t at = line.find(": runtime error: "); at != std::string_view::npos) {
    std::string_view rest = line.substr(at + 17);
    return "UndefinedBehaviorSanitizer: " + without_numbers(rest.substr(0, rest.find(':')));
  }
  if (line.find("ERROR: libFuzzer: timeout") != std::string_view::npos) return "libFuzzer: timeout";
  if (line.find("ERROR: libFuzzer: out-of-memory") != std::string_view::npos) {
    return "libFuzzer: out-of-memory";
  }
  if (const std::size_t at = line.find("ERROR: libFuzzer: "); at != std::string_view::npos) {
    return "libFuzzer: " + std::string(trim(line.substr(at + 18)));
  }
  return "";
}

// Frame: one "#N 0xADDR in FUNCTION LOCATION" line.
struct Frame {
  std::string function;
  std::string location;  // "/path/file.cpp:12:3" or "(binary+0x1234)"
};

bool parse_frame(std::string_view line, Frame* frame) {
  line = trim(line);
  if (line.size() < 2 || line[0] != '#' || !std::isdigit(static_cast<unsigned char>(line[1]))) {
    return false;
  }
  const std::size_t in = line.find(" in ");
  if (in == std::string_view::npos) {
    frame->function.clear();
    frame->location = std::string(line.substr(line.rfind(' ') + 1));
    return true;
  }
  std::string_view rest = line.substr(in + 4);
  // The location is the last token, unless the frame has none ("in foo").
  std::string_view function = rest;
  std::string_view location;
  if (const std::size_t space = rest.rfind(' '); space != std::string_view::npos) {
    location = rest.substr(space + 1);
    if (location.find('/') != std::string_view::npos || location.starts_with("(")) {
      function = rest.substr(0, space);
    } else {
      location = {};
    }
  }
  // Keep the name, not the parameter list: "ns::f(int, char)" -> "ns::f".
  std::string name;
  int depth = 0;
  for (std::size_t i = 0; i < function.size(); ++i) {
    const char c = function[i];
    if (c == '(' && depth == 0 && !function.substr(i).starts_with("(anonymous namespace)")) break;
    if (c == '<') ++depth;
    if (c == '>' && depth > 0) --depth;
    name += c;
  }
  frame->function = std::string(trim(name));
  frame->location = std::string(location);
  return true;
}

// is_runtime_frame: sanitizer, libFuzzer, libc or reporting frames, which say
// nothing about the bug.
bool is_runtime_frame(const Frame& frame) {
  static constexpr std::array<std::string_view, 19> kPrefixes = {
      "__sanitizer",
      "__asan",
      "__ubsan",
      "__lsan",
      "__interceptor",
      "__interception",
      "fuzzer::",
      "__libc",
      "__GI_",
      "abort",
      "raise",
      "gsignal",
      "__cxa",
      "__gxx",
      "std::terminate",
      "__assert",
      "malloc",
      "operator new",
      "faultline::fuzz::property_failed"};
  if (frame.function.empty()) return true;  // unsymbolised: libc or the runtime
  for (std::string_view prefix : kPrefixes) {
    if (std::string_view(frame.function).starts_with(prefix)) return true;
  }
  return frame.location.find("libc.so") != std::string::npos ||
         frame.location.find("compiler-rt") != std::string::npos ||
         frame.location.find("libclang_rt") != std::string::npos;
}

std::string base_name(std::string_view location) {
  if (const std::size_t slash = location.rfind('/'); slash != std::string_view::npos) {
    location = location.substr(slash + 1);
  }
  // "file.cpp:12:3" -> "file.cpp:12"
  if (const std::size_t last = location.rfind(':'); last != std::string_view::npos) {
    const std::string_view before = location.substr(0, last);
    if (before.find(':') != std::string_view::npos) location = before;
  }
  return std::string(location);
}

std::string hash_hex(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : text)
    hash = (hash ^ c) * 0x100000001b3ull;
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

}  // namespace

CrashSignature crash_signature(std::string_view report) {
  CrashSignature signature;
  std::istringstream lines{std::string(report)};
  std::string line;
  bool in_stack = false;
  bool stack_done = false;
  while (std::getline(lines, line)) {
    if (signature.kind.empty()) {
      // A property violation names itself before libFuzzer's "deadly signal".
      signature.kind = kind_of(line);
      continue;
    }
    // fuzz::property_failed's second line names the property.
    if (signature.kind.starts_with("property violated") && line.starts_with("property: ") &&
        signature.kind.find(": ") == std::string::npos) {
      signature.kind += ": " + line.substr(10);
      continue;
    }
    if (stack_done) continue;
    Frame frame;
    if (!parse_frame(line, &frame)) {
      if (in_stack) stack_done = true;  // only the first stack: the crash's own
      continue;
    }
    in_stack = true;
    // The harness is the last frame that counts: below it are libFuzzer,
    // the standalone driver, main. It counts itself only when nothing above
    // it does (a property violation in the fuzzer's own code).
    const bool harness = frame.function == "LLVMFuzzerTestOneInput";
    if (harness) stack_done = true;
    if (harness && !signature.frames.empty()) continue;
    if (is_runtime_frame(frame) || signature.frames.size() >= kSignatureFrames) continue;
    std::string text = frame.function;
    if (signature.frames.empty() && frame.location.find('/') != std::string::npos) {
      text += " (" + base_name(frame.location) + ")";
    }
    signature.frames.push_back(std::move(text));
  }
  if (signature.kind.empty()) signature.kind = "unknown crash";
  std::string key = signature.kind;
  for (const std::string& frame : signature.frames)
    key += "\n" + frame;
  signature.id = hash_hex(key);
  signature.summary = signature.kind;
  for (std::size_t i = 0; i < signature.frames.size(); ++i) {
    signature.summary += (i == 0 ? " in " : " < ") + signature.frames[i];
  }
  return signature;
}

}  // namespace faultline::fuzz
