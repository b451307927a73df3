#include "net/static_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include "net/builtin_page.hpp"
#include "net/mime.hpp"

namespace parley::net {
namespace {

namespace fs = std::filesystem;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr std::string_view kNoCache = "no-cache";
// Vite puts content-hashed file names under /assets/: a changed file gets a new name, so these
// may be cached forever. Everything else (index.html above all) must be revalidated.
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kTextPlain = "text/plain; charset=utf-8";
constexpr std::string_view kHtml = "text/html; charset=utf-8";
constexpr std::string_view kAssetsDir = "assets";
constexpr std::string_view kWellKnown = ".well-known";

// ---------------------------------------------------------------------------------------------
// Request target -> path segments

enum class TargetStatus { ok, bad_request, not_found };

struct ParsedTarget {
  TargetStatus status = TargetStatus::ok;
  std::vector<std::string> segments;  // decoded, non-empty, each one checked
};

// Absolute-form ("http://host/x") is legal in HTTP/1.1 requests and servers must accept it.
std::optional<std::string_view> path_part(std::string_view target) {
  target = target.substr(0, target.find_first_of("?#"));
  if (target.starts_with('/')) return target;
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() &&
        std::equal(scheme.begin(), scheme.end(), target.begin(), [](char s, char t) {
          return s == static_cast<char>(std::tolower(static_cast<unsigned char>(t)));
        })) {
      const auto slash = target.find('/', scheme.size());
      return slash == std::string_view::npos ? std::string_view{"/"} : target.substr(slash);
    }
  }
  return std::nullopt;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decoded exactly once: "%252e" stays the literal name "%2e", never "." (no double decoding).
std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// Backslashes are refused although POSIX treats them as ordinary characters: some proxies and
// browsers normalize them to '/', and a name that means different things to different hops
// is how traversal filters get bypassed.
bool has_forbidden_char(std::string_view path) {
  return std::any_of(path.begin(), path.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || c == '\\';
  });
}

// Dot segments are refused rather than normalized, and hidden names (.git, .env, .htpasswd)
// are never served. ".well-known" is the one exception (RFC 8615), and only at the top.
bool allowed_segment(std::string_view segment, bool first) {
  if (segment.empty()) return false;
  if (segment.front() != '.') return true;
  return first && segment == kWellKnown;
}

ParsedTarget parse_target(std::string_view target) {
  const auto path = path_part(target);
  if (!path) return {TargetStatus::bad_request, {}};
  auto decoded = percent_decode(*path);
  if (!decoded) return {TargetStatus::bad_request, {}};
  if (has_forbidden_char(*decoded)) return {TargetStatus::not_found, {}};

  ParsedTarget parsed;
  std::string_view rest = *decoded;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (segment.empty()) continue;  // "//" collapses, as the filesystem would do anyway
    if (!allowed_segment(segment, parsed.segments.empty())) return {TargetStatus::not_found, {}};
    parsed.segments.emplace_back(segment);
  }
  return parsed;
}

// ---------------------------------------------------------------------------------------------
// Filesystem

fs::path canonical_root(const fs::path& root) {
  if (root.empty()) return {};
  std::error_code ec;
  fs::path absolute = fs::absolute(root, ec);
  if (ec) return {};
  fs::path canonical = fs::weakly_canonical(absolute, ec);
  if (ec) canonical = absolute.lexically_normal();
  // "/srv/www/" would iterate with a trailing empty element and never prefix-match a file.
  if (!canonical.has_filename() && canonical.has_relative_path()) {
    canonical = canonical.parent_path();
  }
  return canonical;
}

// The canonical form of `candidate` if it lies inside `root` and no component below the root is
// hidden. Canonicalizing resolves symlinks, so a link pointing out of the root fails here even
// though its own name looks harmless.
std::optional<fs::path> canonical_inside(const fs::path& root, const fs::path& candidate) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(candidate, ec);
  if (ec) return std::nullopt;
  // Component-wise, not string prefix: "/srv/www2" must not count as inside "/srv/www".
  auto [root_it, it] = std::mismatch(root.begin(), root.end(), canonical.begin(), canonical.end());
  if (root_it != root.end()) return std::nullopt;
  for (bool first = true; it != canonical.end(); ++it, first = false) {
    if (!allowed_segment(it->native(), first)) return std::nullopt;
  }
  return canonical;
}

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

