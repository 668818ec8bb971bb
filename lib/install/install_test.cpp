#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "config/config.h"
#include "install/hook_entries.h"
#include "install/installer.h"
#include "install/line_diff.h"
#include "install/settings_file.h"
#include "install/starter.h"

namespace fs = std::filesystem;
using namespace preloop::install;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "install_test.XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

HookSpec spec(const std::string& bin = "/opt/preloop/bin/preloop-hook") {
  HookSpec s;
  s.binary = bin;
  s.pre_timeout_seconds = 330;
  return s;
}

ClaudeLocations locations(const fs::path& root) {
  ClaudeLocations loc;
  loc.user_dir = root / "home" / ".claude";
  loc.project_dir = root / "project";
  loc.managed_dir = root / "etc-claude-code";
  return loc;
}

std::size_t count_files(const fs::path& dir) {
  std::size_t n = 0;
  for (auto& e : fs::directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

const char* kForeign = R"J({
  "model": "opus",
  "permissions": {"allow": ["Bash(npm test)"], "deny": []},
  "hooks": {
    "PreToolUse": [
      {"matcher": "Bash", "hooks": [{"type": "command", "command": "/usr/local/bin/other-guard"}]}
    ],
    "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}]
  },
  "env": {"FOO": "1"}
})J";

}  // namespace

TEST_CASE("malformed JSON reports file, line and column") {
  try {
    parse_settings("{\n  \"a\": 1,\n  \"b\": }\n", "settings.json");
    FAIL("no error");
  } catch (const SettingsError& e) {
    std::string msg = e.what();
    CHECK(msg.rfind("settings.json:3:8: invalid JSON", 0) == 0);
  }
  CHECK_THROWS_WITH_AS(parse_settings("[1, 2]", "s.json"), doctest::Contains("must be a JSON object"), SettingsError);
  CHECK(parse_settings("  \n", "s.json") == Json::object());
}

