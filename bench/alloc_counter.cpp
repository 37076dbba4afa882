#include "bench/alloc_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace faultline::bench {
namespace {

std::atomic<std::uint64_t> alloc_calls{0};
std::atomic<std::uint64_t> alloc_bytes{0};

}  // namespace

AllocCount alloc_count() {
  return {alloc_calls.load(std::memory_order_relaxed), alloc_bytes.load(std::memory_order_relaxed)};
}

}  // namespace faultline::bench

// The replacements (C++ [replacement.functions]): in their own translation
// unit, so no call site inlines a malloc/free pair the compiler would flag.
void* operator new(std::size_t size) {
  faultline::bench::alloc_calls.fetch_add(1, std::memory_order_relaxed);
  faultline::bench::alloc_bytes.fetch_add(size, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return ::operator new(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