struct OpenFile {
  fs::path path;  // canonical
  UniqueFd fd;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::chrono::sys_seconds mtime{};
};

// Size and mtime come from fstat on the descriptor that is read, so ETag, Content-Length and
// body describe the same file even if it is replaced meanwhile. O_NONBLOCK keeps a FIFO planted
// in the root from blocking an I/O thread in open(); O_NOFOLLOW refuses a final component that
// became a symlink after canonicalization.
std::optional<OpenFile> open_regular(fs::path path) {
  UniqueFd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)};
  if (fd.get() < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  OpenFile file{std::move(path), std::move(fd)};
  file.size = static_cast<std::uint64_t>(st.st_size);
  file.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  file.mtime = std::chrono::sys_seconds{std::chrono::seconds{st.st_mtim.tv_sec}};
  return file;
}

// A file that shrinks while being read is an error rather than a short body: the ETag and
// Content-Length were derived from the size fstat reported.
std::optional<std::string> read_exactly(int fd, std::uint64_t size) {
  std::string data(size, '\0');
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, data.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    done += static_cast<std::size_t>(n);
  }
  return data;
}

// Maps request segments to an open regular file inside root; a directory means its index.html.
std::optional<OpenFile> find_file(const fs::path& root, const std::vector<std::string>& segments) {
  if (root.empty()) return std::nullopt;
  fs::path candidate = root;
  for (const auto& segment : segments) candidate /= segment;
  auto canonical = canonical_inside(root, candidate);
  if (!canonical) return std::nullopt;
  std::error_code ec;
  if (fs::is_directory(*canonical, ec)) {
    canonical = canonical_inside(root, *canonical / "index.html");
    if (!canonical) return std::nullopt;
  }
  return open_regular(std::move(*canonical));
}

// ---------------------------------------------------------------------------------------------
// Conditional requests

std::string hex(std::uint64_t value) {
  std::array<char, 16> buf{};
  const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), value, 16);
  return {buf.data(), result.ptr};
}