TEST_CASE("our handlers are recognised in exec and shell form only") {
  CHECK(is_own_handler(Json::parse(R"({"type":"command","command":"/x/preloop-hook","args":["hook"]})")));
  CHECK(is_own_handler(Json::parse(R"({"type":"command","command":"\"/a b/preloop-hook\" hook --x"})")));
  CHECK(is_own_handler(Json::parse(R"({"type":"command","command":"preloop-hook hook"})")));
  CHECK(is_own_handler(Json::parse(R"({"type":"command","command":"/opt/preloop-hook-0.2.0","args":["hook"]})")));
  CHECK_FALSE(is_own_handler(Json::parse(R"({"type":"command","command":"/x/preloop-hook audit list"})")));
  CHECK_FALSE(is_own_handler(Json::parse(R"({"type":"command","command":"/x/preloop-hooks hook"})")));
  CHECK_FALSE(is_own_handler(Json::parse(R"({"type":"http","command":"/x/preloop-hook hook"})")));
  CHECK_FALSE(is_own_handler(Json::parse(R"({"type":"command","command":"echo preloop-hook hook"})")));
}

TEST_CASE("add keeps every other key and hook, and is idempotent") {
  Json doc = Json::parse(kForeign);
  Json original = doc;
  CHECK(add_own_handlers(doc, spec()));
  // Untouched parts.
  CHECK(doc["model"] == "opus");
  CHECK(doc["permissions"] == original["permissions"]);
  CHECK(doc["env"] == original["env"]);
  // Another Stop hook stays first; ours is added after it.
  REQUIRE(doc["hooks"]["Stop"].size() == original["hooks"]["Stop"].size() + 1);
  CHECK(doc["hooks"]["Stop"][0] == original["hooks"]["Stop"][0]);
  CHECK(is_own_handler(doc["hooks"]["Stop"].back()["hooks"][0]));
  REQUIRE(doc["hooks"]["PreToolUse"].size() == 2);
  CHECK(doc["hooks"]["PreToolUse"][0] == original["hooks"]["PreToolUse"][0]);
  const Json& ours = doc["hooks"]["PreToolUse"][1];
  CHECK(ours["matcher"] == "*");
  CHECK(ours["hooks"][0]["command"] == "/opt/preloop/bin/preloop-hook");
  CHECK(ours["hooks"][0]["args"] == Json::array({"hook"}));
  CHECK(ours["hooks"][0]["timeout"] == 330);
  CHECK(ours["hooks"][0]["onFailure"] == "block");
  CHECK(ours["hooks"][0]["statusMessage"] == "preloop-hook: checking policy (waiting for approval if a rule requires it)");
  CHECK(doc["hooks"]["PostToolUse"][0]["hooks"][0]["statusMessage"] == "preloop-hook: checking the output for secrets");
  CHECK(doc["hooks"]["PostToolUse"][0]["hooks"][0]["onFailure"] == "block");
  CHECK(doc["hooks"]["ConfigChange"][0]["hooks"][0]["onFailure"] == "block");
  CHECK(doc["hooks"]["ConfigChange"][0]["hooks"][0]["timeout"] == 30);
  CHECK(doc["hooks"]["InstructionsLoaded"][0]["matcher"] == "*");
  CHECK_FALSE(doc["hooks"]["InstructionsLoaded"][0]["hooks"][0].contains("onFailure"));
  // Skill shell lines are gated like tool calls; prompts may be blocked; the rest is recorded.
  CHECK(doc["hooks"]["PreSkillShellCommand"][0]["hooks"][0]["timeout"] == 330);
  CHECK(doc["hooks"]["PreSkillShellCommand"][0]["hooks"][0]["onFailure"] == "block");
  CHECK(doc["hooks"]["UserPromptSubmit"][0]["hooks"][0]["onFailure"] == "block");
  for (const char* event : {"SessionStart", "SessionEnd", "SubagentStart", "SubagentStop"}) {
    INFO(event);
    CHECK(doc["hooks"][event][0]["hooks"][0]["args"] == Json::array({"hook"}));
    CHECK_FALSE(doc["hooks"][event][0]["hooks"][0].contains("onFailure"));
  }
  // Key order is kept: "model" is still first, "env" last.
  CHECK(doc.begin().key() == "model");
  CHECK((--doc.end()).key() == "env");

  Json again = doc;
  CHECK_FALSE(add_own_handlers(again, spec()));
  CHECK(again == doc);
}

TEST_CASE("a new binary path or timeout replaces our entry where it was") {
  Json doc = Json::parse(kForeign);
  add_own_handlers(doc, spec("/old/preloop-hook"));
  // Move a foreign group after ours to check the position is kept.
  doc["hooks"]["PreToolUse"].push_back(Json::parse(R"({"matcher":"Write","hooks":[{"type":"command","command":"fmt"}]})"));
  HookSpec newer = spec("/new/preloop-hook");
  newer.pre_timeout_seconds = 900;
  CHECK(add_own_handlers(doc, newer));
  auto& pre = doc["hooks"]["PreToolUse"];
  REQUIRE(pre.size() == 3);
  CHECK(pre[1]["hooks"][0]["command"] == "/new/preloop-hook");
  CHECK(pre[1]["hooks"][0]["timeout"] == 900);
  CHECK(pre[2]["matcher"] == "Write");
  CHECK(find_own_handlers(doc).size() == std::size(kHookEvents));
}

TEST_CASE("our handler sharing a group with a foreign one: only ours moves out") {
  Json doc = Json::parse(R"({"hooks":{"PreToolUse":[{"matcher":"*","hooks":[
      {"type":"command","command":"/x/preloop-hook hook"},{"type":"command","command":"other"}]}]}})");
  CHECK(add_own_handlers(doc, spec()));
  auto& pre = doc["hooks"]["PreToolUse"];
  REQUIRE(pre.size() == 2);
  CHECK(pre[0]["hooks"][0]["command"] == "/opt/preloop/bin/preloop-hook");
  CHECK(pre[1]["hooks"] == Json::parse(R"([{"type":"command","command":"other"}])"));
}

TEST_CASE("remove takes out exactly our entries") {
  Json original = Json::parse(kForeign);
  original["hooks"]["Notification"] = Json::array();  // empty, not ours: must stay
  Json doc = original;
  add_own_handlers(doc, spec());
  CHECK(remove_own_handlers(doc) == std::size(kHookEvents));
  CHECK(doc == original);
  CHECK(remove_own_handlers(doc) == 0);

  Json only_ours = Json::object();
  add_own_handlers(only_ours, spec());
  CHECK(remove_own_handlers(only_ours) == std::size(kHookEvents));
  CHECK(only_ours == Json::object());
}

