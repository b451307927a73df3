#include "net/mime.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace parley::net {
namespace {

struct MimeEntry {
  std::string_view extension;  // lower case, no dot
  std::string_view type;
};

// Linear scan: the table is tiny and a lookup costs less than hashing would.
constexpr std::array kMimeTable{
    MimeEntry{"html", "text/html; charset=utf-8"},
    MimeEntry{"htm", "text/html; charset=utf-8"},
    // RFC 9239 made text/javascript the one JavaScript type again.
    MimeEntry{"js", "text/javascript; charset=utf-8"},
    MimeEntry{"mjs", "text/javascript; charset=utf-8"},
    MimeEntry{"css", "text/css; charset=utf-8"},
    MimeEntry{"json", "application/json; charset=utf-8"},
    // Source maps are JSON; devtools fetch them and accept this type.
    MimeEntry{"map", "application/json; charset=utf-8"},
    MimeEntry{"webmanifest", "application/manifest+json; charset=utf-8"},
    MimeEntry{"svg", "image/svg+xml; charset=utf-8"},
    MimeEntry{"txt", "text/plain; charset=utf-8"},
    MimeEntry{"xml", "application/xml; charset=utf-8"},
    MimeEntry{"csv", "text/csv; charset=utf-8"},
    MimeEntry{"png", "image/png"},
    MimeEntry{"jpg", "image/jpeg"},
    MimeEntry{"jpeg", "image/jpeg"},
    MimeEntry{"gif", "image/gif"},
    MimeEntry{"webp", "image/webp"},
    MimeEntry{"avif", "image/avif"},
    MimeEntry{"ico", "image/x-icon"},
    MimeEntry{"woff", "font/woff"},
    MimeEntry{"woff2", "font/woff2"},
    MimeEntry{"ttf", "font/ttf"},
    MimeEntry{"otf", "font/otf"},
    // WebAssembly.instantiateStreaming refuses anything but application/wasm.
    MimeEntry{"wasm", "application/wasm"},
    MimeEntry{"pdf", "application/pdf"},
    // Ringtones and notification sounds a meeting client may ship.
    MimeEntry{"mp3", "audio/mpeg"},
    MimeEntry{"ogg", "audio/ogg"},
    MimeEntry{"wav", "audio/wav"},
    MimeEntry{"mp4", "video/mp4"},
    MimeEntry{"webm", "video/webm"},
};

constexpr std::string_view kDefaultType = "application/octet-stream";

bool iequals(std::string_view a, std::string_view lower) {
  return a.size() == lower.size() &&
         std::equal(a.begin(), a.end(), lower.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == y;
         });
}

}  // namespace

std::string_view file_extension(std::string_view path) {
  const auto slash = path.find_last_of('/');
  const std::string_view segment = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const auto dot = segment.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return segment.substr(dot + 1);
}

std::string_view mime_type_for(std::string_view path) {
  const std::string_view extension = file_extension(path);
  if (extension.empty()) return kDefaultType;
  for (const auto& entry : kMimeTable) {
    if (iequals(extension, entry.extension)) return entry.type;
  }
  return kDefaultType;
}

}  // namespace parley::net
