#include "targets/http/client/connection_pool.h"

#include <algorithm>

namespace faultline::http::client {

std::unique_ptr<net::Stream> ConnectionPool::take(const std::string& key) {
  for (auto it = idle_.rbegin(); it != idle_.rend();) {
    if (it->key != key) {
      ++it;
      continue;
    }
    std::unique_ptr<net::Stream> stream = std::move(it->stream);
    it = decltype(it)(idle_.erase(std::next(it).base()));
    if (!stream->readable_now()) return stream;
    stream->close();
    ++stale_discarded_;
  }
  return nullptr;
}

void ConnectionPool::put(const std::string& key, std::unique_ptr<net::Stream> stream) {
  if (!stream) return;
  if (options_.max_idle_per_host == 0 || options_.max_idle_total == 0) {
    stream->close();
    return;
  }
  if (idle(key) >= options_.max_idle_per_host) {
    auto oldest =
        std::find_if(idle_.begin(), idle_.end(), [&](const Idle& i) { return i.key == key; });
    oldest->stream->close();
    idle_.erase(oldest);
  }
  if (idle_.size() >= options_.max_idle_total) {
    idle_.front().stream->close();
    idle_.pop_front();
  }
  idle_.push_back(Idle{key, std::move(stream)});
}

void ConnectionPool::clear() {
  for (Idle& i : idle_)
    i.stream->close();
  idle_.clear();
}

std::size_t ConnectionPool::idle(const std::string& key) const {
  return static_cast<std::size_t>(
      std::count_if(idle_.begin(), idle_.end(), [&](const Idle& i) { return i.key == key; }));
}

}  // namespace faultline::http::client