TEST_CASE("an unexpected hooks shape is refused before any change") {
  for (const char* text : {R"({"hooks": []})", R"({"hooks": {"PreToolUse": {}}})",
                           R"({"hooks": {"PostToolUse": [3]}})", R"({"hooks": {"PreToolUse": [{"hooks": "x"}]}})"}) {
    Json doc = Json::parse(text);
    Json before = doc;
    CHECK_THROWS_AS(add_own_handlers(doc, spec()), SettingsError);
    CHECK(doc == before);
    CHECK_THROWS_AS(remove_own_handlers(doc), SettingsError);
  }
}

TEST_CASE("install writes the file, backs it up, and a second run changes nothing") {
  TempDir tmp;
  auto loc = locations(tmp.path);
  fs::path file = loc.settings_file(Scope::User);
  spit(file, kForeign);
  ::chmod(file.c_str(), 0600);

  auto first = install_hooks(loc, Scope::User, spec(), false);
  CHECK(first.changed);
  REQUIRE_FALSE(first.backup.empty());
  CHECK(slurp(first.backup) == kForeign);
  CHECK(first.diff.find("+            \"onFailure\": \"block\"") != std::string::npos);
  struct stat st {};
  ::stat(file.c_str(), &st);
  CHECK((st.st_mode & 0777) == 0600);
  std::string after_first = slurp(file);
  std::size_t files = count_files(file.parent_path());

  auto second = install_hooks(loc, Scope::User, spec(), false);
  CHECK_FALSE(second.changed);
  CHECK(second.backup.empty());
  CHECK(second.diff.empty());
  CHECK(slurp(file) == after_first);
  CHECK(count_files(file.parent_path()) == files);

  auto removed = uninstall_hooks(loc, Scope::User, false);
  CHECK(removed.removed == std::size(kHookEvents));
  CHECK(Json::parse(slurp(file)) == Json::parse(kForeign));
  auto none = uninstall_hooks(loc, Scope::User, false);
  CHECK_FALSE(none.changed);
}

TEST_CASE("install creates a missing settings file; project and local scopes") {
  TempDir tmp;
  auto loc = locations(tmp.path);
  for (Scope scope : {Scope::User, Scope::Project, Scope::Local}) {
    auto change = install_hooks(loc, scope, spec(), false);
    CHECK(change.changed);
    CHECK(change.backup.empty());
    CHECK(fs::exists(loc.settings_file(scope)));
    CHECK(find_own_handlers(read_settings(loc.settings_file(scope)).json).size() == std::size(kHookEvents));
  }
  CHECK(loc.settings_file(Scope::Local) == tmp.path / "project" / ".claude" / "settings.local.json");
}

TEST_CASE("a malformed settings file is never overwritten") {
  TempDir tmp;
  auto loc = locations(tmp.path);
  fs::path file = loc.settings_file(Scope::User);
  std::string broken = "{\n  \"model\": \"opus\",\n  \"hooks\": {\n}\n";  // unterminated object
  spit(file, broken);
  try {
    install_hooks(loc, Scope::User, spec(), false);
    FAIL("no error");
  } catch (const SettingsError& e) {
    CHECK(std::string(e.what()).find(file.string() + ":5:1:") == 0);
  }
  CHECK_THROWS_AS(uninstall_hooks(loc, Scope::User, false), SettingsError);
  CHECK(slurp(file) == broken);
  CHECK(count_files(file.parent_path()) == 1);

  spit(file, R"({"hooks": {"PreToolUse": "nope"}})");
  CHECK_THROWS_WITH_AS(install_hooks(loc, Scope::User, spec(), false),
                       doctest::Contains("/hooks/PreToolUse: expected an array"), SettingsError);
  CHECK(slurp(file) == R"({"hooks": {"PreToolUse": "nope"}})");
}

