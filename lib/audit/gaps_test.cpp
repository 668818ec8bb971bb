#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>

#include "audit/gaps.h"
#include "audit/store.h"

namespace fs = std::filesystem;
using namespace preloop::audit;

namespace {

struct Db {
  fs::path dir;
  Db() {
    std::string t = (fs::temp_directory_path() / "gaps-test-XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    dir = t;
  }
  ~Db() { fs::remove_all(dir); }
  fs::path path() const { return dir / "audit.db"; }
  void add(const std::string& event, const std::string& tool_use_id, const std::string& session = "s1") const {
    Store s = Store::open(path());
    Record r;
    r.ts = now_rfc3339();
    r.hook_event = event;
    r.session_id = session;
    r.tool_use_id = tool_use_id;
    r.tool = "Bash";
    r.arguments = "{}";
    if (event == "PreToolUse") r.decision = "none";
    else r.execution_result = "success";
    s.append(r);
  }
};

}  // namespace

TEST_CASE("a tool result whose call never passed PreToolUse is a coverage gap") {
  Db db;
  db.add("PreToolUse", "t1");
  db.add("PostToolUse", "t1");
  db.add("PostToolUse", "t2");              // the gate never saw t2
  db.add("PostToolUseFailure", "t3", "s2"); // nor t3
  db.add("PreToolUse", "t4");               // a call still running: not a gap
  db.add("ConfigFingerprint", "");
  db.add("PostToolUse", "");                // no id: cannot be matched, not counted
  Store s = Store::open(db.path(), {.read_only = true});
  Gaps g = coverage_gaps(s);
  CHECK(g.count == 2);
  REQUIRE(g.examples.size() == 2);
  CHECK(g.examples[0].tool_use_id == "t2");
  CHECK(g.examples[1].tool_use_id == "t3");
  CHECK(describe_gaps(g).find("2 tool call(s) ran without passing the PreToolUse hook") == 0);
  CHECK(describe_gaps(g).find("t2") != std::string::npos);

  Filter one_session;
  one_session.session = "s2";
  CHECK(coverage_gaps(s, one_session).count == 1);
  CHECK(coverage_gaps(s, {}, 1).examples.size() == 1);
  CHECK(coverage_gaps(s, {}, 1).count == 2);
}

TEST_CASE("no gaps: nothing to say") {
  Db db;
  db.add("PreToolUse", "t1");
  db.add("PostToolUse", "t1");
  Store s = Store::open(db.path(), {.read_only = true});
  CHECK(coverage_gaps(s).count == 0);
  CHECK(describe_gaps(coverage_gaps(s)).empty());
}
