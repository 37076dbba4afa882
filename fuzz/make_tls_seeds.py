#!/usr/bin/env python3
"""fuzz/make_tls_seeds.py: seeds for tls_client_fuzzer and tls_server_fuzzer.

Real handshake flights recorded in memory with Python's ssl module (memory
BIOs, a throwaway PKI from `faultline tls make-test-pki`), plus a few hand-made
records. Each seed is [config][piece][peer bytes], as the fuzzers read them.

  build/dev/faultline tls make-test-pki /tmp/pki
  python3 fuzz/make_tls_seeds.py /tmp/pki corpus
"""
import os
import ssl
import sys


def flights(pki, max_version, alpn, sni):
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(os.path.join(pki, "server.pem"), os.path.join(pki, "server-key.pem"))
    server_ctx.maximum_version = max_version
    client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client_ctx.load_verify_locations(os.path.join(pki, "ca.pem"))
    client_ctx.maximum_version = max_version
    if alpn:
        client_ctx.set_alpn_protocols(["http/1.1"])
        server_ctx.set_alpn_protocols(["http/1.1"])
    if not sni:
        client_ctx.check_hostname = False
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname="localhost" if sni else None)
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    client_bytes, server_bytes = b"", b""
    for _ in range(10):
        for side, out, peer_in in ((client, c_out, s_in), (server, s_out, c_in)):
            try:
                side.do_handshake()
            except ssl.SSLWantReadError:
                pass
            data = out.read()
            if side is client:
                client_bytes += data
            else:
                server_bytes += data
            peer_in.write(data)
    return client_bytes, server_bytes


def main():
    pki, corpus = sys.argv[1], sys.argv[2]
    seeds_client, seeds_server = {}, {}
    for name, version, alpn, sni in (("tls13", ssl.TLSVersion.TLSv1_3, True, True),
                                     ("tls12", ssl.TLSVersion.TLSv1_2, True, True),
                                     ("tls13_no_alpn_no_sni", ssl.TLSVersion.TLSv1_3, False, False)):
        client_bytes, server_bytes = flights(pki, version, alpn, sni)
        config12 = 1 if version == ssl.TLSVersion.TLSv1_2 else 0
        seeds_server[name + "_client_hello"] = bytes([config12, 0]) + client_bytes
        seeds_server[name + "_client_hello_in_7_byte_pieces"] = bytes([config12, 7]) + client_bytes
        seeds_client[name + "_server_flight"] = bytes([config12, 0]) + server_bytes
        seeds_client[name + "_server_flight_insecure"] = bytes([config12 | 4, 0]) + server_bytes
        seeds_client[name + "_server_flight_1_byte_pieces"] = bytes([config12 | 4, 1]) + server_bytes
    alert = b"\x15\x03\x03\x00\x02\x02\x28"  # fatal handshake_failure
    seeds_client["alert_handshake_failure"] = b"\x00\x00" + alert
    seeds_server["alert_handshake_failure"] = b"\x00\x00" + alert
    seeds_client["empty"] = b""
    seeds_server["plain_http"] = b"\x00\x00GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    for directory, seeds in (("tls_client", seeds_client), ("tls_server", seeds_server)):
        os.makedirs(os.path.join(corpus, directory), exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(corpus, directory, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
