#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tamper/facts.h"
#include "tamper/fingerprint.h"

namespace fs = std::filesystem;
using namespace preloop;
using namespace preloop::tamper;

namespace {

struct Dir {
  fs::path path;
  Dir() {
    std::string tmpl = (fs::temp_directory_path() / "fingerprint_test.XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~Dir() { fs::remove_all(path); }
  fs::path write(const std::string& rel, const std::string& text) const {
    fs::path p = path / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    return p;
  }
};

const char* kTwoRules = R"Y(
tools:
  - name: Bash
    conditions:
      - {expression: "args.command.contains('a')", action: deny}
      - {expression: "args.command.contains('b')", action: deny}
)Y";
const char* kOneRule = R"Y(
tools:
  - name: Bash
    conditions:
      - {expression: "args.command.contains('a')", action: deny}
)Y";
const char* kAllowAll = R"Y(
tools:
  - name: Bash
    conditions:
      - {expression: "args.command.contains('a')", action: deny}
      - {expression: "args.command.contains('b')", action: deny}
      - {expression: "true", action: allow}
)Y";
const char* kOurHook =
    R"J({"hooks":{"PreToolUse":[{"matcher":"*","hooks":[{"type":"command","command":"/usr/bin/preloop-hook","args":["hook"]}]}]}})J";

// Inputs over the files of a directory, as the hook gathers them.
struct World {
  Dir dir;
  fs::path state = dir.path / "data" / "guard-states";
  std::string profile = "recommended";
  std::string project = "/p1";
  fs::path file() const { return state_file(state, project); }
  Files policy_files;
  Inputs inputs() {
    Inputs in;
    in.project = project;
    in.files.emplace_back("config", dir.path / "config.yaml");
    in.files.emplace_back("settings:user", dir.path / "settings.json");
    policy_files.clear();
    for (const auto& name : {"a.yaml", "b.yaml"}) {
      fs::path p = dir.path / "rules" / name;
      if (fs::exists(p)) policy_files.emplace_back("user", p);
    }
    in.policy_files = &policy_files;
    // The policy snapshot's signature: any text that changes with the policy files.
    std::string sig = "policy";
    for (const auto& [layer, f] : policy_files) {
      std::error_code ec;
      sig += "\n" + f.string() + " " + std::to_string(fs::file_size(f, ec)) + " " +
             std::to_string(fs::last_write_time(f, ec).time_since_epoch().count());
    }
    in.policy_signature = sig;
    in.values = {{"profile", profile}, {"fail_mode", "closed"}};
    return in;
  }
};

