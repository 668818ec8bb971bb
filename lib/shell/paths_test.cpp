#include "shell/paths.h"

#include <doctest/doctest.h>

using namespace preloop::shell;

TEST_CASE("normalize_path") {
  CHECK(normalize_path("a/../b/./c/", "/x/y") == "/x/y/b/c");
  CHECK(normalize_path("~/x", "/cwd", "/home/u") == "/home/u/x");
  CHECK(normalize_path("~", "/cwd", "/home/u") == "/home/u");
  CHECK(normalize_path("/../..", "/cwd") == "/");
  CHECK(normalize_path("//etc///passwd", "/") == "/etc/passwd");
  CHECK(normalize_path("rel", "") == "rel");
  CHECK(normalize_path("/a/b", "") == "/a/b");
  CHECK(normalize_path("a/b", "/") == "/a/b");
  CHECK(normalize_path("../a", "") == "../a");
  CHECK(normalize_path("a/..", "") == ".");
  CHECK(normalize_path("/a/.", "") == "/a");
  CHECK(normalize_path("/a/..b/.c", "") == "/a/..b/.c");
  CHECK(normalize_path("", "") == ".");
  CHECK(is_normal_path("/a/b"));
  CHECK(is_normal_path("a"));
  CHECK(is_normal_path("/"));
  CHECK_FALSE(is_normal_path(""));
  CHECK_FALSE(is_normal_path("/a//b"));
  CHECK_FALSE(is_normal_path("/a/"));
  CHECK_FALSE(is_normal_path("/."));
  CHECK_FALSE(is_normal_path("a/../b"));
}

TEST_CASE("path_under is component-wise") {
  CHECK(path_under("/etc/hosts", "/etc"));
  CHECK(path_under("/etc", "/etc/"));
  CHECK_FALSE(path_under("/etc2", "/etc"));
  CHECK(path_under("/anything", "/"));
  CHECK_FALSE(path_under("/x", ""));
  CHECK_FALSE(path_under("$X/y", "/"));
}

TEST_CASE("path_covers models what a deletion hits") {
  CHECK(path_covers("/", "/etc"));
  CHECK(path_covers("/*", "/etc"));
  CHECK(path_covers("/*", "/"));
  CHECK(path_covers("/e?c", "/etc"));
  CHECK(path_covers("/home/user", "/home/user/project"));
  CHECK(path_covers("/home/user/*", "/home/user"));
  CHECK(path_covers("/home/?*", "/home/user/project"));
  CHECK_FALSE(path_covers("/home/user/?*", "/home/user"));
  CHECK_FALSE(path_covers("/etc/nginx", "/etc"));
  CHECK_FALSE(path_covers("/tmp/x", "/"));
  CHECK_FALSE(path_covers("/p/*.log", "/p"));
  CHECK_FALSE(path_covers("/p/*", "/p/.git"));    // * does not match a leading dot
  CHECK(path_covers("/p/.*", "/p/.git"));
  CHECK_FALSE(path_covers("$X", "/"));
}

TEST_CASE("glob_match") {
  CHECK(glob_match("/home/u/project/.env", "**/.env*"));
  CHECK(glob_match(".env.local", "**/.env*"));
  CHECK(glob_match("/etc/claude-code", "/etc/claude-code/**"));
  CHECK(glob_match("/etc/claude-code/a/b.json", "/etc/claude-code/**"));
  CHECK(glob_match("/dev/sda1", "/dev/sd*"));
  CHECK_FALSE(glob_match("/dev/null", "/dev/sd*"));
  CHECK(glob_match("/a/b/c.pem", "**/*.pem"));
  CHECK_FALSE(glob_match("/a/b/c.pem.txt", "**/*.pem"));
  CHECK(glob_match("/x/settings.local.json", "**/settings*.json"));
  // The last components decide first; trailing slashes do not count.
  CHECK(glob_match("/a/b/c/", "/a/*/c"));
  CHECK(glob_match("/a/b/c", "/a/*/c/"));
  CHECK_FALSE(glob_match("/a/.env/x", "**/.env"));
  CHECK(glob_match("/a/.env/x", "**/.env/**"));
  CHECK_FALSE(glob_match("/", "**/.env"));
  CHECK(glob_match("/a/b", "**"));
  CHECK(component_match("abc", "a[a-c]c"));
  CHECK_FALSE(component_match("abc", "a[!b]c"));
  CHECK(glob_match("//dev//sda", "/dev/sd*"));
  CHECK(glob_match("dev/sda", "dev/sd*"));
  CHECK_FALSE(glob_match("/home/dev/sda", "/dev/sd*"));
  CHECK(glob_match("/dev/sda", "/[d]ev/sd*"));
  // paths and patterns with more components than are kept in place
  std::string deep, pattern;
  for (int i = 0; i < 100; ++i) deep += "/d" + std::to_string(i);
  for (int i = 0; i < 99; ++i) pattern += "/d" + std::to_string(i);
  CHECK(glob_match(deep + "/.env", "**/.env"));
  CHECK(glob_match(deep, pattern + "/d*"));
  CHECK_FALSE(glob_match(deep, pattern + "/e*"));
  CHECK(glob_match(deep + "/x.pem", pattern + "/**/*.pem"));
  CHECK(normalize_path(deep + "/../x", "") == deep.substr(0, deep.rfind('/')) + "/x");
}
