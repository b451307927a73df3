// What a session proved about itself with a room token (issue 6): which rooms it may enter,
// the member id it must use there, and whether it may moderate. A session without an Access
// is anonymous: open rooms only, any id, never a moderator.
#pragma once

#include <string>
#include <string_view>

namespace parley::rooms {

struct Access {
  std::string room;      // a room key, or "*" for every room
  std::string identity;  // the `from` the session must join as
  bool moderator = false;

  bool allows(std::string_view key) const { return room == "*" || room == key; }
};

}  // namespace parley::rooms
