// No planted secret leaves the hook unmasked: through the real binary, every
// byte under the hook's home (audit database, its WAL, the spool, keys,
// synced files), its stdout and stderr, and the body of the approval request
// sent to a loopback approval service are searched for the raw secrets.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "approval/fake_preloop.h"
#include "support/process.h"

using namespace preloop::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Planted secrets, assembled at run time (no scanner-triggering literal in the source).
struct Planted {
  std::string gh = "gh" + std::string("p_") + "V7nQ2mZk9XwR4tLb8cYd1sHf6gJa3EuP0oNi";
  std::string aws_id = "AKIA" + std::string("T7QZK2WDNRX5MB3H");
  std::string aws_secret = "wJ8kL2mN5pQ7rS9tU1vX3yZ5aB7cD9eF" + std::string("1gH3iJ5k");
  std::string slack = "xox" + std::string("b-") + "2749105836-4810293756-Qm7Zt2Lx9Vb4Nc8Kd1Rf6Hs3";
  std::string db_password = "Vx9!qL2#mT7$" + std::string("wR4k");
  std::string mcp_password = "tr0ub4dor&3-" + std::string("Horse9");
  std::string pem_body = "MIIEpAIBAAKCAQEA3Tz2mXk8QvL7nR4pW1yB6cJ9dF0gH5sK2aE8uI3oP7tY4rZ1xV" + std::string("6bN9mQ2wL5kJ8hG3fD0sA7");
  std::string jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiaWF0IjoxNzAwMDAwMDAwfQ." +
                    std::string("Xk3mQ9vL2nR7tW4yB8cJ1dF6gH0sK5aE2uI9oP3tY7r");
  std::vector<std::string> all() const { return {gh, aws_id, aws_secret, slack, db_password, mcp_password, pem_body, jwt}; }
  std::string pem() const {
    return "-----BEGIN RSA " + std::string("PRIVATE KEY-----\n") + pem_body + "\n" + pem_body + "\n-----END RSA " +
           "PRIVATE KEY-----\n";
  }
};

std::string event(const std::string& kind, const std::string& tool, const json& input, const json& extra = {}) {
  json e = {{"session_id", "sess-leak"}, {"transcript_path", "/dev/null"}, {"cwd", "/tmp"},
            {"permission_mode", "default"}, {"hook_event_name", kind},   {"tool_name", tool},
            {"tool_input", input},          {"tool_use_id", "toolu_leak"}};
  for (auto it = extra.begin(); it != extra.end(); ++it) e[it.key()] = it.value();
  return e.dump();
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every planted secret absent from text; reports where.
void check_clean(const std::string& text, const std::string& where, const Planted& p) {
  const auto all = p.all();
  for (std::size_t i = 0; i < all.size(); ++i) {
    CAPTURE(where);
    CAPTURE(i);  // which planted secret (index into Planted::all), never the value
    CHECK_MESSAGE(text.find(all[i]) == std::string::npos, "a planted secret reached " << where);
  }
}

void check_tree_clean(const fs::path& root, const Planted& p, int& files) {
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    ++files;
    check_clean(read_file(e.path()), e.path().string(), p);
  }
}

// An isolated home for the binary: its own XDG directories, config and user policies.
class Home {
 public:
  Home() {
    for (const char* d : {"home", "cfg/preloop-hook/rules", "data", "state", "managed"})
      fs::create_directories(root() / d);
    write_config("profile: off\n");
  }
  fs::path root() const { return dir_.path(); }
  void write_config(const std::string& yaml) const { dir_.write("config.yaml", yaml); }
  void write_user_policy(const std::string& yaml) const { dir_.write("cfg/preloop-hook/rules/policy.yaml", yaml); }
  std::map<std::string, std::string> env(const std::map<std::string, std::string>& extra) const {
    std::map<std::string, std::string> e = {{"HOME", (root() / "home").string()},
                                            {"XDG_CONFIG_HOME", (root() / "cfg").string()},
                                            {"XDG_DATA_HOME", (root() / "data").string()},
                                            {"XDG_STATE_HOME", (root() / "state").string()},
                                            {"PRELOOP_HOOK_CONFIG", (root() / "config.yaml").string()},
                                            {"PRELOOP_HOOK_MANAGED_DIR", (root() / "managed").string()},
                                            {"CLAUDE_PROJECT_DIR", ""},
                                            {"PRELOOP_URL", ""},
                                            {"PRELOOP_API_KEY", ""},
                                            {"PRELOOP_HOOK_AUDIT_DB", ""}};
    for (const auto& [k, v] : extra) e[k] = v;
    return e;
  }

