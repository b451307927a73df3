// The web root: serves the built web client (a Vite SPA) for every GET/HEAD that is not an API
// route. No sockets here, so the HTTP session stays small and this is testable on its own.
//
// Safety: request paths are percent-decoded once, then rejected (404) if they contain NUL,
// control characters, backslashes, "." or ".." segments, or a segment starting with "." other
// than a leading ".well-known". The resolved path is canonicalized and must stay inside the
// canonical root, so symlinks that leave the root are refused too.
//
// Size policy: responses are string_body, so a file is read into memory. Files up to
// StaticFilesOptions::max_cached_file_bytes are cached (keyed by path, validated by size and
// mtime on every request); larger files up to max_file_bytes are read per request; anything
// bigger is answered 500 "file too large" instead of ballooning memory (a client build never
// needs that; put big media behind a real CDN).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace parley::net {

namespace http = boost::beast::http;

namespace detail {
class FileCache;
}

struct StaticFilesOptions {
  std::uint64_t max_file_bytes = 8 * 1024 * 1024;   // larger files -> 500, never read
  std::size_t max_cached_file_bytes = 1024 * 1024;  // larger files are read per request
  std::size_t max_cache_bytes = 32 * 1024 * 1024;   // total cached content
};

class StaticFiles {
 public:
  // root: the directory to serve. It may be empty or not exist (yet); then "/", "/index.html"
  // and SPA paths get the builtin page. The root is canonicalized here, once.
  explicit StaticFiles(std::filesystem::path root, StaticFilesOptions options = {});
  ~StaticFiles();
  StaticFiles(StaticFiles&&) noexcept;
  StaticFiles& operator=(StaticFiles&&) noexcept;
  StaticFiles(const StaticFiles&) = delete;
  StaticFiles& operator=(const StaticFiles&) = delete;

  // The complete response for a request whose target is known not to be an API route:
  // status, Content-Type, Content-Length, ETag, Last-Modified, Cache-Control,
  // X-Content-Type-Options; version and keep-alive copied from the request. The caller adds
  // Server (and Date) only. Do NOT call prepare_payload() on it: a HEAD response carries the
  // GET's Content-Length over an empty body, which prepare_payload() would reset to 0.
  // Thread-safe: several I/O threads may call it concurrently.
  http::response<http::string_body> serve(const http::request<http::string_body>& req) const;

  // True when the root currently is a directory (checked on each call, the build may appear
  // after start-up).
  bool has_root() const;
  const std::filesystem::path& root() const { return root_; }

  // Cache occupancy, for metrics and tests.
  std::size_t cached_files() const;
  std::size_t cached_bytes() const;

 private:
  std::filesystem::path root_;  // canonical; empty when no root was given
  StaticFilesOptions options_;
  std::unique_ptr<detail::FileCache> cache_;  // behind a pointer so StaticFiles stays movable
};

// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the format HTTP senders must use.
std::string format_http_date(std::chrono::sys_seconds time);

// Any of the three HTTP-date formats recipients must accept (IMF-fixdate, RFC 850, asctime);
// nullopt when malformed.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text);

}  // namespace parley::net
