#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/config.h"
#include "config/paths.h"

namespace fs = std::filesystem;
using namespace preloop;

namespace {
fs::path write_tmp(const std::string& name, const std::string& text) {
  fs::path dir = fs::temp_directory_path() / ("preloop-config-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path p = dir / name;
  std::ofstream(p) << text;
  return p;
}
}  // namespace

TEST_CASE("defaults") {
  Config c;
  CHECK(c.fail_mode == FailMode::Closed);
  CHECK(c.max_input_bytes == 32u << 20);
  CHECK(c.profile == "recommended");
  CHECK(c.wait_budget_seconds() < c.hook_timeout_seconds);
  CHECK(c.wait_budget_seconds() > 0);
}

TEST_CASE("loads settings and keeps library sections") {
  auto f = write_tmp("ok.yaml", "fail_mode: open\nmax_input_bytes: 4096\nprofile: strict\n"
                                "trusted_projects: [/src/a, ~/b]\nidentity: alice@example.com\n"
                                "approval:\n  url: https://x\n");
  setenv("HOME", "/home/tester", 1);
  Config c = load_config_file(f);
  CHECK(c.fail_mode == FailMode::Open);
  CHECK(c.max_input_bytes == 4096);
  CHECK(c.profile == "strict");
  REQUIRE(c.trusted_projects.size() == 2);
  CHECK(c.trusted_projects[1] == fs::path("/home/tester/b"));
  CHECK(c.identity == "alice@example.com");
  CHECK(c.section("approval")["url"].as<std::string>() == "https://x");
  CHECK(c.section("sync").IsNull());
}

TEST_CASE("errors carry file:line:col") {
  auto f = write_tmp("bad1.yaml", "profile: recommended\nfail_mode: sometimes\n");
  CHECK_THROWS_WITH_AS(load_config_file(f), doctest::Contains("bad1.yaml:2:12: 'fail_mode' must be"), ConfigError);
  f = write_tmp("bad2.yaml", "profil: strict\n");
  CHECK_THROWS_WITH_AS(load_config_file(f), doctest::Contains("bad2.yaml:1:1: unknown setting 'profil'"), ConfigError);
  f = write_tmp("bad3.yaml", "profile: [unclosed\n");
  CHECK_THROWS_AS(load_config_file(f), ConfigError);
  f = write_tmp("bad4.yaml", "trusted_projects: [relative/dir]\n");
  CHECK_THROWS_WITH_AS(load_config_file(f), doctest::Contains("must be an absolute path"), ConfigError);
  CHECK_THROWS_WITH_AS(load_config_file("/nonexistent/x.yaml"), doctest::Contains("cannot read"), ConfigError);
}

TEST_CASE("managed config overrides the user config key by key") {
  auto user = write_tmp("user.yaml", "fail_mode: open\nidentity: me\napproval: {url: u, on_timeout: ask}\n");
  fs::path managed = user.parent_path() / "managed";
  fs::create_directories(managed);
  std::ofstream(managed / "config.yaml") << "fail_mode: closed\napproval: {on_timeout: deny}\n";
  setenv("PRELOOP_HOOK_CONFIG", user.c_str(), 1);
  setenv("PRELOOP_HOOK_MANAGED_DIR", managed.c_str(), 1);
  Config c = load_config();
  unsetenv("PRELOOP_HOOK_CONFIG");
  unsetenv("PRELOOP_HOOK_MANAGED_DIR");
  CHECK(c.fail_mode == FailMode::Closed);
  CHECK(c.identity == "me");
  CHECK(c.section("approval")["url"].as<std::string>() == "u");
  CHECK(c.section("approval")["on_timeout"].as<std::string>() == "deny");
  CHECK(c.sources.size() == 2);
}

namespace {
// load_config() with the given user and managed files (an empty text: no such file).
Config load_pair(const std::string& user_text, const std::string& managed_text, const std::string& tag) {
  auto user = write_tmp("pair-user-" + tag + ".yaml", user_text);
  fs::path managed = user.parent_path() / ("pair-managed-" + tag);
  fs::create_directories(managed);
  fs::remove(managed / "config.yaml");
  if (!managed_text.empty()) std::ofstream(managed / "config.yaml") << managed_text;
  setenv("PRELOOP_HOOK_CONFIG", user.c_str(), 1);
  setenv("PRELOOP_HOOK_MANAGED_DIR", managed.c_str(), 1);
  Config c = load_config();
  unsetenv("PRELOOP_HOOK_CONFIG");
  unsetenv("PRELOOP_HOOK_MANAGED_DIR");
  return c;
}
}  // namespace

TEST_CASE("under a managed config the user file can only make the guard stricter") {
  SUBCASE("a lower profile is ignored and said so") {
    Config c = load_pair("profile: off\n", "profile: strict\n", "p1");
    CHECK(c.managed);
    CHECK(c.profile == "strict");
    REQUIRE(c.ignored.size() == 1);
    CHECK(c.ignored[0].find("profile: off is ignored") != std::string::npos);
  }
  SUBCASE("a stricter user profile stays") {
    Config c = load_pair("profile: strict\n", "profile: recommended\n", "p2");
    CHECK(c.profile == "strict");
    CHECK(c.ignored.empty());
  }
  SUBCASE("fail_mode: open from the user file never applies under a managed config") {
    Config c = load_pair("fail_mode: open\n", "identity: corp\n", "p3");
    CHECK(c.fail_mode == FailMode::Closed);
    REQUIRE(c.ignored.size() == 1);
    CHECK(c.ignored[0].find("fail_mode: open is ignored") != std::string::npos);
  }
  SUBCASE("the managed file itself may choose open") {
    Config c = load_pair("identity: me\n", "fail_mode: open\n", "p4");
    CHECK(c.fail_mode == FailMode::Open);
  }
  SUBCASE("tamper.on_weakening: the stricter of user and managed, at least the default") {
    CHECK(load_pair("tamper: {on_weakening: record}\n", "identity: corp\n", "p5").tamper_on_weakening ==
          TamperAction::Ask);
    CHECK(load_pair("tamper: {on_weakening: deny}\n", "tamper: {on_weakening: ask}\n", "p6").tamper_on_weakening ==
          TamperAction::Deny);
    CHECK(load_pair("tamper: {on_weakening: ask}\n", "tamper: {on_weakening: deny}\n", "p7").tamper_on_weakening ==
          TamperAction::Deny);
  }
  SUBCASE("without a managed config the user decides") {
    Config c = load_pair("profile: off\nfail_mode: open\ntamper: {on_weakening: record}\n", "", "p8");
    CHECK(!c.managed);
    CHECK(c.profile == "off");
    CHECK(c.fail_mode == FailMode::Open);
    CHECK(c.tamper_on_weakening == TamperAction::Record);
  }
}

TEST_CASE("tamper settings are checked") {
  auto f = write_tmp("tamper-bad.yaml", "tamper:\n  on_weakening: maybe\n");
  CHECK_THROWS_WITH_AS(load_config_file(f), doctest::Contains("'tamper.on_weakening' must be"), ConfigError);
  f = write_tmp("tamper-bad2.yaml", "tamper: {on_change: ask}\n");
  CHECK_THROWS_WITH_AS(load_config_file(f), doctest::Contains("unknown setting 'tamper.on_change'"), ConfigError);
}

TEST_CASE("paths follow XDG") {
  setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
  setenv("XDG_DATA_HOME", "relative", 1);  // invalid per XDG: ignored
  setenv("HOME", "/home/h", 1);
  CHECK(paths::user_config_file() == fs::path("/x/cfg/preloop-hook/config.yaml"));
  CHECK(paths::default_audit_db() == fs::path("/home/h/.local/share/preloop-hook/audit.db"));
  CHECK(paths::expand_user("~/a") == fs::path("/home/h/a"));
  CHECK(paths::expand_user("/abs") == fs::path("/abs"));
  unsetenv("XDG_CONFIG_HOME");
  unsetenv("XDG_DATA_HOME");
}

TEST_CASE("a missing section can be looked into without throwing") {
  Config c;
  c.root = YAML::Node(YAML::NodeType::Map);
  CHECK_NOTHROW((void)c.section("audit")["path"]);
  CHECK(!c.section("audit")["path"]);
}

TEST_CASE("a config snapshot carries every setting and the library sections") {
  auto f = write_tmp("snap.yaml", "fail_mode: open\nmax_input_bytes: 4096\nprofile: strict\n"
                                  "trusted_projects: [/src/a]\nidentity: bob\nhook_timeout_seconds: 100\n"
                                  "audit: {enabled: false, path: /tmp/a.db, mode: direct, busy_timeout_ms: 750}\n"
                                  "secrets: {on_command: mask}\napproval: {url: 'https://x:8443/p'}\n"
                                  "policy: {mode: observe, allow_tuning: false, pin_enforce: true, claude_permissions: true}\n");
  Config c = load_config_file(f);
  auto back = deserialize_config(serialize_config(c));
  REQUIRE(back);
  CHECK(back->observe);
  CHECK(!back->allow_tuning);
  CHECK(back->pin_enforce);
  CHECK(back->claude_permissions);
  CHECK(back->fail_mode == FailMode::Open);
  CHECK(back->max_input_bytes == 4096);
  CHECK(back->profile == "strict");
  CHECK(back->trusted_projects == std::vector<fs::path>{"/src/a"});
  CHECK(back->identity == "bob");
  CHECK(back->hook_timeout_seconds == 100);
  CHECK(!back->audit_enabled);
  CHECK(back->audit_path == fs::path("/tmp/a.db"));
  CHECK(back->audit_direct);
  CHECK(back->audit_busy_timeout_ms == 750);
  CHECK(back->sources == c.sources);
  CHECK(!back->root.IsMap());  // sections come from their text
  CHECK(back->section("approval")["url"].as<std::string>() == "https://x:8443/p");
  CHECK(back->section_text("secrets") == c.section_text("secrets"));
  CHECK(back->section("sync").IsNull());
  CHECK(back->section_text("sync").empty());
  const std::string data = serialize_config(c);
  CHECK(!deserialize_config(std::string_view(data).substr(0, data.size() - 1)));
}

TEST_CASE("load_config_cached reads the snapshot until a file changes") {
  auto f = write_tmp("cached.yaml", "identity: first\nsync: {interval: 2h}\n");
  fs::path data = f.parent_path() / "data";
  setenv("PRELOOP_HOOK_CONFIG", f.c_str(), 1);
  setenv("PRELOOP_HOOK_MANAGED_DIR", (f.parent_path() / "no-managed").c_str(), 1);
  setenv("XDG_DATA_HOME", data.c_str(), 1);
  int validated = 0;
  auto valid = [&](const Config&) { ++validated; return true; };
  Config a = load_config_cached(valid);
  CHECK(a.identity == "first");
  CHECK(a.root.IsMap());  // parsed from the file
  CHECK(validated == 1);
  Config b = load_config_cached(valid);
  CHECK(b.identity == "first");
  CHECK(!b.root.IsMap());  // read from the snapshot: no YAML parsed
  CHECK(b.section("sync")["interval"].as<std::string>() == "2h");
  CHECK(validated == 1);
  std::ofstream(f) << "identity: second\n";
  Config c = load_config_cached(valid);
  CHECK(c.identity == "second");
  CHECK(c.root.IsMap());
  // A config whose sections do not validate is never snapshotted.
  std::ofstream(f) << "identity: third\n";
  auto invalid = [](const Config&) { return false; };
  CHECK(load_config_cached(invalid).root.IsMap());
  CHECK(load_config_cached(invalid).root.IsMap());
  unsetenv("PRELOOP_HOOK_CONFIG");
  unsetenv("PRELOOP_HOOK_MANAGED_DIR");
  unsetenv("XDG_DATA_HOME");
  fs::remove_all(data);
}

TEST_CASE("a misspelt setting is an error naming the closest known one") {
  auto f = write_tmp("typo.yaml", "profile: strict\nfail_mdoe: closed\n");
  try {
    load_config_file(f);
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == f.string() + ":2:1: unknown setting 'fail_mdoe' (did you mean 'fail_mode'?)");
  }
  auto g = write_tmp("mode.yaml", "policy: {mode: watch}\n");
  CHECK_THROWS_WITH_AS(load_config_file(g), doctest::Contains("'policy.mode' must be 'enforce' or 'observe'"), ConfigError);
}