 private:
  TempDir dir_;
};

// `git push` needs a human: the call goes to the approval service.
constexpr const char* kApprovalPolicy = R"YAML(version: "1.0"
approval_workflows:
  - name: manual-approval
    timeout_seconds: 60
tools:
  - name: Bash
    conditions:
      - id: git.push
        expression: "args.command.contains('git push')"
        action: require_approval
        approval_workflow: manual-approval
        description: Pushes need a human
)YAML";

struct Run {
  int exit_code;
  std::string out, err;
};

Run hook(const Home& home, const std::map<std::string, std::string>& extra, const std::string& ev) {
  auto r = run_process({hook_binary(), "hook"}, ev, home.env(extra));
  return {r.exit_code, r.out, r.err};
}

// These cases run the real binary; without it they are skipped, saying so.
bool binary_missing() {
  if (std::getenv("PRELOOP_HOOK_BIN")) return false;
  MESSAGE("skipped: PRELOOP_HOOK_BIN not set");
  return true;
}

}  // namespace

TEST_CASE("planted secrets reach neither the audit store, its WAL, stdout/stderr nor the approval request") {
  if (binary_missing()) return;
  Planted p;
  Home home;
  FakePreloop server;
  server.script("/api/v1/agents/permission-check", {Step::approve()});
  const fs::path db = home.root() / "store" / "audit.db";
  fs::create_directories(db.parent_path());
  // Secrets in commands are let through to the policy here, so that a
  // require_approval rule sends the (masked) call to the approval service.
  home.write_config("profile: off\nsync:\n  interval: off\nsecrets:\n  on_command: allow\n");
  home.write_user_policy(kApprovalPolicy);
  const std::map<std::string, std::string> env = {
      {"PRELOOP_URL", server.url()}, {"PRELOOP_API_KEY", "tok-test-1"}, {"PRELOOP_HOOK_AUDIT_DB", db.string()}};

  // A first call and a fold create the store; holding a connection open keeps the
  // WAL file on disk for inspection after the other calls.
  REQUIRE(hook(home, env, event("PreToolUse", "Bash", {{"command", "ls"}})).exit_code == 0);
  REQUIRE(run_process({hook_binary(), "audit", "verify"}, "", home.env(env)).exit_code == 0);
  sqlite3* holder = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &holder, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_exec(holder, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);

  std::vector<Run> runs;
  // Approval: the command carries a token in a URL and an Authorization header.
  runs.push_back(hook(home, env, event("PreToolUse", "Bash",
                                       {{"command", "git push https://ci:" + p.gh + "@github.com/o/r.git && curl -H "
                                                    "'Authorization: Bearer " + p.jwt + "' https://x"}})));
  CHECK(runs.back().exit_code == 0);
  // MCP tool input with a password field and a database URL.
  runs.push_back(hook(home, env, event("PreToolUse", "mcp__db__query",
                                       {{"password", p.mcp_password},
                                        {"dsn", "postgres://app:" + p.db_password + "@db.internal/app"},
                                        {"sql", "select 1"}})));
  // A file write with a private key (denied by on_file_write: deny).
  runs.push_back(hook(home, env, event("PreToolUse", "Write", {{"file_path", "/tmp/k.pem"}, {"content", p.pem()}})));
  CHECK(runs.back().exit_code == 2);
  // Tool output: an environment dump, masked for the model.
  const std::string dump = "AWS_ACCESS_KEY_ID=" + p.aws_id + "\nAWS_SECRET_ACCESS_KEY=" + p.aws_secret +
                           "\nSLACK_BOT_TOKEN=" + p.slack + "\nHOME=/root\n";
  runs.push_back(hook(home, env, event("PostToolUse", "Bash", {{"command", "env"}},
                                       {{"tool_response", {{"stdout", dump}, {"stderr", ""}, {"interrupted", false},
                                                           {"isImage", false}}}})));
  CHECK(runs.back().exit_code == 0);
  {
    json reply = json::parse(runs.back().out);
    std::string masked = reply["hookSpecificOutput"]["updatedToolOutput"]["stdout"];
    CHECK(masked.find("[REDACTED:aws-access-key-id:") != std::string::npos);
    CHECK(masked.find("HOME=/root") != std::string::npos);
  }
  // A failed tool whose error message carries a secret.
  runs.push_back(hook(home, env, event("PostToolUseFailure", "Bash", {{"command", "deploy --token " + p.gh}},
                                       {{"error", "Exit code 1\nauth failed for token " + p.gh}})));

  for (std::size_t i = 0; i < runs.size(); ++i) {
    check_clean(runs[i].out, "stdout of call " + std::to_string(i), p);
    check_clean(runs[i].err, "stderr of call " + std::to_string(i), p);
  }
  // The approval request reached the service, masked.
  auto seen = server.requests();
  REQUIRE(!seen.empty());
  for (const auto& r : seen) check_clean(r.body, "approval request body", p);
  CHECK(seen.front().body.find("[REDACTED:") != std::string::npos);

  // The journal holds the records written after the approval request folded it.
  CHECK(fs::exists(db.string() + ".spool.jsonl"));
  int files = 0;
  check_tree_clean(home.root(), p, files);
  // Folded: 6 records in the store, the WAL still on disk (held open), no secret in any file.
  auto verified = run_process({hook_binary(), "audit", "verify", "--json"}, "", home.env(env));
  REQUIRE(verified.exit_code == 0);
  CHECK(json::parse(verified.out)["rows"] == 6);
  CHECK_FALSE(fs::exists(db.string() + ".spool.jsonl"));
  CHECK(fs::exists(db.string() + "-wal"));
  CHECK(fs::file_size(db.string() + "-wal") > 0);
  files = 0;
  check_tree_clean(home.root(), p, files);
  CHECK(files >= 3);
  sqlite3_close(holder);
  check_clean(read_file(db), "audit.db after checkpoint", p);
}