std::string file_etag(const OpenFile& file) {
  return '"' + hex(file.size) + '-' + hex(static_cast<std::uint64_t>(file.mtime_ns)) + '"';
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// If-None-Match: "*" or a comma list of entity tags, compared weakly (the W/ prefix is
// ignored), as RFC 9110 13.1.2 requires. Parsed tag by tag because a tag may contain commas.
bool etag_list_matches(std::string_view list, std::string_view etag) {
  list = trim_ows(list);
  if (list == "*") return true;
  while (!list.empty()) {
    list = trim_ows(list);
    if (list.starts_with(',')) {
      list.remove_prefix(1);
      continue;
    }
    if (list.starts_with("W/")) list.remove_prefix(2);
    if (!list.starts_with('"')) return false;
    const auto close = list.find('"', 1);
    if (close == std::string_view::npos) return false;
    if (list.substr(0, close + 1) == etag) return true;
    list.remove_prefix(close + 1);
  }
  return false;
}

// If-None-Match takes precedence: when present, If-Modified-Since is ignored (RFC 9110 13.2.2).
bool not_modified(const Request& req, std::string_view etag,
                  std::optional<std::chrono::sys_seconds> mtime) {
  bool has_if_none_match = false;
  const auto [first, last] = req.equal_range(http::field::if_none_match);
  for (auto it = first; it != last; ++it) {
    has_if_none_match = true;
    if (etag_list_matches(it->value(), etag)) return true;
  }
  if (has_if_none_match || !mtime) return false;
  const auto since = req.find(http::field::if_modified_since);
  if (since == req.end()) return false;
  const auto date = parse_http_date(since->value());
  return date && *mtime <= *date;
}

// ---------------------------------------------------------------------------------------------
// Responses

Response base_response(const Request& req, http::status status) {
  Response res{status, req.version()};
  res.keep_alive(req.keep_alive());
  // Every response: a browser must never sniff an upload-ish file into HTML or script.
  res.set("X-Content-Type-Options", "nosniff");
  return res;
}

bool is_head(const Request& req) {
  return req.method() == http::verb::head;
}

// HEAD gets the GET's Content-Length with no body.
void set_body(Response& res, const Request& req, std::string body) {
  if (is_head(req)) {
    res.content_length(body.size());
  } else {
    res.body() = std::move(body);
    res.prepare_payload();
  }
}

Response text_response(const Request& req, http::status status, std::string_view text) {
  Response res = base_response(req, status);
  res.set(http::field::content_type, kTextPlain);
  res.set(http::field::cache_control, kNoCache);
  set_body(res, req, std::string{text});
  return res;
}

Response not_modified_response(const Request& req, std::string_view etag,
                               std::string_view cache_control) {
  // Only the fields RFC 9110 15.4.5 asks for: no Content-Type, no Content-Length.
  Response res = base_response(req, http::status::not_modified);
  res.set(http::field::etag, etag);
  res.set(http::field::cache_control, cache_control);
  return res;
}

Response builtin_response(const Request& req) {
  const std::string_view etag = builtin_page_etag();
  if (not_modified(req, etag, std::nullopt)) return not_modified_response(req, etag, kNoCache);
  Response res = base_response(req, http::status::ok);
  res.set(http::field::content_type, kHtml);
  res.set(http::field::etag, etag);
  res.set(http::field::cache_control, kNoCache);
  set_body(res, req, std::string{builtin_page_html()});
  return res;
}

bool is_assets_path(const std::vector<std::string>& segments) {
  return !segments.empty() && segments.front() == kAssetsDir;
}

// SPA routes such as /r/my-room have no extension; anything with one is a missing file and
// gets a real 404 (a script tag must not receive index.html). Missing files under /assets/ and
// /.well-known/ are 404 too: those names are fetched by machines, not navigated to.
bool spa_fallback_applies(const std::vector<std::string>& segments) {
  if (segments.empty()) return true;
  if (segments.size() == 1 && segments.front() == "index.html") return true;
  if (segments.front() == kAssetsDir || segments.front() == kWellKnown) return false;
  return file_extension(segments.back()).empty();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Cache

namespace detail {

// Small files keyed by canonical path and validated by size + mtime on every hit, so a new
// build is picked up without a restart. Content is shared_ptr so a hit copies out of the lock.
// Eviction is arbitrary (not LRU): a client build is far smaller than the cap, so eviction only
// happens when something unusual sits in the root, and then any bound is good enough.
class FileCache {
 public:
  explicit FileCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  std::shared_ptr<const std::string> find(const std::string& key, std::uint64_t size,
                                          std::int64_t mtime_ns) const {
    std::shared_lock lock{mutex_};
    const auto it = entries_.find(key);
    if (it == entries_.end() || it->second.size != size || it->second.mtime_ns != mtime_ns) {
      return nullptr;
    }
    return it->second.data;
  }

  void insert(const std::string& key, std::uint64_t size, std::int64_t mtime_ns,
              std::shared_ptr<const std::string> data) {
    if (data->size() > max_bytes_) return;
    std::unique_lock lock{mutex_};
    if (const auto it = entries_.find(key); it != entries_.end()) {
      bytes_ -= it->second.data->size();
      entries_.erase(it);
    }
    while (!entries_.empty() && bytes_ + data->size() > max_bytes_) {
      bytes_ -= entries_.begin()->second.data->size();
      entries_.erase(entries_.begin());
    }
    bytes_ += data->size();
    entries_.emplace(key, Entry{size, mtime_ns, std::move(data)});
  }

  std::size_t files() const {
    std::shared_lock lock{mutex_};
    return entries_.size();
  }

  std::size_t bytes() const {
    std::shared_lock lock{mutex_};
    return bytes_;
  }

 private:
  struct Entry {
    std::uint64_t size;
    std::int64_t mtime_ns;
    std::shared_ptr<const std::string> data;
  };

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::size_t bytes_ = 0;
  std::size_t max_bytes_;
};

}  // namespace detail

namespace {

// Cached content when size and mtime still match, else a fresh read (cached if small).
std::shared_ptr<const std::string> load_content(detail::FileCache& cache,
                                                const StaticFilesOptions& options,
                                                const OpenFile& file) {
  const std::string& key = file.path.native();
  if (auto hit = cache.find(key, file.size, file.mtime_ns)) return hit;
  auto data = read_exactly(file.fd.get(), file.size);
  if (!data) return nullptr;
  auto shared = std::make_shared<const std::string>(std::move(*data));
  if (file.size <= options.max_cached_file_bytes) {
    cache.insert(key, file.size, file.mtime_ns, shared);
  }
  return shared;
}

// Validators come from fstat alone, so 304s and HEADs never read the file.
Response file_response(const Request& req, const OpenFile& file, std::string_view cache_control,
                       detail::FileCache& cache, const StaticFilesOptions& options) {
  if (file.size > options.max_file_bytes) {
    return text_response(req, http::status::internal_server_error, "file too large");
  }
  const std::string etag = file_etag(file);
  if (not_modified(req, etag, file.mtime)) return not_modified_response(req, etag, cache_control);

  Response res = base_response(req, http::status::ok);
  res.set(http::field::content_type, mime_type_for(file.path.native()));
  res.set(http::field::etag, etag);
  res.set(http::field::last_modified, format_http_date(file.mtime));
  res.set(http::field::cache_control, cache_control);
  if (is_head(req)) {
    res.content_length(file.size);
    return res;
  }
  const auto content = load_content(cache, options, file);
  if (!content) return text_response(req, http::status::internal_server_error, "read failed");
  res.body() = *content;
  res.prepare_payload();
  return res;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// StaticFiles

StaticFiles::StaticFiles(std::filesystem::path root, StaticFilesOptions options)
    : root_(canonical_root(root)),
      options_(options),
      cache_(std::make_unique<detail::FileCache>(options.max_cache_bytes)) {}

StaticFiles::~StaticFiles() = default;
StaticFiles::StaticFiles(StaticFiles&&) noexcept = default;
StaticFiles& StaticFiles::operator=(StaticFiles&&) noexcept = default;

bool StaticFiles::has_root() const {
  std::error_code ec;
  return !root_.empty() && fs::is_directory(root_, ec);
}

std::size_t StaticFiles::cached_files() const {
  return cache_->files();
}
std::size_t StaticFiles::cached_bytes() const {
  return cache_->bytes();
}

http::response<http::string_body> StaticFiles::serve(
    const http::request<http::string_body>& req) const {
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    Response res = text_response(req, http::status::method_not_allowed, "method not allowed");
    res.set(http::field::allow, "GET, HEAD");
    return res;
  }
  const ParsedTarget target = parse_target(req.target());
  if (target.status == TargetStatus::bad_request) {
    return text_response(req, http::status::bad_request, "bad request");
  }
  if (target.status == TargetStatus::not_found) {
    return text_response(req, http::status::not_found, "not found");
  }
  if (auto file = find_file(root_, target.segments)) {
    const auto cache_control = is_assets_path(target.segments) ? kImmutable : kNoCache;
    return file_response(req, *file, cache_control, *cache_, options_);
  }
  if (!spa_fallback_applies(target.segments)) {
    return text_response(req, http::status::not_found, "not found");
  }
  if (auto index = find_file(root_, {"index.html"})) {
    return file_response(req, *index, kNoCache, *cache_, options_);
  }
  return builtin_response(req);
}

// ---------------------------------------------------------------------------------------------
// HTTP-date

namespace {

constexpr std::array<std::string_view, 7> kShortDays{"Sun", "Mon", "Tue", "Wed",
                                                     "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDays{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                    "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& names, std::string_view word) {
  return std::find(names.begin(), names.end(), word) != names.end();
}

// A strict left-to-right reader: HTTP-date is case-sensitive with fixed widths.
class DateScanner {
 public:
  explicit DateScanner(std::string_view text) : text_(text) {}

  bool literal(std::string_view expected) {
    if (!text_.starts_with(expected)) return false;
    text_.remove_prefix(expected.size());
    return true;
  }

  std::string_view letters() {
    std::size_t n = 0;
    while (n < text_.size() && std::isalpha(static_cast<unsigned char>(text_[n]))) ++n;
    const std::string_view word = text_.substr(0, n);
    text_.remove_prefix(n);
    return word;
  }

  std::optional<int> digits(std::size_t count) {
    if (text_.size() < count) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text_[i]))) return std::nullopt;
      value = value * 10 + (text_[i] - '0');
    }
    text_.remove_prefix(count);
    return value;
  }

  std::optional<unsigned> month() {
    const std::string_view word = text_.substr(0, 3);
    const auto it = std::find(kMonths.begin(), kMonths.end(), word);
    if (word.size() != 3 || it == kMonths.end()) return std::nullopt;
    text_.remove_prefix(3);
    return static_cast<unsigned>(it - kMonths.begin()) + 1;
  }

  bool done() const { return text_.empty(); }

 private:
  std::string_view text_;
};

