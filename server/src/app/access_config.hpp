// Operator configuration for access control (issue 6): the room-token verifier and room
// passwords, read from flags and files at start. Errors throw std::invalid_argument with a
// message fit for stderr; parley then exits with status 2.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "auth/jwt.hpp"

namespace parley::app {

// --jwt-secret (HS256) or --jwt-jwks FILE (a JWK Set), not both; null when neither is set
// (rooms stay open to anyone, as the seed client expects).
std::shared_ptr<const auth::Verifier> load_verifier(const std::string& secret,
                                                    const std::string& jwks_file);

// A JSON object {"<room key>": "<password>", ...}: keys must be valid room keys, passwords
// 1-128 bytes.
std::map<std::string, std::string, std::less<>> parse_room_passwords(std::string_view json);
std::map<std::string, std::string, std::less<>> load_room_passwords(const std::string& file);

}  // namespace parley::app
