#include "net/static_files.hpp"

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "net/builtin_page.hpp"
#include "net/mime.hpp"

namespace parley::net {
namespace {

namespace fs = std::filesystem;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr std::string_view kSecret = "TOP-SECRET-OUTSIDE-ROOT";
constexpr std::string_view kIndex = "<!doctype html><title>app</title><div id=root></div>";

void write_file(const fs::path& path, std::string_view content) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

Request make_request(std::string_view target, http::verb method = http::verb::get) {
  Request req{method, target, 11};
  req.set(http::field::host, "localhost");
  return req;
}

std::string header(const Response& res, http::field field) {
  const auto it = res.find(field);
  return it == res.end() ? std::string{} : std::string{it->value()};
}

std::string header(const Response& res, std::string_view name) {
  const auto it = res.find(name);
  return it == res.end() ? std::string{} : std::string{it->value()};
}

// Layout: <tmp>/secret.txt outside the root, <tmp>/www is the root.
class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    base_ = fs::temp_directory_path() /
            ("parley_static_" + std::to_string(rd()) + "_" + std::to_string(::getpid()));
    root_ = base_ / "www";
    fs::create_directories(root_);
    write_file(base_ / "secret.txt", kSecret);
    write_file(base_ / "www-evil" / "x.txt", kSecret);  // shares a string prefix with the root
    write_file(root_ / "index.html", kIndex);
    write_file(root_ / "app.js", "console.log('app');");
    write_file(root_ / "assets" / "index-4f2a9c.js", "export const x = 1;");
    write_file(root_ / "a" / "b.txt", "b");
    write_file(root_ / "docs" / "index.html", "<p>docs</p>");
    write_file(root_ / ".env", kSecret);
    write_file(root_ / ".git" / "config", kSecret);
    write_file(root_ / "sub" / ".hidden", kSecret);
    write_file(root_ / ".well-known" / "security.txt", "Contact: mailto:sec@example.com");
  }

  void TearDown() override {
    std::error_code ec;
    fs::remove_all(base_, ec);
  }

  Response get(std::string_view target, http::verb method = http::verb::get) const {
    return files_->serve(make_request(target, method));
  }

  void make_files(StaticFilesOptions options = {}) {
    files_ = std::make_unique<StaticFiles>(root_, options);
  }

  // Never a 200 and never a byte of anything outside the root.
  void expect_refused(std::string_view target) {
    const Response res = get(target);
    EXPECT_NE(res.result(), http::status::ok) << target;
    EXPECT_EQ(res.body().find(kSecret), std::string::npos) << target;
    EXPECT_EQ(res.body().find("root:"), std::string::npos) << target;
  }

  fs::path base_;
  fs::path root_;
  std::unique_ptr<StaticFiles> files_ = nullptr;
};

TEST_F(StaticFilesTest, ServesFilesWithContentTypes) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"page.html", "text/html; charset=utf-8"},
      {"main.js", "text/javascript; charset=utf-8"},
      {"mod.mjs", "text/javascript; charset=utf-8"},
      {"style.css", "text/css; charset=utf-8"},
      {"data.json", "application/json; charset=utf-8"},
      {"main.js.map", "application/json; charset=utf-8"},
      {"logo.svg", "image/svg+xml; charset=utf-8"},
      {"img.png", "image/png"},
      {"img.jpg", "image/jpeg"},
      {"img.jpeg", "image/jpeg"},
      {"img.gif", "image/gif"},
      {"img.webp", "image/webp"},
      {"favicon.ico", "image/x-icon"},
      {"font.woff", "font/woff"},
      {"font.woff2", "font/woff2"},
      {"font.ttf", "font/ttf"},
      {"robots.txt", "text/plain; charset=utf-8"},
      {"lib.wasm", "application/wasm"},
      {"site.webmanifest", "application/manifest+json; charset=utf-8"},
      {"blob.bin", "application/octet-stream"},
      {"LOUD.PNG", "image/png"},
  };
  for (const auto& [name, type] : cases) write_file(root_ / name, "content of " + name);
  make_files();
  for (const auto& [name, type] : cases) {
    const Response res = get("/" + name);
    ASSERT_EQ(res.result(), http::status::ok) << name;
    EXPECT_EQ(header(res, http::field::content_type), type) << name;
    EXPECT_EQ(res.body(), "content of " + name);
    EXPECT_EQ(header(res, http::field::content_length), std::to_string(res.body().size()));
    EXPECT_EQ(header(res, "X-Content-Type-Options"), "nosniff");
    EXPECT_FALSE(header(res, http::field::etag).empty());
    EXPECT_FALSE(header(res, http::field::last_modified).empty());
    EXPECT_TRUE(header(res, http::field::server).empty());  // the caller's job
  }
}