TEST_CASE("planted secrets do not reach the spool when the store cannot be opened") {
  if (binary_missing()) return;
  Planted p;
  Home home;
  // The database path is a directory: the store cannot open it, records go to the spool next to it.
  const fs::path db = home.root() / "store" / "audit.db";
  fs::create_directories(db);
  const std::map<std::string, std::string> env = {{"PRELOOP_HOOK_AUDIT_DB", db.string()}};
  auto r = hook(home, env, event("PreToolUse", "mcp__vault__write", {{"secret_value", p.aws_secret}, {"note", p.slack}}));
  check_clean(r.out, "stdout", p);
  check_clean(r.err, "stderr", p);
  auto r2 = hook(home, env, event("PostToolUse", "Read", {{"file_path", "/p/.env"}},
                                  {{"tool_response", {{"type", "text"},
                                                      {"file", {{"filePath", "/p/.env"}, {"content", "GITHUB_TOKEN=" + p.gh},
                                                                {"numLines", 1}, {"startLine", 1}, {"totalLines", 1}}}}}}));
  CHECK(r2.exit_code == 0);
  check_clean(r2.out, "stdout", p);
  check_clean(r2.err, "stderr", p);
  bool spooled = false;
  for (const auto& e : fs::recursive_directory_iterator(home.root()))
    if (e.is_regular_file() && e.path().filename().string().find("spool") != std::string::npos) spooled = true;
  CHECK_MESSAGE(spooled, "expected the records in a spool file (stderr: " << r.err << ")");
  int files = 0;
  check_tree_clean(home.root(), p, files);
}

