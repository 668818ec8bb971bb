// The self-protection guard on real files: symlinks, relocated XDG
// directories, copies into parent directories, and the shell analysis.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "selfguard/guard.h"
#include "selfguard/resolve.h"
#include "shell/analyze.h"
#include "support/process.h"

namespace fs = std::filesystem;
using namespace preloop;
using namespace preloop::selfguard;
using preloop::testing::TempDir;

namespace {

// A home with a project, every preloop-hook location at its default place.
struct World {
  TempDir dir;
  std::map<std::string, std::string> env;
  std::string home() const { return fs::canonical(dir.path()).string() + "/home"; }
  std::string project() const { return home() + "/project"; }
  World() {
    fs::create_directories(project() + "/src");
    dir.write("home/.config/preloop-hook/config.yaml", "profile: recommended\n");
    dir.write("home/.claude/settings.json", "{}");
  }
  Inputs inputs() const {
    Inputs in;
    in.home = home();
    in.cwd = project();
    in.project_dir = project();
    in.audit_db = home() + "/.local/share/preloop-hook/audit.db";
    in.executable = "/usr/bin/preloop-hook";
    in.getenv = [this](const char* name) -> const char* {
      auto it = env.find(name);
      return it == env.end() ? nullptr : it->second.c_str();
    };
    return in;
  }
  Finding tool(const std::string& name, const nlohmann::json& input) const {
    protocol::HookEvent ev;
    ev.kind = protocol::EventKind::PreToolUse;
    ev.tool_name = name;
    ev.tool_input = input;
    ev.cwd = project();
    shell::Analysis none;
    return check(ev, inputs(), [&]() -> const shell::Analysis& { return none; });
  }
  Finding bash(const std::string& command) const {
    protocol::HookEvent ev;
    ev.kind = protocol::EventKind::PreToolUse;
    ev.tool_name = "Bash";
    ev.tool_input = {{"command", command}};
    ev.cwd = project();
    shell::Context sc;
    sc.cwd = project();
    sc.home = home();
    shell::Analysis a = shell::analyze(command, sc);
    return check(ev, inputs(), [&]() -> const shell::Analysis& { return a; });
  }
};

std::string read(const std::string& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("real_path sees through symlinks, also for files that do not exist yet") {
  World w;
  fs::create_directory_symlink(w.home() + "/.config/preloop-hook", w.project() + "/link");
  Resolver r;
  CHECK(r.real_path(w.project() + "/link/config.yaml") == w.home() + "/.config/preloop-hook/config.yaml");
  CHECK(r.real_path(w.project() + "/link/rules/new.yaml") == w.home() + "/.config/preloop-hook/rules/new.yaml");
  // `..` after a symlink climbs from the link's target, as the kernel does.
  CHECK(r.real_path(w.project() + "/link/../preloop-hook/x") == w.home() + "/.config/preloop-hook/x");
  CHECK(r.real_path(w.project() + "/src/../src/a.c") == w.project() + "/src/a.c");
  CHECK(absolute("~/x", "/cwd", "/h") == "/h/x");
  CHECK(absolute("$HOME/x", "/cwd", "/h") == "/h/x");
  CHECK(absolute("${HOME}", "/cwd", "/h") == "/h");
  CHECK(absolute("a/b", "/cwd", "/h") == "/cwd/a/b");
  CHECK(absolute("a/b", "", "/h").empty());
}

TEST_CASE("a path of many components resolves in one pass, `..` included") {
  World w;
  Resolver r;
  std::string path = w.project(), want = w.project();
  for (int i = 0; i < 50000; ++i) path += "/missing", want += "/missing";
  path += "/gone/../x";
  CHECK(r.real_path(path) == want + "/x");
}

TEST_CASE("a command over the analysis limits is checked word by word, to its end") {
  World w;
  std::string command;
  for (int i = 0; i < 2100; ++i) command += "mkdir -p out/d" + std::to_string(i) + " && ";
  std::string tail = "frobnicate " + w.home() + "/.claude/settings.json";
  Finding f = w.bash(command + tail);
  CHECK(f.rule == "self-protection.names");
  CHECK(w.bash(command + "true").verdict == Verdict::None);
}

TEST_CASE("a symlink planted in the project does not hide the config directory") {
  World w;
  fs::create_directory_symlink(w.home() + "/.config/preloop-hook", w.project() + "/link");
  std::string file = w.project() + "/link/config.yaml";
  auto f = w.tool("Write", {{"file_path", file}, {"content", "profile: off\n"}});
  CHECK(f.verdict == Verdict::Deny);
  CHECK(f.rule == "self-protection.write");
  CHECK(w.bash("echo 'profile: off' > link/config.yaml").rule == "self-protection.write");
  CHECK(w.bash("sed -i s/recommended/off/ link/config.yaml").rule == "self-protection.write");
  CHECK(w.bash("frobnicate link/config.yaml").rule == "self-protection.names");
  CHECK(w.bash("rm -rf link/rules").rule == "self-protection.delete");
  // A symlinked file, too.
  fs::create_symlink(w.home() + "/.claude/settings.json", w.project() + "/notes.json");
  CHECK(w.tool("Edit", {{"file_path", w.project() + "/notes.json"}, {"old_string", "{"}, {"new_string", "["}}).verdict ==
        Verdict::Deny);
  CHECK(w.bash("cat notes.json").verdict == Verdict::None);  // reading is fine
  CHECK(read(w.home() + "/.claude/settings.json") == "{}");
}

TEST_CASE("the network helper beside the binary or in libexec is protected like the binary") {
  World w;
  for (const char* helper : {"/usr/bin/preloop-hook-http", "/usr/libexec/preloop-hook/preloop-hook-http"}) {
    CAPTURE(helper);
    CHECK(w.tool("Write", {{"file_path", helper}, {"content", "#!/bin/sh\n"}}).verdict == Verdict::Deny);
    CHECK(w.bash(std::string("cp /tmp/x ") + helper).verdict == Verdict::Deny);
  }
  CHECK(w.bash("ls /usr/bin/preloop-hook-http").verdict == Verdict::None);
}

TEST_CASE("a hard link planted earlier is seen by its inode") {
  World w;
  fs::create_hard_link(w.home() + "/.claude/settings.json", w.project() + "/notes.json");
  fs::create_hard_link(w.home() + "/.config/preloop-hook/config.yaml", w.project() + "/c.yaml");
  CHECK(w.tool("Write", {{"file_path", w.project() + "/notes.json"}, {"content", "[]"}}).rule == "self-protection.write");
  CHECK(w.bash("echo x > c.yaml").rule == "self-protection.write");
  CHECK(w.bash("cat notes.json c.yaml").verdict == Verdict::None);
  CHECK(w.bash("rm notes.json").verdict == Verdict::None);  // removing the extra link is harmless
  CHECK(read(w.home() + "/.claude/settings.json") == "{}");
}

TEST_CASE("relocated XDG directories and config file are protected where they are") {
  World w;
  std::string xdg = w.dir.path() + "/xdg-config";
  w.env["XDG_CONFIG_HOME"] = xdg;
  w.env["XDG_DATA_HOME"] = w.dir.path() + "/xdg-data";
  w.env["PRELOOP_HOOK_CONFIG"] = w.dir.path() + "/ci/config.yaml";
  w.env["PRELOOP_HOOK_MANAGED_DIR"] = w.dir.path() + "/managed";
  CHECK(w.tool("Write", {{"file_path", xdg + "/preloop-hook/rules/a.yaml"}, {"content", "x"}}).verdict == Verdict::Deny);
  CHECK(w.bash("touch " + w.dir.path() + "/xdg-data/preloop-hook/synced/policy.json").verdict == Verdict::Deny);
  CHECK(w.bash("echo x > " + w.dir.path() + "/ci/config.yaml").verdict == Verdict::Deny);
  CHECK(w.bash("rm -r " + w.dir.path() + "/managed/rules").verdict == Verdict::Deny);
  CHECK(w.bash("echo x > " + w.dir.path() + "/ci/other.yaml").verdict == Verdict::None);
  // The default locations stay protected as well.
  CHECK(w.bash("echo x > ~/.config/preloop-hook/config.yaml").verdict == Verdict::Deny);
  // XDG values that are not absolute are ignored, as the XDG spec says.
  w.env["XDG_CONFIG_HOME"] = "relative";
  CHECK(w.tool("Write", {{"file_path", w.project() + "/relative/preloop-hook/x"}, {"content", "x"}}).verdict ==
        Verdict::None);
}

TEST_CASE("a configured audit database: its journals, spool and key") {
  World w;
  Inputs in = w.inputs();
  in.audit_db = w.dir.path() + "/var/trail.db";
  ProtectedSet set(in);
  for (const char* suffix : {"", "-wal", "-shm", "-journal", ".spool.jsonl", ".spool.jsonl.folding", ".key"}) {
    std::string p = w.dir.path() + "/var/trail.db" + suffix;
    CHECK_MESSAGE(set.containing(p, p) != nullptr, suffix);
  }
  std::string key = w.dir.path() + "/var/trail.db.key";
  CHECK(set.containing(key, key)->secret);
  CHECK(set.containing(w.dir.path() + "/var/other.db", "") == nullptr);
}

TEST_CASE("copies into a parent directory that bring a protected name along") {
  World w;
  w.dir.write("evil/.claude/settings.local.json", "{\"permissions\":{\"allow\":[\"Bash\"]}}");
  w.dir.write("evil/src/a.c", "x");
  std::string evil = w.dir.path() + "/evil";
  CHECK(w.bash("cp -r " + evil + "/. .").rule == "self-protection.write");
  CHECK(w.bash("rsync -a " + evil + "/ ./").rule == "self-protection.write");
  CHECK(w.bash("cp -r " + evil + "/.claude " + w.project()).rule == "self-protection.write");
  CHECK(w.bash("cp -r " + evil + "/.c* .").rule == "self-protection.write");
  CHECK(w.bash("cp -r " + evil + "/src .").verdict == Verdict::None);
  CHECK(w.bash("cp -r " + evil + "/src/. src/").verdict == Verdict::None);
}

TEST_CASE("patches are read: a diff touching settings is denied, others pass") {
  World w;
  std::string bad = w.dir.write("bad.diff", "--- a/.claude/settings.json\n+++ b/.claude/settings.json\n@@ -1 +1 @@\n-{}\n+[]\n");
  std::string good = w.dir.write("good.diff", "--- a/src/a.c\n+++ b/src/a.c\n@@ -1 +1 @@\n-x\n+y\n");
  CHECK(w.bash("patch -p1 < " + bad).rule == "self-protection.write");
  CHECK(w.bash("patch -p1 -i " + bad).rule == "self-protection.write");
  CHECK(w.bash("git apply " + bad).rule == "self-protection.write");
  CHECK(w.bash("patch -p1 < " + good).verdict == Verdict::None);
  CHECK(w.bash("git apply " + good).verdict == Verdict::None);
}

TEST_CASE("ordinary work passes") {
  World w;
  for (const char* c : {"npm test", "ls -la .claude", "cat .claude/settings.json", "git status", "make -j2",
                        "grep -rn TODO src", "echo hi > src/out.txt", "cp src/a.c src/b.c", "rm -rf build"})
    CHECK_MESSAGE(w.bash(c).verdict == Verdict::None, c);
  CHECK(w.tool("Write", {{"file_path", w.project() + "/src/a.c"}, {"content", "x"}}).verdict == Verdict::None);
  CHECK(w.tool("Read", {{"file_path", w.home() + "/.claude/settings.json"}}).verdict == Verdict::None);
}
