#include "targets/ws/handshake.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <random>

#include <fmt/core.h>

#include "targets/http/serialize.h"

namespace faultline::ws {
namespace {
constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string base64(const unsigned char* bytes, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

// Each comma-separated element of a header value, trimmed.
template <typename Visit>
void for_each_token(std::string_view list, Visit visit) {
  while (true) {
    const auto comma = list.find(',');
    visit(http::trim_whitespace(list.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

// Every value of every header called `name`, as one token list.
std::vector<std::string> tokens_of(const http::Headers& headers, std::string_view name) {
  std::vector<std::string> tokens;
  for (auto value : http::find_headers(headers, name))
    for_each_token(value, [&](std::string_view token) {
      if (!token.empty()) tokens.emplace_back(token);
    });
  return tokens;
}

bool any_token(const http::Headers& headers, std::string_view name, std::string_view token) {
  for (auto value : http::find_headers(headers, name))
    if (has_token(value, token)) return true;
  return false;
}
}  // namespace

std::string compute_accept_key(std::string_view key) {
  std::string input(key);
  input.append(kAcceptGuid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return base64(digest, sizeof(digest));
}

std::string make_client_key(std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  unsigned char bytes[16];
  for (int i = 0; i < 16; i += 8) {
    const std::uint64_t word = generator();
    for (int j = 0; j < 8; ++j)
      bytes[i + j] = static_cast<unsigned char>(word >> (8 * j));
  }
  return base64(bytes, sizeof(bytes));
}

bool valid_client_key(std::string_view key) {
  // 16 bytes encode to 22 base64 characters and "==".
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (std::size_t i = 0; i < 22; ++i) {
    const char c = key[i];
    const bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (!alphabet) return false;
  }
  // The last character carries 2 bits of data and 4 zero bits.
  return std::string_view("AQgw").find(key[21]) != std::string_view::npos;
}

bool has_token(std::string_view list, std::string_view token) {
  bool found = false;
  for_each_token(list, [&](std::string_view element) { found |= http::iequals(element, token); });
  return found;
}

// --- server -----------------------------------------------------------------

ServerHandshake::ServerHandshake(ServerHandshakeOptions options)
    : options_(std::move(options)), parser_([&] {
        http::ParserOptions parser_options;
        parser_options.limits.max_header_bytes = options_.max_request_bytes;
        // Also the bound on frames that arrive with the request, before it is answered.
        parser_options.limits.max_body_bytes = 1024 * 1024;
        return std::make_unique<http::Parser>(http::MessageType::request, parser_options);
      }()) {}
ServerHandshake::ServerHandshake(ServerHandshake&&) noexcept = default;
ServerHandshake& ServerHandshake::operator=(ServerHandshake&&) noexcept = default;
ServerHandshake::~ServerHandshake() = default;

HandshakeStep ServerHandshake::reject(int status, std::string reason, http::Headers extra) {
  http::Response response;
  response.status_code = status;
  response.reason = std::string(http::reason_phrase(status));
  response.headers = std::move(extra);
  response.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
  response.headers.push_back({"Connection", "close"});
  response.body = "websocket handshake: " + reason + "\n";
  output_ = http::serialize(response);
  error_ = net::Error{net::ErrorKind::bad_data, 0, "websocket handshake: " + reason};
  step_ = HandshakeStep::rejected;
  return step_;
}

net::Result<HandshakeStep> ServerHandshake::feed(std::string_view bytes) {
  if (step_ == HandshakeStep::accepted) {
    leftover_.append(bytes);
    return step_;
  }
  if (step_ == HandshakeStep::rejected) return step_;
  if (auto fed = parser_->feed(bytes); !fed) {
    const bool too_large = fed.error().code == http::ParseErrorCode::header_too_large ||
                           fed.error().code == http::ParseErrorCode::body_too_large;
    reject(too_large ? 431 : 400, "malformed request: " + fed.error().to_string());
    if (fed.error().code == http::ParseErrorCode::header_too_large)
      error_.kind = net::ErrorKind::too_large;
    return step_;
  }
  auto request = parser_->next();
  if (!request) return step_;
  target_ = request->target;
  if (request->method != "GET") return reject(405, "method " + request->method + ", not GET");
  if (request->version_major != 1 || request->version_minor < 1)
    return reject(400, fmt::format("HTTP/{}.{}, not HTTP/1.1", request->version_major,
                                   request->version_minor));
  if (!request->header("Host")) return reject(400, "no Host header");
  if (!any_token(request->headers, "Upgrade", "websocket"))
    return reject(400, "no 'Upgrade: websocket' header");
  if (!any_token(request->headers, "Connection", "upgrade"))
    return reject(400, "no 'upgrade' in the Connection header");
  auto keys = request->headers_named("Sec-WebSocket-Key");
  if (keys.size() != 1)
    return reject(400, fmt::format("{} Sec-WebSocket-Key headers, not 1", keys.size()));
  if (!valid_client_key(keys[0]))
    return reject(400, "Sec-WebSocket-Key '" + std::string(keys[0].substr(0, 64)) +
                           "' is not 16 bytes in base64");
  auto version = request->header("Sec-WebSocket-Version");
  if (!version || *version != "13")
    return reject(426,
                  "Sec-WebSocket-Version " +
                      (version ? "'" + std::string(*version) + "'" : std::string("missing")) +
                      ", only 13 is spoken",
                  {{"Sec-WebSocket-Version", "13"}});
  auto offered = tokens_of(request->headers, "Sec-WebSocket-Protocol");
  for (const auto& mine : options_.subprotocols) {
    for (const auto& theirs : offered) {
      if (mine == theirs && protocol_.empty()) protocol_ = mine;
    }
  }
  http::Response response;
  response.status_code = 101;
  response.reason = "Switching Protocols";
  response.headers = {{"Upgrade", "websocket"},
                      {"Connection", "Upgrade"},
                      {"Sec-WebSocket-Accept", compute_accept_key(keys[0])}};
  if (!protocol_.empty()) response.headers.push_back({"Sec-WebSocket-Protocol", protocol_});
  output_ = http::serialize(response);
  leftover_ = parser_->take_upgrade_data();
  step_ = HandshakeStep::accepted;
  return step_;
}

// --- client -----------------------------------------------------------------

ClientHandshake::ClientHandshake(ClientHandshakeOptions options)
    : options_(std::move(options)), key_(make_client_key(options_.key_seed)) {
  http::ParserOptions parser_options;
  parser_options.limits.max_header_bytes = options_.max_response_bytes;
  // Also the bound on frames that arrive in the same read as the 101.
  parser_options.limits.max_body_bytes = 1024 * 1024;
  parser_ = std::make_unique<http::Parser>(http::MessageType::response, parser_options);
  parser_->expect_response_to("GET");
  http::Request request;
  request.method = "GET";
  request.target = options_.target;
  request.headers = {{"Host", options_.host},
                     {"Upgrade", "websocket"},
                     {"Connection", "Upgrade"},
                     {"Sec-WebSocket-Key", key_},
                     {"Sec-WebSocket-Version", "13"}};
  if (!options_.subprotocols.empty()) {
    std::string list;
    for (const auto& protocol : options_.subprotocols)
      list += (list.empty() ? "" : ", ") + protocol;
    request.headers.push_back({"Sec-WebSocket-Protocol", list});
  }
  for (const auto& header : options_.extra_headers)
    request.headers.push_back(header);
  request_ = http::serialize(request);
}
ClientHandshake::ClientHandshake(ClientHandshake&&) noexcept = default;
ClientHandshake& ClientHandshake::operator=(ClientHandshake&&) noexcept = default;
ClientHandshake::~ClientHandshake() = default;

net::Result<HandshakeStep> ClientHandshake::feed(std::string_view bytes) {
  auto bad = [](std::string what) {
    return net::make_error(net::ErrorKind::bad_data, "websocket handshake: " + what);
  };
  if (accepted_) {
    leftover_.append(bytes);
    return HandshakeStep::accepted;
  }
  if (auto fed = parser_->feed(bytes); !fed) {
    auto error = http::to_net_error(fed.error());
    error.message = "websocket handshake: response: " + error.message;
    return tl::unexpected(error);
  }
  auto response = parser_->next();
  if (!response) return HandshakeStep::need_more;
  if (response->status_code != 101) {
    std::string body = response->body.substr(0, 200);
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r'))
      body.pop_back();
    return bad(fmt::format("server answered {} {}, not 101{}{}", response->status_code,
                           response->reason, body.empty() ? "" : ": ", body));
  }
  if (!any_token(response->headers, "Upgrade", "websocket"))
    return bad("101 without 'Upgrade: websocket'");
  if (!any_token(response->headers, "Connection", "upgrade"))
    return bad("101 without 'Connection: upgrade'");
  auto accept = response->header("Sec-WebSocket-Accept");
  if (!accept) return bad("101 without Sec-WebSocket-Accept");
  if (*accept != compute_accept_key(key_))
    return bad("Sec-WebSocket-Accept '" + std::string(accept->substr(0, 64)) +
               "' does not match the key sent");
  if (response->header("Sec-WebSocket-Extensions"))
    return bad("the server chose an extension the client did not offer");
  if (auto protocol = response->header("Sec-WebSocket-Protocol")) {
    bool offered = false;
    for (const auto& mine : options_.subprotocols)
      offered |= mine == *protocol;
    if (!offered)
      return bad("the server chose subprotocol '" + std::string(*protocol) +
                 "', which was not offered");
    protocol_ = std::string(*protocol);
  }
  leftover_ = parser_->take_upgrade_data();
  accepted_ = true;
  return HandshakeStep::accepted;
}

}  // namespace faultline::ws
