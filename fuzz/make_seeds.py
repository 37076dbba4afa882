#!/usr/bin/env python3
"""fuzz/make_seeds.py: writes the seed corpora in corpus/<fuzzer>/.

Seeds are real shapes (browser and curl requests, server responses, every body
framing, request-smuggling shapes from FUZZING.md, URLs, fault specs and
schedules), each in its fuzzer's input format (see the banner of each
fuzz/<name>_fuzzer.cpp). File names say what a seed is. Re-running rewrites
the seeds it knows and leaves other files (merged or reproducer inputs) alone.

    python3 fuzz/make_seeds.py            # from the repository root
"""
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "corpus")

STRICT = 0x00
LENIENT_ALL = 0x7F
TIGHT = 0x80
LENIENT = {
    "headers": 0x01, "chunked_length": 0x02, "keep_alive": 0x04, "transfer_encoding": 0x08,
    "version": 0x10, "cr_before_lf": 0x20, "crlf_after_chunk": 0x40,
}
GET, HEAD, CONNECT = 1, 2, 3


def write(fuzzer, name, data):
    directory = os.path.join(CORPUS, fuzzer)
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("latin-1")
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def crlf(*lines):
    return "".join(line + "\r\n" for line in lines)


# ---------------------------------------------------------------------------
# HTTP requests: (name, bytes, the lenient flag that lets it through or 0)

BROWSER_GET = crlf(
    "GET /search?q=faultline&hl=en HTTP/1.1",
    "Host: www.example.com",
    "Connection: keep-alive",
    'sec-ch-ua: "Chromium";v="116", "Not)A;Brand";v="24"',
    "sec-ch-ua-mobile: ?0",
    "Upgrade-Insecure-Requests: 1",
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/116.0.0.0 Safari/537.36",
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8",
    "Sec-Fetch-Site: none",
    "Accept-Encoding: gzip, deflate, br",
    "Accept-Language: en-US,en;q=0.9",
    "Cookie: session=abc123; theme=dark",
    "")