TEST_CASE("dry run shows the diff and writes nothing") {
  TempDir tmp;
  auto loc = locations(tmp.path);
  fs::path file = loc.settings_file(Scope::User);
  spit(file, kForeign);
  auto change = install_hooks(loc, Scope::User, spec(), true);
  CHECK(change.changed);
  CHECK(change.backup.empty());
  CHECK(change.diff.rfind("--- " + file.string() + "\n+++ " + file.string() + "\n@@ ", 0) == 0);
  CHECK(change.diff.find("+            \"command\": \"/opt/preloop/bin/preloop-hook\",") != std::string::npos);
  CHECK(slurp(file) == kForeign);
  CHECK(count_files(file.parent_path()) == 1);
}

TEST_CASE("a symlinked settings file is updated at its target") {
  TempDir tmp;
  auto loc = locations(tmp.path);
  fs::path real = tmp.path / "dotfiles" / "claude-settings.json";
  spit(real, "{}");
  fs::create_directories(loc.user_dir);
  fs::create_symlink(real, loc.settings_file(Scope::User));
  install_hooks(loc, Scope::User, spec(), false);
  CHECK(fs::is_symlink(loc.settings_file(Scope::User)));
  CHECK(find_own_handlers(read_settings(real).json).size() == std::size(kHookEvents));
}

TEST_CASE("managed scope: managed-settings.json, readable by everyone, allowManagedHooksOnly on request") {
  TempDir tmp;
  auto loc = locations(tmp.path);
  fs::path file = loc.settings_file(Scope::Managed);
  CHECK(file == tmp.path / "etc-claude-code" / "managed-settings.json");
  auto change = install_hooks(loc, Scope::Managed, spec(), false, true);
  CHECK(change.changed);
  Json doc = read_settings(file).json;
  CHECK(doc["allowManagedHooksOnly"] == true);
  CHECK(find_own_handlers(doc).size() == std::size(kHookEvents));
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  REQUIRE(::stat(loc.managed_dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0755);
  CHECK_FALSE(install_hooks(loc, Scope::Managed, spec(), false, true).changed);

  // Other keys stay; uninstall mirrors install.
  doc["permissions"] = Json::parse(R"J({"deny": ["Bash(curl *)"]})J");
  spit(file, render_settings(doc));
  auto kept = uninstall_hooks(loc, Scope::Managed, false);
  CHECK(kept.removed == std::size(kHookEvents));
  CHECK(read_settings(file).json["allowManagedHooksOnly"] == true);  // only with the flag
  install_hooks(loc, Scope::Managed, spec(), false);
  uninstall_hooks(loc, Scope::Managed, false, true);
  CHECK(read_settings(file).json == Json::parse(R"J({"permissions": {"deny": ["Bash(curl *)"]}})J"));

  CHECK_THROWS_WITH_AS(install_hooks(loc, Scope::User, spec(), false, true),
                       doctest::Contains("managed settings only"), SettingsError);
}

TEST_CASE("unified diff") {
  CHECK(unified_diff("a\nb\n", "a\nb\n", "x", "y").empty());
  std::string d = unified_diff("a\nb\nc\n", "a\nB\nc\nd\n", "old", "new");
  CHECK(d == "--- old\n+++ new\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n");
  CHECK(unified_diff("", "x\n", "/dev/null", "f") == "--- /dev/null\n+++ f\n@@ -0,0 +1,1 @@\n+x\n");
}

TEST_CASE("starter config and policy are created once and the config loads") {
  TempDir tmp;
  ::setenv("XDG_CONFIG_HOME", tmp.path.c_str(), 1);
  auto dry = create_starter_files(330, true);
  CHECK(dry.size() == 2);
  CHECK_FALSE(fs::exists(tmp.path / "preloop-hook" / "config.yaml"));
  auto created = create_starter_files(330, false);
  REQUIRE(created.size() == 2);
  CHECK(created[0] == tmp.path / "preloop-hook" / "config.yaml");
  CHECK(created[1] == tmp.path / "preloop-hook" / "rules" / "policy.yaml");
  auto config = preloop::load_config_file(created[0]);
  CHECK(config.hook_timeout_seconds == 330);
  CHECK(config.fail_mode == preloop::FailMode::Closed);
  CHECK(create_starter_files(330, false).empty());
  ::unsetenv("XDG_CONFIG_HOME");
}
