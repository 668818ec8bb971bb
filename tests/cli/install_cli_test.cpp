// `install` through the real binary: entries that work for every teammate of a
// project, no stray files in the repository, the spinner text Claude Code shows.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/run_in.h"

using namespace preloop::testing;
namespace fs = std::filesystem;

namespace {

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

std::vector<std::string> files_under(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (!e.is_directory()) out.push_back(fs::relative(e.path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

// A directory holding `preloop-hook` (a link to the binary under test), for PATH.
std::string bin_dir_with_hook(const HookEnv& env) {
  const std::string dir = env.dir().path() + "/bin";
  fs::create_directories(dir);
  fs::create_symlink(hook_binary(), dir + "/preloop-hook");
  return dir;
}

}  // namespace

TEST_CASE("install --scope project names the command on PATH and keeps backups out of the repository") {
  HookEnv env;
  const std::string repo = env.project();
  env.write("home/project/.claude/settings.json", R"({"model": "opus"})");
  const std::string path = bin_dir_with_hook(env) + ":/usr/bin:/bin";

  const auto r = run_in(env, repo, {"install", "--scope", "project"}, {{"PATH", path}});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("run 'preloop-hook' from each user's PATH") != std::string::npos);

  const auto doc = read_json(repo + "/.claude/settings.json");
  CHECK(doc["model"] == "opus");
  for (const char* event : {"PreToolUse", "PostToolUse", "ConfigChange", "InstructionsLoaded"}) {
    const auto& h = doc["hooks"][event][0]["hooks"][0];
    CHECK(h["command"] == "preloop-hook");  // not this machine's build path
    CHECK(h["args"] == nlohmann::json::array({"hook"}));
    CHECK(h["statusMessage"].get<std::string>().rfind("preloop-hook: ", 0) == 0);
  }
  CHECK(doc["hooks"]["PreToolUse"][0]["hooks"][0]["statusMessage"] ==
        "preloop-hook: checking policy (waiting for approval if a rule requires it)");
  CHECK(r.out.find(hook_binary()) == std::string::npos);

  // The repository holds the settings file and nothing else of ours.
  CHECK(files_under(repo) == std::vector<std::string>{".claude/settings.json"});
  const std::string backups = env.dir().path() + "/data/preloop-hook/settings-backups";
  REQUIRE(fs::is_directory(backups));
  const auto saved = files_under(backups);
  REQUIRE(saved.size() == 1);
  CHECK(saved[0].find("%project%.claude%settings.json.preloop-backup-") != std::string::npos);
  std::ifstream backup(backups + "/" + saved[0]);
  std::string text((std::istreambuf_iterator<char>(backup)), {});
  CHECK(text == R"({"model": "opus"})");
  struct stat st {};
  REQUIRE(::stat(backups.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);

  // Uninstall too leaves nothing beside the file.
  REQUIRE(run_in(env, repo, {"uninstall", "--scope", "project"}, {{"PATH", path}}).exit_code == 0);
  CHECK(files_under(repo) == std::vector<std::string>{".claude/settings.json"});
}

TEST_CASE("doctor resolves a project entry's command on PATH, and fails when it is not there") {
  HookEnv env;
  const std::string repo = env.project();
  const std::string path = bin_dir_with_hook(env) + ":/usr/bin:/bin";
  REQUIRE(run_in(env, repo, {"install", "--scope", "project"}, {{"PATH", path}}).exit_code == 0);

  auto found = run_in(env, repo, {"doctor", "--json"}, {{"PATH", path}});
  INFO(found.out);
  auto report = nlohmann::json::parse(found.out, nullptr, false);
  REQUIRE(report.is_object());
  bool ok = false;
  for (const auto& c : report["checks"])
    if (c["id"] == "hook.binary" && c["message"].get<std::string>().find(".claude/settings.json runs 'preloop-hook' from PATH") != std::string::npos)
      ok = c["status"] == "ok";
  CHECK(ok);

  auto missing = run_in(env, repo, {"doctor", "--json"}, {{"PATH", "/usr/bin:/bin"}});
  report = nlohmann::json::parse(missing.out, nullptr, false);
  REQUIRE(report.is_object());
  bool failed = false;
  for (const auto& c : report["checks"])
    if (c["id"] == "hook.binary" && c["message"].get<std::string>().find("which is not on PATH") != std::string::npos)
      failed = c["status"] == "fail";
  CHECK(failed);
  CHECK(missing.exit_code == 1);
}

TEST_CASE("install --scope user writes the absolute path and a statusMessage") {
  HookEnv env;
  const auto r = run_in(env, env.project(), {"install"});
  REQUIRE(r.exit_code == 0);
  const auto doc = read_json(env.user_settings());
  const auto& h = doc["hooks"]["PreToolUse"][0]["hooks"][0];
  CHECK(fs::equivalent(h["command"].get<std::string>(), hook_binary()));
  CHECK(h["statusMessage"] == "preloop-hook: checking policy (waiting for approval if a rule requires it)");
}

TEST_CASE("the shipped settings snippet and plugin carry the status messages install writes") {
  HookEnv env;
  REQUIRE(run_in(env, env.project(), {"install"}).exit_code == 0);
  const auto installed = read_json(env.user_settings());
  for (const char* file : {"/hooks/settings-snippet.json", "/hooks/plugin/hooks/hooks.json"}) {
    const auto shipped = read_json(std::string(PRELOOP_SOURCE_DIR) + file);
    for (const char* event : {"PreToolUse", "PostToolUse", "ConfigChange", "InstructionsLoaded", "PreSkillShellCommand",
                              "UserPromptSubmit", "SessionStart", "SessionEnd", "Stop", "SubagentStart",
                              "SubagentStop"}) {
      INFO(file << " " << event);
      CHECK(shipped["hooks"][event][0]["hooks"][0]["statusMessage"] ==
            installed["hooks"][event][0]["hooks"][0]["statusMessage"]);
    }
  }
}
