// fuzz/http_differential_fuzzer.cpp: llhttp (through http::Parser) against
// http-parser 2.9 on the same bytes, in the manner of HTTP Garden.
//
// Input: [mode][stream...]; mode bit 0 responses (else requests), bit 1 our
// parser with every lenient flag on (else strict). Both parsers get the
// stream at once, then EOF. Messages are compared in order, field by field
// (method, target, status, version, headers, body, trailers, framing and
// connection flags) until the first difference; a difference, or one parser
// accepting more messages than the other, is classified. A known benign
// class passes (the list and the reasoning are in docs/fuzzing.md, section
// "Differential classes"); anything else prints both parses and traps.
//
// Built with -DFAULTLINE_DIFFERENTIAL_SURVEY the fuzzer prints the class
// signature of every difference instead of trapping on unknown ones: that
// is how the known list was drawn up.
// Dictionary: corpus/dict/http.dict
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/http_fuzz_support.h"
#include "fuzz/http_parser_peer.h"

namespace {

namespace fuzz = faultline::fuzz;
namespace http = faultline::http;

std::string_view rtrim(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

// header_class: why two header lists differ, or "" when they don't.
// Class B1 is normalised away here, so it cannot hide a later difference:
// http-parser keeps the whitespace after a value, which RFC 9112 section 5
// says is not part of it.
std::string header_class(const http::Headers& ours, const http::Headers& theirs,
                         std::string_view what) {
  if (ours.size() != theirs.size()) return std::string(what) + "_count";
  for (std::size_t i = 0; i < ours.size(); ++i) {
    if (ours[i].name != theirs[i].name) return std::string(what) + "_name";
    if (ours[i].value != rtrim(theirs[i].value)) return std::string(what) + "_value";
  }
  return "";
}

// message_class: the class of the first difference between two messages,
// or "" when they agree.
std::string message_class(const http::Message& ours, const http::Message& theirs) {
  if (ours.method != theirs.method) return "method";
  if (ours.target != theirs.target) return "target";
  if (ours.status_code != theirs.status_code) return "status";
  if (ours.version_major != theirs.version_major || ours.version_minor != theirs.version_minor) {
    return "version";
  }
  if (std::string c = header_class(ours.headers, theirs.headers, "header"); !c.empty()) return c;
  if (ours.body != theirs.body) return "body";
  if (std::string c = header_class(ours.trailers, theirs.trailers, "trailer"); !c.empty()) {
    return c;
  }
  if (ours.chunked != theirs.chunked) return "chunked";
  if (ours.content_length != theirs.content_length) return "content_length";
  if (ours.upgrade != theirs.upgrade) return "upgrade";
  if (ours.keep_alive != theirs.keep_alive) return "keep_alive";
  if (rtrim(ours.reason) != rtrim(theirs.reason)) return "reason";
  return "";
}

std::string describe(const fuzz::PeerOutcome& outcome) {
  std::string out = std::to_string(outcome.messages.size()) + " message(s)\n";
  for (const http::Message& message : outcome.messages)
    out += fuzz::describe(message);
  if (outcome.error_name) {
    out += "  error: " + *outcome.error_name + " at byte " + std::to_string(outcome.error_offset) +
           "\n";
  }
  if (outcome.upgraded) out += "  upgraded, data \"" + fuzz::escape(outcome.upgrade_data) + "\"\n";
  if (outcome.in_progress) out += "  a message in progress at the end\n";
  return out;
}

// stop_class: why a parser stopped short of the other's messages.
std::string stop_class(std::string_view who, const std::optional<std::string>& error, bool upgraded,
                       bool in_progress) {
  if (error) return std::string(who) + "_rejects:" + *error;
  if (upgraded) return std::string(who) + "_upgraded";
  if (in_progress) return std::string(who) + "_incomplete";
  return std::string(who) + "_fewer";
}

// focus: the whole parse when it is short, else the message at `index`
// with its neighbours and the parse's ending (its last lines).
std::string focus(const std::vector<http::Message>& messages, std::size_t index,
                  const std::string& whole) {
  if (messages.size() <= 3) return whole;
  std::string out =
      std::to_string(messages.size()) + " message(s); at " + std::to_string(index) + ":\n";
  for (std::size_t i = index > 0 ? index - 1 : 0; i < messages.size() && i <= index + 1; ++i)
    out += fuzz::describe(messages[i]);
  const std::size_t tail = whole.rfind("\n  error:");
  if (tail != std::string::npos) out += whole.substr(tail + 1);
  return out;
}

// Disagreement: what the comparison found, with the context the classes need.
struct Disagreement {
  std::string signature;  // "header_value", "llhttp_rejects:HPE_CR_EXPECTED", ...
  std::size_t index;      // the message where the parsers part ways
  bool loose;
  http::MessageType type;
  const fuzz::ParseOutcome& ours;
  const fuzz::PeerOutcome& theirs;
  std::uint64_t stream_size;

  // error: the errno name after "...rejects:" or "...rejects_after:", or "".
  std::string_view error() const {
    const std::size_t colon = signature.find(':');
    return colon == std::string::npos ? std::string_view{}
                                      : std::string_view(signature).substr(colon + 1);
  }
  bool llhttp_rejects() const { return signature.starts_with("llhttp_rejects"); }
  bool http_parser_rejects() const { return signature.starts_with("http_parser_rejects"); }
  // our_message: our message at the divergence, if we have one there.
  const http::Message* our_message() const {
    return index < ours.messages.size() ? &ours.messages[index] : nullptr;
  }
};

bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool has_framing(const http::Message& m) {
  return m.header("Content-Length") || m.header("Transfer-Encoding");
}

// bodyless_with_framing: a response that has no body by its status (1xx,
// 204, 304) but carries Content-Length or Transfer-Encoding, at or before
// the divergence, in either parse.
bool bodyless_with_framing(const Disagreement& d) {
  if (d.type != http::MessageType::response) return false;
  auto check = [&](const std::vector<http::Message>& messages) {
    for (std::size_t i = 0; i < messages.size() && i <= d.index; ++i) {
      if (!http::status_has_body(messages[i].status_code) && has_framing(messages[i])) return true;
    }
    return false;
  };
  return check(d.ours.messages) || check(d.theirs.messages);
}

// any_message_up_to_divergence: `test` holds for a message (ours or
// theirs) at or before the divergence.
bool any_message_up_to_divergence(const Disagreement& d, bool (*test)(const http::Message&)) {
  for (const std::vector<http::Message>* messages : {&d.ours.messages, &d.theirs.messages}) {
    for (std::size_t i = 0; i < messages->size() && i <= d.index; ++i) {
      if (test((*messages)[i])) return true;
    }
  }
  return false;
}

// has_empty_list_element: a Transfer-Encoding or Connection line that is
// empty or has an empty list element (",chunked", "gzip,,chunked", ",close").
bool has_empty_list_element(const http::Message& m) {
  for (std::string_view name : {"Transfer-Encoding", "Connection"}) {
    for (std::string_view value : m.headers_named(name)) {
      std::string compact;
      for (char c : value) {
        if (c != ' ' && c != '\t') compact += c;
      }
      if (compact.empty() || compact.starts_with(',') || compact.ends_with(',') ||
          compact.find(",,") != std::string::npos) {
        return true;
      }
    }
  }
  return false;
}

bool has_name_with_leading_whitespace(const http::Message& m) {
  for (const http::Headers* lines : {&m.headers, &m.trailers}) {
    for (const http::Header& header : *lines) {
      if (!header.name.empty() && (header.name.front() == ' ' || header.name.front() == '\t')) {
        return true;
      }
    }
  }
  return false;
}

bool has_framing_trailer(const http::Message& m) {
  for (const http::Header& trailer : m.trailers) {
    if (http::iequals(trailer.name, "Content-Length") ||
        http::iequals(trailer.name, "Transfer-Encoding") ||
        http::iequals(trailer.name, "Connection") ||
        http::iequals(trailer.name, "Proxy-Connection")) {
      return true;
    }
  }
  return false;
}

bool has_transfer_encoding_prefix_name(const http::Message& m) {
  constexpr std::string_view kName = "transfer-encoding";
  for (const http::Headers* lines : {&m.headers, &m.trailers}) {
    for (const http::Header& header : *lines) {
      if (header.name.size() > kName.size() &&
          http::iequals(std::string_view(header.name).substr(0, kName.size()), kName)) {
        return true;
      }
    }
  }
  return false;
}

bool has_connection_header(const http::Message& m) {
  return m.header("Connection") || m.header("Proxy-Connection");
}

// has_connection_list: a Connection (or Proxy-Connection) line that is a list ("a,\t\tkeep-alive")
// or has an element that is not a single token ("HTTP/1.1 200 OK close",
// "\xad-\xad, keep-alive").
bool has_connection_list(const http::Message& m) {
  auto is_tchar = [](unsigned char c) {
    return std::isalnum(c) != 0 ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  };
  std::vector<std::string_view> values = m.headers_named("Connection");
  for (std::string_view value : m.headers_named("Proxy-Connection"))
    values.push_back(value);  // llhttp reads it as Connection too
  for (std::string_view value : values) {
    if (value.find(',') != std::string_view::npos) return true;
    std::size_t start = 0;
    while (start <= value.size()) {
      std::size_t comma = value.find(',', start);
      if (comma == std::string_view::npos) comma = value.size();
      for (char c : http::trim_whitespace(value.substr(start, comma - start))) {
        if (!is_tchar(static_cast<unsigned char>(c))) return true;
      }
      start = comma + 1;
    }
  }
  return false;
}

// known_class: the documented class a disagreement belongs to, or "".
// Benign classes (B*), the first that fits wins. Keep in step with
// docs/fuzzing.md.
std::string_view known_class(const Disagreement& d) {
  const http::Message* ours = d.our_message();
  // B1 (trailing whitespace after a value) is normalised in header_class.
  // B2: 1xx, 204 and 304 responses end at their header section whatever
  // their framing headers say (RFC 9112 section 6.3); http-parser reads a body.
  if (bodyless_with_framing(d)) return "B2 bodyless_status_with_framing";
  // B3: llhttp (with the wrapper's checks) rejects what http-parser accepts:
  // bare LF, obs-fold, space before a colon, bad name bytes, chunk data
  // without CRLF, bytes after a closing message, versions other than
  // 0.9/1.0/1.1/2.0, CL with TE, TE not ending in chunked (requests),
  // stricter chunk sizes and start-line constants. Rejecting is the safe side.
  if (d.llhttp_rejects() &&
      is_one_of(d.error(),
                {"HPE_CR_EXPECTED", "HPE_LF_EXPECTED", "HPE_INVALID_HEADER_TOKEN", "HPE_STRICT",
                 "HPE_CLOSED_CONNECTION", "HPE_INVALID_VERSION", "HPE_INVALID_CONSTANT",
                 "HPE_INVALID_TRANSFER_ENCODING", "HPE_UNEXPECTED_CONTENT_LENGTH",
                 "HPE_INVALID_CONTENT_LENGTH", "HPE_INVALID_CHUNK_SIZE", "HPE_UNEXPECTED_SPACE",
                 "HPE_INVALID_METHOD", "HPE_INVALID_URL", "HPE_INVALID_STATUS"})) {
    return "B3 llhttp_stricter";
  }
  // B4: with every lenient flag on, our parser accepts what http-parser
  // (which has no such flags) rejects: obs-fold and header bytes, CL with
  // TE, other codings, bare LF, other versions, bytes after close.
  if (d.loose && d.http_parser_rejects() &&
      is_one_of(d.error(), {"HPE_INVALID_HEADER_TOKEN", "HPE_UNEXPECTED_CONTENT_LENGTH",
                            "HPE_INVALID_TRANSFER_ENCODING", "HPE_LF_EXPECTED", "HPE_STRICT",
                            "HPE_INVALID_VERSION", "HPE_CLOSED_CONNECTION",
                            "HPE_INVALID_CHUNK_SIZE", "HPE_INVALID_CONSTANT"})) {
    return "B4 lenient_flags_accept";
  }
  // B5: with lenient_headers, a first header line that starts with
  // whitespace (a fold with nothing to fold into) loses the whitespace;
  // http-parser keeps it in the name (" Transfer-Encoding" is then no
  // framing header for it).
  if (d.loose && any_message_up_to_divergence(d, has_name_with_leading_whitespace)) {
    return "B5 lenient_leading_whitespace";
  }
  // B6: PRI (the HTTP/2 connection preface) is a method llhttp knows and
  // http-parser 2.9 does not.
  if (d.signature == "http_parser_rejects:HPE_INVALID_METHOD" && ours != nullptr &&
      ours->method == "PRI") {
    return "B6 method_table";
  }
  // B7: list syntax (RFC 9110 section 5.6.1): recipients ignore empty list
  // elements, and field lines of the same name form one list. llhttp does:
  // ",chunked" and "chunked" plus an empty Transfer-Encoding line are
  // chunked, ",close" closes. http-parser 2.9 does not: it rejects such a
  // request, reads such a response to EOF, or keeps such a connection.
  if (any_message_up_to_divergence(d, has_empty_list_element)) {
    return "B7 list_syntax_empty_elements";
  }
  // B8: http-parser 2.9 takes a header whose name only starts with
  // "Transfer-Encoding" ("Transfer-EncodingX: y") for Transfer-Encoding.
  if (any_message_up_to_divergence(d, has_transfer_encoding_prefix_name))
    return "B8 http_parser_te_name_prefix";
  // B9: framing and connection fields in trailers (Content-Length,
  // Transfer-Encoding, Connection) must not change anything (RFC 9110
  // section 6.5.1); http-parser 2.9 applies them to its flags.
  if (any_message_up_to_divergence(d, has_framing_trailer)) return "B9 framing_fields_in_trailers";
  // B11: Connection as a list, or with an element that is not one token:
  // llhttp finds "close"/"keep-alive" as an element after any whitespace,
  // and as a word inside a malformed element; http-parser 2.9 misses an
  // element after tabs or odd tokens ("a, \t\tb, keep-alive"). Both parse
  // the same messages; only whether the connection persists differs.
  // With every lenient flag on (obs-fold joins lines into these values), any
  // Connection or Proxy-Connection line counts.
  if ((d.signature.ends_with("keep_alive") || d.signature.ends_with("upgrade")) &&
      (any_message_up_to_divergence(d, has_connection_list) ||
       (d.loose && any_message_up_to_divergence(d, has_connection_header)))) {
    return "B11 connection_words";
  }
  // B12: http-parser 2.9 parses the request-target as a URL (scheme, host,
  // port) and rejects what llhttp checks byte by byte only ("p://", a port
  // without a host). The request line is framed the same by both.
  if (d.http_parser_rejects() && d.error() == "HPE_INVALID_URL" && ours != nullptr &&
      ours->type == http::MessageType::request) {
    return "B12 http_parser_url_syntax";
  }
  // B13: http-parser 2.9 does not trim a HTAB after "chunked" and rejects
  // the request ("Transfer-Encoding: chunked\t"); llhttp (with the wrapper)
  // reads chunks, as RFC 9110 section 5.6.3 has it.
  if (d.signature == "http_parser_rejects:HPE_INVALID_TRANSFER_ENCODING" && ours != nullptr &&
      ours->chunked && ours->header("Transfer-Encoding")) {
    return "B13 http_parser_te_tab";
  }
  // B14: with every lenient flag on (lenient_chunked_length), Transfer-
  // Encoding wins over Content-Length and a response runs to EOF; http-parser
  // frames it by Content-Length and reports the EOF inside the body.
  if (d.loose && d.signature == "http_parser_rejects:HPE_INVALID_EOF_STATE" && ours != nullptr &&
      ours->content_length && ours->header("Transfer-Encoding")) {
    return "B14 lenient_te_over_cl";
  }
  // B10: with every lenient flag on (lenient_version), our parser takes
  // HTTP/0.9 ("GET /" without a version); strict mode rejects it.
  if (d.loose && ours != nullptr && ours->version_major == 0) return "B10 lenient_http09";
  return "";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  const std::uint8_t mode = input.byte();
  const auto type = (mode & 0x01) != 0 ? http::MessageType::response : http::MessageType::request;
  const bool loose = (mode & 0x02) != 0;
  const std::string_view stream = input.rest();

  http::ParserOptions options = fuzz::parser_options_from_byte(loose ? 0x7f : 0x00);
  const fuzz::ParseOutcome ours = fuzz::parse_pieces(type, options, {}, {stream}, true);
  const fuzz::PeerOutcome theirs = fuzz::parse_with_http_parser(type, stream);

  std::string signature;
  const std::size_t common = std::min(ours.messages.size(), theirs.messages.size());
  std::size_t index = 0;
  for (; index < common && signature.empty(); ++index) {
    signature = message_class(ours.messages[index], theirs.messages[index]);
  }
  if (!signature.empty()) --index;
  if (signature.empty()) {
    const std::optional<std::string> our_error =
        ours.error ? std::optional<std::string>(ours.error->llhttp_name) : std::nullopt;
    if (ours.messages.size() < theirs.messages.size()) {
      signature = stop_class("llhttp", our_error, ours.upgraded, ours.in_progress);
    } else if (theirs.messages.size() < ours.messages.size()) {
      signature = stop_class("http_parser", theirs.error_name, theirs.upgraded, theirs.in_progress);
    } else if (our_error.has_value() != theirs.error_name.has_value()) {
      signature = our_error ? "llhttp_rejects_after:" + *our_error
                            : "http_parser_rejects_after:" + *theirs.error_name;
    }
  }
  if (signature.empty()) return 0;
  const Disagreement disagreement{signature, index, loose, type, ours, theirs, stream.size()};
  const std::string_view known = known_class(disagreement);
  const std::string full_signature =
      std::string(loose ? "loose " : "strict ") +
      (type == http::MessageType::request ? "request " : "response ") + signature;
#ifdef FAULTLINE_DIFFERENTIAL_SURVEY
  std::fprintf(stderr, "DIFF %s [%s] | %s\n", full_signature.c_str(),
               std::string(known.empty() ? "UNKNOWN" : known).c_str(),
               fuzz::escape(stream, 200).c_str());
  return 0;
#else
  if (!known.empty()) return 0;
  fuzz::property_failed(
      "http_differential_fuzzer", "an unknown disagreement class: " + full_signature,
      "at message " + std::to_string(index) + "\ninput \"" + fuzz::escape(stream) + "\"\nllhttp (" +
          fuzz::describe(options) + "): " + focus(ours.messages, index, fuzz::describe(ours)) +
          "http-parser 2.9: " + focus(theirs.messages, index, describe(theirs)));
#endif
}
