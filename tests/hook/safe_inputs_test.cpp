// Files and inputs planted to hang, exhaust or crash the hook: each becomes a
// prompt, specific deny (or withheld output), through the real binary, under a
// watchdog so that a hang fails the test instead of stalling it.
#include <doctest/doctest.h>

#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

#include "hook/hook_env.h"

using preloop::testing::HookEnv;
using preloop::testing::ProcessResult;
using preloop::testing::hook_binary;
using preloop::testing::run_process;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr int kWatchdogMs = 15000;  // far above a normal call; a hang is killed here

// The hook under the watchdog; `limit_memory` adds a 1 GiB address-space limit
// (not under AddressSanitizer, which reserves terabytes of shadow memory).
ProcessResult guarded_hook(const HookEnv& env, const std::string& event, std::map<std::string, std::string> extra = {},
                           bool limit_memory = false) {
  auto e = env.env();
  for (auto& [k, v] : extra) e[k] = v;
  std::vector<std::string> argv{hook_binary(), "hook"};
#if !defined(__SANITIZE_ADDRESS__)
  if (limit_memory) argv = {"/bin/sh", "-c", "ulimit -v 1048576 && exec \"$0\" hook", hook_binary()};
#else
  (void)limit_memory;
#endif
  auto started = std::chrono::steady_clock::now();
  ProcessResult r = run_process(argv, event, e, kWatchdogMs);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  INFO("stderr: " << r.err);
  REQUIRE_MESSAGE(r.signal == 0, "the hook hung or crashed (signal " << r.signal << ", " << ms << " ms)");
  return r;
}

// A deny; by the guard's failure path unless by_rule.
void check_denied(const ProcessResult& r, const std::string& reason, bool by_rule = false) {
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 2);
  CHECK((r.err.find("could not check this tool call, so it is blocked") != std::string::npos) == !by_rule);
  CHECK(r.err.find(reason) != std::string::npos);
  REQUIRE(!r.out.empty());
  json d = json::parse(r.out)["hookSpecificOutput"];
  CHECK(d["hookEventName"] == "PreToolUse");
  CHECK(d["permissionDecision"] == "deny");
}

// The PostToolUse answer that withholds the output: exit 0, Bash's output shape.
void check_withheld(const ProcessResult& r, const std::string& reason) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == 0);
  REQUIRE(!r.out.empty());
  json d = json::parse(r.out)["hookSpecificOutput"];
  CHECK(d["hookEventName"] == "PostToolUse");
  const std::string stdout_text = d["updatedToolOutput"]["stdout"].get<std::string>();
  CHECK(stdout_text.find("[output withheld by preloop-hook") == 0);
  CHECK(stdout_text.find(reason) != std::string::npos);
  CHECK(d["updatedToolOutput"]["stderr"] == "");
  CHECK(d["additionalContext"].get<std::string>().find(reason) != std::string::npos);
}

std::string nested(int depth) { return std::string(std::size_t(depth), '[') + std::string(std::size_t(depth), ']'); }

std::string post_event(const HookEnv& env, const std::string& response_text) {
  return R"({"session_id":"s-test","cwd":")" + env.project() +
         R"(","hook_event_name":"PostToolUse","tool_name":"Bash","tool_use_id":"toolu_post","tool_input":{"command":"cat x"},"tool_response":)" +
         response_text + "}";
}

