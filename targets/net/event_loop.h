// targets/net/event_loop.h: a small epoll event loop: fd readiness plus timers.
//
// One thread runs the loop; callbacks run on it. post() and stop() are the only
// calls safe from other threads (they wake the loop through an eventfd).
// A callback may add or remove any fd or timer, including its own.
//
//   auto loop = net::EventLoop::create().value();
//   loop->add(listen_fd, EPOLLIN, [&](std::uint32_t) { accept_all(); });
//   loop->add_timer(std::chrono::seconds(5), [&] { loop->stop(); });
//   loop->run();
#pragma once

#include <sys/epoll.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "targets/net/deadline.h"
#include "targets/net/error.h"
#include "targets/net/fd.h"

namespace faultline::net {

// EventLoop: epoll readiness dispatch and one-shot timers on the steady clock.
class EventLoop {
 public:
  using IoCallback = std::function<void(std::uint32_t events)>;
  using Task = std::function<void()>;
  using TimerId = std::uint64_t;

  static Result<std::unique_ptr<EventLoop>> create();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  ~EventLoop();

  // add watches `fd` for `events` (EPOLLIN, EPOLLOUT, ...; level-triggered).
  Status add(int fd, std::uint32_t events, IoCallback callback);
  // modify changes the watched events of an added fd.
  Status modify(int fd, std::uint32_t events);
  // remove stops watching `fd`; pending events for it are dropped. The caller closes it.
  void remove(int fd);
  bool watching(int fd) const { return handlers_.count(fd) != 0; }

  // add_timer runs `task` once, `after` from now; cancel_timer stops it.
  TimerId add_timer(Duration after, Task task);
  bool cancel_timer(TimerId id);

  // post runs `task` on the loop thread soon. Thread-safe.
  void post(Task task);
  // stop makes run() return after the current iteration. Thread-safe.
  void stop();

  // run dispatches events and timers until stop().
  Status run();
  // run_once waits at most until `deadline` (or the next timer) and dispatches.
  Status run_once(Deadline deadline);

  std::size_t watched_count() const { return handlers_.size(); }
  std::size_t timer_count() const { return timers_.size(); }

 private:
  struct Handler {
    std::uint64_t generation;
    IoCallback callback;
  };
  EventLoop(Fd epoll_fd, Fd wake_fd);
  void drain_posted();
  void fire_due_timers();
  Deadline next_timer_deadline() const;

  Fd epoll_fd_;
  Fd wake_fd_;
  std::unordered_map<int, std::shared_ptr<Handler>> handlers_;
  std::uint64_t next_generation_ = 1;
  std::map<std::pair<MonotonicClock::time_point, TimerId>, Task> timers_;
  std::unordered_map<TimerId, MonotonicClock::time_point> timer_when_;
  TimerId next_timer_id_ = 1;
  std::mutex posted_mutex_;
  std::vector<Task> posted_;
  bool stop_requested_ = false;  // guarded by posted_mutex_
  // attention_: posted_ may be non-empty or a stop was asked for. Written
  // under posted_mutex_, read without it, so an idle turn of the loop takes
  // no lock (a post() also writes the wake fd, so none is missed).
  std::atomic<bool> attention_{false};
};

}  // namespace faultline::net