struct DateParts {
  std::optional<int> year;
  std::optional<unsigned> month;
  std::optional<int> day, hour, minute, second;
};

// time-of-day = hour ":" minute ":" second
bool scan_time(DateScanner& in, DateParts& parts) {
  parts.hour = in.digits(2);
  if (!parts.hour || !in.literal(":")) return false;
  parts.minute = in.digits(2);
  if (!parts.minute || !in.literal(":")) return false;
  parts.second = in.digits(2);
  return parts.second.has_value();
}

// IMF-fixdate after "Sun,": " 06 Nov 1994 08:49:37 GMT"
bool scan_imf_fixdate(DateScanner& in, DateParts& parts) {
  if (!in.literal(" ") || !(parts.day = in.digits(2)) || !in.literal(" ")) return false;
  if (!(parts.month = in.month()) || !in.literal(" ")) return false;
  if (!(parts.year = in.digits(4)) || !in.literal(" ")) return false;
  return scan_time(in, parts) && in.literal(" GMT");
}

// RFC 850 after "Sunday,": " 06-Nov-94 08:49:37 GMT". Two-digit years are read as 1970-2069.
bool scan_rfc850(DateScanner& in, DateParts& parts) {
  if (!in.literal(" ") || !(parts.day = in.digits(2)) || !in.literal("-")) return false;
  if (!(parts.month = in.month()) || !in.literal("-")) return false;
  if (!(parts.year = in.digits(2)) || !in.literal(" ")) return false;
  *parts.year += *parts.year < 70 ? 2000 : 1900;
  return scan_time(in, parts) && in.literal(" GMT");
}