mode_t mode_of(const std::string& p) {
  struct stat st {};
  REQUIRE_MESSAGE(::lstat(p.c_str(), &st) == 0, p << " does not exist");
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("a FIFO among the user's policies is denied at once, not waited on") {
  HookEnv env;
  fs::create_directories(env.user_rules());
  REQUIRE(::mkfifo((env.user_rules() + "/stuck.yaml").c_str(), 0600) == 0);
  auto r = guarded_hook(env, env.bash("ls"));
  check_denied(r, env.user_rules() + "/stuck.yaml is a FIFO, not a regular file");
}

TEST_CASE("a FIFO in a project's .preloop/ is denied at once") {
  HookEnv env;
  fs::create_directories(env.project() + "/.preloop");
  REQUIRE(::mkfifo((env.project() + "/.preloop/policy.yaml").c_str(), 0600) == 0);
  auto r = guarded_hook(env, env.bash("ls"), {{"CLAUDE_PROJECT_DIR", env.project()}});
  check_denied(r, "/.preloop/policy.yaml is a FIFO, not a regular file");
}

TEST_CASE("a FIFO as the config file is denied at once") {
  HookEnv env;
  std::string fifo = env.dir().path() + "/config.fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto r = guarded_hook(env, env.bash("ls"), {{"PRELOOP_HOOK_CONFIG", fifo}});
  check_denied(r, "invalid config: cannot read config file: " + fifo + " is a FIFO, not a regular file");
}

TEST_CASE("a policy linked to /dev/zero is denied without reading it (bounded memory)") {
  HookEnv env;
  fs::create_directories(env.user_rules());
  fs::create_symlink("/dev/zero", env.user_rules() + "/zero.yaml");
  auto r = guarded_hook(env, env.bash("ls"), {}, true);
  check_denied(r, "zero.yaml is a character device, not a regular file");
}

TEST_CASE("a huge policy file is denied by its size, unread") {
  HookEnv env;
  fs::create_directories(env.user_rules());
  std::string big = env.user_rules() + "/huge.yaml";
  int fd = ::open(big.c_str(), O_WRONLY | O_CREAT, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::ftruncate(fd, off_t(5) << 30) == 0);  // sparse: 5 GiB that take no disk space
  ::close(fd);
  auto r = guarded_hook(env, env.bash("ls"), {}, true);
  check_denied(r, big + " is 5 GiB, over the 4 MiB limit for policy files");
}

TEST_CASE("a project's policy linked to a file outside the project is refused") {
  HookEnv env;
  std::string outside = env.write("elsewhere/private.yaml", "tools: []\n");
  fs::create_directories(env.project() + "/.preloop");
  fs::create_symlink(outside, env.project() + "/.preloop/x.yaml");
  auto r = guarded_hook(env, env.bash("ls"), {{"CLAUDE_PROJECT_DIR", env.project()}});
  check_denied(r, "/.preloop/x.yaml resolves to " + fs::canonical(outside).string() + ", outside " +
                      fs::canonical(env.project()).string());

  SUBCASE("a link that stays inside the project is read") {
    fs::remove(env.project() + "/.preloop/x.yaml");
    env.write("home/project/policies/deny-curl.yaml", R"Y(tools:
  - name: bash
    conditions:
      - {expression: "args.command.startsWith('curl')", action: deny, message: "no curl here"}
)Y");
    fs::create_symlink("../policies/deny-curl.yaml", env.project() + "/.preloop/x.yaml");
    auto ok = guarded_hook(env, env.bash("curl example.com"), {{"CLAUDE_PROJECT_DIR", env.project()}});
    check_denied(ok, "no curl here", true);
  }
  SUBCASE("nor may .preloop itself lead elsewhere") {
    fs::remove_all(env.project() + "/.preloop");
    fs::create_symlink(fs::path(outside).parent_path(), env.project() + "/.preloop");
    auto r2 = guarded_hook(env, env.bash("ls"), {{"CLAUDE_PROJECT_DIR", env.project()}});
    check_denied(r2, "/.preloop/private.yaml resolves to");
  }
}

TEST_CASE("a user's policy may be a link into a dotfiles repository") {
  HookEnv env;
  std::string real = env.write("dotfiles/preloop/deny-curl.yaml", R"Y(tools:
  - name: bash
    conditions:
      - {expression: "args.command.startsWith('curl')", action: deny, message: "no curl from dotfiles"}
)Y");
  fs::create_directories(env.user_rules());
  fs::create_symlink(real, env.user_rules() + "/deny-curl.yaml");
  check_denied(guarded_hook(env, env.bash("curl example.com")), "no curl from dotfiles", true);
  CHECK(guarded_hook(env, env.bash("ls")).exit_code == 0);
}

TEST_CASE("JSON nested 100,000 deep: PreToolUse is denied, PostToolUse output withheld") {
  HookEnv env;
  std::string deep = nested(100000);
  auto pre = guarded_hook(env, R"({"hook_event_name":"PreToolUse","tool_name":"Bash","session_id":"s",)"
                               R"("tool_input":{"command":"ls","x":)" + deep + "}}");
  check_denied(pre, "hook input nests JSON deeper than 512 levels");

  auto post = guarded_hook(env, post_event(env, R"({"stdout":)" + deep + "}"));
  check_withheld(post, "deeper than 512 levels");

  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  check_denied(guarded_hook(env, objects), "deeper than 512 levels");
}

TEST_CASE("an unparseable PostToolUse still gets its output withheld, in the PostToolUse shape") {
  HookEnv env;
  std::string whole = post_event(env, R"({"stdout":"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","stderr":"","interrupted":false,"isImage":false})");
  SUBCASE("truncated") {
    auto r = guarded_hook(env, whole.substr(0, whole.size() - 40));
    check_withheld(r, "hook input is not valid JSON");
    CHECK(r.out.find("wJalrXUtnFEMI") == std::string::npos);  // the parser's excerpt of the output is not repeated
    CHECK(r.err.find("wJalrXUtnFEMI") == std::string::npos);
  }
  SUBCASE("garbage after the fields") {
    check_withheld(guarded_hook(env, whole.substr(0, whole.find("\"tool_response\"")) + "\"tool_response\": nope}"),
                   "not valid JSON");
  }
  SUBCASE("over max_input_bytes") {
    env.set_config("profile: off\nmax_input_bytes: 4096\n");
    std::string big = post_event(env, R"({"stdout":")" + std::string(10000, 'x') + R"(","stderr":""})");
    check_withheld(guarded_hook(env, big), "exceeds the size cap of 4096");
  }
  SUBCASE("a PreToolUse cut short is still denied") {
    std::string pre = env.bash("rm -rf /");
    check_denied(guarded_hook(env, pre.substr(0, pre.size() - 10)), "not valid JSON");
  }
  SUBCASE("garbage with no event name is denied") {
    check_denied(guarded_hook(env, "\x01\x02 not json"), "not valid JSON");
  }
}

TEST_CASE("YAML nested deeper than yaml-cpp's guard is an invalid policy, not a crash") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/deep.yaml", "tools: " + nested(100000) + "\n");
  auto r = guarded_hook(env, env.bash("ls"));
  check_denied(r, "invalid policy");
  env.set_config("profile: off\naudit: " + std::string(100000, '{') + "\n");
  check_denied(guarded_hook(env, env.bash("ls")), "invalid config");
}

