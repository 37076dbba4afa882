// cli/tls_flags.h: the TLS flags every command shares, turned into contexts.
//
// Client side: --cacert FILE (trust this CA instead of the system store) or
// --insecure (verify nothing, with a warning on stderr every time). Server
// side: --tls-cert FILE and --tls-key FILE, which go together.
//
//   auto context = client_tls_context(flags.cacert, flags.insecure, "http/1.1");
//   if (!context) return usage_error(context.error());
#pragma once

#include <memory>
#include <string>

#include "targets/net/error.h"
#include "targets/tls/tls_config.h"

namespace faultline::cli {

// client_tls_context checks --cacert/--insecure (they conflict), reads the CA
// file and builds the context; `alpn` empty offers no ALPN.
net::Result<std::shared_ptr<const tls::ClientContext>> client_tls_context(
    const std::string& cacert, bool insecure, const std::string& alpn);

// server_tls_context: null when neither --tls-cert nor --tls-key is given; an
// error naming the flag when only one is, or when the files do not load.
net::Result<std::shared_ptr<const tls::ServerContext>> server_tls_context(
    const std::string& certificate_file, const std::string& key_file);

}  // namespace faultline::cli
