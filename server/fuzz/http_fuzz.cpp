// libFuzzer target for what an HTTP request's target and headers decide before any socket is
// involved: static file resolution (StaticFiles::serve against a real web root), SockJS URL
// routing (sockjs::parse_route), the Origin policy, HTTP dates and content types.
// Byte 0 picks the path; the rest is the input. Invariants (abort on violation):
//   - serve() never crashes, answers only 200/304/400/404/405, and every body it sends is a
//     file inside the web root: never a file outside it (reached by "..", an absolute-form
//     target, a symlink, or a sibling directory whose name extends the root's), never a
//     hidden file (.env, .git/, a nested .well-known, a link to one), never a control
//     character or NUL smuggled in by percent-encoding. A served file is the one the target
//     names, percent-decoded once and resolved with std::filesystem::weakly_canonical, or
//     its directory's index.html, or the SPA fallback (index.html, for extension-less paths
//     outside assets/ and .well-known/); HEAD gets the same Content-Length with no body;
//   - parse_route() yields session routes only for three valid segments and a known
//     transport, whose views point into the input and rebuild it;
//   - origin_allowed(): no Origin always passes; a configured list is exact
//     (case-insensitive) or "*"; the default policy passes only the request's own host or a
//     loopback host (localhost, 127.0.0.1, [::1]) with at most a numeric port;
//   - parse_http_date() is strict and format_http_date() is its inverse;
//   - file_extension() is a dot-free suffix of the last segment; mime_type_for() ignores case.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "net/mime.hpp"
#include "net/origin.hpp"
#include "net/static_files.hpp"
#include "sockjs/registry.hpp"
#include "sockjs/transports.hpp"

namespace {

namespace fs = std::filesystem;
namespace http = parley::net::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

[[noreturn]] void violated(const char* rule, std::string_view detail) {
  std::fprintf(stderr, "http rule violated: %s: %.*s\n", rule,
               static_cast<int>(std::min<std::size_t>(detail.size(), 400)), detail.data());
  std::abort();
}

// ---------------------------------------------------------------------------------------------
// The web root: <base>/www, with every file's content naming the file.

struct WebRoot {
  fs::path base;
  fs::path root;                                 // canonical <base>/www
  std::map<std::string, fs::path> served;        // content -> canonical path: may be served
  std::map<std::string, std::string> forbidden;  // content -> why it must never be served
  std::unique_ptr<parley::net::StaticFiles> files;

  WebRoot() {
    base = fs::temp_directory_path() / ("parley_http_fuzz_" + std::to_string(::getpid()));
    fs::remove_all(base);
    const fs::path www = base / "www";
    allowed(www / "index.html", "INDEX");
    allowed(www / "app.js", "APP-JS");
    allowed(www / "assets" / "app-1f2e3d.js", "ASSET");
    allowed(www / "sub" / "index.html", "SUB-INDEX");
    allowed(www / "sub" / "page.txt", "SUB-PAGE");
    allowed(www / ".well-known" / "security.txt", "WELL-KNOWN");
    allowed(www / "a b%20c.txt", "ODD-NAME");  // served for /a%20b%2520c.txt only
    allowed(www / "\xc3\xbcn\xc3\xaf.txt", "UNICODE-NAME");
    refused(base / "secret.txt", "SECRET-OUTSIDE", "a file outside the root");
    refused(base / "www2" / "index.html", "SIBLING-WWW2", "a sibling directory of the root");
    refused(www / ".env", "HIDDEN-ENV", "a hidden file");
    refused(www / ".git" / "config", "HIDDEN-GIT", "a hidden directory");
    refused(www / "sub" / ".well-known" / "x.txt", "NESTED-WELL-KNOWN", "a nested .well-known");
    std::error_code ec;
    fs::create_directory_symlink("..", www / "up", ec);         // the parent
    fs::create_symlink("../secret.txt", www / "leak.txt", ec);  // a file outside
    fs::create_directory_symlink("../www2", www / "sib", ec);   // the sibling
    fs::create_symlink(".env", www / "env.txt", ec);            // a hidden file inside
    fs::create_symlink("sub/page.txt", www / "inner.txt", ec);  // inside: may be served
    fs::create_symlink(fs::absolute(base / "secret.txt"), www / "abs.txt", ec);  // absolute
    root = fs::canonical(www);
    // Canonical paths of what may be served, now that the root exists.
    for (auto& [content, path] : served) path = fs::canonical(path);
    files = std::make_unique<parley::net::StaticFiles>(www);
  }
  ~WebRoot() {
    std::error_code ec;
    fs::remove_all(base, ec);
  }
  WebRoot(const WebRoot&) = delete;
  WebRoot& operator=(const WebRoot&) = delete;

