// Stream-id extraction from SDP: the seed client keys remote streams by MediaStream.id, which
// browsers announce as "a=msid:<streamId> <trackId>", so the server-built leave must carry it.
#include <string>
#include <string_view>

#include "rooms/registry.hpp"

namespace parley::rooms {

std::string stream_id_from_sdp(std::string_view sdp) {
  constexpr std::string_view kMsid = "a=msid:";  // the colon excludes "a=msid-semantic"
  for (std::size_t pos = sdp.find(kMsid); pos != std::string_view::npos;
       pos = sdp.find(kMsid, pos + 1)) {
    // Only an attribute at the start of a line counts; "a=msid:" inside another value does not.
    if (pos != 0 && sdp[pos - 1] != '\n') continue;
    const std::string_view rest = sdp.substr(pos + kMsid.size());
    return std::string(rest.substr(0, rest.find_first_of(" \r\n")));
  }
  return {};
}

}  // namespace parley::rooms
