#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <doctest/doctest.h>

#include "install/doctor.h"
#include "install/installer.h"

namespace fs = std::filesystem;
using namespace preloop::install;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "doctor_test.XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

void spit(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

struct Fixture {
  TempDir tmp;
  DoctorContext ctx;
  fs::path binary;
  Fixture() {
    ctx.claude.user_dir = tmp.path / "home" / ".claude";
    ctx.claude.project_dir = tmp.path / "project";
    ctx.claude.managed_dir = tmp.path / "managed";
    binary = tmp.path / "bin" / "preloop-hook";
    spit(binary, "#!/bin/sh\n");
    fs::permissions(binary, fs::perms::owner_all);
    ctx.self_binary = binary;
    ctx.config = preloop::Config{};
  }
  void install(Scope scope = Scope::User) {
    HookSpec spec;
    spec.binary = binary;
    spec.pre_timeout_seconds = ctx.config->hook_timeout_seconds;
    install_hooks(ctx.claude, scope, spec, false);
  }
  DoctorReport run() { return run_doctor(ctx, {check_claude_settings, check_config}); }
};

const CheckResult* find(const DoctorReport& r, const std::string& id, CheckStatus status) {
  for (const auto& c : r.results)
    if (c.id == id && c.status == status) return &c;
  return nullptr;
}

}  // namespace

TEST_CASE("a fresh install is healthy") {
  Fixture f;
  f.install();
  auto report = f.run();
  CHECK(report.failures == 0);
  CHECK(report.warnings == 0);
  CHECK(find(report, "hook.installed", CheckStatus::Ok));
  CHECK(find(report, "hook.timeout", CheckStatus::Ok));
  CHECK(report.verdict.rfind("PROTECTED", 0) == 0);
  auto json = render_json(report);
  CHECK(json["ok"] == true);
  CHECK(json["checks"].size() == report.results.size());
}

TEST_CASE("nothing installed fails with the fix") {
  Fixture f;
  auto report = f.run();
  auto* c = find(report, "hook.installed", CheckStatus::Fail);
  REQUIRE(c);
  CHECK(c->fix.find("preloop-hook install") != std::string::npos);
  CHECK(report.verdict.rfind("NOT PROTECTED", 0) == 0);
  CHECK(render_text(report).find("fix: run `preloop-hook install`") != std::string::npos);
}

TEST_CASE("a missing binary, a short timeout and a missing onFailure are reported") {
  Fixture f;
  spit(f.ctx.claude.settings_file(Scope::User), R"({"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[
      {"type":"command","command":"/nowhere/preloop-hook","args":["hook"],"timeout":60}]}]}})");
  auto report = f.run();
  CHECK(find(report, "hook.binary", CheckStatus::Fail));
  CHECK(find(report, "hook.timeout", CheckStatus::Fail));
  CHECK(find(report, "hook.on_failure", CheckStatus::Warn));
  CHECK(find(report, "hook.matcher", CheckStatus::Warn));
  CHECK(find(report, "hook.post_tool_use", CheckStatus::Warn));
}

TEST_CASE("disableAllHooks: the most specific file decides") {
  Fixture f;
  f.install();
  spit(f.ctx.claude.settings_file(Scope::Project), R"({"disableAllHooks": true})");
  CHECK(find(f.run(), "claude.hooks_enabled", CheckStatus::Fail));
  spit(f.ctx.claude.settings_file(Scope::Local), R"({"disableAllHooks": false})");
  CHECK(find(f.run(), "claude.hooks_enabled", CheckStatus::Ok));
}

TEST_CASE("managed-only hook settings switch a user install off") {
  Fixture f;
  f.install();
  spit(f.ctx.claude.managed_dir / "managed-settings.d" / "10-lock.json", R"({"allowManagedHooksOnly": true})");
  auto report1 = f.run();
  auto* c = find(report1, "claude.hooks_enabled", CheckStatus::Fail);
  REQUIRE(c);
  CHECK(c->message.find("allowManagedHooksOnly") != std::string::npos);
}

TEST_CASE("malformed settings and config are failures with their position") {
  Fixture f;
  f.install();
  spit(f.ctx.claude.settings_file(Scope::Project), "{\"a\": [1,}");
  f.ctx.config.reset();
  f.ctx.config_error = "/x/config.yaml:3:1: bad";
  auto report = f.run();
  auto* parse = find(report, "settings.parse", CheckStatus::Fail);
  REQUIRE(parse);
  CHECK(parse->message.find("settings.json:1:10:") != std::string::npos);
  CHECK(find(report, "config.valid", CheckStatus::Fail));
  CHECK(find(report, "hook.timeout", CheckStatus::Skip));
}

TEST_CASE("guard mode: personal for a user install; managed with root-owned config; the tamper surface") {
  Fixture f;
  ::chmod(f.tmp.path.c_str(), 0755);
  fs::path managed = f.tmp.path / "preloop-managed";
  ::setenv("PRELOOP_HOOK_MANAGED_DIR", managed.c_str(), 1);
  ::setenv("XDG_DATA_HOME", (f.tmp.path / "data").c_str(), 1);
  ::setenv("XDG_CONFIG_HOME", (f.tmp.path / "cfg").c_str(), 1);
  Principal stranger;
  stranger.uid = 4242;
  stranger.groups = {4242};
  stranger.name = "stranger";
  f.ctx.principal = stranger;
  f.install();
  auto personal = run_doctor(f.ctx, {check_guard});
  auto* mode = find(personal, "guard.mode", CheckStatus::Ok);
  REQUIRE(mode);
  CHECK(mode->message.rfind("personal", 0) == 0);
  CHECK(render_json(personal)["mode"] == "personal");

  if (::geteuid() == 0) {  // root-owned: only root can make it so
    fs::create_directories(managed / "rules");
    fs::permissions(managed, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                 fs::perms::others_read | fs::perms::others_exec);
    f.install(Scope::Managed);
    auto report = run_doctor(f.ctx, {check_guard});
    REQUIRE(find(report, "guard.mode", CheckStatus::Ok));
    CHECK(render_json(report)["mode"] == "managed");
    CHECK(find(report, "guard.tamper_surface", CheckStatus::Ok));

    ::chmod((managed / "rules").c_str(), 0777);  // anyone may now add or replace managed rules
    auto open = run_doctor(f.ctx, {check_guard});
    auto* surface = find(open, "guard.tamper_surface", CheckStatus::Fail);
    REQUIRE(surface);
    CHECK(surface->message.find((managed / "rules").string()) != std::string::npos);
    auto json = render_json(open);
    CHECK(json["tamper_surface"]["uid"] == 4242);
    bool listed = false;
    for (const auto& p : json["tamper_surface"]["paths"])
      listed = listed || (p["path"] == (managed / "rules").string() && p["enforcing"] == true);
    CHECK(listed);
  }
  ::unsetenv("PRELOOP_HOOK_MANAGED_DIR");
  ::unsetenv("XDG_DATA_HOME");
  ::unsetenv("XDG_CONFIG_HOME");
}
