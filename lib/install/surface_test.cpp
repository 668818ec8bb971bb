#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "install/guard_files.h"
#include "install/surface.h"

namespace fs = std::filesystem;
using namespace preloop::install;

namespace {

struct Tree {
  fs::path root;
  Tree() {
    std::string t = (fs::temp_directory_path() / "surface-test-XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    root = t;
    ::chmod(root.c_str(), 0755);
  }
  ~Tree() { fs::remove_all(root); }
  fs::path file(const std::string& rel, mode_t mode) const {
    fs::path p = root / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "x";
    ::chmod(p.c_str(), mode);
    return p;
  }
  fs::path dir(const std::string& rel, mode_t mode) const {
    fs::path p = root / rel;
    fs::create_directories(p);
    ::chmod(p.c_str(), mode);
    return p;
  }
};

// A user that owns none of the test's files (they belong to the user running the test).
Principal stranger(uid_t uid = 4242, gid_t gid = 4242) {
  Principal p;
  p.uid = uid;
  p.groups = {gid};
  p.name = "stranger";
  return p;
}

}  // namespace

TEST_CASE("a path is on the surface when it, or a directory above it, can be written") {
  Tree t;
  Principal other = stranger();
  t.dir("etc", 0755);
  fs::path safe = t.file("etc/config.yaml", 0644);
  CHECK_FALSE(changeable_by(safe, other));

  fs::path open_file = t.file("etc/open.yaml", 0666);
  CHECK(changeable_by(open_file, other) == std::string("writable"));

  t.dir("shared", 0777);
  fs::path in_open_dir = t.file("shared/sub/policy.yaml", 0644);
  ::chmod((t.root / "shared" / "sub").c_str(), 0755);
  auto why = changeable_by(in_open_dir, other);
  REQUIRE(why);
  CHECK(why->find(t.root.string() + "/shared is writable") != std::string::npos);

  CHECK(changeable_by(t.root / "shared" / "absent.yaml", other).has_value());
  CHECK_FALSE(changeable_by(t.root / "etc" / "absent.yaml", other));

  // Owner and group bits.
  Principal owner = stranger(::getuid(), 4242);
  CHECK(changeable_by(safe, owner) == std::string("writable"));
  fs::path group_file = t.file("etc/group.yaml", 0664);
  CHECK(changeable_by(group_file, stranger(4242, ::getgid())) == std::string("writable"));
  CHECK_FALSE(changeable_by(group_file, other));

  Principal root;
  root.uid = 0;
  CHECK(changeable_by(safe, root).has_value());
}

TEST_CASE("a sticky directory protects other users' entries") {
  Tree t;
  t.dir("tmp", 01777);
  t.dir("tmp/theirs", 0755);
  fs::path f = t.file("tmp/theirs/file", 0644);
  ::chmod((t.root / "tmp").c_str(), 01777);
  CHECK_FALSE(changeable_by(f, stranger()));
  CHECK(changeable_by(t.root / "tmp" / "new-file", stranger()).has_value());  // anyone may create there
}

TEST_CASE("the guard's files include every layer and scope") {
  ClaudeLocations loc;
  loc.user_dir = "/h/.claude";
  loc.project_dir = "/p";
  loc.managed_dir = "/etc/claude-code";
  auto files = guard_files(loc, nullptr, "/usr/bin/preloop-hook");
  auto has = [&](const std::string& role, bool enforcing) {
    for (const auto& f : files)
      if (f.role == role) return f.enforcing == enforcing;
    return false;
  };
  CHECK(has("binary", true));
  CHECK(has("managed config", true));
  CHECK(has("managed rules", true));
  CHECK(has("policy snapshot", false));
  CHECK(has("managed policy snapshot", true));
  CHECK(has("claude settings (managed)", true));
  CHECK(has("claude settings (user)", false));
  CHECK(has("claude settings (project)", false));
  CHECK(has("user rules", false));
  CHECK(has("project rules", false));
  CHECK(has("synced policy", false));
  CHECK(has("audit store", false));
  CHECK(has("audit journal", false));
  CHECK(has("audit key", false));
  CHECK(has("fingerprint state", false));
}