REQUESTS = [
    ("browser_get", BROWSER_GET, 0),
    ("curl_get", crlf("GET / HTTP/1.1", "Host: example.com", "User-Agent: curl/7.88.1",
                      "Accept: */*", ""), 0),
    ("curl_post_form", crlf("POST /login HTTP/1.1", "Host: example.com", "User-Agent: curl/7.88.1",
                            "Accept: */*", "Content-Length: 27",
                            "Content-Type: application/x-www-form-urlencoded", "")
     + "user=alice&password=s3cr3t!", 0),
    ("post_json", crlf("POST /api/items HTTP/1.1", "Host: api.example.com",
                       "Content-Type: application/json", "Content-Length: 30", "")
     + '{"name":"Python","version":3.9}'[:30], 0),
    ("chunked_post_trailers", crlf("POST /upload HTTP/1.1", "Host: example.com",
                                   "Transfer-Encoding: chunked", "Trailer: Digest", "",
                                   "5", "hello", "7", ", world", "0", "Digest: sha-256=abc", ""), 0),
    ("chunked_extensions", crlf("POST /upload HTTP/1.1", "Host: example.com",
                                "Transfer-Encoding: chunked", "", "5;name=value;flag", "hello",
                                '3;quoted="a b"', "abc", "0;last", ""), 0),
    ("pipelined_three", crlf("GET /1 HTTP/1.1", "Host: a", "")
     + crlf("HEAD /2 HTTP/1.1", "Host: a", "")
     + crlf("POST /3 HTTP/1.1", "Host: a", "Content-Length: 3", "") + "abc", 0),
    ("http10_keep_alive", crlf("GET / HTTP/1.0", "Connection: keep-alive", "")
     + crlf("GET /again HTTP/1.0", ""), 0),
    ("http10_data_after_close", crlf("GET / HTTP/1.0", "") + crlf("GET /smuggled HTTP/1.0", ""), 0),
    ("connection_close_then_more", crlf("GET / HTTP/1.1", "Host: a", "Connection: close", "")
     + crlf("GET /admin HTTP/1.1", "Host: a", ""), 0),
    ("websocket_upgrade", crlf("GET /chat HTTP/1.1", "Host: server.example.com",
                               "Upgrade: websocket", "Connection: Upgrade",
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                               "Sec-WebSocket-Version: 13", "") + "\x81\x05hello", 0),
    ("connect_tunnel", crlf("CONNECT example.com:443 HTTP/1.1", "Host: example.com:443", "")
     + "\x16\x03\x01\x00\x05hello", 0),
    ("options_asterisk", crlf("OPTIONS * HTTP/1.1", "Host: example.com", ""), 0),
    ("proxy_absolute_form", crlf("GET http://example.com/path?x=1 HTTP/1.1", "Host: example.com",
                                 "Proxy-Connection: keep-alive", ""), 0),
    ("expect_100_continue", crlf("PUT /file HTTP/1.1", "Host: a", "Expect: 100-continue",
                                 "Content-Length: 4", "") + "data", 0),
    ("many_headers", crlf("GET / HTTP/1.1", *["X-Header-%d: value %d" % (i, i) for i in range(12)],
                          ""), 0),
    ("long_target", crlf("GET /" + "a" * 80 + "?" + "b=1&" * 10 + " HTTP/1.1", "Host: a", ""), 0),
    ("body_swallows_pipelined", crlf("POST / HTTP/1.1", "Host: a", "Content-Length: 28", "")
     + crlf("GET /admin HTTP/1.1", "Host: a", ""), 0),
    # Request smuggling shapes (FUZZING.md bug classes 1-7).
    ("smuggle_cl_te", crlf("POST / HTTP/1.1", "Host: a", "Content-Length: 6",
                           "Transfer-Encoding: chunked", "", "0", "", "G"), LENIENT["chunked_length"]),
    ("smuggle_te_cl", crlf("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked",
                           "Content-Length: 3", "", "8", "SMUGGLED", "0", ""),
     LENIENT["chunked_length"]),
    ("smuggle_duplicate_cl_same", crlf("POST / HTTP/1.1", "Host: a", "Content-Length: 3",
                                       "Content-Length: 3", "") + "abc", 0),
    ("smuggle_duplicate_cl_differ", crlf("POST / HTTP/1.1", "Host: a", "Content-Length: 3",
                                         "Content-Length: 5", "") + "abcde", 0),
    ("smuggle_cl_list", crlf("POST / HTTP/1.1", "Host: a", "Content-Length: 3, 3", "") + "abc", 0),
    ("smuggle_cl_plus", crlf("POST / HTTP/1.1", "Host: a", "Content-Length: +3", "") + "abc", 0),
    ("smuggle_cl_negative", crlf("POST / HTTP/1.1", "Host: a", "Content-Length: -1", "") + "abc", 0),
    ("smuggle_cl_hex", crlf("POST / HTTP/1.1", "Host: a", "Content-Length: 0x3", "") + "abc", 0),
    ("smuggle_cl_underscore", crlf("POST / HTTP/1.1", "Host: a", "Content-Length: 1_0", "")
     + "0123456789", 0),
    ("smuggle_cl_empty", crlf("POST / HTTP/1.1", "Host: a", "Content-Length:", "") + "abc", 0),
    ("smuggle_cl_trailing_junk", crlf("POST / HTTP/1.1", "Host: a", "Content-Length: 3x", "")
     + "abc", 0),
    ("smuggle_cl_overflow", crlf("POST / HTTP/1.1", "Host: a",
                                 "Content-Length: 99999999999999999999999", "") + "abc", 0),
    ("smuggle_te_comma_chunked", crlf("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: ,chunked",
                                      "", "3", "abc", "0", ""), LENIENT["transfer_encoding"]),
    ("smuggle_te_chunked_twice", crlf("POST / HTTP/1.1", "Host: a",
                                      "Transfer-Encoding: chunked, chunked", "", "3", "abc", "0",
                                      ""), 0),
    ("smuggle_te_two_lines", crlf("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked",
                                  "Transfer-Encoding: identity", "", "3", "abc", "0", ""),
     LENIENT["transfer_encoding"]),
    ("smuggle_te_gzip_chunked", crlf("POST / HTTP/1.1", "Host: a",
                                     "Transfer-Encoding: gzip, chunked", "", "3", "abc", "0", ""), 0),
    ("smuggle_te_chunked_gzip", crlf("POST / HTTP/1.1", "Host: a",
                                     "Transfer-Encoding: chunked, gzip", "", "3", "abc", "0", ""),
     LENIENT["transfer_encoding"]),
    ("smuggle_te_chunked_tab", crlf("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked\t",
                                    "", "3", "abc", "0", ""), 0),
    ("smuggle_te_xchunked", crlf("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: xchunked", "",
                                 "3", "abc", "0", ""), LENIENT["transfer_encoding"]),
    ("smuggle_te_obs_fold", crlf("POST / HTTP/1.1", "Host: a", "Transfer-Encoding:", " chunked",
                                 "", "3", "abc", "0", ""), LENIENT["headers"]),
    ("smuggle_te_space_before_colon", crlf("POST / HTTP/1.1", "Host: a",
                                           "Transfer-Encoding : chunked", "", "3", "abc", "0", ""),
     0),
    ("obs_fold_value", crlf("GET / HTTP/1.1", "Host: a", "X-Folded: first", "\tsecond", ""),
     LENIENT["headers"]),
    ("bare_lf_request", "GET / HTTP/1.1\nHost: a\n\n", LENIENT["cr_before_lf"]),
    ("bare_lf_headers", "GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n", LENIENT["cr_before_lf"]),
    ("bare_lf_chunk_line", crlf("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked", "")
     + "3\nabc\r\n0\r\n\r\n", LENIENT["cr_before_lf"]),
    ("cr_x_line_end", "GET / HTTP/1.1\rX\nHost: a\r\n\r\n", 0),
    ("header_block_cr_x", "GET / HTTP/1.1\r\nHost: a\r\n\rX", 0),
    ("empty_header_name", crlf("GET / HTTP/1.1", ": value", ""), 0),
    ("header_without_colon", crlf("GET / HTTP/1.1", "Host a", ""), 0),
    ("nul_in_value", crlf("GET / HTTP/1.1", "X: a\x00b", ""), LENIENT["headers"]),
    ("bytes_a0_85_around_value", crlf("GET / HTTP/1.1", "Host: \xa0a\x85", ""), 0),
    ("cr_glued_to_name", "GET / HTTP/1.1\r\n\rHost: a\r\n\r\n", 0),
    ("chunk_size_0x", crlf("POST / HTTP/1.1", "Transfer-Encoding: chunked", "", "0x3", "abc", "0",
                           ""), 0),
    ("chunk_size_plus", crlf("POST / HTTP/1.1", "Transfer-Encoding: chunked", "", "+3", "abc", "0",
                             ""), 0),
    ("chunk_size_minus", crlf("POST / HTTP/1.1", "Transfer-Encoding: chunked", "", "-3", "abc",
                              "0", ""), 0),
    ("chunk_size_underscore", crlf("POST / HTTP/1.1", "Transfer-Encoding: chunked", "", "1_0",
                                   "0123456789abcdef", "0", ""), 0),
    ("chunk_size_empty", crlf("POST / HTTP/1.1", "Transfer-Encoding: chunked", "", "", "abc", "0",
                              ""), 0),
    ("chunk_size_leading_space", crlf("POST / HTTP/1.1", "Transfer-Encoding: chunked", "", " 3",
                                      "abc", "0", ""), 0),
    ("chunk_size_trailing_space", crlf("POST / HTTP/1.1", "Transfer-Encoding: chunked", "", "3 ",
                                       "abc", "0", ""), 0),
    ("chunk_size_overflow", crlf("POST / HTTP/1.1", "Transfer-Encoding: chunked", "",
                                 "fffffffffffffffff", "abc", "0", ""), 0),
    ("chunk_extension_odd_bytes", crlf("POST / HTTP/1.1", "Transfer-Encoding: chunked", "",
                                       "3;\x01\x7f\"x", "abc", "0", ""), 0),
    ("chunk_missing_crlf", crlf("POST / HTTP/1.1", "Transfer-Encoding: chunked", "")
     + "3\r\nabcXY0\r\n\r\n", LENIENT["crlf_after_chunk"]),
    ("version_1_10", crlf("GET / HTTP/1.10", "Host: a", ""), LENIENT["version"]),
    ("version_leading_zero", crlf("GET / HTTP/01.1", "Host: a", ""), LENIENT["version"]),
    ("version_9_9", crlf("GET / HTTP/9.9", "Host: a", ""), LENIENT["version"]),
    ("version_2_0", crlf("GET / HTTP/2.0", "Host: a", ""), 0),
    ("version_junk", crlf("GET / HTTP/1.1x", "Host: a", ""), 0),
    ("http09_request", "GET /\r\n\r\n", 0),
    ("method_longest_prefix", crlf("GETX / HTTP/1.1", "Host: a", ""), 0),
    ("method_lowercase", crlf("get / HTTP/1.1", "Host: a", ""), 0),
    ("method_pri_h2_preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 0),
    ("method_source_icecast", crlf("SOURCE /mount HTTP/1.0", "Content-Type: audio/mpeg", ""), 0),
    ("space_in_target", crlf("GET /a b HTTP/1.1", "Host: a", ""), 0),
    ("tab_in_value", crlf("GET / HTTP/1.1", "User-Agent: a\tb", ""), 0),
    ("utf8_value", crlf("GET / HTTP/1.1", "X-Name: \xec\x95\x88\xeb\x85\x95", ""), 0),
]

# HTTP responses: (name, bytes, requests they answer, lenient flag)
RESPONSES = [
    ("nginx_200_length", crlf("HTTP/1.1 200 OK", "Server: nginx/1.22.1",
                              "Date: Mon, 02 Oct 2023 10:00:00 GMT",
                              "Content-Type: text/html", "Content-Length: 13",
                              "Connection: keep-alive", "") + "<html></html>", [GET], 0),
    ("chunked_trailers", crlf("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "Trailer: Expires",
                              "", "4", "Wiki", "5", "pedia", "0",
                              "Expires: Wed, 21 Oct 2015 07:28:00 GMT", ""), [GET], 0),
    ("chunked_extensions", crlf("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "",
                                "4;ext=1", "Wiki", "0;end", ""), [GET], 0),
    ("body_until_eof", crlf("HTTP/1.1 200 OK", "Content-Type: text/plain", "")
     + "read until the server closes", [GET], 0),
    ("http10_body_until_eof", crlf("HTTP/1.0 200 OK", "") + "old school", [GET], 0),
    ("no_content_204_with_length", crlf("HTTP/1.1 204 No Content", "Content-Length: 5", "")
     + crlf("HTTP/1.1 200 OK", "Content-Length: 0", ""), [GET, GET], 0),
    ("not_modified_304", crlf("HTTP/1.1 304 Not Modified", 'ETag: "abc"',
                              "Content-Length: 100", ""), [GET], 0),
    ("continue_then_200", crlf("HTTP/1.1 100 Continue", "")
     + crlf("HTTP/1.1 200 OK", "Content-Length: 2", "") + "ok", [GET], 0),
    ("early_hints_103", crlf("HTTP/1.1 103 Early Hints", "Link: </style.css>; rel=preload", "")
     + crlf("HTTP/1.1 200 OK", "Content-Length: 0", ""), [GET], 0),
    ("switching_protocols_101", crlf("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket",
                                     "Connection: Upgrade",
                                     "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "")
     + "\x81\x02hi", [GET], 0),
    ("head_response_with_length", crlf("HTTP/1.1 200 OK", "Content-Length: 1000", "")
     + crlf("HTTP/1.1 404 Not Found", "Content-Length: 0", ""), [HEAD, GET], 0),
    ("head_response_chunked", crlf("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", ""),
     [HEAD], 0),
    ("connect_200_tunnel", crlf("HTTP/1.1 200 Connection established", "")
     + "\x16\x03\x03tunnel bytes", [CONNECT], 0),
    ("te_gzip_chunked", crlf("HTTP/1.1 200 OK", "Transfer-Encoding: gzip, chunked", "", "3",
                             "abc", "0", ""), [GET], 0),
    ("te_gzip_until_eof", crlf("HTTP/1.1 200 OK", "Transfer-Encoding: gzip", "") + "rest", [GET],
     0),
    ("cl_and_te", crlf("HTTP/1.1 200 OK", "Content-Length: 10", "Transfer-Encoding: chunked", "",
                       "3", "abc", "0", ""), [GET], LENIENT["chunked_length"]),
    ("duplicate_content_length", crlf("HTTP/1.1 200 OK", "Content-Length: 2",
                                      "Content-Length: 4", "") + "abcd", [GET], 0),
    ("redirect_301", crlf("HTTP/1.1 301 Moved Permanently", "Location: https://example.com/new",
                          "Content-Length: 0", ""), [GET], 0),
    ("set_cookie_many", crlf("HTTP/1.1 200 OK", "Set-Cookie: a=1; Path=/",
                             "Set-Cookie: b=2; HttpOnly", "Content-Length: 0", ""), [GET], 0),
    ("status_000", crlf("HTTP/1.1 000 Zero", "Content-Length: 0", ""), [GET], 0),
    ("status_999", crlf("HTTP/1.1 999 Custom", "Content-Length: 0", ""), [GET], 0),
    ("status_two_digits", crlf("HTTP/1.1 20 OK", "Content-Length: 0", ""), [GET], 0),
    ("no_reason", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", [GET], 0),
    ("empty_reason", "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", [GET], 0),
    ("obs_fold", crlf("HTTP/1.1 200 OK", "X-Folded: a", " b", "Content-Length: 0", ""), [GET],
     LENIENT["headers"]),
    ("bare_lf", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", [GET], LENIENT["cr_before_lf"]),
    ("keep_alive_pipeline", crlf("HTTP/1.1 200 OK", "Content-Length: 1", "") + "a"
     + crlf("HTTP/1.1 200 OK", "Content-Length: 1", "") + "b"
     + crlf("HTTP/1.1 200 OK", "Connection: close", "Content-Length: 1", "") + "c",
     [GET, GET, GET], 0),
    ("close_then_data", crlf("HTTP/1.1 200 OK", "Connection: close", "Content-Length: 1", "")
     + "a" + crlf("HTTP/1.1 200 OK", ""), [GET], LENIENT["keep_alive"]),
    ("apache_404", crlf("HTTP/1.1 404 Not Found", "Date: Mon, 02 Oct 2023 10:00:00 GMT",
                        "Server: Apache/2.4.57 (Debian)", "Content-Length: 9",
                        "Content-Type: text/html; charset=iso-8859-1", "") + "not found", [GET], 0),
    ("truncated_body", crlf("HTTP/1.1 200 OK", "Content-Length: 100", "") + "short", [GET], 0),
    ("version_1_2", crlf("HTTP/1.2 200 OK", "Content-Length: 0", ""), [GET], LENIENT["version"]),
]


def expect_byte(methods):
    value = 0
    for i, method in enumerate(methods[:4]):
        value |= method << (2 * i)
    return value


def split_input(flags, response, finish, methods, offsets, extra=0):
    mode = (1 if response else 0) | (2 if finish else 0) | (expect_byte(methods[:3]) << 2)
    head = bytes([flags, mode & 0xFF, (len(offsets) & 0x3F) | extra])
    return head + b"".join(struct.pack(">H", o) for o in offsets)


def http_seeds():
    for name, text, flag in REQUESTS:
        data = text.encode("latin-1")
        write("http_request", name, bytes([STRICT]) + data)
        if flag:
            write("http_request", name + ".lenient", bytes([flag]) + data)
        write("http_split", "request_" + name,
              split_input(flag, False, True, [], [1, len(data) // 2, len(data) - 1], 0x80) + data)
        write("http_differential", "request_" + name, bytes([0x00]) + data)
        if flag:
            write("http_differential", "request_" + name + ".loose", bytes([0x02]) + data)
    # Regression inputs: bugs the fuzzers found, fixed (docs/fuzzing.md, "Bugs found").
    write("http_request", "regression_finish_after_close", b"\x00GET / HTTP/1.0\r\n\r\n")
    write("http_request", "regression_empty_transfer_encoding",
          b"\x00POST / HTTP/1.1\r\nTransfer-Encoding:\r\nContent-Length: 3\r\n\r\nabc")
    write("http_request", "regression_http09_connect_empty_target", b"\x00CONNECT \r\n\r\n\xff")
    # KI-7: a bare CR swallowed the byte after it.
    for name, data in [
            ("regression_bare_cr_hides_content_length",
             b"GET / HTTP/1.1\r\nX: \rContent-Length: 5\r\n\r\nhello"),
            ("regression_bare_cr_ends_header_block",
             b"GET / HTTP/1.1\r\nHost: a\r\n\rXGET /x HTTP/1.1\r\n\r\n"),
            ("regression_bare_cr_after_empty_value", b"GET / HTTP/1.1\r\nX:\rY\r\n\r\n"),
            ("regression_bare_cr_chunk_size",
             b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\rXabc\r\n0\r\n\r\n")]:
        write("http_request", name, b"\x00" + data)
        write("http_differential", "request_" + name, b"\x00" + data)
        write("http_split", "request_" + name, split_input(0, False, True, [], [len(data) // 2],
                                                          0xC0) + data)
    write("http_response", "regression_status_not_three_digits",
          b"\x00\x01HTTP/1.1 \r\r\nHTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n")
    write("http_response", "regression_stale_content_length.lenient",
          bytes([LENIENT["keep_alive"], expect_byte([HEAD, GET])])
          + b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\n"
          + b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nabcdefghijklmnopqrstuvwxyz0123456789"
          + b"abcdefghijklmnopqrstuvwxyz")
    write("http_response", "regression_finish_after_close",
          b"\x00\x01HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na")
    for name, data in [("regression_finish_after_close", b"GET / HTTP/1.0\r\n\r\n"),
                       ("regression_empty_transfer_encoding",
                        b"POST / HTTP/1.1\r\nTransfer-Encoding:\r\nContent-Length: 3\r\n\r\nabc"),
                       ("regression_http09_connect_empty_target", b"CONNECT \r\n\r\n\xff")]:
        write("http_differential", "request_" + name, b"\x00" + data)
    write("http_differential", "response_regression_status_not_three_digits",
          b"\x01HTTP/1.1  2\r\r\n")
    write("http_client", "regression_status_not_three_digits",
          client_input("HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nhi"
                       "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes"))
    write("http_request", "browser_get.tight_limits", bytes([TIGHT]) + BROWSER_GET.encode())
    write("http_request", "browser_get.all_lenient", bytes([LENIENT_ALL]) + BROWSER_GET.encode())
    write("http_split", "request_browser_get.bytewise", split_input(0, False, True, [], [], 0x40)
          + BROWSER_GET.encode())
    for name, text, methods, flag in RESPONSES:
        data = text.encode("latin-1")
        write("http_response", name, bytes([STRICT, expect_byte(methods)]) + data)
        if flag:
            write("http_response", name + ".lenient", bytes([flag, expect_byte(methods)]) + data)
        write("http_split", "response_" + name,
              split_input(flag, True, True, methods, [2, len(data) // 3, len(data) - 2], 0x80)
              + data)
        if methods and all(m == GET for m in methods):
            write("http_differential", "response_" + name, bytes([0x01]) + data)
            if flag:
                write("http_differential", "response_" + name + ".loose", bytes([0x03]) + data)


# ---------------------------------------------------------------------------
URLS = [
    ("plain", "http://example.com/"),
    ("ipv6_port_query_fragment", "http://[::1]:8080/api/items?page=2#top"),
    ("upper_case_dots_escapes", "HTTPS://EXAMPLE.COM:443/a/../b/./c?x=%2f"),
    ("empty_port", "http://a:/"),
    ("max_port", "http://host:65535/x"),
    ("zero_port", "http://host:0/"),
    ("userinfo", "http://user:pass@host/"),
    ("bad_escape", "http://h/p%zz"),
    ("non_ascii_path", "http://h/\xc3\xa4?\xc3\xb6=1"),
    ("space_in_path", "http://h/a b"),
    ("ipv4_mapped_ipv6", "http://[::ffff:1.2.3.4]/"),
    ("params_and_plus", "http://h/path;params?q=a+b&c=%20"),
    ("mailto", "mailto:someone@example.com"),
    ("one_slash", "http:/x"),
    ("underscore_host", "http://exa_mple.com/"),
    ("query_with_question_mark", "http://h/?a=?&b=/"),
    ("relative_up", "../login"),
    ("query_only", "?q=1"),
    ("scheme_relative", "//other.example.com/path"),
    ("absolute_path", "/abs/./path/../x"),
    ("relative_path", "relative/file.html"),
    ("empty", ""),
    ("dots_only", "/./../."),
    ("brackets_unclosed", "http://[::1/"),
    ("ipv6_no_brackets", "http://::1/"),
    ("percent_in_host", "http://ex%41mple.com/"),
    ("fragment_only", "#frag"),
    ("unicode_host", "http://b\xc3\xbccher.de/"),
    ("long_port", "http://h:123456/"),
    ("reserved_chars", "http://h/<>\"{}|\\^`"),
]


def url_seeds():
    for name, text in URLS:
        write("url", name, text)


# ---------------------------------------------------------------------------
SPECS = [
    ("latency_down", "latency delay=100ms jitter=20ms dir=down"),
    ("slicer_and_reset", "slicer min=1B max=64B delay=1ms; reset after=10KiB p=25%"),
    ("bandwidth_stall", "bandwidth rate=64KiB/s; stall after=1MiB close_after=30s dir=down"),
    ("retransmit", "retransmit rate=2% rto=200ms max=5s"),
    ("udp_faults", "drop rate=10%; duplicate rate=1%; reorder rate=5% delay=20ms; "
                   "truncate rate=1% max=32B"),
    ("down_refuse", "down mode=refuse p=10%"),
    ("down_blackhole", "down mode=blackhole"),
    ("profile_file", "# flaky mobile link\nlatency delay=300ms jitter=100ms     # each way\n"
                     "bandwidth rate=32KiB/s dir=down\nreset after=64KiB p=5%\n"),
    ("every_stream_fault", "latency delay=1.5s; bandwidth rate=1MiB/s; slicer max=8B; "
                           "stall after=0 reset_after=1h; reset; limit_data after=100; "
                           "slow_close delay=250us; half_close after=1GiB dir=up; "
                           "corrupt rate=0.01% per=chunk"),
    ("typo_key", "latency delya=100ms"),
    ("typo_fault", "latncy delay=1s"),
    ("missing_key", "latency"),
    ("bad_unit", "latency delay=5parsecs"),
    ("min_over_max", "slicer min=10B max=1B"),
    ("percent_over_100", "reset after=0 p=150%"),
    ("duplicate_key", "latency delay=1s delay=2s"),
    ("two_downs", "down; down mode=blackhole"),
    ("empty_clauses", ";;\n; \t;"),
    ("max_values", "latency delay=24h; bandwidth rate=1TiB/s; limit_data after=1PiB"),
    ("over_max", "latency delay=25h"),
    ("decimal_percent", "corrupt rate=12.3456% per=byte"),
    ("too_many_decimals", "corrupt rate=0.00001%"),
    ("size_units", "limit_data after=1KB; reset after=2k; half_close after=3M; stall after=4G"),
    ("no_equals", "latency delay"),
    ("empty_value", "latency delay="),
    ("jitter_over_delay", "latency delay=1ms jitter=2ms"),
    ("dir_on_down", "down dir=up"),
    # HTTP-aware faults (harness/fault/http_faults.h)
    ("http_faults", "http_abort status=503 p=10% match=POST; http_fail first=2 scope=proxy "
                    "match='GET /api/*'; http_delay delay=2s dir=down match=header:X-Test=1; "
                    "http_header set=X-Debug:1 dir=up; http_header remove=Content-Type; "
                    "http_truncate after=100B; http_slow_head size=4B delay=2ms"),
    ("http_quoted_match", "http_abort match='header:X-Name=a b;c # d'"),
    ("http_unterminated_quote", "http_abort match='GET /a"),
    ("http_bad_method", "http_fail first=1 match=get"),
    ("http_header_both", "http_header set=X:1 remove=Y"),
    # Timelines (harness/fault/timeline.h)
    ("timeline_flap", "down start=2s for=3s every=10s"),
    ("timeline_conn", "reset after=1KiB from_conn=3 to_conn=3; "
                      "stall dir=down start=500ms clock=connection"),
    ("timeline_every_no_for", "latency delay=5ms every=10s"),
    ("timeline_for_over_every", "latency delay=5ms for=20s every=10s"),
    # Loss models, delay distributions and the shared link
    ("drop_gilbert", "drop model=gilbert p=1% r=25%"),
    ("drop_gilbert_hk", "drop model=gilbert p=5% r=20% h=30% k=99.9% dir=up"),
    ("drop_gilbert_default_r", "drop model=gilbert p=100%"),
    ("drop_correlation", "drop rate=10% correlation=50%; duplicate rate=1%"),
    ("drop_correlation_100", "drop rate=10% correlation=100%"),
    ("drop_h_without_gilbert", "drop rate=5% h=10%"),
    ("drop_gilbert_rate", "drop model=gilbert p=1% rate=5%"),
    ("latency_distributions", "latency delay=100ms jitter=20ms distribution=normal dir=up; "
                              "latency delay=10ms jitter=10ms distribution=pareto dir=down; "
                              "latency delay=1s jitter=1ms distribution=paretonormal"),
    ("latency_distribution_no_jitter", "latency delay=5ms distribution=normal"),
    ("bandwidth_scope_proxy", "bandwidth rate=256KiB/s scope=proxy dir=up p=50% start=1s"),
    ("bandwidth_two_shared", "bandwidth rate=1KiB/s scope=proxy; bandwidth rate=2KiB/s scope=proxy"),
]


def fault_seeds():
    for name, text in SPECS:
        write("fault_spec", name, text)


# ---------------------------------------------------------------------------
# Schedules: [count][kind a b flags]... (fuzz/fault_schedule.h)
KIND = {"latency": 0, "bandwidth": 1, "slicer": 2, "stall": 3, "reset": 4, "limit_data": 5,
        "slow_close": 6, "half_close": 7, "retransmit": 8, "corrupt": 9, "down": 10}


def schedule(*clauses):
    out = bytes([len(clauses)])
    for kind, a, b, flags in clauses:
        out += bytes([KIND[kind], a, b, flags])
    return out


SCHEDULES = [
    ("no_faults", schedule()),
    ("latency_jitter", schedule(("latency", 50, 20, 0))),
    ("slicer_one_byte", schedule(("slicer", 0, 0, 0))),
    ("bandwidth_slicer", schedule(("bandwidth", 0, 0, 2), ("slicer", 7, 3, 1))),
    ("reset_down", schedule(("reset", 2, 0, 2))),
    ("stall_up", schedule(("stall", 1, 0, 1))),
    ("stall_close_after", schedule(("stall", 1, 1, 2))),
    ("stall_reset_after", schedule(("stall", 1, 2, 0))),
    ("limit_data", schedule(("limit_data", 3, 0, 0))),
    ("half_close_up", schedule(("half_close", 1, 0, 1))),
    ("retransmit", schedule(("retransmit", 20, 40, 0))),
    ("corrupt_bytes", schedule(("corrupt", 5, 0, 0))),
    ("down_refuse", schedule(("down", 0, 0, 0))),
    ("down_blackhole", schedule(("down", 0, 1, 0))),
    ("slow_close", schedule(("slow_close", 9, 0, 0))),
    ("toxicity_half", schedule(("reset", 0, 0, 4), ("latency", 10, 0, 4))),
    ("everything", schedule(("slicer", 3, 1, 0), ("latency", 5, 5, 2), ("retransmit", 10, 5, 1),
                            ("corrupt", 1, 1, 2))),
]
MESSAGES = [("hello", b"hello"), ("korean", "\uc548\ub155\ud558\uc138\uc694!".encode()),
            ("kilobyte", bytes(range(256)) * 4), ("empty", b"")]


def echo_seeds():
    seed = struct.pack(">Q", 42)
    for name, sched in SCHEDULES:
        for message_name, message in MESSAGES[:2]:
            write("echo_schedule", name + "." + message_name, sched + seed + message)
    write("echo_schedule", "slicer_one_byte.kilobyte", SCHEDULES[2][1] + seed + MESSAGES[2][1])
    write("echo_schedule", "no_faults.empty", schedule() + seed)
    write("echo_schedule", "regression_stall_end_held",
          schedule(("stall", 1, 1, 1), ("latency", 0, 0, 0)) + seed + b"0123456789abcdef")


# ---------------------------------------------------------------------------
# Client: [config][schedule][pieces][size delay]...[response]
def client_input(response, method=0, retries=0, redirects=True, pool=True, ending=0,
                 sched=None, pieces=()):
    config = method | (retries << 2) | (0x10 if redirects else 0) | (0x20 if pool else 0) \
        | (ending << 6)
    out = bytes([config]) + (sched or schedule()) + bytes([len(pieces)])
    for size, delay in pieces:
        out += bytes([size, delay])
    return out + response.encode("latin-1")


OK = crlf("HTTP/1.1 200 OK", "Content-Type: application/json", "Content-Length: 15", "") \
    + '{"status":"ok"}'
CLIENT = [
    ("ok_200", client_input(OK)),
    ("ok_200_trickled", client_input(OK, pieces=[(1, 5), (10, 100), (3, 0), (0, 1)])),
    ("chunked", client_input(crlf("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "", "5",
                                  "hello", "0", ""))),
    ("until_eof", client_input(crlf("HTTP/1.0 200 OK", "") + "body until close")),
    ("head", client_input(crlf("HTTP/1.1 200 OK", "Content-Length: 1000", ""), method=1)),
    ("post", client_input(crlf("HTTP/1.1 201 Created", "Content-Length: 0", ""), method=2)),
    ("redirect_loop", client_input(crlf("HTTP/1.1 302 Found", "Location: /fuzz",
                                        "Content-Length: 0", ""))),
    ("redirect_elsewhere", client_input(crlf("HTTP/1.1 301 Moved", "Location: http://other/x",
                                             "Content-Length: 0", ""))),
    ("post_redirect_becomes_get", client_input(crlf("HTTP/1.1 301 Moved",
                                                    "Location: http://other/x",
                                                    "Content-Length: 0", ""), method=2)),
    ("redirect_https", client_input(crlf("HTTP/1.1 308 Moved", "Location: https://server/",
                                         "Content-Length: 0", ""))),
    ("retry_503", client_input(crlf("HTTP/1.1 503 Busy", "Retry-After: 1", "Content-Length: 0",
                                    ""), retries=2)),
    ("continue_then_200", client_input(crlf("HTTP/1.1 100 Continue", "") + OK)),
    ("too_many_informational", client_input(crlf("HTTP/1.1 102 Processing", "") * 6 + OK)),
    ("stall_no_answer", client_input("", ending=1)),
    ("reset_after_headers", client_input(crlf("HTTP/1.1 200 OK", "Content-Length: 10", ""),
                                         ending=2)),
    ("truncated", client_input(crlf("HTTP/1.1 200 OK", "Content-Length: 100", "") + "short")),
    ("early_answer", client_input(OK, ending=3)),
    ("malformed", client_input("HTTP/1.1 2OO OK\r\n\r\n")),
    ("body_too_large", client_input(crlf("HTTP/1.1 200 OK", "Content-Length: 5000", "")
                                    + "x" * 1100)),
    ("too_many_headers", client_input(crlf("HTTP/1.1 200 OK", *["X-%d: y" % i for i in range(20)],
                                           "Content-Length: 0", ""))),
    ("slicer_and_latency", client_input(OK, sched=schedule(("slicer", 3, 0, 2),
                                                           ("latency", 20, 5, 0)))),
    ("reset_fault", client_input(OK, retries=1, sched=schedule(("reset", 10, 0, 2)))),
    ("refused", client_input(OK, retries=2, sched=schedule(("down", 0, 0, 0)))),
    ("keep_alive_pool", client_input(OK, pool=True)),
    ("no_pool_close", client_input(OK, pool=False)),
]


def client_seeds():
    for name, data in CLIENT:
        write("http_client", name, data)


# ---------------------------------------------------------------------------
HTTP_DICT_TOKENS = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "PRI",
    "SOURCE", "PURGE", "MKCOL", "PROPFIND", "M-SEARCH", "LINK", "ACL",
    "HTTP/1.1", "HTTP/1.0", "HTTP/0.9", "HTTP/2.0", " HTTP/1.1\r\n", "HTTP/1.1 200 OK\r\n",
    "HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 101 Switching Protocols\r\n", "HTTP/1.1 204 ",
    "HTTP/1.1 304 ", " 404 Not Found",
    "\r\n", "\r\n\r\n", "\n", "\r", ": ", ":", " ", "\t", ";", ",", "=", "\"",
    "Host: ", "Content-Length: ", "Transfer-Encoding: ", "chunked", "identity", "gzip",
    "Connection: ", "close", "keep-alive", "Upgrade", "Upgrade: websocket", "Expect: ",
    "100-continue", "Trailer: ", "TE: trailers", "Location: ", "Retry-After: ", "Set-Cookie: ",
    "Content-Type: ", "application/json", "Proxy-Connection: ", "Keep-Alive: timeout=5",
    "0\r\n\r\n", "0\r\n", "ffffffffffffffff", "0x", "+", "-", "_", "\x00", "\x7f", "\xa0", "\x85",
    "*", "http://", "https://", "//", "/../", "/./", "?", "#", "%", "%2F", "%00", "[::1]",
    ":8080", "@", "localhost", "example.com",
]

FAULT_DICT_TOKENS = [
    "latency", "bandwidth", "slicer", "stall", "reset", "limit_data", "slow_close",
    "half_close", "retransmit", "corrupt", "drop", "duplicate", "reorder", "truncate", "down",
    "delay=", "jitter=", "rate=", "min=", "max=", "after=", "close_after=", "reset_after=",
    "rto=", "per=", "mode=", "dir=", "p=", "up", "down", "both", "byte", "chunk", "refuse",
    "blackhole", "ns", "us", "ms", "s", "m", "h", "B", "KiB", "MiB", "GiB", "KB", "MB", "GB",
    "/s", "%", ".", "0", "1", "100", "24h", "; ", "\n", "#", " ", "\t", "=",
    "http_abort", "http_fail", "http_delay", "http_header", "http_truncate", "http_slow_head",
    "status=", "first=", "scope=", "proxy", "connection", "match=", "set=", "remove=", "size=",
    "header:", "GET", "POST", "/api/*", "'", "\"", ":",
    "start=", "for=", "every=", "clock=", "from_conn=", "to_conn=",
    "model=", "gilbert", "random", "correlation=", "r=", "h=", "k=", "distribution=",
    "uniform", "normal", "pareto", "paretonormal",
]


def dict_entry(token):
    body = ""
    for ch in token:
        code = ord(ch)
        if ch == '"' or ch == "\\" or code < 0x20 or code >= 0x7F:
            body += "\\x%02x" % code
        else:
            body += ch
    return '"%s"' % body


def write_dict(name, header, tokens):
    lines = ["# corpus/dict/%s: %s" % (name, header),
             "# Written by fuzz/make_seeds.py; libFuzzer -dict= format."]
    seen = set()
    for token in tokens:
        if token in seen:
            continue
        seen.add(token)
        lines.append(dict_entry(token))
    with open(os.path.join(CORPUS, "dict", name), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    os.makedirs(os.path.join(CORPUS, "dict"), exist_ok=True)
    http_seeds()
    url_seeds()
    fault_seeds()
    echo_seeds()
    client_seeds()
    write_dict("http.dict", "HTTP/1.x methods, versions, header names and values, framing "
               "tokens, URL pieces", HTTP_DICT_TOKENS)
    write_dict("fault.dict", "the fault profile language: faults, keys, units, separators",
               FAULT_DICT_TOKENS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
