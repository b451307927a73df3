// Frame -> wire bytes, with the header escaping of the given version.
#pragma once

#include <string>
#include <string_view>

#include "stomp/frame.hpp"

namespace parley::stomp {

// Escapes a header name or value for `version` (1.0: none; 1.1: \\ \n \c; 1.2: also \r).
// CONNECT and CONNECTED frames are never escaped; callers pass the command to decide.
std::string escape(std::string_view text, Version version);
void append_escaped(std::string& out, std::string_view text, Version version);

// Full frame: COMMAND\n headers\n \n body NUL. Adds no headers of its own (callers set
// content-length when they want it).
std::string encode(const Frame& frame, Version version);
void append_encoded(std::string& out, const Frame& frame, Version version);

}  // namespace parley::stomp