// asctime after "Sun": " Nov  6 08:49:37 1994" (day is two digits or space + one digit)
bool scan_asctime(DateScanner& in, DateParts& parts) {
  if (!in.literal(" ") || !(parts.month = in.month()) || !in.literal(" ")) return false;
  parts.day = in.literal(" ") ? in.digits(1) : in.digits(2);
  if (!parts.day || !in.literal(" ") || !scan_time(in, parts) || !in.literal(" ")) return false;
  parts.year = in.digits(4);
  return parts.year.has_value();
}

std::optional<std::chrono::sys_seconds> to_time(const DateParts& parts) {
  using namespace std::chrono;
  const year_month_day date{year{*parts.year}, month{*parts.month},
                            day{static_cast<unsigned>(*parts.day)}};
  // Second 60 is a legal leap second in the grammar; it simply rolls into the next minute.
  if (!date.ok() || *parts.hour > 23 || *parts.minute > 59 || *parts.second > 60) {
    return std::nullopt;
  }
  return sys_days{date} + hours{*parts.hour} + minutes{*parts.minute} + seconds{*parts.second};
}

}  // namespace

std::string format_http_date(std::chrono::sys_seconds time) {
  using namespace std::chrono;
  const sys_days days = floor<std::chrono::days>(time);
  const year_month_day date{days};
  const weekday day_of_week{days};
  const hh_mm_ss clock{time - days};
  std::array<char, 64> buf{};
  const int n = std::snprintf(
      buf.data(), buf.size(), "%s, %02u %s %04d %02d:%02d:%02d GMT",
      kShortDays[day_of_week.c_encoding()].data(), static_cast<unsigned>(date.day()),
      kMonths[static_cast<unsigned>(date.month()) - 1].data(), static_cast<int>(date.year()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()));
  return {buf.data(), static_cast<std::size_t>(std::max(n, 0))};
}

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) {
  DateScanner in{text};
  DateParts parts;
  const std::string_view day_name = in.letters();
  bool ok = false;
  if (one_of(kShortDays, day_name)) {
    ok = in.literal(",") ? scan_imf_fixdate(in, parts) : scan_asctime(in, parts);
  } else if (one_of(kLongDays, day_name)) {
    ok = in.literal(",") && scan_rfc850(in, parts);
  }
  if (!ok || !in.done()) return std::nullopt;
  return to_time(parts);
}

}  // namespace parley::net
