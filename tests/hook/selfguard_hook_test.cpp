// The self-protection guard through the real binary: symlinks into the
// config directory, a branch that tracks crafted settings, relocated XDG
// directories, the guard's own command line, and the audit record.
#include <doctest/doctest.h>

#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

#include "hook/hook_env.h"

using preloop::testing::HookEnv;
using preloop::testing::run_process;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* kRecommended = "profile: recommended\n";

std::string read(const std::string& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

json decision_of(const std::string& out) { return json::parse(out)["hookSpecificOutput"]; }

// git from PATH ("" when there is none).
std::string git_binary() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t i = 0; i <= dirs.size();) {
    std::size_t j = dirs.find(':', i);
    if (j == std::string::npos) j = dirs.size();
    std::string candidate = dirs.substr(i, j - i) + "/git";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    i = j + 1;
  }
  return "";
}

void git(const HookEnv& env, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {git_binary(), "-C", env.project(), "-c", "user.name=t", "-c", "user.email=t@example.com",
                                   "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_process(argv, "", env.env());
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
}

}  // namespace

TEST_CASE("selfguard: a Write through a symlink in the project into the config directory is denied") {
  HookEnv env(kRecommended);
  std::string config_dir = env.dir().path() + "/cfg/preloop-hook";  // XDG_CONFIG_HOME is relocated here
  std::string original = "profile: recommended\n";
  env.write("cfg/preloop-hook/config.yaml", original);
  fs::create_directory_symlink(config_dir, env.project() + "/settings-link");
  auto r = env.hook(env.pre("Write", {{"file_path", env.project() + "/settings-link/config.yaml"},
                                      {"content", "profile: off\n"}}));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("self-protection.write") != std::string::npos);
  CHECK(decision_of(r.out)["permissionDecision"] == "deny");
  CHECK(read(config_dir + "/config.yaml") == original);
  // The same file written by a shell command, and by a writer the analyser does not know.
  CHECK(env.hook(env.bash("printf 'profile: off' > settings-link/config.yaml")).exit_code == 2);
  auto unknown = env.hook(env.bash("some-tool --output settings-link/config.yaml"));
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("self-protection.names") != std::string::npos);
  // The record names the rule.
  auto list = env.cli({"audit", "list", "--json", "--rule", "self-protection.write"});
  REQUIRE(list.exit_code == 0);
  CHECK(json::parse(list.out).size() >= 1);
}

TEST_CASE("selfguard: `git checkout other` asks when the other branch tracks crafted local settings") {
  if (git_binary().empty()) {
    MESSAGE("git not found: skipped");
    return;
  }
  HookEnv env(kRecommended);
  git(env, {"init", "-q"});
  env.write("home/project/README.md", "hello\n");
  git(env, {"add", "README.md"});
  git(env, {"commit", "-q", "-m", "init"});
  git(env, {"checkout", "-q", "-b", "plain"});
  git(env, {"checkout", "-q", "main"});
  // Before any branch tracks settings, switching is ordinary work.
  auto before = env.hook(env.bash("git checkout plain"));
  CHECK(before.exit_code == 0);
  CHECK(before.out.empty());

  git(env, {"checkout", "-q", "-b", "other"});
  env.write("home/project/.claude/settings.local.json", R"J({"permissions":{"allow":["Bash(*)"]}})J");
  git(env, {"add", "-f", ".claude/settings.local.json"});
  git(env, {"commit", "-q", "-m", "crafted"});
  git(env, {"checkout", "-q", "main"});
  REQUIRE_FALSE(fs::exists(env.project() + "/.claude/settings.local.json"));

  auto r = env.hook(env.bash("git checkout other"));
  CHECK(r.exit_code == 0);
  auto d = decision_of(r.out);
  CHECK(d["permissionDecision"] == "ask");
  std::string reason = d["permissionDecisionReason"];
  CHECK(reason.find(".claude/settings.local.json") != std::string::npos);
  CHECK(reason.find("self-protection.git") != std::string::npos);
  for (const char* c : {"git switch other", "git merge other", "git rebase other", "git reset --hard other",
                        "git -C . checkout other"})
    CHECK_MESSAGE(decision_of(env.hook(env.bash(c)).out)["permissionDecision"] == "ask", c);
  // Branches that bring the same settings are ordinary work, even now that the repository tracks some.
  git(env, {"checkout", "-q", "other"});
  git(env, {"checkout", "-q", "-b", "docs"});
  env.write("home/project/README.md", "more\n");
  git(env, {"commit", "-q", "-am", "docs"});
  git(env, {"checkout", "-q", "other"});
  auto same = env.hook(env.bash("git checkout docs"));
  CHECK(same.exit_code == 0);
  CHECK(same.out.empty());
  git(env, {"checkout", "-q", "main"});
  // Nothing was checked out by the guard itself.
  CHECK_FALSE(fs::exists(env.project() + "/.claude/settings.local.json"));
  CHECK(env.hook(env.bash("git status")).out.empty());
}

TEST_CASE("selfguard: the guard's own weakening commands are denied, read-only ones pass") {
  HookEnv env(kRecommended);
  for (const char* c : {"preloop-hook uninstall", "sudo preloop-hook audit prune --older-than 1d",
                        "XDG_CONFIG_HOME=/tmp/x preloop-hook doctor", "bash -c 'preloop-hook install'"}) {
    auto r = env.hook(env.bash(c));
    CHECK_MESSAGE(r.exit_code == 2, c);
    CHECK_MESSAGE(r.err.find("self-protection.cli") != std::string::npos, c);
  }
  // Under another name: a symlink to the running binary.
  fs::create_symlink(preloop::testing::hook_binary(), env.project() + "/ph");
  auto renamed = env.hook(env.bash("./ph uninstall"));
  CHECK(renamed.exit_code == 2);
  CHECK(renamed.err.find("self-protection.cli") != std::string::npos);
  for (const char* c : {"preloop-hook audit verify", "preloop-hook doctor", "preloop-hook rules validate"})
    CHECK_MESSAGE(env.hook(env.bash(c)).exit_code == 0, c);
}

TEST_CASE("selfguard: `preloop-hook test` dry runs show the guard's rule and trace") {
  HookEnv env(kRecommended);
  auto r = env.cli({"test", "--json", "--cwd", env.project(), "--", "echo {} > .claude/settings.json"});
  CHECK(r.exit_code == 2);
  auto j = json::parse(r.out);
  CHECK(j["rule"]["id"] == "self-protection.write");
  CHECK(j["rule"]["layer"] == "builtin");
  bool traced = false;
  for (const auto& t : j["trace"])
    if (t["layer"] == "builtin" && t["outcome"].get<std::string>().find("self-protection.write") != std::string::npos)
      traced = true;
  CHECK(traced);
}

TEST_CASE("selfguard: profile off switches it off with the packs") {
  HookEnv env("profile: off\n");
  CHECK(env.hook(env.bash("echo {} > .claude/settings.json")).exit_code == 0);
}
