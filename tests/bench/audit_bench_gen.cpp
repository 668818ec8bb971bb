// Generates an audit store of N chained records (default 1,000,000) for the
// export and scale benchmarks: realistic field sizes, a mix of tools and
// decisions, and journal ids as records folded from the journal carry.
// Usage: audit_bench_gen DB [N]
#include <cstdio>
#include <cstdlib>
#include <string>

#include <sqlite3.h>

#include "audit/rows.h"
#include "audit/schema.h"
#include "audit/store.h"

using namespace preloop::audit;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DB [N]\n", argv[0]);
    return 2;
  }
  long long n = argc > 2 ? std::atoll(argv[2]) : 1000000;
  Store store = Store::open(argv[1]);
  sqlite3* db = store.handle();
  sqlite3_exec(db, "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; BEGIN", nullptr, nullptr, nullptr);
  std::string sql = std::string("INSERT INTO events(") + schema::kColumns + ") VALUES(?";
  for (int i = 1; i < schema::kColumnCount; ++i) sql += ",?";
  sql += ")";
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "%s\n", sqlite3_errmsg(db));
    return 1;
  }
  const char* tools[] = {"Bash", "Read", "Write", "Edit", "Grep", "mcp__github__create_issue"};
  const char* decisions[] = {"allow", "allow", "allow", "ask", "deny", "none"};
  std::string prev = kGenesisHash;
  long long base_ms = 1767225600000LL;  // 2026-01-01
  for (long long i = 1; i <= n; ++i) {
    Record r;
    r.seq = i;
    r.ts = format_rfc3339(base_ms + i * 250);
    bool post = i % 2 == 0;
    r.hook_event = post ? "PostToolUse" : "PreToolUse";
    r.session_id = "0b6f3c2e-5a1d-4e8f-9c7b-" + std::to_string(100000000000LL + i / 500);
    r.tool_use_id = "toolu_01" + std::to_string(1000000000LL + (i + 1) / 2);
    r.cwd = "/home/alice/src/project";
    r.permission_mode = "default";
    r.os_user = "alice";
    r.host = "dev-laptop";
    r.identity = "alice@example.com";
    r.tool = tools[(i / 2) % 6];
    r.arguments = R"({"command":"npm run test -- --filter=unit, \"quoted\" part )" + std::to_string(i) +
                  R"(","description":"Run the unit tests"})";
    r.input_hmac = std::string(64, 'a');
    if (post) {
      r.execution_result = i % 10 == 0 ? "error" : "success";
      r.exec_duration_ms = i % 1000;
      r.output_size = 1024 + i % 4096;
    } else {
      r.decision = decisions[(i / 2) % 6];
      if (r.decision == "deny") {
        r.reason = "Destructive command blocked by policy";
        r.rule_layer = "pack:core";
        r.rule_location = "core.yaml:42:7";
        r.rule_id = "no-rm-rf";
      }
    }
    r.latency_us = 900 + i % 300;
    char id[33];
    std::snprintf(id, sizeof id, "%032llx", i);  // ascending: fast to index, unique as real ids
    r.spool_id = id;
    r.prev_hash = prev;
    r.hash = compute_hash(r);
    prev = r.hash;
    bind_record(st, r);
    if (sqlite3_step(st) != SQLITE_DONE) {
      std::fprintf(stderr, "%s\n", sqlite3_errmsg(db));
      return 1;
    }
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  // As a store in use looks: the hooks keep its WAL short (see keep_wal_small).
  sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
  std::printf("%lld records in %s\n", n, argv[1]);
  return 0;
}