TEST_F(StaticFilesTest, IndexAndDirectoryIndex) {
  make_files();
  EXPECT_EQ(get("/").body(), kIndex);
  EXPECT_EQ(get("/index.html").body(), kIndex);
  EXPECT_EQ(get("/docs/").body(), "<p>docs</p>");
  EXPECT_EQ(get("/docs").body(), "<p>docs</p>");
  EXPECT_EQ(header(get("/"), http::field::content_type), "text/html; charset=utf-8");
}

TEST_F(StaticFilesTest, QueryStringAndAbsoluteFormAreHandled) {
  make_files();
  EXPECT_EQ(get("/app.js?v=3&x=/../../secret.txt").body(), "console.log('app');");
  EXPECT_EQ(get("http://localhost:8080/app.js").body(), "console.log('app');");
  EXPECT_EQ(get("/a%2Fb.txt").body(), "b");  // decoded slash is a separator
  EXPECT_EQ(get("//a///b.txt").body(), "b");
  EXPECT_EQ(get("not-a-path").result(), http::status::bad_request);
  EXPECT_EQ(get("/app%2").result(), http::status::bad_request);
  EXPECT_EQ(get("/app%zz.js").result(), http::status::bad_request);
}

TEST_F(StaticFilesTest, HeadHasHeadersButNoBody) {
  make_files();
  const Response full = get("/app.js");
  const Response head = get("/app.js", http::verb::head);
  EXPECT_EQ(head.result(), http::status::ok);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(header(head, http::field::content_length), std::to_string(full.body().size()));
  EXPECT_EQ(header(head, http::field::etag), header(full, http::field::etag));
  EXPECT_EQ(header(head, http::field::content_type), header(full, http::field::content_type));
  EXPECT_EQ(header(head, http::field::last_modified), header(full, http::field::last_modified));

  const Response missing = get("/missing.js", http::verb::head);
  EXPECT_EQ(missing.result(), http::status::not_found);
  EXPECT_TRUE(missing.body().empty());
  EXPECT_EQ(header(missing, http::field::content_length), "9");  // "not found"
}

TEST_F(StaticFilesTest, IfNoneMatchGives304) {
  make_files();
  const std::string etag = header(get("/app.js"), http::field::etag);
  ASSERT_EQ(etag.front(), '"');
  ASSERT_EQ(etag.back(), '"');

  for (const std::string& value :
       {etag, "\"other\", " + etag, "W/" + etag, std::string{"*"}, "\"a,b\"," + etag}) {
    Request req = make_request("/app.js");
    req.set(http::field::if_none_match, value);
    const Response res = files_->serve(req);
    EXPECT_EQ(res.result(), http::status::not_modified) << value;
    EXPECT_TRUE(res.body().empty());
    EXPECT_EQ(header(res, http::field::etag), etag);
    EXPECT_EQ(header(res, "X-Content-Type-Options"), "nosniff");
  }

  Request req = make_request("/app.js");
  req.set(http::field::if_none_match, "\"stale\"");
  EXPECT_EQ(files_->serve(req).result(), http::status::ok);

  // Several header lines count as one list.
  Request multi = make_request("/app.js");
  multi.insert(http::field::if_none_match, "\"stale\"");
  multi.insert(http::field::if_none_match, etag);
  EXPECT_EQ(files_->serve(multi).result(), http::status::not_modified);
}

