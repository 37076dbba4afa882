// harness/fault/byte_budget.h: "let exactly N bytes through", the shared core
// of the faults that act at a byte offset (reset, limit_data, half_close,
// stall). They all act the moment N bytes have passed, and with N = 0 at the
// stream's first event (a chunk or the end).
//
//   ByteBudget budget(settings.after);
//   std::string rest = budget.pass(std::move(chunk), out);   // the prefix goes to out
//   if (budget.reached()) { ... act ... }
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "harness/fault/stage.h"

namespace faultline::fault {

// ByteBudget: counts bytes through until a limit.
class ByteBudget {
 public:
  explicit ByteBudget(std::uint64_t limit) : limit_(limit) {}

  bool reached() const { return passed_ >= limit_; }

  // pass_held passes a held chunk (see held()) on as it is, uncounted, while
  // the budget is not reached, and says whether it did. A held chunk that
  // finds the budget reached (N = 0) is the stage's first event: it acts.
  bool pass_held(Chunk& chunk, Output& out) {
    if (!held(chunk) || reached()) return false;
    out.chunks.push_back(std::move(chunk));
    return true;
  }
  std::uint64_t passed() const { return passed_; }

  // pass appends the part of `chunk` still within the budget to `out` (keeping
  // its release time) and returns the bytes beyond it.
  std::string pass(Chunk chunk, Output& out) {
    const std::uint64_t room = limit_ - std::min(limit_, passed_);
    if (chunk.bytes.size() <= room) {
      passed_ += chunk.bytes.size();
      if (!chunk.bytes.empty()) out.chunks.push_back(std::move(chunk));
      return {};
    }
    const auto take = static_cast<std::size_t>(room);
    std::string rest = chunk.bytes.substr(take);
    passed_ += take;
    if (take > 0) {
      chunk.bytes.resize(take);
      out.chunks.push_back(std::move(chunk));
    }
    return rest;
  }

 private:
  std::uint64_t limit_;
  std::uint64_t passed_ = 0;
};

}  // namespace faultline::fault