TEST_CASE("split, encoded and reversed secrets and secrets used as keys reach no file and no output") {
  if (binary_missing()) return;
  Planted p;
  Home home;
  const fs::path db = home.root() / "store" / "audit.db";
  fs::create_directories(db.parent_path());
  home.write_config("profile: off\nsync:\n  interval: off\nsecrets:\n  on_command: allow\n");
  const std::map<std::string, std::string> env = {{"PRELOOP_HOOK_AUDIT_DB", db.string()}};
  const std::string tail = p.gh.substr(8);  // the part of the token that is never written whole
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string enc;
  {
    const std::string in = "token: " + p.gh;
    unsigned v = 0;
    int bits = 0;
    for (unsigned char c : in) {
      v = (v << 8) | c;
      bits += 8;
      while (bits >= 6) enc.push_back(b64[(v >> (bits -= 6)) & 63]);
    }
    if (bits) enc.push_back(b64[(v << (6 - bits)) & 63]);
    while (enc.size() % 4) enc.push_back('=');
  }
  const std::string rev(p.gh.rbegin(), p.gh.rend());
  std::vector<Run> runs;
  // A token joined from quoted pieces (allowed by on_command: allow, so it is audited masked).
  runs.push_back(hook(home, env, event("PreToolUse", "Bash",
                                       {{"command", "export GH=\"" + p.gh.substr(0, 8) + "\"'" + tail + "'"}})));
  CHECK(runs.back().exit_code == 0);
  // File content with the token base64-encoded and backwards (denied, audited masked).
  runs.push_back(hook(home, env, event("PreToolUse", "Write",
                                       {{"file_path", "/tmp/x.py"},
                                        {"content", "A = b64decode('" + enc + "')\nB = '" + rev + "'[::-1]\n"}})));
  CHECK(runs.back().exit_code == 2);
  // An MCP call whose input uses the token as a key.
  runs.push_back(hook(home, env, event("PreToolUse", "mcp__kv__put", {{"entries", {{p.slack, "owner"}}}})));
  // MCP output: the token as a key and base64 under `data`.
  runs.push_back(hook(home, env, event("PostToolUse", "mcp__kv__get", {{"key", "x"}},
                                       {{"tool_response", {{"content", json::array({{{"type", "resource"},
                                                                                     {"data", enc}}})},
                                                           {"index", {{p.slack, 1}}}}}})));
  CHECK(runs.back().exit_code == 0);
  const std::vector<std::string> values = {tail, enc, rev, p.slack};
  auto clean = [&](const std::string& text, const std::string& where) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      CAPTURE(where);
      CAPTURE(i);
      CHECK_MESSAGE(text.find(values[i]) == std::string::npos, "a planted secret reached " << where);
    }
  };
  for (std::size_t i = 0; i < runs.size(); ++i) {
    clean(runs[i].out, "stdout of call " + std::to_string(i));
    clean(runs[i].err, "stderr of call " + std::to_string(i));
  }
  REQUIRE(run_process({hook_binary(), "audit", "verify"}, "", home.env(env)).exit_code == 0);
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(home.root()))
    if (e.is_regular_file() && e.path().filename() != "config.yaml") {
      ++files;
      clean(read_file(e.path()), e.path().string());
    }
  CHECK(files >= 1);
  auto listed = run_process({hook_binary(), "audit", "export", "--format", "jsonl"}, "", home.env(env));
  clean(listed.out, "audit export");
  CHECK(listed.out.find("[REDACTED:") != std::string::npos);
}
