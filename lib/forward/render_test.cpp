#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "forward/render.h"

using namespace preloop;
using namespace preloop::forward;
using nlohmann::json;

namespace {

audit::Record sample(const std::string& tool, const std::string& args, const std::string& decision = "allow") {
  audit::Record r;
  r.seq = 7;
  r.ts = "2026-03-01T10:20:30.456Z";
  r.hook_event = "PreToolUse";
  r.session_id = "sess-1";
  r.tool_use_id = "toolu_1";
  r.host = "laptop";
  r.os_user = "ann";
  r.tool = tool;
  r.arguments = args;
  r.decision = decision;
  r.reason = decision == "deny" ? "blocked by rule" : "";
  r.rule_id = decision == "deny" ? "filesystem.delete-system" : "";
  r.rule_location = decision == "deny" ? "rules/packs/filesystem.yaml:11" : "";
  r.prev_hash = std::string(64, 'a');
  r.hash = "0123456789abcdef" + std::string(48, 'b');
  return r;
}

const Origin kOrigin{"00112233445566778899aabbccddeeff", "laptop", "1.2.3", 42, std::string(64, 'c')};

ForwardSink sink(SinkKind kind, SinkFormat format = SinkFormat::Otel) {
  ForwardSink s;
  s.name = "t";
  s.kind = kind;
  s.format = format;
  s.index = "sec";
  return s;
}

json attr(const json& attributes, const std::string& key) {
  for (const auto& kv : attributes)
    if (kv["key"] == key) return kv["value"];
  return nullptr;
}

// The RFC 5424 messages of an octet-counted stream; fails on a bad frame.
std::vector<std::string> unframe(std::string s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const auto sp = s.find(' ');
    REQUIRE(sp != std::string::npos);
    const std::size_t n = std::stoul(s.substr(0, sp));
    REQUIRE(s.size() >= sp + 1 + n);
    out.push_back(s.substr(sp + 1, n));
    s.erase(0, sp + 1 + n);
  }
  return out;
}

}  // namespace

TEST_CASE("stable id: host id, seq and the record hash's first 16 hex digits") {
  CHECK(stable_id("h", sample("Bash", "{}")) == "h-7-0123456789abcdef");
}

TEST_CASE("RFC 3339 times become nanoseconds since the epoch") {
  CHECK(unix_nanos("1970-01-01T00:00:01.000Z") == 1000000000);
  CHECK(unix_nanos("2026-03-01T10:20:30.456Z") == 1772360430456000000);
  CHECK(unix_nanos("2026-03-01T10:20:30Z") == 1772360430000000000);
  CHECK(unix_nanos("garbage") == 0);
  CHECK(unix_nanos("2026-03-01T10:20:30.456+01:00") == 0);
}

TEST_CASE("flat attributes: OpenTelemetry and Claude Code names, preloop.* for the rest, empty fields left out") {
  const json a = flat_attributes(sample("Bash", R"({"command":"ls [REDACTED:aws-key:ab12]"})", "deny"), kOrigin);
  CHECK(a["session.id"] == "sess-1");
  CHECK(a["tool_use_id"] == "toolu_1");
  CHECK(a["gen_ai.tool.call.id"] == "toolu_1");
  CHECK(a["gen_ai.tool.name"] == "Bash");
  CHECK(a["gen_ai.operation.name"] == "execute_tool");
  CHECK(a["host.name"] == "laptop");
  CHECK(a["preloop.decision"] == "deny");
  CHECK(a["preloop.rule_id"] == "filesystem.delete-system");
  CHECK(a["preloop.rule_location"] == "rules/packs/filesystem.yaml:11");
  CHECK(a["preloop.reason"] == "blocked by rule");
  CHECK(a["preloop.chain.seq"] == 7);
  CHECK(a["preloop.chain.hash"] == sample("Bash", "{}").hash);
  CHECK(a["preloop.chain.head_seq"] == 42);
  CHECK(a["preloop.record.id"] == "00112233445566778899aabbccddeeff-7-0123456789abcdef");
  CHECK(a["preloop.arguments"]["command"] == "ls [REDACTED:aws-key:ab12]");
  CHECK_FALSE(a.contains("preloop.approver"));  // empty
  CHECK_FALSE(a.contains("prompt.id"));         // not a column of this record
  CHECK_FALSE(a.contains("preloop.session_id"));
}

