#include <doctest/doctest.h>

#include <fcntl.h>
#include <thread>
#include <unistd.h>

#include "protocol/event.h"
#include "protocol/response.h"

using namespace preloop;
using namespace preloop::protocol;

TEST_CASE("parses a PreToolUse event and tolerates unknown and missing optional fields") {
  auto ev = parse_event(R"({"session_id":"s1","cwd":"/p","hook_event_name":"PreToolUse","tool_name":"Bash",
    "tool_input":{"command":"ls","future_field":1},"effort":{"level":"high"},"brand_new":[1,2]})");
  CHECK(ev.kind == EventKind::PreToolUse);
  CHECK(ev.tool_name == "Bash");
  CHECK(ev.tool_input["command"] == "ls");
  CHECK(ev.tool_use_id.empty());
  CHECK(ev.permission_mode.empty());
  CHECK(ev.agent_id.empty());
}

TEST_CASE("parses PostToolUse with response and duration") {
  auto ev = parse_event(R"({"hook_event_name":"PostToolUse","tool_name":"Bash","tool_use_id":"t1",
    "tool_input":{"command":"ls"},"tool_response":{"stdout":"a","stderr":""},"duration_ms":12})");
  CHECK(ev.kind == EventKind::PostToolUse);
  CHECK(ev.tool_response["stdout"] == "a");
  CHECK(ev.duration_ms.value() == 12);
}

TEST_CASE("parses ConfigChange and InstructionsLoaded, which carry no tool") {
  auto cc = parse_event(R"({"hook_event_name":"ConfigChange","session_id":"s","source":"user_settings",
    "file_path":"/h/.claude/settings.json"})");
  CHECK(cc.kind == EventKind::ConfigChange);
  CHECK(!is_tool_event(cc.kind));
  CHECK(cc.source == "user_settings");
  CHECK(cc.file_path == "/h/.claude/settings.json");
  auto il = parse_event(R"({"hook_event_name":"InstructionsLoaded","file_path":"/p/CLAUDE.md",
    "memory_type":"Project","load_reason":"session_start"})");
  CHECK(il.kind == EventKind::InstructionsLoaded);
  CHECK(il.memory_type == "Project");
  CHECK(il.load_reason == "session_start");
  CHECK_THROWS_WITH_AS(parse_event(R"({"hook_event_name":"ConfigChange","source":7})"),
                       doctest::Contains("'source' must be a string"), ProtocolError);
}

TEST_CASE("malformed input is refused with a specific reason") {
  CHECK_THROWS_WITH_AS(parse_event(""), doctest::Contains("empty hook input"), ProtocolError);
  CHECK_THROWS_WITH_AS(parse_event("{\"hook_event_name\":\"PreToolUse\""), doctest::Contains("not valid JSON"),
                       ProtocolError);
  CHECK_THROWS_WITH_AS(parse_event("[1]"), doctest::Contains("must be a JSON object"), ProtocolError);
  CHECK_THROWS_WITH_AS(parse_event(R"({"tool_name":"Bash","tool_input":{}})"), doctest::Contains("hook_event_name"),
                       ProtocolError);
  CHECK_THROWS_WITH_AS(parse_event(R"({"hook_event_name":"PreToolUse","tool_input":{}})"),
                       doctest::Contains("tool_name"), ProtocolError);
  CHECK_THROWS_WITH_AS(parse_event(R"({"hook_event_name":"PreToolUse","tool_name":"Bash"})"),
                       doctest::Contains("no 'tool_input'"), ProtocolError);
  CHECK_THROWS_WITH_AS(parse_event(R"({"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":"ls"})"),
                       doctest::Contains("'tool_input' must be a JSON object"), ProtocolError);
  CHECK_THROWS_WITH_AS(parse_event(R"({"hook_event_name":"PreToolUse","tool_name":7,"tool_input":{}})"),
                       doctest::Contains("'tool_name' must be a string"), ProtocolError);
}