  static void write(const fs::path& path, std::string_view content) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
  }
  void allowed(const fs::path& path, std::string content) {
    write(path, content);
    served.emplace(std::move(content), path);
  }
  void refused(const fs::path& path, std::string content, std::string why) {
    write(path, content);
    forbidden.emplace(std::move(content), std::move(why));
  }
};

WebRoot& web_root() {
  static WebRoot root;
  return root;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The reference reading of a target: path part (origin-form or absolute-form), decoded once.
std::optional<std::string> reference_path(std::string_view target) {
  target = target.substr(0, target.find_first_of("?#"));
  if (!target.starts_with('/')) {
    std::string lower(target.substr(0, 8));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::size_t scheme = lower.starts_with("http://")    ? 7
                               : lower.starts_with("https://") ? 8
                                                               : 0;
    if (scheme == 0) return std::nullopt;
    const std::size_t slash = target.find('/', scheme);
    target = slash == std::string_view::npos ? "/" : target.substr(slash);
  }
  std::string out;
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (target[i] != '%') {
      out += target[i];
      continue;
    }
    if (i + 2 >= target.size() || hex_value(target[i + 1]) < 0 || hex_value(target[i + 2]) < 0) {
      return std::nullopt;
    }
    out += static_cast<char>(hex_value(target[i + 1]) * 16 + hex_value(target[i + 2]));
    i += 2;
  }
  return out;
}

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    if (slash != 0) out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return out;
}

// Why serving `file` (canonical) for `target` is right, or nullptr when it is not.
const char* justify(const WebRoot& web, std::string_view target, const fs::path& file) {
  const auto decoded = reference_path(target);
  if (!decoded) return nullptr;  // the server had to answer 400
  for (const char c : *decoded) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == '\\') return nullptr;
  }
  const auto parts = segments(*decoded);
  for (const auto& part : parts) {
    if (part == "." || part == "..") return nullptr;
  }
  fs::path named = web.root;
  for (const auto& part : parts) named /= fs::path(std::string(part));
  std::error_code ec;
  const fs::path resolved = fs::weakly_canonical(named, ec);
  if (!ec && resolved == file) return "the file named";
  if (!ec && resolved / "index.html" == file) return "the directory's index";
  const bool spa = parts.empty() ||
                   (parts.front() != "assets" && parts.front() != ".well-known" &&
                    parley::net::file_extension(parts.back()).empty()) ||
                   (parts.size() == 1 && parts.front() == "index.html");
  if (spa && file == web.root / "index.html") return "the SPA fallback";
  return nullptr;
}

// Header values cannot hold CR, LF or NUL; the parser would have refused them.
std::string header_value(std::string_view raw) {
  std::string out;
  for (const char c : raw) {
    if (c != '\r' && c != '\n' && c != '\0') out += c;
  }
  return out;
}

