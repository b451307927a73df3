#include "app/access_config.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "rooms/registry.hpp"

namespace parley::app {
namespace {

constexpr std::size_t kMaxConfigFile = 1 << 20;
constexpr std::size_t kMaxPassword = 128;

std::string read_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(std::string(what) + ": cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  std::string bytes = std::move(text).str();
  if (bytes.size() > kMaxConfigFile) {
    throw std::invalid_argument(std::string(what) + ": " + path + " is larger than 1 MiB");
  }
  return bytes;
}

}  // namespace

std::shared_ptr<const auth::Verifier> load_verifier(const std::string& secret,
                                                    const std::string& jwks_file) {
  if (!secret.empty() && !jwks_file.empty()) {
    throw std::invalid_argument("--jwt-secret and --jwt-jwks: set one, not both");
  }
  if (!secret.empty()) return std::make_shared<const auth::Verifier>(auth::Verifier::hs256(secret));
  if (!jwks_file.empty()) {
    return std::make_shared<const auth::Verifier>(
        auth::Verifier::jwks(read_file(jwks_file, "--jwt-jwks")));
  }
  return nullptr;
}

std::map<std::string, std::string, std::less<>> parse_room_passwords(std::string_view json) {
  namespace js = boost::json;
  js::error_code ec;
  const js::value parsed = js::parse(json, ec);
  if (ec || !parsed.is_object()) {
    throw std::invalid_argument(
        "room passwords: expected a JSON object {\"<room key>\": \"<password>\"}");
  }
  std::map<std::string, std::string, std::less<>> passwords;
  for (const auto& [key, value] : parsed.get_object()) {
    const std::string name(key);
    if (!rooms::Registry::valid_key(name)) {
      throw std::invalid_argument("room passwords: '" + name.substr(0, 64) +
                                  "' is not a room key (1-64 characters of [A-Za-z0-9_-])");
    }
    if (!value.is_string() || value.get_string().empty() ||
        value.get_string().size() > kMaxPassword) {
      throw std::invalid_argument("room passwords: the password of room '" + name +
                                  "' must be a string of 1-128 bytes");
    }
    passwords.emplace(name, std::string(value.get_string()));
  }
  return passwords;
}

std::map<std::string, std::string, std::less<>> load_room_passwords(const std::string& file) {
  return parse_room_passwords(read_file(file, "--room-passwords"));
}

}  // namespace parley::app
