#include "targets/net/event_loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

namespace faultline::net {
namespace {

// epoll_event.data carries the fd in the low 32 bits and the handler's
// generation in the high 32, so an event for a removed (and maybe reused) fd
// is recognised and dropped.
std::uint64_t pack(int fd, std::uint64_t generation) {
  return (generation << 32) | static_cast<std::uint32_t>(fd);
}
constexpr std::uint64_t kWakeToken = ~std::uint64_t{0};

}  // namespace

Result<std::unique_ptr<EventLoop>> EventLoop::create() {
  Fd epoll_fd(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_fd) return from_errno(errno, "epoll_create1");
  Fd wake_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_fd) return from_errno(errno, "eventfd");
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kWakeToken;
  if (::epoll_ctl(epoll_fd.get(), EPOLL_CTL_ADD, wake_fd.get(), &event) < 0) {
    return from_errno(errno, "epoll_ctl(ADD eventfd)");
  }
  return std::unique_ptr<EventLoop>(new EventLoop(std::move(epoll_fd), std::move(wake_fd)));
}

EventLoop::EventLoop(Fd epoll_fd, Fd wake_fd)
    : epoll_fd_(std::move(epoll_fd)), wake_fd_(std::move(wake_fd)) {}

EventLoop::~EventLoop() = default;

Status EventLoop::add(int fd, std::uint32_t events, IoCallback callback) {
  auto generation = (next_generation_++) & 0x7fffffff;
  epoll_event event{};
  event.events = events;
  event.data.u64 = pack(fd, generation);
  if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &event) < 0) {
    return from_errno(errno, "epoll_ctl(ADD fd " + std::to_string(fd) + ")");
  }
  handlers_[fd] = std::make_shared<Handler>(Handler{generation, std::move(callback)});
  return {};
}

Status EventLoop::modify(int fd, std::uint32_t events) {
  auto it = handlers_.find(fd);
  if (it == handlers_.end()) {
    return make_error(ErrorKind::invalid_argument,
                      "epoll modify: fd " + std::to_string(fd) + " is not watched");
  }
  epoll_event event{};
  event.events = events;
  event.data.u64 = pack(fd, it->second->generation);
  if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_MOD, fd, &event) < 0) {
    return from_errno(errno, "epoll_ctl(MOD fd " + std::to_string(fd) + ")");
  }
  return {};
}

void EventLoop::remove(int fd) {
  if (handlers_.erase(fd) == 0) return;
  ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

EventLoop::TimerId EventLoop::add_timer(Duration after, Task task) {
  TimerId id = next_timer_id_++;
  auto when = MonotonicClock::now() + after;
  timers_.emplace(std::make_pair(when, id), std::move(task));
  timer_when_[id] = when;
  return id;
}

bool EventLoop::cancel_timer(TimerId id) {
  auto it = timer_when_.find(id);
  if (it == timer_when_.end()) return false;
  timers_.erase({it->second, id});
  timer_when_.erase(it);
  return true;
}

void EventLoop::post(Task task) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(task));
    attention_.store(true, std::memory_order_release);
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof(one));
}

void EventLoop::stop() {
  {
    std::lock_guard lock(posted_mutex_);
    stop_requested_ = true;
    attention_.store(true, std::memory_order_release);
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof(one));
}

void EventLoop::drain_posted() {
  if (!attention_.load(std::memory_order_acquire)) return;  // the common case: no lock
  std::vector<Task> tasks;
  {
    std::lock_guard lock(posted_mutex_);
    tasks.swap(posted_);
    attention_.store(stop_requested_, std::memory_order_release);
  }
  for (auto& task : tasks)
    task();
}

void EventLoop::fire_due_timers() {
  if (timers_.empty()) return;  // spares a clock read per turn
  auto now = MonotonicClock::now();
  // Fire only timers already due at entry, so a timer that re-arms itself at
  // zero delay cannot starve I/O.
  while (!timers_.empty() && timers_.begin()->first.first <= now) {
    auto node = timers_.extract(timers_.begin());
    timer_when_.erase(node.key().second);
    node.mapped()();
  }
}

Deadline EventLoop::next_timer_deadline() const {
  if (timers_.empty()) return Deadline::never();
  return Deadline::at(timers_.begin()->first.first);
}

Status EventLoop::run_once(Deadline deadline) {
  constexpr int kMaxEvents = 128;
  epoll_event events[kMaxEvents];
  Deadline wait_until = Deadline::earlier(deadline, next_timer_deadline());
  if (attention_.load(std::memory_order_acquire)) {
    std::lock_guard lock(posted_mutex_);
    if (!posted_.empty() || stop_requested_) wait_until = Deadline::after(Duration::zero());
  }
  int n = ::epoll_wait(epoll_fd_.get(), events, kMaxEvents, wait_until.poll_timeout_ms());
  if (n < 0 && errno != EINTR) return from_errno(errno, "epoll_wait");
  for (int i = 0; i < n; ++i) {
    std::uint64_t token = events[i].data.u64;
    if (token == kWakeToken) {
      std::uint64_t count;
      [[maybe_unused]] auto r = ::read(wake_fd_.get(), &count, sizeof(count));
      continue;
    }
    int fd = static_cast<int>(token & 0xffffffff);
    auto it = handlers_.find(fd);
    if (it == handlers_.end() || it->second->generation != (token >> 32)) continue;
    auto handler = it->second;  // keeps the callback alive if it removes itself
    handler->callback(events[i].events);
  }
  drain_posted();
  fire_due_timers();
  return {};
}

Status EventLoop::run() {
  for (;;) {
    if (attention_.load(std::memory_order_acquire)) {
      std::lock_guard lock(posted_mutex_);
      if (stop_requested_) {
        stop_requested_ = false;
        attention_.store(!posted_.empty(), std::memory_order_release);
        break;
      }
    }
    auto status = run_once(Deadline::never());
    if (!status) return status;
  }
  drain_posted();
  return {};
}

}  // namespace faultline::net
