// install / uninstall / doctor --agent NAME on real files in a temporary home.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "install/agent_hooks.h"
#include "install/doctor.h"

namespace fs = std::filesystem;
using namespace preloop::install;

namespace {

struct Home {
  fs::path root;
  AgentLocations where;
  Home() {
    std::string tmpl = (fs::temp_directory_path() / "agent_hooks_test.XXXXXX").string();
    root = ::mkdtemp(tmpl.data());
    ::setenv("XDG_DATA_HOME", (root / "data").c_str(), 1);  // project backups go there
    where.home = root / "home";
    where.project = root / "home" / "project";
    where.system_root = root / "system";
    where.codex_home = where.home / ".codex";
    where.copilot_home = where.home / ".copilot";
  }
  ~Home() { fs::remove_all(root); }
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

HookSpec spec() {
  HookSpec s;
  s.binary = "/opt/preloop/bin/preloop-hook";
  s.pre_timeout_seconds = 330;
  s.post_timeout_seconds = 60;
  return s;
}

const char* kAgents[] = {"gemini", "qwen", "codex", "copilot", "cursor"};

}  // namespace

TEST_CASE("each agent's hook files, per scope") {
  Home h;
  CHECK(agent_hooks_file("gemini", Scope::User, h.where) == h.where.home / ".gemini/settings.json");
  CHECK(agent_hooks_file("gemini", Scope::Managed, h.where) == h.where.system_root / "etc/gemini-cli/settings.json");
  CHECK(agent_hooks_file("qwen", Scope::Project, h.where) == h.where.project / ".qwen/settings.json");
  CHECK(agent_hooks_file("codex", Scope::User, h.where) == h.where.home / ".codex/hooks.json");
  CHECK(agent_hooks_file("codex", Scope::Managed, h.where) == h.where.system_root / "etc/codex/hooks.json");
  CHECK(agent_hooks_file("copilot", Scope::Project, h.where) == h.where.project / ".github/hooks/preloop-hook.json");
  CHECK(agent_hooks_file("copilot", Scope::Managed, h.where).empty());
  CHECK(agent_hooks_file("cursor", Scope::User, h.where) == h.where.home / ".cursor/hooks.json");
  CHECK(agent_hooks_file("cursor", Scope::Local, h.where).empty());
  CHECK_THROWS_AS(agent_hooks_file("claude", Scope::User, h.where), SettingsError);
  CHECK(agent_hook_command("/a b/preloop-hook", "qwen") == "'/a b/preloop-hook' hook --agent qwen || exit 2");
  CHECK(agent_hook_command("/usr/bin/preloop-hook", "cursor") == "/usr/bin/preloop-hook hook --agent cursor");
}

TEST_CASE("install keeps everything else, is idempotent, and uninstall restores the file") {
  for (const char* agent : kAgents) {
    INFO("agent: " << agent);
    Home h;
    const fs::path file = agent_hooks_file(agent, Scope::User, h.where);
    const std::vector<std::string> events = agent_hook_events(agent);
    // Someone else's hook on the first event, and a key of the agent's own.
    const bool groups = std::string(agent) == "gemini" || std::string(agent) == "qwen" || std::string(agent) == "codex";
    Json theirs = groups ? Json{{"matcher", "run_.*"}, {"hooks", Json::array({{{"type", "command"}, {"command", "audit-log"}}})}}
                         : Json{{"type", "command"}, {std::string(agent) == "copilot" ? "bash" : "command", "audit-log"}};
    Json original = {{"model", "m-1"}, {"hooks", {{events[0], Json::array({theirs})}}}};
    if (std::string(agent) == "copilot" || std::string(agent) == "cursor") original["version"] = 1;
    spit(file, render_settings(original));
    const std::string before = slurp(file);

    auto change = install_agent_hooks(agent, Scope::User, h.where, spec(), false);
    CHECK(change.changed);
    CHECK(fs::exists(change.backup));
    CHECK(slurp(change.backup) == before);
    Json doc = read_settings(file).json;
    CHECK(doc["model"] == "m-1");
    CHECK(doc["hooks"][events[0]][0] == theirs);  // theirs first, ours after
    auto ours = find_agent_handlers(agent, doc);
    REQUIRE(ours.size() == events.size());
    for (const auto& found : ours)
      CHECK(found.command == agent_hook_command("/opt/preloop/bin/preloop-hook", agent));
    if (std::string(agent) == "gemini" || std::string(agent) == "qwen") CHECK(ours[0].handler["timeout"] == 330000);
    if (std::string(agent) == "copilot") CHECK(ours[0].handler["timeoutSec"] == 330);
    if (std::string(agent) == "cursor") CHECK(ours[0].handler["failClosed"] == true);
    if (std::string(agent) == "codex") CHECK(!ours[0].handler.contains("timeout"));

    const std::string installed = slurp(file);
    auto again = install_agent_hooks(agent, Scope::User, h.where, spec(), false);
    CHECK(!again.changed);
    CHECK(slurp(file) == installed);

    auto removed = uninstall_agent_hooks(agent, Scope::User, h.where, false);
    CHECK(removed.removed == events.size());
    CHECK(read_settings(file).json == original);
    CHECK(!uninstall_agent_hooks(agent, Scope::User, h.where, false).changed);
  }
}

TEST_CASE("install into no file creates it; uninstall of the only entries leaves no hooks key") {
  Home h;
  const fs::path file = agent_hooks_file("qwen", Scope::User, h.where);
  auto dry = install_agent_hooks("qwen", Scope::User, h.where, spec(), true);
  CHECK(dry.changed);
  CHECK(dry.diff.find("--agent qwen") != std::string::npos);
  CHECK(!fs::exists(file));
  install_agent_hooks("qwen", Scope::User, h.where, spec(), false);
  CHECK(fs::exists(file));
  uninstall_agent_hooks("qwen", Scope::User, h.where, false);
  CHECK(read_settings(file).json == Json::object());
}

TEST_CASE("project scope names the command on PATH; its backups stay out of the repository") {
  Home h;
  const fs::path file = agent_hooks_file("gemini", Scope::Project, h.where);
  spit(file, "{\"theme\": \"dark\"}\n");
  auto change = install_agent_hooks("gemini", Scope::Project, h.where, spec(), false);
  CHECK(find_agent_handlers("gemini", read_settings(file).json)[0].command ==
        "preloop-hook hook --agent gemini || exit 2");
  CHECK(change.backup.string().rfind((h.root / "data").string(), 0) == 0);
  for (const auto& entry : fs::directory_iterator(file.parent_path()))
    CHECK(entry.path().filename().string().find("preloop-backup") == std::string::npos);
}

TEST_CASE("a malformed file or hooks block is refused and left as it was") {
  Home h;
  const fs::path file = agent_hooks_file("codex", Scope::User, h.where);
  spit(file, "{\"hooks\": {\"PreToolUse\": [\n");
  CHECK_THROWS_WITH_AS(install_agent_hooks("codex", Scope::User, h.where, spec(), false),
                       doctest::Contains("invalid JSON"), SettingsError);
  CHECK(slurp(file) == "{\"hooks\": {\"PreToolUse\": [\n");
  spit(file, "{\"hooks\": {\"PreToolUse\": {\"matcher\": \"*\"}}}\n");
  CHECK_THROWS_WITH_AS(install_agent_hooks("codex", Scope::User, h.where, spec(), false),
                       doctest::Contains("/hooks/PreToolUse: expected an array"), SettingsError);
  CHECK(slurp(file) == "{\"hooks\": {\"PreToolUse\": {\"matcher\": \"*\"}}}\n");
  CHECK_THROWS_WITH_AS(install_agent_hooks("copilot", Scope::Managed, h.where, spec(), false),
                       doctest::Contains("no managed hooks location"), SettingsError);
}

TEST_CASE("codex: the trusted hash of an entry, read from config.toml") {
  Home h;
  const fs::path hooks = agent_hooks_file("codex", Scope::User, h.where);
  CHECK(codex_trusted_hash(h.where, hooks, "PreToolUse", 0, 0).empty());
  spit(h.where.codex_home / "config.toml",
       "model = \"gpt-5.5\"\n\n[hooks.state.\"" + hooks.string() + ":pre_tool_use:0:0\"]\n"
       "trusted_hash = \"sha256:abc\"\n\n[hooks.state]\n\"file:" + hooks.string() +
       ":post_tool_use:0:0\" = { enabled = true, trusted_hash = \"sha256:def\" }\n");
  CHECK(codex_trusted_hash(h.where, hooks, "PreToolUse", 0, 0) == "sha256:abc");
  CHECK(codex_trusted_hash(h.where, hooks, "PostToolUse", 0, 0) == "sha256:def");
  CHECK(codex_trusted_hash(h.where, hooks, "PreToolUse", 1, 0).empty());
  CHECK(codex_trusted_hash(h.where, h.where.project / ".codex/hooks.json", "PreToolUse", 0, 0).empty());
}

TEST_CASE("doctor --agent: installed, binary runnable, Codex trust, Cursor failClosed") {
  Home h;
  DoctorContext ctx;
  ctx.agents = h.where;
  auto failures = [&](const std::string& agent) {
    ctx.agent = agent;
    std::vector<std::string> ids;
    for (const auto& r : check_agent_hooks(ctx))
      if (r.status == CheckStatus::Fail) ids.push_back(r.id);
    return ids;
  };
  CHECK(failures("gemini") == std::vector<std::string>{"agent.gemini.installed"});

  // A runnable program named preloop-hook that denies what it is given.
  HookSpec s = spec();
  s.binary = h.root / "bin" / "preloop-hook";
  spit(s.binary, "#!/bin/sh\ncat >/dev/null\necho denied >&2\nexit 2\n");
  fs::permissions(s.binary, fs::perms::owner_all);
  install_agent_hooks("gemini", Scope::User, h.where, s, false);
  CHECK(failures("gemini").empty());
  install_agent_hooks("qwen", Scope::User, h.where, spec(), false);  // /opt/preloop/bin/preloop-hook: not there
  CHECK(failures("qwen") == std::vector<std::string>{"agent.qwen.user.binary", "agent.qwen.user.binary"});

  install_agent_hooks("codex", Scope::User, h.where, s, false);
  CHECK(failures("codex") == std::vector<std::string>{"agent.codex.user.trust", "agent.codex.user.trust"});
  const fs::path hooks = agent_hooks_file("codex", Scope::User, h.where);
  spit(h.where.codex_home / "config.toml", "[hooks.state.\"" + hooks.string() + ":pre_tool_use:0:0\"]\n"
                                           "trusted_hash = \"sha256:1\"\n[hooks.state.\"" + hooks.string() +
                                           ":post_tool_use:0:0\"]\ntrusted_hash = \"sha256:2\"\n");
  CHECK(failures("codex").empty());

  const fs::path cursor = agent_hooks_file("cursor", Scope::User, h.where);
  install_agent_hooks("cursor", Scope::User, h.where, s, false);
  CHECK(failures("cursor").empty());
  Json doc = read_settings(cursor).json;
  doc["hooks"]["beforeShellExecution"][0].erase("failClosed");
  spit(cursor, render_settings(doc));
  CHECK(failures("cursor") == std::vector<std::string>{"agent.cursor.user.fail_closed"});
}

TEST_CASE("doctor --agent runs the entry on a malformed event: a program that lets it through fails") {
  Home h;
  DoctorContext ctx;
  ctx.agents = h.where;
  ctx.agent = "copilot";
  HookSpec s = spec();
  s.binary = h.root / "bin" / "preloop-hook";
  spit(s.binary, "#!/bin/sh\ncat >/dev/null\nexit 0\n");  // answers nothing: the call would run
  fs::permissions(s.binary, fs::perms::owner_all);
  install_agent_hooks("copilot", Scope::User, h.where, s, false);
  bool failed = false;
  for (const auto& r : check_agent_hooks(ctx))
    failed = failed || (r.id == "agent.copilot.user.self_test" && r.status == CheckStatus::Fail);
  CHECK(failed);
}