TEST_CASE("OTLP/JSON: resource, scope with the chain head, one log record per record, int64 as strings") {
  const std::vector<audit::Record> batch{sample("Bash", R"({"command":"ls"})"),
                                         sample("Bash", R"({"command":"rm -rf /"})", "deny")};
  const json body = json::parse(otlp_body(batch, kOrigin));
  REQUIRE(body["resourceLogs"].size() == 1);
  const json& rl = body["resourceLogs"][0];
  CHECK(attr(rl["resource"]["attributes"], "service.name")["stringValue"] == "preloop-hook");
  CHECK(attr(rl["resource"]["attributes"], "host.id")["stringValue"] == kOrigin.host_id);
  const json& sl = rl["scopeLogs"][0];
  CHECK(sl["scope"]["name"] == "preloop-hook.audit");
  CHECK(attr(sl["scope"]["attributes"], "preloop.chain.head_seq")["intValue"] == "42");
  REQUIRE(sl["logRecords"].size() == 2);
  const json& lr = sl["logRecords"][1];
  CHECK(lr["timeUnixNano"] == "1772360430456000000");
  CHECK(lr["severityNumber"] == 13);
  CHECK(lr["severityText"] == "WARN");
  CHECK(lr["body"]["stringValue"] == "PreToolUse Bash deny: blocked by rule");
  CHECK(attr(lr["attributes"], "preloop.chain.seq")["intValue"] == "7");
  CHECK(attr(lr["attributes"], "session.id")["stringValue"] == "sess-1");
  CHECK(attr(lr["attributes"], "preloop.arguments")["stringValue"] == R"({"command":"rm -rf /"})");
  CHECK(sl["logRecords"][0]["severityNumber"] == 9);
}

TEST_CASE("syslog: RFC 5424 messages with octet-counting framing, the ids in structured data") {
  audit::Record r = sample("Bash", R"({"command":"ls"})", "deny");
  r.hook_event = "PreToolUse";
  ForwardSink s = sink(SinkKind::Syslog);
  s.facility = "local0";
  const auto msgs = unframe(syslog_frames({r, sample("Read", R"({"file_path":"/x"})")}, kOrigin, s));
  REQUIRE(msgs.size() == 2);
  const std::string& m = msgs[0];
  CHECK(m.starts_with("<132>1 2026-03-01T10:20:30.456Z laptop preloop-hook - PreToolUse [preloop@32473 id=\""));
  CHECK(m.find("seq=\"7\"") != std::string::npos);
  CHECK(m.find("head_seq=\"42\"") != std::string::npos);
  const auto bom = m.find("\xEF\xBB\xBF");
  REQUIRE(bom != std::string::npos);
  const json msg = json::parse(m.substr(bom + 3));
  CHECK(msg["preloop.decision"] == "deny");
  CHECK(msgs[1].starts_with("<134>1 "));  // local0.info
}

TEST_CASE("syslog: header fields stay printable and structured-data values are escaped") {
  audit::Record r = sample("Bash", "{}");
  r.host = "bad host\n";
  r.hook_event = "";
  const auto msgs = unframe(syslog_frames({r}, kOrigin, sink(SinkKind::Syslog)));
  CHECK(msgs[0].find(" badhost preloop-hook - - [") != std::string::npos);
  Origin o = kOrigin;
  o.host_id = "a\"b]c\\";
  const auto esc = unframe(syslog_frames({sample("Bash", "{}")}, o, sink(SinkKind::Syslog)));
  CHECK(esc[0].find("id=\"a\\\"b\\]c\\\\-7-") != std::string::npos);
}

TEST_CASE("HEC: one event per line with time, host, index and string indexed fields") {
  const std::string body = hec_body({sample("Bash", "{}"), sample("Write", R"({"file_path":"/a/b"})")}, kOrigin,
                                    sink(SinkKind::Hec));
  const auto nl = body.find('\n');
  REQUIRE(nl != std::string::npos);
  const json e = json::parse(body.substr(0, nl));
  CHECK(e["time"].get<double>() == doctest::Approx(1772360430.456));
  CHECK(e["host"] == "laptop");
  CHECK(e["index"] == "sec");
  CHECK(e["sourcetype"] == "preloop:audit");
  CHECK(e["event"]["gen_ai.tool.name"] == "Bash");
  CHECK(e["fields"]["preloop_record_id"] == stable_id(kOrigin.host_id, sample("Bash", "{}")));
  for (const auto& [k, v] : e["fields"].items()) CHECK(v.is_string());
  CHECK(std::count(body.begin(), body.end(), '\n') == 2);
}