bool has_weakening(const Outcome& o, const std::string& text) {
  for (const auto& c : o.changes)
    for (const auto& w : c.weakening)
      if (w.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("the first call records a baseline; an unchanged configuration reports nothing") {
  World w;
  w.dir.write("rules/a.yaml", kTwoRules);
  auto first = check(w.state, w.inputs(), "s1", true);
  CHECK(first.fresh);
  CHECK(first.changes.empty());
  CHECK(first.escalate.empty());
  REQUIRE(fs::exists(w.file()));
  CHECK((fs::status(w.file()).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  auto second = check(w.state, w.inputs(), "s1", true);
  CHECK_FALSE(second.fresh);
  CHECK(second.changes.empty());
}

TEST_CASE("calls alternating between projects keep a state each: nothing rewritten, a change seen in each") {
  World w;
  fs::path a = w.dir.write("rules/a.yaml", kTwoRules);
  w.project = "/p1";
  check(w.state, w.inputs(), "s1", true);
  w.project = "/p2";
  CHECK_FALSE(check(w.state, w.inputs(), "s1", true).fresh);  // the first call in /p2 starts from /p1's state
  fs::path p1 = state_file(w.state, "/p1"), p2 = state_file(w.state, "/p2");
  REQUIRE(p1 != p2);
  REQUIRE(fs::exists(p1));
  REQUIRE(fs::exists(p2));
  struct stat before1 {}, before2 {};
  REQUIRE(::stat(p1.c_str(), &before1) == 0);
  REQUIRE(::stat(p2.c_str(), &before2) == 0);
  for (int i = 0; i < 4; ++i) {
    w.project = i % 2 ? "/p2" : "/p1";
    auto out = check(w.state, w.inputs(), "s1", i % 2 == 0);
    CHECK_FALSE(out.fresh);
    CHECK(out.changes.empty());
  }
  struct stat after1 {}, after2 {};
  REQUIRE(::stat(p1.c_str(), &after1) == 0);
  REQUIRE(::stat(p2.c_str(), &after2) == 0);
  CHECK(after1.st_ino == before1.st_ino);  // neither state was replaced
  CHECK(after2.st_ino == before2.st_ino);
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(w.state)) files += e.path() == p1 || e.path() == p2 ? 1 : 100;
  CHECK(files == 2);  // no temporary file is left over
  // A weakening is reported in each project, against each one's own state.
  w.dir.write("rules/a.yaml", kOneRule);
  for (const char* project : {"/p1", "/p2"}) {
    CAPTURE(project);
    w.project = project;
    auto out = check(w.state, w.inputs(), "s1", true);
    REQUIRE(out.changes.size() == 1);
    CHECK(out.changes[0].path == a.string());
    CHECK(has_weakening(out, "fewer rules"));
    CHECK(out.escalate.find("fewer rules") != std::string::npos);
  }
  // A setting lowered while the calls alternate, PostToolUse in one project and
  // PreToolUse in the other: each project still sees it and the PreToolUse asks.
  w.profile = "off";
  w.project = "/p1";
  auto post = check(w.state, w.inputs(), "s1", false);
  CHECK(post.escalate.empty());
  CHECK(has_weakening(post, "profile lowered"));
  w.project = "/p2";
  auto pre = check(w.state, w.inputs(), "s1", true);
  CHECK(pre.escalate.find("profile lowered from recommended to off") != std::string::npos);
  w.project = "/p1";
  CHECK(check(w.state, w.inputs(), "s1", true).escalate.find("profile lowered") != std::string::npos);
}

TEST_CASE("a project's first call compares what is not project-scoped with the latest state of another") {
  World w;
  w.dir.write("rules/a.yaml", kTwoRules);
  w.dir.write("settings.json", kOurHook);
  check(w.state, w.inputs(), "s1", true);
  w.dir.write("settings.json", R"({"disableAllHooks": true})");
  w.project = "/new";
  auto out = check(w.state, w.inputs(), "s1", true);
  CHECK_FALSE(out.fresh);
  CHECK(out.escalate.find("disableAllHooks: true was set") != std::string::npos);
}

TEST_CASE("an edited rule file is named with its old and new digest") {
  World w;
  fs::path a = w.dir.write("rules/a.yaml", kTwoRules);
  check(w.state, w.inputs(), "s1", true);
  w.dir.write("rules/a.yaml", std::string(kTwoRules) + "# a comment\n");
  auto out = check(w.state, w.inputs(), "s1", true);
  REQUIRE(out.changes.size() == 1);
  CHECK(out.changes[0].path == a.string());
  CHECK(out.changes[0].kind == "policy:user");
  CHECK(out.changes[0].old_digest == digest_of(kTwoRules));
  CHECK(out.changes[0].new_digest == digest_of(std::string(kTwoRules) + "# a comment\n"));
  CHECK(out.changes[0].weakening.empty());
  CHECK(out.escalate.empty());
}

TEST_CASE("weakening changes during a session escalate the next PreToolUse") {
  World w;
  w.dir.write("rules/a.yaml", kTwoRules);
  w.dir.write("rules/b.yaml", kOneRule);
  w.dir.write("settings.json", kOurHook);
  check(w.state, w.inputs(), "s1", true);

  SUBCASE("fewer rules") {
    w.dir.write("rules/a.yaml", kOneRule);
    auto out = check(w.state, w.inputs(), "s1", true);
    CHECK(has_weakening(out, "fewer rules"));
    CHECK(out.escalate.find("(2 -> 1)") != std::string::npos);
  }
  SUBCASE("a rule disabled, observed or overridden") {
    w.dir.write("rules/b.yaml", std::string(kOneRule) + "disable:\n  - {rule: git.push, reason: x}\n");
    auto out = check(w.state, w.inputs(), "s1", true);
    CHECK(has_weakening(out, "rules disabled, observed or overridden in"));
  }
  SUBCASE("a rule file removed") {
    fs::remove(w.dir.path / "rules" / "b.yaml");
    auto out = check(w.state, w.inputs(), "s1", true);
    CHECK(out.escalate.find("rule file removed") != std::string::npos);
  }
  SUBCASE("an allow-all rule added") {
    w.dir.write("rules/a.yaml", kAllowAll);
    auto out = check(w.state, w.inputs(), "s1", true);
    CHECK(out.escalate.find("allowing every call") != std::string::npos);
  }
  SUBCASE("our hook removed from a settings file, disableAllHooks set") {
    w.dir.write("settings.json", R"({"disableAllHooks": true})");
    auto out = check(w.state, w.inputs(), "s1", true);
    CHECK(out.escalate.find("hook was removed from") != std::string::npos);
    CHECK(out.escalate.find("disableAllHooks: true was set") != std::string::npos);
  }
  SUBCASE("profile lowered") {
    w.profile = "off";
    auto out = check(w.state, w.inputs(), "s1", true);
    CHECK(out.escalate.find("profile lowered from recommended to off") != std::string::npos);
  }
  SUBCASE("seen by a call that cannot ask: kept for the next PreToolUse of the session, once") {
    w.dir.write("rules/a.yaml", kOneRule);
    auto post = check(w.state, w.inputs(), "s1", false);
    CHECK(has_weakening(post, "fewer rules"));
    CHECK(post.escalate.empty());
    // More calls that cannot ask leave the state as it is: not even rewritten
    // (a rewrite swaps in a new file; one at a time, as a freed inode is reused).
    for (int i = 0; i < 2; ++i) {
      struct stat before {}, after {};
      REQUIRE(::stat(w.file().c_str(), &before) == 0);
      auto again = check(w.state, w.inputs(), "s1", false);
      CHECK(again.changes.empty());
      CHECK(again.escalate.empty());
      REQUIRE(::stat(w.file().c_str(), &after) == 0);
      CHECK(after.st_ino == before.st_ino);
    }
    auto pre = check(w.state, w.inputs(), "s1", true);
    CHECK(pre.changes.empty());
    CHECK(pre.escalate.find("fewer rules") != std::string::npos);
    CHECK(check(w.state, w.inputs(), "s1", true).escalate.empty());
  }
  SUBCASE("between sessions: recorded, not escalated") {
    w.dir.write("rules/a.yaml", kOneRule);
    auto out = check(w.state, w.inputs(), "s2", true);
    CHECK(has_weakening(out, "fewer rules"));
    CHECK(out.escalate.empty());
  }
  SUBCASE("a stricter change is recorded without escalation") {
    w.profile = "strict";
    w.dir.write("rules/b.yaml", kTwoRules);
    auto out = check(w.state, w.inputs(), "s1", true);
    CHECK(out.changes.size() == 2);
    CHECK(out.escalate.empty());
  }
}

TEST_CASE("a tampered or unreadable state file is a fresh baseline, never a crash") {
  World w;
  w.dir.write("rules/a.yaml", kTwoRules);
  w.dir.write(fs::relative(w.file(), w.dir.path).string(), "PLHGUARD2 1\nx\nfile\tonly-two-fields\n");
  auto out = check(w.state, w.inputs(), "s1", true);
  CHECK(out.fresh);
  fs::remove(w.file());
  fs::create_directories(w.file());  // a directory where the file should be
  CHECK_NOTHROW(check(w.state, w.inputs(), "s1", true));
}

TEST_CASE("recorded settings facts are read back for ConfigChange") {
  World w;
  fs::path settings = w.dir.write("settings.json", kOurHook);
  check(w.state, w.inputs(), "s1", true);
  auto facts = recorded_settings(w.state, w.project, settings);
  REQUIRE(facts);
  CHECK(facts->runs_hook);
  CHECK_FALSE(facts->disables_hooks);
  CHECK_FALSE(recorded_settings(w.state, w.project, w.dir.path / "other.json"));
}

TEST_CASE("facts: rules, catch-all allow, settings") {
  CHECK(policy_facts(kTwoRules, "a.yaml").rules == 2);
  CHECK_FALSE(policy_facts(kTwoRules, "a.yaml").allow_all);
  CHECK(policy_facts(kAllowAll, "a.yaml").allow_all);
  CHECK(policy_facts("tools:\n  - name: Bash\n    conditions:\n      - {action: allow}\n", "c.yaml").allow_all);
  CHECK_FALSE(policy_facts("tools: [\n", "bad.yaml").valid);
  CHECK(settings_facts(kOurHook, "s.json").runs_hook);
  CHECK_FALSE(settings_facts("{not json", "s.json").valid);
  CHECK(settings_facts(R"({"disableAllHooks": true})", "s.json").disables_hooks);
}

TEST_CASE("reading a file never blocks on a FIFO and refuses oversized files") {
  Dir d;
  fs::path fifo = d.path / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string error;
  CHECK_FALSE(read_regular_file(fifo, 1024, &error));
  CHECK(error.find("not a regular file") != std::string::npos);
  fs::path big = d.write("big", std::string(2048, 'x'));
  CHECK_FALSE(read_regular_file(big, 1024, &error));
  bool missing = false;
  CHECK_FALSE(read_regular_file(d.path / "absent", 1024, &error, &missing));
  CHECK(missing);
}