TEST_CASE("the guard's files are owner-only whatever the caller's umask") {
  mode_t saved = ::umask(022);
  for (const char* mode : {"direct", "journal"}) {
    CAPTURE(mode);
    HookEnv env(std::string("profile: off\naudit:\n  mode: ") + mode + "\n");
    env.write("cfg/preloop-hook/rules/p.yaml", "tools: []\n");
    REQUIRE(guarded_hook(env, env.bash("ls")).exit_code == 0);
    const std::string data = env.dir().path() + "/data/preloop-hook";
    CHECK(mode_of(data) == 0700);
    CHECK(mode_of(data + "/audit.db.key") == 0600);
    CHECK(mode_of(data + "/cache") == 0700);
    for (const auto& e : fs::directory_iterator(data + "/cache")) CHECK(mode_of(e.path().string()) == 0600);
    if (std::string(mode) == "direct") {
      for (const char* f : {"/audit.db", "/audit.db-wal", "/audit.db-shm"}) CHECK(mode_of(data + f) == 0600);
    } else {
      CHECK(mode_of(data + "/audit.db.spool.jsonl") == 0600);
    }

    // Files left looser (by an older version, by hand) are tightened on the next call.
    for (const auto& e : fs::directory_iterator(data))
      if (e.is_regular_file()) ::chmod(e.path().c_str(), 0644);
    REQUIRE(guarded_hook(env, env.bash("ls")).exit_code == 0);
    for (const auto& e : fs::directory_iterator(data))
      if (e.is_regular_file()) {
        CAPTURE(e.path().string());
        CHECK(mode_of(e.path().string()) == 0600);
      }
  }
  ::umask(saved);
}

