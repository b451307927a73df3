// Content types for the static web root, chosen by file extension.
#pragma once

#include <string_view>

namespace parley::net {

// Extension of the last path segment without the dot ("js" for "/assets/app.js"), or empty
// when there is none. A leading dot does not start an extension: ".env" has none.
std::string_view file_extension(std::string_view path);

// Content-Type for a file name or path, by extension (case-insensitive). Text formats carry
// "; charset=utf-8" because the web client build is UTF-8 and browsers otherwise guess.
// Unknown extensions get "application/octet-stream", which browsers will not render.
std::string_view mime_type_for(std::string_view path);

}  // namespace parley::net