TEST_F(StaticFilesTest, IfModifiedSinceGives304) {
  make_files();
  const Response full = get("/app.js");
  const std::string last_modified = header(full, http::field::last_modified);
  const auto mtime = parse_http_date(last_modified);
  ASSERT_TRUE(mtime.has_value()) << last_modified;

  auto conditional = [&](const std::string& since) {
    Request req = make_request("/app.js");
    req.set(http::field::if_modified_since, since);
    return files_->serve(req).result();
  };
  EXPECT_EQ(conditional(last_modified), http::status::not_modified);
  EXPECT_EQ(conditional(format_http_date(*mtime + std::chrono::hours{1})),
            http::status::not_modified);
  EXPECT_EQ(conditional(format_http_date(*mtime - std::chrono::seconds{1})), http::status::ok);
  EXPECT_EQ(conditional("garbage"), http::status::ok);

  // If-None-Match wins over If-Modified-Since.
  Request req = make_request("/app.js");
  req.set(http::field::if_none_match, "\"stale\"");
  req.set(http::field::if_modified_since, last_modified);
  EXPECT_EQ(files_->serve(req).result(), http::status::ok);
}

TEST_F(StaticFilesTest, TraversalNeverEscapesRoot) {
  make_files();
  for (const char* target : {
           "/../etc/passwd",
           "/../../../../../../etc/passwd",
           "/%2e%2e/%2e%2e/etc/passwd",
           "/%2E%2E/secret.txt",
           "/../secret.txt",
           "/a/../../secret.txt",
           "/a/..%2f..%2fsecret.txt",
           "/a/..%2F..%2Fsecret.txt",
           "/a/%2e%2e%2f%2e%2e%2fsecret.txt",
           "/..\\secret.txt",
           "/a\\..\\..\\secret.txt",
           "/%5c..%5csecret.txt",
           "/app.js%00.html",
           "/%00",
           "/./app.js",
           "/a/./b.txt",
           "/../www-evil/x.txt",
           "/%252e%252e/secret.txt",
           "http://localhost/../secret.txt",
       }) {
    expect_refused(target);
  }
  // Absolute paths are always relative to the root: this one is an SPA route.
  EXPECT_EQ(get("/etc/passwd").body(), kIndex);
}

TEST_F(StaticFilesTest, SymlinksOutOfRootAreRefused) {
  fs::create_symlink(base_ / "secret.txt", root_ / "leak.txt");
  fs::create_symlink(base_, root_ / "up");
  fs::create_symlink("../secret.txt", root_ / "rel.txt");
  fs::create_symlink(base_ / "www-evil", root_ / "evil");
  fs::create_symlink(root_ / "app.js", root_ / "alias.js");  // stays inside: fine
  fs::create_symlink(root_ / ".env", root_ / "env.txt");     // inside, but to a hidden file
  make_files();

  for (const char* target :
       {"/leak.txt", "/up/secret.txt", "/rel.txt", "/evil/x.txt", "/env.txt", "/up/www/.env"}) {
    expect_refused(target);
  }
  // A link to a directory outside is "no such file": an extensionless path, so the SPA.
  EXPECT_EQ(get("/up").body(), kIndex);
  EXPECT_EQ(get("/alias.js").body(), "console.log('app');");
}

TEST_F(StaticFilesTest, DotfilesAreHidden) {
  make_files();
  for (const char* target : {"/.env", "/.git/config", "/.git", "/sub/.hidden", "/%2eenv",
                             "/%2Egit/config", "/a/.well-known/x", "/.well-known/../.env"}) {
    const Response res = get(target);
    EXPECT_EQ(res.result(), http::status::not_found) << target;
    EXPECT_EQ(res.body().find(kSecret), std::string::npos) << target;
  }
  const Response well_known = get("/.well-known/security.txt");
  EXPECT_EQ(well_known.result(), http::status::ok);
  EXPECT_EQ(well_known.body(), "Contact: mailto:sec@example.com");
  // Machines ask for these; they must not get the SPA.
  EXPECT_EQ(get("/.well-known/apple-app-site-association").result(), http::status::not_found);
}