TEST_CASE("OCSF: Process Activity for Bash, File System Activity for file tools, API Activity for MCP") {
  const auto bash = ocsf_events(sample("Bash", R"({"command":"make test"})"), kOrigin);
  REQUIRE(bash.size() == 1);
  CHECK(bash[0]["class_uid"] == 1007);
  CHECK(bash[0]["type_uid"] == 100701);
  CHECK(bash[0]["process"]["cmd_line"] == "make test");
  CHECK(bash[0]["action_id"] == 1);
  CHECK(bash[0]["metadata"]["uid"] == stable_id(kOrigin.host_id, sample("Bash", "{}")));
  CHECK(bash[0]["metadata"]["correlation_uid"] == "sess-1");
  CHECK(bash[0]["time"] == 1772360430456);

  const auto write = ocsf_events(sample("Write", R"({"file_path":"/src/a.cpp","content":"x"})", "deny"), kOrigin);
  CHECK(write[0]["class_uid"] == 1001);
  CHECK(write[0]["activity_id"] == 1);
  CHECK(write[0]["file"]["path"] == "/src/a.cpp");
  CHECK(write[0]["file"]["name"] == "a.cpp");
  CHECK(write[0]["action_id"] == 2);
  CHECK(write[0]["disposition"] == "Blocked");
  CHECK(ocsf_events(sample("Edit", R"({"file_path":"/a"})"), kOrigin)[0]["activity_id"] == 3);
  CHECK(ocsf_events(sample("Read", R"({"file_path":"/a"})"), kOrigin)[0]["activity_id"] == 2);

  const auto mcp = ocsf_events(sample("mcp__github__create_issue", R"({"title":"t"})"), kOrigin);
  CHECK(mcp[0]["class_uid"] == 6003);
  CHECK(mcp[0]["api"]["operation"] == "mcp__github__create_issue");
  CHECK(mcp[0]["api"]["service"]["name"] == "github");
  CHECK(mcp[0]["unmapped"]["session.id"] == "sess-1");
}

TEST_CASE("OCSF: a record with masked secrets adds a Detection Finding naming their kinds") {
  const auto ev = ocsf_events(
      sample("Bash", R"({"command":"curl -H [REDACTED:github-pat:3f2a] [REDACTED:aws-key:99] [REDACTED:github-pat:77]"})"),
      kOrigin);
  REQUIRE(ev.size() == 2);
  CHECK(ev[1]["class_uid"] == 2004);
  CHECK(ev[1]["finding_info"]["types"] == json::array({"aws-key", "github-pat"}));
  CHECK(ev[1]["finding_info"]["related_events"][0]["uid"] == ev[0]["metadata"]["uid"]);
  CHECK(ev[1]["metadata"]["uid"] == ev[0]["metadata"]["uid"].get<std::string>() + "-finding");
  // The markers, never a value, travel in the activity's record.
  CHECK(ev[0]["unmapped"]["preloop.arguments"]["command"].get<std::string>().find("[REDACTED:github-pat:3f2a]") !=
        std::string::npos);
}

TEST_CASE("ocsf format: HEC and syslog send one event per OCSF event") {
  const audit::Record r = sample("Bash", R"({"command":"echo [REDACTED:aws-key:1]"})");
  const std::string hec = hec_body({r}, kOrigin, sink(SinkKind::Hec, SinkFormat::Ocsf));
  CHECK(std::count(hec.begin(), hec.end(), '\n') == 2);
  const auto frames = unframe(syslog_frames({r}, kOrigin, sink(SinkKind::Syslog, SinkFormat::Ocsf)));
  REQUIRE(frames.size() == 2);
  // Each event its own id, so that a receiver deduplicating by id keeps the finding.
  const std::string finding = finding_id(kOrigin.host_id, r);
  CHECK(frames[0].find("id=\"" + stable_id(kOrigin.host_id, r) + "\"") != std::string::npos);
  CHECK(frames[1].find("id=\"" + finding + "\"") != std::string::npos);
  CHECK(hec.find("\"preloop_record_id\":\"" + finding + "\"") != std::string::npos);
}
