#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

#include "audit/export.h"
#include "audit/json_text.h"
#include "audit/query.h"
#include "audit/store.h"

namespace fs = std::filesystem;
using namespace preloop::audit;

namespace {

struct Fixture {
  fs::path dir, db;
  Fixture() {
    std::string t = (fs::temp_directory_path() / "audit-query-XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    dir = t;
    db = dir / "audit.db";
    Store s = Store::open(db);
    add(s, "2026-01-01T10:00:00.000Z", "Bash", "allow", R"({"command":"ls"})", "s1", "t1", "");
    add(s, "2026-01-02T10:00:00.000Z", "Bash", "deny", R"j({"command":"=HYPERLINK(\"http://x\")"})j", "s1", "t2",
        "no-rm");
    add(s, "2026-01-03T10:00:00.000Z", "Write", "ask", R"({"file_path":"a,b\nc"})", "s2", "t3", "");
    Record post;
    post.ts = "2026-01-03T10:00:01.000Z";
    post.hook_event = "PostToolUse";
    post.tool = "Write";
    post.tool_use_id = "t3";
    post.execution_result = "success";
    post.exec_duration_ms = 12;
    post.output_size = 40;
    s.append(post);
  }
  ~Fixture() { fs::remove_all(dir); }
  static void add(Store& s, const std::string& ts, const std::string& tool, const std::string& decision,
                  const std::string& args, const std::string& session, const std::string& id,
                  const std::string& rule) {
    Record r;
    r.ts = ts;
    r.hook_event = "PreToolUse";
    r.tool = tool;
    r.decision = decision;
    r.arguments = args;
    r.session_id = session;
    r.tool_use_id = id;
    r.rule_id = rule;
    r.reason = decision == "deny" ? "-rm is \"dangerous\"" : "";
    if (!rule.empty()) {
      r.rule_layer = "builtin";
      r.rule_location = "packs/core.yaml:12:5";
    }
    r.identity = "alice@example.com";
    s.append(r);
  }
  std::string export_text(Format fmt, const Filter& f = {}) {
    Store s = Store::open(db, {.read_only = true});
    fs::path out = dir / "out";
    export_to_file(s, f, fmt, out);
    std::ifstream in(out);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

}  // namespace

TEST_CASE("parse_time: RFC 3339, dates and relative durations") {
  auto now = std::chrono::system_clock::time_point(std::chrono::milliseconds(1769509425123LL));  // 2026-01-27T10:23:45.123Z
  CHECK(parse_time("2026-01-27T10:23:45Z", now) == "2026-01-27T10:23:45.000Z");
  CHECK(parse_time("2026-01-27T10:23:45.5+02:00", now) == "2026-01-27T08:23:45.500Z");
  CHECK(parse_time("2026-01-27", now) == "2026-01-27T00:00:00.000Z");
  CHECK(parse_time("2024-02-29", now) == "2024-02-29T00:00:00.000Z");  // a leap day
  CHECK(parse_time("2026-12-31T23:30:00-01:00", now) == "2027-01-01T00:30:00.000Z");
  CHECK(parse_time("24h", now) == "2026-01-26T10:23:45.123Z");
  CHECK(parse_time("7d", now) == "2026-01-20T10:23:45.123Z");
  CHECK(parse_time("30m", now) == "2026-01-27T09:53:45.123Z");
  for (const char* bad : {"", "yesterday", "24", "5y", "2026-13-01", "2026-01-27T10:23:45", "2026-01-27T10:23Z",
                          "2026-01-27T10:23:45Zjunk", "2026-02-31", "2026-02-29", "2026-04-31T00:00:00Z",
                          "2026-00-10", "2026-01-00", "2026-01-27T24:00:00Z", "2026-01-27T10:60:00Z",
                          "2026-01-27T10:23:45+24:00", "2026-01-27T10:23:45+01:60"})
    CHECK_THROWS_AS(parse_time(bad, now), std::invalid_argument);
}

TEST_CASE("format_rfc3339: UTC with milliseconds, across leap days and years") {
  CHECK(format_rfc3339(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_rfc3339(951782400007LL) == "2000-02-29T00:00:00.007Z");
  CHECK(format_rfc3339(1769509425123LL) == "2026-01-27T10:23:45.123Z");
  CHECK(format_rfc3339(4107542399999LL) == "2100-02-28T23:59:59.999Z");
  auto now = std::chrono::system_clock::time_point(std::chrono::milliseconds(1769509425123LL));
  for (std::int64_t ms = 0; ms < 4102444800000LL; ms += 86399999LL * 37)
    REQUIRE(parse_time(format_rfc3339(ms), now) == format_rfc3339(ms));
}

TEST_CASE("filters select by time, tool, decision, session and rule") {
  Fixture fx;
  Store s = Store::open(fx.db, {.read_only = true});
  auto seqs = [&](Filter f) {
    std::vector<std::int64_t> out;
    for (const Record& r : list(s, f)) out.push_back(r.seq);
    return out;
  };
  CHECK(seqs({}) == std::vector<std::int64_t>{1, 2, 3, 4});
  CHECK(seqs({.since = "2026-01-02T00:00:00.000Z"}) == std::vector<std::int64_t>{2, 3, 4});
  CHECK(seqs({.until = "2026-01-02T00:00:00.000Z"}) == std::vector<std::int64_t>{1});
  CHECK(seqs({.tool = "Write"}) == std::vector<std::int64_t>{3, 4});
  CHECK(seqs({.decision = "deny"}) == std::vector<std::int64_t>{2});
  CHECK(seqs({.session = "s2"}) == std::vector<std::int64_t>{3});
  CHECK(seqs({.rule = "no-rm"}) == std::vector<std::int64_t>{2});
  CHECK(seqs({.rule = "packs/core.yaml"}) == std::vector<std::int64_t>{2});
  CHECK(seqs({.rule = "packs/core.yaml:12"}) == std::vector<std::int64_t>{2});
  CHECK(seqs({.rule = "packs/core.yaml:1"}).empty());
  CHECK(seqs({.limit = 2, .newest_first = true}) == std::vector<std::int64_t>{4, 3});
}

TEST_CASE("show links the execution result by tool_use_id") {
  Fixture fx;
  Store s = Store::open(fx.db, {.read_only = true});
  auto shown = show(s, "t3");
  REQUIRE(shown);
  CHECK(shown->record.seq == 3);
  REQUIRE(shown->linked.size() == 1);
  CHECK(shown->linked[0].execution_result == "success");
  CHECK(shown->linked[0].exec_duration_ms == 12);
  CHECK(show(s, "2")->record.decision == "deny");
  CHECK_FALSE(show(s, "99"));
  Stats st = stats(s, {});
  CHECK(st.total == 4);
  CHECK(st.by_decision.size() == 3);
  CHECK(st.by_tool[0] == std::pair<std::string, std::int64_t>{"Bash", 2});
  CHECK(st.by_rule == std::vector<std::pair<std::string, std::int64_t>>{{"no-rm", 1}});
  CHECK(st.by_result == std::vector<std::pair<std::string, std::int64_t>>{{"success", 1}});
}

TEST_CASE("JSON string literals round-trip every byte class, in and across 8-byte words") {
  const std::vector<std::string> atoms = {"a", "Z", " ", "\"", "\\", "\n", "\r", "\t", "\x01", "\x1f", "/",
                                          "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "~", "\x7f"};
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::string s;
    for (std::size_t n = rng() % 40; n > 0; --n) s += atoms[rng() % atoms.size()];
    std::string out;
    append_json_string(out, s);
    REQUIRE_MESSAGE(nlohmann::json::parse(out).get<std::string>() == s, "literal: " << out);
  }
}

TEST_CASE("CSV cells: RFC 4180 quoting and formula neutralisation") {
  auto cell = [](std::string_view v) {
    std::string o;
    append_csv_cell(o, v);
    return o;
  };
  CHECK(cell("plain") == "plain");
  CHECK(cell("a,b") == "\"a,b\"");
  CHECK(cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(cell("two\nlines") == "\"two\nlines\"");
  CHECK(cell("=1+2") == "\"'=1+2\"");
  CHECK(cell("+1") == "\"'+1\"");
  CHECK(cell("-rm") == "\"'-rm\"");
  CHECK(cell("@SUM(A1)") == "\"'@SUM(A1)\"");
  CHECK(cell("\tx") == "\"'\tx\"");
  CHECK(cell("\rx") == "\"'\rx\"");
  CHECK(cell("") == "");
}

TEST_CASE("exports: CSV, JSONL and JSON carry the guide's field names") {
  Fixture fx;
  SUBCASE("csv") {
    std::string csv = fx.export_text(Format::Csv);
    CHECK(csv.rfind("seq,timestamp,user,agent,tool,arguments,decision,reason,approval_status,approver,"
                    "execution_result,",
                    0) == 0);
    CHECK(csv.find("\"{\"\"command\"\":\"\"=HYPERLINK") != std::string::npos);
    CHECK(csv.find("\"'-rm is \"\"dangerous\"\"\"") != std::string::npos);
    CHECK(csv.find("alice@example.com") != std::string::npos);
    std::size_t records = 0;
    for (std::size_t p = 0; (p = csv.find("\r\n", p)) != std::string::npos; p += 2) ++records;
    CHECK(records == 5);  // header + 4, the embedded \n is not a record separator
  }
  SUBCASE("jsonl") {
    std::string text = fx.export_text(Format::Jsonl, {.tool = "Write"});
    std::istringstream in(text);
    std::vector<nlohmann::json> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    REQUIRE(lines.size() == 2);
    CHECK(lines[0]["schema_version"] == kSchemaVersion);
    CHECK(lines[0]["arguments"]["file_path"] == "a,b\nc");
    CHECK(lines[0]["user"] == "alice@example.com");
    CHECK(lines[0]["agent"] == "claude_code");
    CHECK(lines[1]["execution_result"] == "success");
    CHECK(lines[1]["duration_ms"] == 12);
    CHECK(lines[0]["duration_ms"].is_null());
    CHECK(lines[1]["prev_hash"] == lines[0]["hash"]);
  }
  SUBCASE("json") {
    auto doc = nlohmann::json::parse(fx.export_text(Format::Json));
    CHECK(doc["records"].size() == 4);
    CHECK(doc["integrity"]["last_seq"] == 4);
    CHECK(doc["integrity"]["last_hash"] == doc["records"][3]["hash"]);
  }
  SUBCASE("empty") {
    auto doc = nlohmann::json::parse(fx.export_text(Format::Json, {.tool = "None"}));
    CHECK(doc["records"].empty());
    CHECK(fx.export_text(Format::Jsonl, {.tool = "None"}).empty());
  }
  CHECK_THROWS_AS(parse_format("xml"), std::invalid_argument);
}
