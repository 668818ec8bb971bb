#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "approval/credentials.h"

using namespace preloop::approval;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char t[] = "/tmp/preloop-cred-XXXXXX";
    path = ::mkdtemp(t);
  }
  ~TempDir() { fs::remove_all(path); }
};

void write(const fs::path& p, const std::string& text, mode_t mode) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
  ::chmod(p.c_str(), mode);
}

}  // namespace

TEST_CASE("credentials: environment first, then our file, then the Preloop CLI's") {
  TempDir t;
  CredentialSources s;
  s.file = t.path / "credentials";
  s.preloop_cli_dir = t.path / "agents";
  CHECK_FALSE(resolve_credentials(s).has_value());
  CHECK_FALSE(service_maybe_configured(s));

  write(t.path / "agents/claude/permission_hook.json",
        R"({"base_url":"https://cli.example/","token":"cli-token","source":"claude_code"})", 0600);
  auto c = resolve_credentials(s);
  REQUIRE(c);
  CHECK(c->url == "https://cli.example");
  CHECK(c->token == "cli-token");
  CHECK(c->source == (t.path / "agents/claude/permission_hook.json").string());
  CHECK(service_maybe_configured(s));

  write(s.file, "url: https://own.example\napi_key: own-token\n", 0600);
  c = resolve_credentials(s);
  CHECK(c->token == "own-token");
  CHECK(c->url == "https://own.example");

  s.config_url = "https://config.example";
  CHECK(resolve_credentials(s)->url == "https://config.example");

  s.env_token = "env-token";
  s.env_url = "https://env.example/";
  c = resolve_credentials(s);
  CHECK(c->token == "env-token");
  CHECK(c->url == "https://env.example");
  CHECK(c->source == "environment (PRELOOP_API_KEY)");
}

TEST_CASE("credentials: insecure or broken files are refused with a clear message") {
  TempDir t;
  CredentialSources s;
  s.file = t.path / "credentials";
  write(s.file, "url: https://own.example\napi_key: very-secret-token\n", 0644);
  try {
    resolve_credentials(s);
    FAIL("an insecure credentials file was accepted");
  } catch (const CredentialError& e) {
    const std::string m = e.what();
    CHECK(m.find("readable by group or others (mode 0644)") != std::string::npos);
    CHECK(m.find("chmod 600 " + s.file.string()) != std::string::npos);
    CHECK(m.find("very-secret-token") == std::string::npos);
  }
  ::chmod(s.file.c_str(), 0640);
  CHECK_THROWS_AS(resolve_credentials(s), CredentialError);

  write(s.file, "url: https://own.example\n", 0600);
  CHECK_THROWS_WITH_AS(resolve_credentials(s), ("credentials file " + s.file.string() + " has no 'api_key:'").c_str(),
                       CredentialError);
  write(s.file, "api_key: [unclosed\n", 0600);
  CHECK_THROWS_AS(resolve_credentials(s), CredentialError);

  write(s.file, "api_key: tok-only\n", 0600);
  try {
    resolve_credentials(s);
    FAIL("a token without a URL was accepted");
  } catch (const CredentialError& e) {
    CHECK(std::string(e.what()).find("no service URL: set PRELOOP_URL or approval.url") != std::string::npos);
    CHECK(std::string(e.what()).find("tok-only") == std::string::npos);
  }

  fs::remove(s.file);
  fs::create_symlink("/etc/passwd", s.file);
  CHECK_THROWS_AS(resolve_credentials(s), CredentialError);  // symlinks are not followed
}

TEST_CASE("credentials: the newest Preloop CLI file wins and must be private") {
  TempDir t;
  CredentialSources s;
  s.preloop_cli_dir = t.path / "agents";
  write(t.path / "agents/old/permission_hook.json", R"({"base_url":"https://old","token":"old"})", 0600);
  write(t.path / "agents/new/permission_hook.json", R"({"base_url":"https://new","token":"new"})", 0600);
  const auto old_time = fs::last_write_time(t.path / "agents/new/permission_hook.json") - std::chrono::hours(1);
  fs::last_write_time(t.path / "agents/old/permission_hook.json", old_time);
  CHECK(resolve_credentials(s)->token == "new");
  ::chmod((t.path / "agents/new/permission_hook.json").c_str(), 0604);
  CHECK_THROWS_AS(resolve_credentials(s), CredentialError);
}