TEST_F(StaticFilesTest, SpaFallbackServesIndex) {
  make_files();
  for (const char* target : {"/r/room-1", "/r/room-1/", "/r/room-1?join=1", "/settings"}) {
    const Response res = get(target);
    EXPECT_EQ(res.result(), http::status::ok) << target;
    EXPECT_EQ(res.body(), kIndex) << target;
    EXPECT_EQ(header(res, http::field::content_type), "text/html; charset=utf-8");
    EXPECT_EQ(header(res, http::field::cache_control), "no-cache");
  }
  // The fallback is conditional like the file itself.
  Request req = make_request("/r/room-1");
  req.set(http::field::if_none_match, header(get("/index.html"), http::field::etag));
  EXPECT_EQ(files_->serve(req).result(), http::status::not_modified);
}

TEST_F(StaticFilesTest, MissingFileWithExtensionIs404) {
  make_files();
  for (const char* target : {"/missing.js", "/r/room.1", "/assets/missing", "/favicon.ico"}) {
    const Response res = get(target);
    EXPECT_EQ(res.result(), http::status::not_found) << target;
    EXPECT_EQ(res.body(), "not found");
    EXPECT_EQ(header(res, http::field::content_type), "text/plain; charset=utf-8");
    EXPECT_EQ(header(res, "X-Content-Type-Options"), "nosniff");
  }
}

TEST_F(StaticFilesTest, OnlyGetAndHeadAreAllowed) {
  make_files();
  for (const auto method : {http::verb::post, http::verb::put, http::verb::delete_,
                            http::verb::options, http::verb::patch}) {
    const Response res = get("/app.js", method);
    EXPECT_EQ(res.result(), http::status::method_not_allowed);
    EXPECT_EQ(header(res, http::field::allow), "GET, HEAD");
    EXPECT_EQ(header(res, "X-Content-Type-Options"), "nosniff");
  }
}

