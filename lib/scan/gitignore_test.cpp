#include <doctest/doctest.h>

#include "scan/gitignore.h"

using namespace preloop::scan;

TEST_CASE("glob_match: *, ?, classes and **") {
  CHECK(glob_match("*.log", "debug.log"));
  CHECK_FALSE(glob_match("*.log", "a/debug.log"));
  CHECK(glob_match("**/*.log", "a/b/debug.log"));
  CHECK(glob_match("**/*.log", "debug.log"));
  CHECK(glob_match("a/**/z", "a/z"));
  CHECK(glob_match("a/**/z", "a/b/c/z"));
  CHECK(glob_match("file?.txt", "file1.txt"));
  CHECK_FALSE(glob_match("file?.txt", "file/.txt"));
  CHECK(glob_match("[a-c]x", "bx"));
  CHECK_FALSE(glob_match("[!a-c]x", "bx"));
  CHECK(glob_match("\\*lit", "*lit"));
  CHECK_FALSE(glob_match("\\*lit", "xlit"));
}

TEST_CASE("IgnoreRules: anchoring, directories only, negation, nested files") {
  IgnoreRules r;
  r.add_file("", "# comment\nbuild/\n*.log\n!keep.log\n/top.txt\ndocs/*.md\n");
  r.add_file("sub", "local-*\n");
  CHECK(r.ignored("build", true));
  CHECK_FALSE(r.ignored("build", false));  // a file named build is not a directory
  CHECK(r.ignored("x/build", true));
  CHECK(r.ignored("a/b/c.log", false));
  CHECK_FALSE(r.ignored("keep.log", false));
  CHECK(r.ignored("top.txt", false));
  CHECK_FALSE(r.ignored("sub/top.txt", false));
  CHECK(r.ignored("docs/a.md", false));
  CHECK_FALSE(r.ignored("docs/x/a.md", false));
  CHECK(r.ignored("sub/local-1", false));
  CHECK_FALSE(r.ignored("local-1", false));
}
