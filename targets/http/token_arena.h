// targets/http/token_arena.h: the parser's own memory for the bytes of a
// message it cannot view in place (a token split across feeds, a chunked
// body, a message still queued when its feed's bytes go away).
//
// A bump allocator over blocks that never move, so a string_view into it
// stays valid until clear(); the last allocation grows in place while its
// block has room, so a token arriving in pieces is appended, not recopied.
//
//   detail::TokenArena arena;
//   std::string_view token = arena.append({}, first_piece);
//   token = arena.append(token, next_piece);   // in place when token is the last allocation
//   arena.clear();                             // every view is dead; blocks are reused
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace faultline::http::detail {

class TokenArena {
 public:
  // append gives `token` followed by `more` in arena memory. `token` may be
  // anywhere (a view of the input is copied first); when it is the arena's
  // last allocation and its block has room, it grows in place.
  std::string_view append(std::string_view token, std::string_view more);

  // owns tells whether `p` points into the arena.
  bool owns(const char* p) const;

  // used gives the bytes allocated since the last clear().
  std::size_t used() const { return used_; }

  // clear forgets every allocation; it keeps one block (up to 64 KiB) for reuse.
  void clear();

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    std::size_t size = 0;
    std::size_t used = 0;
  };
  char* allocate(std::size_t size);

  std::vector<Block> blocks_;
  const char* last_ = nullptr;  // the last allocation, and its size
  std::size_t last_size_ = 0;
  std::size_t used_ = 0;
};

}  // namespace faultline::http::detail