void check_static(std::string_view input) {
  WebRoot& web = web_root();
  // target[ ] [\n If-None-Match [\n If-Modified-Since]]
  std::string_view target = input.substr(0, input.find('\n'));
  std::string_view rest =
      target.size() < input.size() ? input.substr(target.size() + 1) : std::string_view{};
  const bool head = target.ends_with(' ');  // "<target> " is a HEAD request
  if (head) target.remove_suffix(1);
  Request req{head ? http::verb::head : http::verb::get, target, 11};
  req.set(http::field::host, "localhost");
  if (!rest.empty()) {
    const std::string_view inm = rest.substr(0, rest.find('\n'));
    req.set(http::field::if_none_match, header_value(inm));
    rest = inm.size() < rest.size() ? rest.substr(inm.size() + 1) : std::string_view{};
    if (!rest.empty()) req.set(http::field::if_modified_since, header_value(rest));
  }
  const Response res = web.files->serve(req);
  const unsigned status = res.result_int();
  static const bool trace = std::getenv("HTTP_FUZZ_TRACE") != nullptr;
  if (trace) {
    std::fprintf(stderr, "%u %s <- %.*s\n", status, res.body().substr(0, 24).c_str(),
                 static_cast<int>(target.size()), target.data());
  }
  if (status != 200 && status != 304 && status != 400 && status != 404 && status != 405) {
    violated("unexpected status", target);
  }
  if (status != 200) return;
  std::string content = res.body();
  if (head) {
    if (!content.empty()) violated("HEAD response has a body", target);
    // HEAD: the headers GET would send, Content-Length included; judge the GET's body.
    Request get{http::verb::get, target, 11};
    const Response full = web.files->serve(get);
    if (full.result_int() != 200 ||
        res[http::field::content_length] != std::to_string(full.body().size())) {
      violated("HEAD differs from GET", target);
    }
    content = full.body();
  }
  if (const auto bad = web.forbidden.find(content); bad != web.forbidden.end()) {
    violated(("served " + bad->second).c_str(), target);
  }
  const auto good = web.served.find(content);
  if (good == web.served.end()) violated("served something that is no file of the root", target);
  if (justify(web, target, good->second) == nullptr) {
    violated(("served " + good->second.string() + " for a target that does not name it").c_str(),
             target);
  }
}

// ---------------------------------------------------------------------------------------------
// SockJS routes

void check_route(std::string_view path) {
  const auto route = parley::sockjs::parse_route(path);
  if (!route) return;
  const std::string_view bare = path.substr(0, path.find('?'));
  using Kind = parley::sockjs::Route::Kind;
  switch (route->kind) {
    case Kind::greeting:
      if (bare != "" && bare != "/") violated("greeting for another path", path);
      return;
    case Kind::info:
      if (bare != "/info") violated("info for another path", path);
      return;
    case Kind::raw_websocket:
      if (bare != "/websocket") violated("raw websocket for another path", path);
      return;
    case Kind::iframe:
      if (!bare.starts_with("/iframe") || !bare.ends_with(".html") ||
          bare.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-._/") !=
              std::string_view::npos ||
          bare.find('/', 1) != std::string_view::npos) {
        violated("iframe for another path", path);
      }
      return;
    case Kind::session:
      break;
  }
  const auto inside = [&](std::string_view part) {
    return part.data() >= path.data() && part.data() + part.size() <= path.data() + path.size();
  };
  for (const auto id : {route->server_id, route->session_id}) {
    if (!inside(id)) violated("route id points outside the path", path);
    if (!parley::sockjs::valid_segment(id) || id.find_first_of("./?") != std::string_view::npos ||
        id.size() > parley::sockjs::kMaxSegmentLength) {
      violated("route with an invalid server or session id", path);
    }
  }
  const std::string_view name = parley::sockjs::transport_name(route->transport);
  if (parley::sockjs::transport_from_name(name) != route->transport) {
    violated("transport names do not round-trip", name);
  }
  const std::string rebuilt = "/" + std::string(route->server_id) + "/" +
                              std::string(route->session_id) + "/" + std::string(name);
  if (rebuilt != bare) violated("session route does not rebuild its path", path);
}

