// libcurl is mapped only when a request is made: not by the library's other
// work in this process, and not by the hook binary on a call that needs no
// approval (LD_DEBUG=files lists every object the loader maps, dlopen included).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "approval/client.h"
#include "approval/fake_preloop.h"
#include "approval/run_hook.h"
#include "approval/settings.h"

using namespace preloop::testing;

namespace {

bool curl_mapped() {
  std::ifstream maps("/proc/self/maps");
  std::stringstream ss;
  ss << maps.rdbuf();
  return ss.str().find("libcurl") != std::string::npos;
}

}  // namespace

TEST_CASE("in process: libcurl is mapped by the first request and not before") {
  REQUIRE_FALSE(curl_mapped());
  using namespace preloop::approval;
  const ApprovalSettings s = parse_approval_settings(YAML::Load("on_timeout: deny"));
  ApprovalRequest req;
  req.tool_name = "Bash";
  CHECK_FALSE(build_request_body(req, s.max_body_bytes).empty());
  ApprovalOutcome o;
  std::string why;
  CHECK(parse_decision(R"({"decision":"allow"})", &o, &why));
  CHECK_FALSE(curl_mapped());

  FakePreloop server;
  server.script("/api/v1/agents/permission-check", {Step::approve()});
  o = request_approval(req, {server.url(), "tok", "test"}, s, Clock::now() + std::chrono::seconds(5));
  CHECK(o.status == Status::Approved);
  CHECK(curl_mapped());
}

// What the dynamic loader mapped in the processes of one hook call, with
// LD_DEBUG=files written to files under dir: the hook's own when it is
// dynamically linked, preloop-hook-http's when the hook is static and made
// its request through it.
std::string loader_log(const std::filesystem::path& dir) {
  std::string all;
  if (!std::filesystem::exists(dir)) return all;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(f.path());
    std::stringstream ss;
    ss << in.rdbuf();
    all += ss.str();
  }
  return all;
}

TEST_CASE("the hook binary maps libcurl only when it asks for approval") {
  if (!hook_binary_available()) {
    MESSAGE("PRELOOP_HOOK_BIN not set: skipped");
    return;
  }
  HookHome home;
  home.write_config("profile: off\nsync:\n  interval: off\n");
  home.write_user_policy(kApprovalPolicy);
  FakePreloop server;
  server.script("/api/v1/agents/permission-check", {Step::approve()});
  const auto plain_dir = home.root() / "ld-plain", asked_dir = home.root() / "ld-asked";
  std::filesystem::create_directories(plain_dir);
  std::filesystem::create_directories(asked_dir);
  auto env_for = [&](const std::filesystem::path& dir) {
    return home.env({{"PRELOOP_URL", server.url()}, {"PRELOOP_API_KEY", "tok"}, {"LD_DEBUG", "files"},
                     {"LD_DEBUG_OUTPUT", (dir / "ld").string()}});
  };

  const auto plain = run_process({hook_binary(), "hook"}, bash_event("ls -la"), env_for(plain_dir));
  CHECK(plain.exit_code == 0);
  CHECK(loader_log(plain_dir).find("libcurl") == std::string::npos);
  CHECK(server.requests().empty());

  const auto asked = run_process({hook_binary(), "hook"}, bash_event("git push origin main"), env_for(asked_dir));
  CHECK(asked.exit_code == 0);
  CHECK(asked.out.find("\"allow\"") != std::string::npos);
  const std::string log = loader_log(asked_dir);
  CHECK(log.find("file=libcurl.so.4") != std::string::npos);  // the positive control
  CHECK(server.requests().size() == 1);
}
