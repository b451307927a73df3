// The page served at "/" when no web client build is installed, so that someone who opens the
// server in a browser learns what it is and how to talk to it instead of getting a bare 404.
#pragma once

#include <string_view>

namespace parley::net {

// Self-contained HTML (inline CSS and a tiny inline script, no external resources).
std::string_view builtin_page_html();

// Strong ETag of builtin_page_html(), quoted: a hash of the content, so it changes exactly when
// a new server version ships a different page.
std::string_view builtin_page_etag();

}  // namespace parley::net