// ---------------------------------------------------------------------------------------------
// Origin

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The default policy as origin.hpp states it: same authority as Host, or a loopback host
// with an optional numeric port.
bool default_policy(std::string_view origin, std::string_view host) {
  const std::size_t scheme = origin.find("://");
  if (scheme == std::string_view::npos) return false;
  std::string_view authority = origin.substr(scheme + 3);
  authority = authority.substr(0, authority.find('/'));
  if (authority.empty()) return false;
  if (!host.empty() && iequals(authority, host)) return true;
  for (const std::string_view loopback : {"localhost", "127.0.0.1", "[::1]"}) {
    if (authority.size() < loopback.size() ||
        !iequals(authority.substr(0, loopback.size()), loopback)) {
      continue;
    }
    const std::string_view port = authority.substr(loopback.size());
    if (port.empty()) return true;
    if (port.front() == ':' && port.find_first_not_of("0123456789", 1) == std::string_view::npos) {
      return true;
    }
  }
  return false;
}

void check_origin(std::string_view input) {
  // origin \n host
  const std::string_view origin = input.substr(0, input.find('\n'));
  const std::string_view host =
      origin.size() < input.size() ? input.substr(origin.size() + 1) : std::string_view{};
  const std::vector<std::string> none;
  const bool allowed = parley::net::origin_allowed(none, origin, host);
  if (origin.empty() && !allowed) violated("a request without Origin was refused", input);
  if (!origin.empty() && allowed != default_policy(origin, host)) {
    violated(allowed ? "default policy let a foreign origin in" : "default policy refused", input);
  }
  const std::vector<std::string> list{"https://meet.example.org", std::string(host)};
  const bool listed = parley::net::origin_allowed(list, origin, host);
  const bool expected =
      origin.empty() || host == "*" || iequals(origin, list[0]) || iequals(origin, host);
  if (listed != expected) violated("configured list is not exact", input);
  if (!parley::net::origin_allowed({"*"}, origin, host)) violated("\"*\" refused", input);
}

// ---------------------------------------------------------------------------------------------
// Dates and content types

void check_date(std::string_view input) {
  if (const auto t = parley::net::parse_http_date(input)) {
    const std::string text = parley::net::format_http_date(*t);
    if (text.size() != 29 || !text.ends_with(" GMT")) violated("bad IMF-fixdate", text);
    if (parley::net::parse_http_date(text) != *t) violated("date does not round-trip", input);
  }
  if (input.size() >= 5) {
    // Any second from year 0 to 9999 formats and parses back.
    std::int64_t raw = 0;
    for (int i = 0; i < 5; ++i) raw = raw * 256 + static_cast<unsigned char>(input[i]);
    constexpr std::int64_t kYear0 = -62167219200;  // 0000-01-01T00:00:00Z
    constexpr std::int64_t kSpan = 315569520000;   // 10000 years of seconds
    const std::chrono::sys_seconds t{std::chrono::seconds{kYear0 + raw % kSpan}};
    const std::string text = parley::net::format_http_date(t);
    if (parley::net::parse_http_date(text) != t) violated("formatted date does not parse", text);
  }
}

void check_mime(std::string_view path) {
  const std::string_view ext = parley::net::file_extension(path);
  if (!ext.empty()) {
    if (!path.ends_with(ext) || path[path.size() - ext.size() - 1] != '.' ||
        ext.find_first_of("./") != std::string_view::npos) {
      violated("file_extension is not the last segment's suffix", path);
    }
  }
  std::string lower(path);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (parley::net::mime_type_for(path) != parley::net::mime_type_for(lower)) {
    violated("mime_type_for depends on case", path);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
    case 1:  // a request target for the web root
      check_static(input);
      break;
    case 2:  // a path below the SockJS prefix
      check_route(input);
      break;
    case 3:  // Origin and Host
      check_origin(input);
      break;
    case 4:
      check_date(input);
      break;
    default:
      check_mime(input);
      break;
  }
  return 0;
}
