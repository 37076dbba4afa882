#include "targets/net/fd.h"

#include <unistd.h>

namespace faultline::net {

void Fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);  // close() is not retried on EINTR on Linux: the fd is gone.
  fd_ = fd;
}

}  // namespace faultline::net