TEST_F(StaticFilesTest, CacheControlByLocation) {
  make_files();
  EXPECT_EQ(header(get("/assets/index-4f2a9c.js"), http::field::cache_control),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(header(get("/index.html"), http::field::cache_control), "no-cache");
  EXPECT_EQ(header(get("/"), http::field::cache_control), "no-cache");
  EXPECT_EQ(header(get("/app.js"), http::field::cache_control), "no-cache");
  EXPECT_EQ(header(get("/assets/nope.js"), http::field::cache_control), "no-cache");

  Request req = make_request("/assets/index-4f2a9c.js");
  req.set(http::field::if_none_match, header(get("/assets/index-4f2a9c.js"), http::field::etag));
  const Response res = files_->serve(req);
  EXPECT_EQ(res.result(), http::status::not_modified);
  EXPECT_EQ(header(res, http::field::cache_control), "public, max-age=31536000, immutable");
}

TEST_F(StaticFilesTest, BuiltinPageWhenRootMissing) {
  for (const fs::path& root : {fs::path{}, base_ / "does-not-exist"}) {
    const StaticFiles files{root};
    EXPECT_FALSE(files.has_root());
    for (const char* target : {"/", "/index.html", "/r/room-1"}) {
      const Response res = files.serve(make_request(target));
      EXPECT_EQ(res.result(), http::status::ok) << target;
      EXPECT_EQ(header(res, http::field::content_type), "text/html; charset=utf-8");
      EXPECT_EQ(header(res, http::field::etag), builtin_page_etag());
      EXPECT_NE(res.body().find("Parley"), std::string::npos);
      EXPECT_NE(res.body().find("/api/health"), std::string::npos);
      EXPECT_NE(res.body().find("/exchange/chat.exchange/room."), std::string::npos);
      EXPECT_NE(res.body().find("@stomp/stompjs"), std::string::npos);
      EXPECT_EQ(header(res, "X-Content-Type-Options"), "nosniff");
    }
    EXPECT_EQ(files.serve(make_request("/missing.js")).result(), http::status::not_found);
    EXPECT_EQ(files.serve(make_request("/../secret.txt")).result(), http::status::not_found);

    Request req = make_request("/");
    req.set(http::field::if_none_match, builtin_page_etag());
    EXPECT_EQ(files.serve(req).result(), http::status::not_modified);
    const Response head = files.serve(make_request("/", http::verb::head));
    EXPECT_TRUE(head.body().empty());
    EXPECT_EQ(header(head, http::field::content_length),
              std::to_string(builtin_page_html().size()));
  }
}

TEST_F(StaticFilesTest, BuiltinPageWhenRootHasNoIndex) {
  fs::remove(root_ / "index.html");
  make_files();
  EXPECT_TRUE(files_->has_root());
  EXPECT_EQ(get("/").body(), builtin_page_html());
  EXPECT_EQ(get("/index.html").body(), builtin_page_html());
  EXPECT_EQ(get("/r/x").body(), builtin_page_html());
  EXPECT_EQ(get("/app.js").body(), "console.log('app');");
}

TEST_F(StaticFilesTest, BuiltinPageIsSelfContained) {
  const std::string_view html = builtin_page_html();
  EXPECT_TRUE(html.starts_with("<!doctype html>"));
  EXPECT_EQ(html.find("src=\"http"), std::string_view::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string_view::npos);
  EXPECT_EQ(html.find("<link"), std::string_view::npos);
  EXPECT_NE(html.find("/stomp"), std::string_view::npos);
  EXPECT_NE(html.find("/metrics"), std::string_view::npos);
  EXPECT_NE(html.find("/chat/room."), std::string_view::npos);
}

TEST_F(StaticFilesTest, NonRegularFilesAreNotServed) {
  ASSERT_EQ(::mkfifo((root_ / "pipe.txt").c_str(), 0600), 0);
  make_files();
  EXPECT_EQ(get("/pipe.txt").result(), http::status::not_found);  // and does not block
  EXPECT_EQ(get("/a").body(), kIndex);  // directory without index.html: SPA fallback
}

TEST_F(StaticFilesTest, CachesSmallFilesAndNoticesChanges) {
  write_file(root_ / "big.bin", std::string(300, 'x'));
  make_files({.max_file_bytes = 1000, .max_cached_file_bytes = 100, .max_cache_bytes = 1000});
  EXPECT_EQ(get("/app.js").body(), "console.log('app');");
  EXPECT_EQ(files_->cached_files(), 1U);
  EXPECT_EQ(get("/app.js").body(), "console.log('app');");
  EXPECT_EQ(files_->cached_files(), 1U);
  EXPECT_EQ(files_->cached_bytes(), std::string_view{"console.log('app');"}.size());

  // Too big to cache, still served.
  EXPECT_EQ(get("/big.bin").body(), std::string(300, 'x'));
  EXPECT_EQ(files_->cached_files(), 1U);

  // A new build: different size and mtime, new content and ETag.
  const std::string old_etag = header(get("/app.js"), http::field::etag);
  write_file(root_ / "app.js", "console.log('v2');!");
  fs::last_write_time(root_ / "app.js",
                      fs::last_write_time(root_ / "app.js") + std::chrono::seconds{5});
  const Response fresh = get("/app.js");
  EXPECT_EQ(fresh.body(), "console.log('v2');!");
  EXPECT_NE(header(fresh, http::field::etag), old_etag);
  EXPECT_EQ(files_->cached_files(), 1U);
}

TEST_F(StaticFilesTest, CacheRespectsTotalCap) {
  for (int i = 0; i < 10; ++i)
    write_file(root_ / ("f" + std::to_string(i) + ".txt"), std::string(40, 'a' + i));
  make_files({.max_file_bytes = 1000, .max_cached_file_bytes = 100, .max_cache_bytes = 100});
  for (int i = 0; i < 10; ++i) {
    const std::string name = "/f" + std::to_string(i) + ".txt";
    EXPECT_EQ(get(name).body(), std::string(40, 'a' + i));
    EXPECT_LE(files_->cached_bytes(), 100U);
  }
  EXPECT_EQ(files_->cached_files(), 2U);
}

TEST_F(StaticFilesTest, FilesOverTheLimitAreRefused) {
  write_file(root_ / "huge.bin", std::string(2000, 'x'));
  make_files({.max_file_bytes = 1000, .max_cached_file_bytes = 100, .max_cache_bytes = 1000});
  const Response res = get("/huge.bin");
  EXPECT_EQ(res.result(), http::status::internal_server_error);
  EXPECT_EQ(res.body(), "file too large");
}

TEST_F(StaticFilesTest, ConcurrentServeIsSafe) {
  for (int i = 0; i < 8; ++i)
    write_file(root_ / ("c" + std::to_string(i) + ".txt"), std::string(64, 'a' + i));
  make_files({.max_file_bytes = 1000, .max_cached_file_bytes = 100, .max_cache_bytes = 200});
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < 200; ++n) {
        const int i = (n + t) % 8;
        const Response res = get("/c" + std::to_string(i) + ".txt");
        if (res.body() != std::string(64, 'a' + i)) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(files_->cached_bytes(), 200U);
}

TEST_F(StaticFilesTest, MovedFromInstanceKeepsWorking) {
  make_files();
  StaticFiles moved = std::move(*files_);
  EXPECT_EQ(moved.serve(make_request("/app.js")).body(), "console.log('app');");
}

TEST(HttpDate, FormatsImfFixdate) {
  using namespace std::chrono;
  const sys_seconds t = sys_days{1994y / November / 6} + 8h + 49min + 37s;
  EXPECT_EQ(format_http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format_http_date(sys_seconds{}), "Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST(HttpDate, ParsesAllThreeFormats) {
  using namespace std::chrono;
  const sys_seconds expected = sys_days{1994y / November / 6} + 8h + 49min + 37s;
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), expected);
  EXPECT_EQ(parse_http_date("Sun Nov 16 08:49:37 1994"), expected + days{10});
  EXPECT_EQ(parse_http_date("Thursday, 01-Jan-26 00:00:00 GMT"), sys_days{2026y / 1 / 1});
}

