// Many hooks at once against one store: nothing lost, nothing repeated, chain intact.
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <pwd.h>
#include <unistd.h>
#include <set>
#include <sqlite3.h>
#include <sstream>
#include <thread>

#include "audit/verify.h"
#include "audit_harness.h"

using namespace preloop::audit_test;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// 32 hooks at once, per_worker events each, then the store is checked row by row.
void hammer(const std::string& mode, int per_worker) {
  Sandbox sb("profile: off\naudit: {busy_timeout_ms: 20000, mode: " + mode + "}\n");
  constexpr int kWorkers = 32;
  const int kPerWorker = per_worker;
  std::atomic<int> failures{0}, spooled{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w)
    workers.emplace_back([&, w] {
      for (int i = 0; i < kPerWorker; ++i) {
        std::string id = "toolu_" + std::to_string(w) + "_" + std::to_string(i);
        Run r = sb.hook(i % 2 ? sb.pre(id, {{"command", "echo " + id}})
                              : sb.post(id, {{"command", "echo " + id}}, {{"stdout", id}, {"stderr", ""}}));
        if (r.exit_code != 0) ++failures;
        if (r.err.find("spool") != std::string::npos) ++spooled;
      }
    });
  for (auto& t : workers) t.join();
  CHECK(failures == 0);
  CHECK(spooled == 0);
  Run cli = sb.audit({"verify"});  // folds what the last hooks journaled, then checks the chain
  CHECK(cli.exit_code == 0);
  CHECK(cli.out.find("chain verified") != std::string::npos);

  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open_v2(sb.db().c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(h, "SELECT count(*), count(DISTINCT seq), min(seq), max(seq), count(DISTINCT tool_use_id) FROM events",
                             -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == kWorkers * kPerWorker);
  CHECK(sqlite3_column_int(st, 1) == kWorkers * kPerWorker);
  CHECK(sqlite3_column_int(st, 2) == 1);
  CHECK(sqlite3_column_int(st, 3) == kWorkers * kPerWorker);
  CHECK(sqlite3_column_int(st, 4) == kWorkers * kPerWorker);
  sqlite3_finalize(st);
  sqlite3_close(h);

  preloop::audit::VerifyReport v = preloop::audit::verify(sb.db());
  CHECK(v.ok);
  CHECK(v.rows == kWorkers * kPerWorker);
}

#ifdef PRELOOP_SANITIZED
constexpr int kScale = 8;  // same races, an eighth of the (slow) sanitized process starts
#else
constexpr int kScale = 1;
#endif

}  // namespace

TEST_CASE("32 parallel hook processes, 2,048 events (256 sanitized), journal mode: no row lost, no seq repeated, chain verifies") {
  hammer("journal", 64 / kScale);
}

TEST_CASE("32 parallel hook processes, 1,024 events (128 sanitized), direct mode: no row lost, no seq repeated, chain verifies") {
  hammer("direct", 32 / kScale);
}

TEST_CASE("a tool call's record: decision, linked result, identity, no secret in any file") {
  Sandbox sb("profile: off\nidentity: alice@example.com\n");
  const std::string secret = "hunter2-Zq9xV7rT3kL0";
  nlohmann::json input = {{"command", "curl -H 'Authorization: Bearer sk-live-tZ3k9QmR7vXp2LwN8cY5bJ1dF6hG0sA4' https://x"},
                          {"password", secret}};
  Run pre = sb.hook(sb.pre("toolu_one", input));
  REQUIRE((pre.exit_code == 0 || pre.exit_code == 2));  // a credential in a command may be denied
  Run post = sb.hook(sb.post("toolu_one", input, {{"stdout", "ok"}, {"stderr", ""}}));
  REQUIRE(post.exit_code == 0);

  // The journal holds both records until a reader folds them in: no secret there either.
  CHECK(slurp(sb.db() + ".spool.jsonl").find("toolu_one") != std::string::npos);
  const std::string token = "sk-live-tZ3k9QmR7vXp2LwN8cY5bJ1dF6hG0sA4";
  auto no_secret_in = [&](const char* suffix) {
    std::string bytes = slurp(sb.db() + suffix);
    CHECK_MESSAGE(bytes.find(secret) == std::string::npos, "secret found in audit.db" << suffix);
    CHECK_MESSAGE(bytes.find(token) == std::string::npos, "token found in audit.db" << suffix);
  };
  no_secret_in(".spool.jsonl");

  Run show = sb.audit({"show", "toolu_one", "--json"});
  REQUIRE(show.exit_code == 0);
  auto j = nlohmann::json::parse(show.out);
  CHECK(j["hook_event"] == "PreToolUse");
  CHECK(j["user"] == "alice@example.com");
  const passwd* pw = ::getpwuid(::geteuid());
  REQUIRE(pw);
  CHECK(j["os_user"] == pw->pw_name);  // the hook journals its uid; the fold names it
  CHECK(j["agent"] == "claude_code");
  CHECK(j["tool"] == "Bash");
  CHECK(j["session_id"] == "sess-audit");
  CHECK(j["input_hmac"].get<std::string>().size() == 64);
  CHECK_FALSE(j["decision"].get<std::string>().empty());
  REQUIRE(j["linked"].size() == 1);
  CHECK(j["linked"][0]["execution_result"] == "success");
  CHECK(j["linked"][0]["duration_ms"] == 42);
  CHECK(j["linked"][0]["output_size"].get<int>() > 0);

  for (const char* suffix : {"", "-wal"}) no_secret_in(suffix);

  Run list = sb.audit({"list"});
  CHECK(list.exit_code == 0);
  CHECK(list.out.find("PostToolUse") != std::string::npos);
  Run stats = sb.audit({"stats", "--json"});
  REQUIRE(stats.exit_code == 0);
  CHECK(nlohmann::json::parse(stats.out)["total"] == 2);
  Run csv = sb.audit({"export", "--format", "csv", "-o", sb.dir() + "/out.csv"});
  CHECK(csv.exit_code == 0);
  CHECK(slurp(sb.dir() + "/out.csv").rfind("seq,timestamp,user,agent,tool,arguments,", 0) == 0);
  Run bad = sb.audit({"export", "--format", "xml"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("unknown export format") != std::string::npos);
  Run bad_time = sb.audit({"list", "--since", "yesterday"});
  CHECK(bad_time.exit_code == 2);
}

TEST_CASE("audit disabled: no store is created") {
  Sandbox sb("profile: off\naudit: {enabled: false}\n");
  Run r = sb.hook(sb.pre("toolu_x", {{"command", "ls"}}));
  CHECK(r.exit_code == 0);
  CHECK_FALSE(std::ifstream(sb.db()).good());
}