TEST_CASE("input over the cap is refused") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::string big(5000, 'x');
  REQUIRE(write(fds[1], big.data(), big.size()) == static_cast<ssize_t>(big.size()));
  close(fds[1]);
  CHECK_THROWS_WITH_AS(read_all_capped(fds[0], 4096), doctest::Contains("exceeds the size cap of 4096"), ProtocolError);
  close(fds[0]);
}

TEST_CASE("input within the cap is read whole") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  REQUIRE(write(fds[1], "abc", 3) == 3);
  close(fds[1]);
  CHECK(read_all_capped(fds[0], 3) == "abc");
  close(fds[0]);
}

TEST_CASE("input larger than what is first available is read whole, from a pipe or a file") {
  std::string big;
  for (int i = 0; big.size() < 300000; ++i) big += std::to_string(i) + ",";
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::thread writer([&] {  // in pieces: the reader sees a little at a time
    for (std::size_t off = 0; off < big.size(); off += 1000)
      if (write(fds[1], big.data() + off, std::min<std::size_t>(1000, big.size() - off)) <= 0) break;
    close(fds[1]);
  });
  CHECK(read_all_capped(fds[0], 1 << 20) == big);
  writer.join();
  close(fds[0]);

  char path[] = "/tmp/preloop-input-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, big.data(), big.size()) == static_cast<ssize_t>(big.size()));
  REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
  CHECK(read_all_capped(fd, 1 << 20) == big);
  REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
  CHECK_THROWS_AS(read_all_capped(fd, big.size() - 1), ProtocolError);
  close(fd);
  unlink(path);
}

TEST_CASE("replies follow the protocol") {
  Decision d;
  SUBCASE("no decision: exit 0, no output") {
    auto r = pre_tool_use_reply(d);
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_text.empty());
    CHECK(r.stderr_text.empty());
  }
  SUBCASE("deny: exit 2, reason on stderr, deny JSON") {
    d.verdict = Verdict::Deny;
    d.reason = "no";
    auto r = pre_tool_use_reply(d);
    CHECK(r.exit_code == 2);
    CHECK(r.stderr_text == "no\n");
    auto j = nlohmann::json::parse(r.stdout_text);
    CHECK(j["hookSpecificOutput"]["hookEventName"] == "PreToolUse");
    CHECK(j["hookSpecificOutput"]["permissionDecision"] == "deny");
    CHECK(j["hookSpecificOutput"]["permissionDecisionReason"] == "no");
  }
  SUBCASE("ask and allow: exit 0 with permissionDecision") {
    d.verdict = Verdict::Ask;
    d.reason = "why";
    auto j = nlohmann::json::parse(pre_tool_use_reply(d).stdout_text);
    CHECK(j["hookSpecificOutput"]["permissionDecision"] == "ask");
    d.verdict = Verdict::Allow;
    auto r = pre_tool_use_reply(d, nlohmann::json{{"command", "ls"}});
    CHECK(r.exit_code == 0);
    j = nlohmann::json::parse(r.stdout_text);
    CHECK(j["hookSpecificOutput"]["permissionDecision"] == "allow");
    CHECK(j["hookSpecificOutput"]["updatedInput"]["command"] == "ls");
  }
  SUBCASE("invalid UTF-8 in a reason still yields valid JSON") {
    d.verdict = Verdict::Deny;
    d.reason = std::string("bad \xff byte");
    auto r = pre_tool_use_reply(d);
    CHECK_NOTHROW(nlohmann::json::parse(r.stdout_text));
  }
}

TEST_CASE("PostToolUse replies carry updatedToolOutput only when given") {
  CHECK(post_tool_use_reply(nullptr).stdout_text.empty());
  auto j = nlohmann::json::parse(post_tool_use_reply(nlohmann::json{{"stdout", "x"}}).stdout_text);
  CHECK(j["hookSpecificOutput"]["hookEventName"] == "PostToolUse");
  CHECK(j["hookSpecificOutput"]["updatedToolOutput"]["stdout"] == "x");
}
