#include "targets/http/token_arena.h"

#include <algorithm>
#include <cstring>

namespace faultline::http::detail {
namespace {

// kBlockSize: most heads fit one block; a larger token gets a block its size.
constexpr std::size_t kBlockSize = 4096;

// kMaxKeptBlock: clear() keeps a block this size or smaller for reuse.
constexpr std::size_t kMaxKeptBlock = 64 * 1024;

}  // namespace

std::string_view TokenArena::append(std::string_view token, std::string_view more) {
  if (!token.empty() && token.data() == last_ && token.size() == last_size_ && !blocks_.empty()) {
    Block& block = blocks_.back();
    if (block.size - block.used >= more.size()) {
      std::memcpy(block.data.get() + block.used, more.data(), more.size());
      block.used += more.size();
      used_ += more.size();
      last_size_ += more.size();
      return {last_, last_size_};
    }
  }
  // A token that keeps growing (a body over many feeds) gets twice its size,
  // so it is recopied O(log n) times, not once per piece.
  const std::size_t size = token.size() + more.size();
  const std::size_t room = token.empty() ? size : std::max(size, 2 * token.size());
  char* out = allocate(room);
  if (!token.empty()) std::memcpy(out, token.data(), token.size());
  if (!more.empty()) std::memcpy(out + token.size(), more.data(), more.size());
  // Only `size` bytes are taken: the rest of the room is the next in-place growth.
  blocks_.back().used -= room - size;
  used_ -= room - size;
  last_ = out;
  last_size_ = size;
  return {out, size};
}

char* TokenArena::allocate(std::size_t size) {
  if (blocks_.empty() || blocks_.back().size - blocks_.back().used < size) {
    const std::size_t block_size = std::max(size, kBlockSize);
    blocks_.push_back(Block{std::make_unique<char[]>(block_size), block_size, 0});
  }
  Block& block = blocks_.back();
  char* out = block.data.get() + block.used;
  block.used += size;
  used_ += size;
  return out;
}

bool TokenArena::owns(const char* p) const {
  return std::any_of(blocks_.begin(), blocks_.end(), [p](const Block& block) {
    return p >= block.data.get() && p < block.data.get() + block.size;
  });
}

void TokenArena::clear() {
  // Keep one block for the next message: as large as everything this round
  // needed (so a steady stream of alike messages stops allocating), up to
  // kMaxKeptBlock.
  std::size_t total = 0;
  for (const Block& block : blocks_)
    total += block.size;
  if (blocks_.size() > 1 && total <= kMaxKeptBlock) {
    blocks_.clear();
    blocks_.push_back(Block{std::make_unique<char[]>(total), total, 0});
  } else if (blocks_.size() > 1 || (!blocks_.empty() && blocks_.back().size > kMaxKeptBlock)) {
    blocks_.clear();
  }
  if (!blocks_.empty()) blocks_.back().used = 0;
  last_ = nullptr;
  last_size_ = 0;
  used_ = 0;
}

}  // namespace faultline::http::detail
