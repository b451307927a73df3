// UTF-8 validation: a WebSocket text message must be valid UTF-8 or browsers drop the
// connection, so frames with binary bodies go out as binary messages.
#pragma once

#include <string_view>

namespace parley::net {

bool valid_utf8(std::string_view text);

}  // namespace parley::net
