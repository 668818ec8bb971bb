#include <doctest/doctest.h>

#include <string>
#include <unistd.h>

#include "protocol/event.h"
#include "protocol/json_depth.h"
#include "protocol/json_fast.h"

using namespace preloop::protocol;

namespace {
std::string nested(int depth, const char* open = "[", const char* close = "]") {
  std::string s;
  for (int i = 0; i < depth; ++i) s += open;
  for (int i = 0; i < depth; ++i) s += close;
  return s;
}
}  // namespace

TEST_CASE("nesting is counted outside strings only") {
  CHECK_FALSE(json_too_deep(nested(kMaxJsonDepth)));
  CHECK(json_too_deep(nested(kMaxJsonDepth + 1)));
  CHECK(json_too_deep(nested(3), 2));
  CHECK_FALSE(json_too_deep(nested(2), 2));
  CHECK_FALSE(json_too_deep("[\"" + std::string(10000, '[') + "\"]"));
  CHECK_FALSE(json_too_deep(R"(["\"[[[[", {"a": "\\"}])", 2));
  CHECK(json_too_deep(R"({"a":[{"b":[1]}]})", 3));
  // Truncated or invalid text is still measured.
  CHECK(json_too_deep(std::string(100000, '{')));
  CHECK_FALSE(json_too_deep("\"unterminated [[[[", 1));
  CHECK_FALSE(json_too_deep("\"ends in a backslash\\", 1));
  // Siblings do not add up.
  std::string wide = "[";
  for (int i = 0; i < 2000; ++i) wide += nested(10) + ",";
  wide += "1]";
  CHECK_FALSE(json_too_deep(wide, 11));
}

TEST_CASE("the fast parser and the guard agree on the limit") {
  CHECK(parse_json_fast(nested(kMaxJsonDepth)));
  CHECK_FALSE(parse_json_fast(nested(kMaxJsonDepth + 1)));
}

TEST_CASE("an event nested 100,000 deep is refused before any parser sees it") {
  std::string deep = R"({"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls","x":)" +
                     nested(100000) + "}}";
  CHECK_THROWS_WITH_AS(parse_event(deep), doctest::Contains("deeper than 512 levels"), ProtocolError);
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  CHECK_THROWS_WITH_AS(parse_event(objects), doctest::Contains("deeper than 512 levels"), ProtocolError);
}

TEST_CASE("sniffing an unparseable event finds its top-level fields") {
  SUBCASE("truncated PostToolUse") {
    HookEvent ev = sniff_event(R"({"session_id":"s1","hook_event_name":"PostToolUse","tool_name":"Bash",)"
                               R"("tool_use_id":"toolu_1","tool_response":{"stdout":"partial out)");
    CHECK(ev.kind == EventKind::PostToolUse);
    CHECK(ev.event_name == "PostToolUse");
    CHECK(ev.tool_name == "Bash");
    CHECK(ev.session_id == "s1");
    CHECK(ev.tool_use_id == "toolu_1");
  }
  SUBCASE("nested keys do not count") {
    HookEvent ev = sniff_event(R"({"tool_input":{"hook_event_name":"PostToolUse","tool_name":"X"},)"
                               R"("hook_event_name":"PreToolUse","tool_name":"mcp__a__b","tool_response":[)");
    CHECK(ev.kind == EventKind::PreToolUse);
    CHECK(ev.tool_name == "mcp__a__b");
    HookEvent only_nested = sniff_event(R"({"tool_input":{"hook_event_name":"PostToolUse"})");
    CHECK(only_nested.kind == EventKind::Other);
    CHECK(only_nested.event_name.empty());
  }
  SUBCASE("keys and values in strings do not count") {
    HookEvent ev = sniff_event(R"({"cwd":"\"hook_event_name\":\"PostToolUse\"","hook_event_name":"PostToolUseFailure"})");
    CHECK(ev.kind == EventKind::PostToolUseFailure);
    CHECK(ev.cwd == R"("hook_event_name":"PostToolUse")");
    HookEvent value = sniff_event(R"({"session_id":"hook_event_name","x":"PostToolUse"})");
    CHECK(value.kind == EventKind::Other);
  }
  SUBCASE("deeply nested after the fields") {
    HookEvent ev = sniff_event(R"({"hook_event_name":"PostToolUse","tool_name":"Read","tool_response":)" +
                               std::string(100000, '['));
    CHECK(ev.kind == EventKind::PostToolUse);
    CHECK(ev.tool_name == "Read");
  }
  SUBCASE("not an object, garbage, cut inside a value") {
    CHECK(sniff_event("").kind == EventKind::Other);
    CHECK(sniff_event("[{\"hook_event_name\":\"PostToolUse\"}]").kind == EventKind::Other);
    CHECK(sniff_event("\x01\x02garbage").kind == EventKind::Other);
    CHECK(sniff_event(R"({"hook_event_name":"PostTo)").kind == EventKind::Other);
    CHECK(sniff_event(R"({"hook_event_name":)").kind == EventKind::Other);
  }
}

TEST_CASE("the head of an oversized input is kept for sniffing") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::string text = R"({"hook_event_name":"PostToolUse","tool_response":")" + std::string(5000, 'x');
  REQUIRE(write(fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  close(fds[1]);
  std::string head;
  CHECK_THROWS_AS(read_all_capped(fds[0], 4096, &head), ProtocolError);
  close(fds[0]);
  CHECK(!head.empty());
  CHECK(head.size() <= 4096);
  CHECK(sniff_event(head).kind == EventKind::PostToolUse);
}
