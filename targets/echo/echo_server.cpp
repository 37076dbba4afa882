#include "targets/echo/echo_server.h"

#include "targets/echo/epoll_echo_server.h"
#include "targets/echo/threaded_echo_server.h"

namespace faultline::echo {

net::Result<ServerModel> parse_server_model(std::string_view text) {
  if (text == "epoll") return ServerModel::epoll;
  if (text == "threads") return ServerModel::threads;
  return net::make_error(net::ErrorKind::invalid_argument,
                         "server model '" + std::string(text) + "': expected epoll or threads");
}

std::string_view model_name(ServerModel model) {
  return model == ServerModel::epoll ? "epoll" : "threads";
}

std::unique_ptr<EchoServer> make_echo_server(ServerModel model, EchoServerOptions options) {
  if (model == ServerModel::threads) return std::make_unique<ThreadedEchoServer>(options);
  return std::make_unique<EpollEchoServer>(options);
}

}  // namespace faultline::echo