TEST(HttpDate, RejectsMalformed) {
  for (const char* text : {"", "garbage", "Sun, 06 Nov 1994 08:49:37",
                           "Sun, 06 Nov 1994 08:49:37 UTC", "sun, 06 Nov 1994 08:49:37 GMT",
                           "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
                           "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT ",
                           "Sunday, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT"}) {
    EXPECT_FALSE(parse_http_date(text).has_value()) << text;
  }
}

TEST(HttpDate, RoundTrips) {
  using namespace std::chrono;
  for (const sys_seconds t : {sys_seconds{}, sys_seconds{seconds{1'700'000'000}},
                              sys_seconds{sys_days{2000y / February / 29}} + 23h + 59min + 59s}) {
    EXPECT_EQ(parse_http_date(format_http_date(t)), t);
  }
}

TEST(Mime, ExtensionAndType) {
  EXPECT_EQ(file_extension("/assets/app.js"), "js");
  EXPECT_EQ(file_extension("/r/room-1"), "");
  EXPECT_EQ(file_extension("/.env"), "");
  EXPECT_EQ(file_extension("/dir.d/file"), "");
  EXPECT_EQ(file_extension("archive.tar.gz"), "gz");
  EXPECT_EQ(mime_type_for("x.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type_for("x.unknown"), "application/octet-stream");
  EXPECT_EQ(mime_type_for("noext"), "application/octet-stream");
}

}  // namespace
}  // namespace parley::net