TEST_CASE("FIFOs planted in place of the journal, its fold marker or the audit key do not hang the hook") {
  HookEnv env;
  const std::string data = env.dir().path() + "/data/preloop-hook";
  fs::create_directories(data);
  SUBCASE("the journal: nowhere to keep the record, so the call is denied, promptly") {
    REQUIRE(::mkfifo((data + "/audit.db.spool.jsonl").c_str(), 0600) == 0);
    auto r = guarded_hook(env, env.bash("ls"));
    check_denied(r, "the audit record could not be written");
    CHECK(r.err.find("is a FIFO, not a regular file") != std::string::npos);
  }
  SUBCASE("the fold marker of a full journal: the record is kept, no fold is waited for") {
    env.write("data/preloop-hook/audit.db.spool.jsonl", std::string(70000, 'x') + "\n");
    REQUIRE(::mkfifo((data + "/audit.db.fold-started").c_str(), 0600) == 0);
    auto r = guarded_hook(env, env.bash("ls"));
    CHECK(r.exit_code == 0);
  }
  SUBCASE("the key: the record is kept in the journal, and readers say why it cannot join the chain") {
    REQUIRE(::mkfifo((data + "/audit.db.key").c_str(), 0600) == 0);
    auto r = guarded_hook(env, env.bash("ls"));
    CHECK(r.exit_code == 0);
    auto list = run_process({hook_binary(), "audit", "list", "--json"}, "", env.env(), kWatchdogMs);
    REQUIRE(list.signal == 0);
    CHECK(list.err.find("audit.db.key is a FIFO, not a regular file") != std::string::npos);
    auto verify = run_process({hook_binary(), "audit", "verify"}, "", env.env(), kWatchdogMs);
    REQUIRE(verify.signal == 0);
    CHECK(verify.exit_code == 1);
    CHECK(verify.out.find("1 record(s) are waiting") != std::string::npos);
  }
}

TEST_CASE("install and export create owner-only files whatever the caller's umask") {
  mode_t saved = ::umask(022);
  HookEnv env;
  auto e = env.env();
  e.erase("PRELOOP_HOOK_CONFIG");
  auto install = run_process({hook_binary(), "install"}, "", e, kWatchdogMs);
  REQUIRE_MESSAGE(install.exit_code == 0, install.err);
  const std::string cfg = env.dir().path() + "/cfg/preloop-hook";
  CHECK(mode_of(cfg) == 0700);
  CHECK(mode_of(cfg + "/config.yaml") == 0600);
  CHECK(mode_of(env.home() + "/.claude/settings.json") == 0644);  // Claude Code's file keeps its usual mode

  REQUIRE(guarded_hook(env, env.bash("ls")).exit_code == 0);
  const std::string out = env.dir().path() + "/export.jsonl";
  auto exp = run_process({hook_binary(), "audit", "export", "--format", "jsonl", "-o", out}, "", env.env(), kWatchdogMs);
  REQUIRE_MESSAGE(exp.exit_code == 0, exp.err);
  CHECK(mode_of(out) == 0600);
  ::umask(saved);
}

TEST_CASE("YAML aliases that expand exponentially make an invalid policy, not a hang") {
  HookEnv env;
  std::string yaml = "tools: []\ntests:\n  - tool: Write\n    expect: deny\n    input:\n      l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    yaml += "      l" + std::to_string(i) + ": &l" + std::to_string(i) + " [" + prev;
    for (int k = 1; k < 10; ++k) yaml += ", " + prev;
    yaml += "]\n";
  }
  env.write("cfg/preloop-hook/rules/bomb.yaml", yaml);  // 10^10 values once expanded
  auto r = guarded_hook(env, env.bash("ls"));
  check_denied(r, "holds more than 100000 values (with aliases expanded)");
}

TEST_CASE("a patch file named by a command is not waited on when it is a FIFO") {
  HookEnv env("profile: recommended\n");
  std::string fifo = env.dir().path() + "/x.diff";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto r = guarded_hook(env, env.bash("git apply " + fifo));
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == 0);
  REQUIRE(!r.out.empty());
  CHECK(json::parse(r.out)["hookSpecificOutput"]["permissionDecision"] == "ask");  // unreadable beforehand
}
