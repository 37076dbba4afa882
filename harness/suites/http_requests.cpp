#include "harness/suites/http_requests.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/core.h>

namespace faultline::suites {
namespace {

constexpr std::size_t kMaxBodyFile = 64 << 20;
constexpr std::size_t kMaxRequests = 1000;

bool is_token(std::string_view method) {
  return !method.empty() && std::all_of(method.begin(), method.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
      ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t')
      ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

std::string content_type_for(const std::filesystem::path& file) {
  auto ext = file.extension().string();
  if (ext == ".json") return "application/json";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".xml") return "application/xml";
  if (ext == ".form") return "application/x-www-form-urlencoded";
  return "application/octet-stream";
}

}  // namespace

net::Result<HttpRequestSpec> parse_request_spec(std::string_view text,
                                                const std::string& base_dir) {
  auto bad = [&](const std::string& why) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           fmt::format("request '{}': {} (expected 'METHOD PATH' or 'METHOD PATH "
                                       "@body-file', e.g. 'GET /' or 'POST /items @item.json')",
                                       text, why));
  };
  auto parts = words(text);
  if (parts.size() < 2 || parts.size() > 3) return bad("expected 2 or 3 words");
  HttpRequestSpec spec;
  spec.text = std::string(text);
  spec.method = std::string(parts[0]);
  if (!is_token(spec.method)) return bad("'" + spec.method + "' is not a method");
  std::transform(spec.method.begin(), spec.method.end(), spec.method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  spec.path = std::string(parts[1]);
  if (spec.path.front() != '/') return bad("the path must start with '/'");
  if (parts.size() == 3) {
    if (parts[2].size() < 2 || parts[2].front() != '@') return bad("a body is given as @FILE");
    std::filesystem::path file(std::string(parts[2].substr(1)));
    if (file.is_relative()) file = std::filesystem::path(base_dir) / file;
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      return net::make_error(
          net::ErrorKind::not_found,
          fmt::format("request '{}': cannot read body file '{}'", text, file.string()));
    }
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (body.size() > kMaxBodyFile) return bad("the body file is larger than 64 MiB");
    spec.body = std::move(body);
    spec.content_type = content_type_for(file);
  }
  return spec;
}

net::Result<std::vector<HttpRequestSpec>> parse_requests_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return net::make_error(net::ErrorKind::not_found,
                           "requests file '" + path + "': cannot be read");
  }
  auto base = std::filesystem::path(path).parent_path().string();
  if (base.empty()) base = ".";
  std::vector<HttpRequestSpec> out;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (words(line).empty()) continue;
    auto spec = parse_request_spec(line, base);
    if (!spec) {
      auto error = spec.error();
      error.message = fmt::format("{} line {}: {}", path, number, error.message);
      return tl::unexpected(error);
    }
    out.push_back(std::move(*spec));
    if (out.size() > kMaxRequests) {
      return net::make_error(net::ErrorKind::too_large,
                             fmt::format("{}: more than {} requests", path, kMaxRequests));
    }
  }
  if (out.empty()) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "requests file '" + path + "' holds no request");
  }
  return out;
}

std::optional<std::string> response_difference(const http::client::Response& baseline,
                                               const http::client::Response& got,
                                               const std::vector<std::string>& volatile_headers) {
  if (baseline.status != got.status) {
    return fmt::format("status {} where the baseline had {}", got.status, baseline.status);
  }
  if (baseline.body != got.body) {
    std::size_t at = 0;
    while (at < baseline.body.size() && at < got.body.size() && baseline.body[at] == got.body[at])
      ++at;
    return fmt::format("body of {} bytes where the baseline had {}, first difference at byte {}",
                       got.body.size(), baseline.body.size(), at);
  }
  auto stable = [&](const http::client::Response& r) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& h : r.headers) {
      if (http::iequals(h.name, "date")) continue;
      if (std::any_of(volatile_headers.begin(), volatile_headers.end(),
                      [&](const std::string& v) { return http::iequals(h.name, v); })) {
        continue;
      }
      std::string name = h.name;
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      out.emplace_back(std::move(name), h.value);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  auto a = stable(baseline), b = stable(got);
  if (a != b) {
    for (const auto& h : a) {
      if (std::find(b.begin(), b.end(), h) == b.end()) {
        return fmt::format(
            "header '{}: {}' of the baseline changed or went missing (mark it "
            "--volatile-header {} if it may)",
            h.first, h.second, h.first);
      }
    }
    for (const auto& h : b) {
      if (std::find(a.begin(), a.end(), h) == a.end()) {
        return fmt::format(
            "header '{}: {}' is not in the baseline (mark it --volatile-header {} "
            "if it may change)",
            h.first, h.second, h.first);
      }
    }
  }
  return std::nullopt;
}

}  // namespace faultline::suites
