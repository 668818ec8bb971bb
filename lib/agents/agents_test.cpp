// The adapters' input and output shapes, from fixtures written after each
// agent's documented hook format (tests/agents/fixtures).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "agents/adapter.h"

using namespace preloop;
using agents::Adapter;
using nlohmann::json;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(PRELOOP_SOURCE_DIR) + "/tests/agents/fixtures/" + name);
  REQUIRE(in.good());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const Adapter& adapter(const char* name) {
  const Adapter* a = agents::find_adapter(name);
  REQUIRE(a != nullptr);
  return *a;
}

Decision decide(Verdict v, const std::string& reason = "because") {
  Decision d;
  d.verdict = v;
  d.reason = reason;
  return d;
}

json out_of(const protocol::Reply& r) {
  REQUIRE(!r.stdout_text.empty());
  return json::parse(r.stdout_text);
}

}  // namespace

TEST_CASE("agent names: every adapter is found by its name, anything else is not") {
  for (const char* name : {"claude", "gemini", "qwen", "codex", "copilot", "cursor"})
    CHECK(std::string(adapter(name).name) == name);
  CHECK(agents::find_adapter("Gemini") == nullptr);
  CHECK(agents::find_adapter("") == nullptr);
  CHECK(agents::find_adapter("claude_code") == nullptr);
  CHECK(agents::adapter_names() == "claude, gemini, qwen, codex, copilot, cursor");
  CHECK(std::string(agents::claude_code().audit_name) == "claude_code");
}

TEST_CASE("gemini: BeforeTool and AfterTool in Claude Code's vocabulary") {
  const Adapter& g = adapter("gemini");
  auto shell = g.parse(fixture("gemini_before_shell.json"));
  CHECK(shell.kind == protocol::EventKind::PreToolUse);
  CHECK(shell.event_name == "PreToolUse");
  CHECK(shell.tool_name == "Bash");
  CHECK(shell.native_tool_name == "run_shell_command");
  CHECK(shell.tool_input["command"] == "rm -rf ~/");
  CHECK(shell.session_id == "gem-1");
  CHECK(shell.cwd == "/work/project");
  CHECK(shell.agent == "gemini_cli");

  auto write = g.parse(fixture("gemini_before_write.json"));
  CHECK(write.tool_name == "Write");
  CHECK(write.tool_input["file_path"] == "/work/project/notes.txt");
  CHECK(write.tool_input["content"] == "hello");

  auto read = g.parse(fixture("gemini_before_read_old.json"));
  CHECK(read.tool_name == "Read");
  CHECK(read.tool_input["file_path"] == "/work/project/README.md");
  CHECK(!read.tool_input.contains("absolute_path"));

  auto mcp = g.parse(fixture("gemini_before_mcp.json"));
  CHECK(mcp.tool_name == "mcp__github__create_issue");

  auto after = g.parse(fixture("gemini_after_shell.json"));
  CHECK(after.kind == protocol::EventKind::PostToolUse);
  CHECK(after.tool_response["llmContent"].is_string());

  auto other = g.parse(R"({"hook_event_name":"SessionStart","session_id":"s","source":"startup"})");
  CHECK(other.kind == protocol::EventKind::Other);
}

TEST_CASE("gemini: bad input is refused with a specific message") {
  const Adapter& g = adapter("gemini");
  CHECK_THROWS_WITH_AS(g.parse("{\"hook_event_name\":\"BeforeTool\",\"tool_name\":\"x\"}"),
                       doctest::Contains("tool_input"), protocol::ProtocolError);
  CHECK_THROWS_WITH_AS(g.parse("{\"tool_name\":\"x\",\"tool_input\":{}}"), doctest::Contains("hook_event_name"),
                       protocol::ProtocolError);
  CHECK_THROWS_AS(g.parse("{\"hook_event_name\":\"BeforeTool\""), protocol::ProtocolError);
  // The same argument under both names, with different values: which one would the tool read?
  CHECK_THROWS_WITH_AS(g.parse(R"({"hook_event_name":"BeforeTool","tool_name":"read_file",
                                   "tool_input":{"absolute_path":"/tmp/a","file_path":"/home/u/.ssh/id_rsa"}})"),
                       doctest::Contains("different values"), protocol::ProtocolError);
  auto sniffed = g.sniff(R"({"hook_event_name":"AfterTool","tool_name":"run_shell_command","tool_input":{)");
  CHECK(sniffed.kind == protocol::EventKind::PostToolUse);
}

TEST_CASE("gemini: deny, ask, allow, rewrite and masking in its output format") {
  const Adapter& g = adapter("gemini");
  auto ev = g.parse(fixture("gemini_before_read_old.json"));
  auto deny = g.pre_reply(ev, decide(Verdict::Deny, "no"), nullptr, "");
  CHECK(deny.exit_code == 2);
  CHECK(deny.stderr_text == "no\n");
  CHECK(out_of(deny) == json{{"decision", "deny"}, {"reason", "no"}});
  // A question would hang a headless run: denied, saying why.
  auto ask = g.pre_reply(ev, decide(Verdict::Ask, "sure?"), nullptr, "");
  CHECK(ask.exit_code == 2);
  CHECK(out_of(ask)["decision"] == "deny");
  CHECK(out_of(ask)["reason"].get<std::string>().find("needs a person's confirmation") != std::string::npos);
  CHECK(out_of(g.pre_reply(ev, decide(Verdict::Allow), nullptr, ""))["decision"] == "allow");
  auto none = g.pre_reply(ev, Decision{}, nullptr, "");
  CHECK(none.stdout_text.empty());
  CHECK(none.exit_code == 0);
  // A rewrite goes back under the agent's own argument names.
  auto rewrite = g.pre_reply(ev, decide(Verdict::Allow), json{{"file_path", "/work/project/masked"}}, "");
  CHECK(out_of(rewrite)["decision"] == "allow");
  CHECK(out_of(rewrite)["hookSpecificOutput"]["tool_input"] == json{{"absolute_path", "/work/project/masked"}});
  auto newer = g.parse(R"({"hook_event_name":"BeforeTool","tool_name":"read_file","tool_input":{"file_path":"/a"}})");
  CHECK(out_of(g.pre_reply(newer, decide(Verdict::Allow), json{{"file_path", "/b"}}, ""))["hookSpecificOutput"]
            ["tool_input"] == json{{"file_path", "/b"}});

  auto after = g.parse(fixture("gemini_after_shell.json"));
  json masked = after.tool_response;
  masked["llmContent"] = "Output: GITHUB_TOKEN=[REDACTED:github-pat:1a2b]\n";
  auto post = g.post_reply(after, masked, "masked one secret");
  CHECK(post.exit_code == 0);
  json out = out_of(post);
  CHECK(out["decision"] == "deny");
  CHECK(out["reason"] == "Output: GITHUB_TOKEN=[REDACTED:github-pat:1a2b]\n\n\nmasked one secret");
  CHECK(out_of(g.post_reply(after, nullptr, "note"))["hookSpecificOutput"]["additionalContext"] == "note");
  CHECK(g.post_reply(after, nullptr, "").stdout_text.empty());
}

TEST_CASE("qwen: Claude Code's format with Qwen's tool names") {
  const Adapter& q = adapter("qwen");
  auto shell = q.parse(fixture("qwen_pre_shell.json"));
  CHECK(shell.kind == protocol::EventKind::PreToolUse);
  CHECK(shell.tool_name == "Bash");
  CHECK(shell.tool_use_id == "toolu_q1");
  CHECK(shell.agent == "qwen_code");
  auto edit = q.parse(fixture("qwen_pre_edit.json"));
  CHECK(edit.tool_name == "Edit");
  CHECK(edit.tool_input["old_string"] == "x = 1");
  auto read = q.parse(fixture("qwen_pre_read.json"));
  CHECK(read.tool_name == "Read");
  CHECK(read.tool_input["file_path"] == "/work/project/a.py");
  CHECK(q.parse(R"({"hook_event_name":"ConfigChange","source":"user_settings"})").kind == protocol::EventKind::Other);

  auto deny = q.pre_reply(shell, decide(Verdict::Deny, "no"), nullptr, "");
  CHECK(deny.exit_code == 2);
  CHECK(out_of(deny)["hookSpecificOutput"]["permissionDecision"] == "deny");
  auto ask = q.pre_reply(read, decide(Verdict::Ask, "sure?"), json{{"file_path", "/x"}}, "");
  CHECK(out_of(ask)["hookSpecificOutput"]["permissionDecision"] == "ask");
  CHECK(out_of(ask)["hookSpecificOutput"]["updatedInput"] == json{{"absolute_path", "/x"}});
  // Masking: continue:false, whose stopReason the model reads in place of the output.
  auto post = q.post_reply(q.parse(fixture("qwen_post_shell.json")),
                           json{{"llmContent", "Output: [REDACTED]"}, {"returnDisplay", "x"}}, "note");
  CHECK(out_of(post) == json{{"continue", false}, {"stopReason", "Output: [REDACTED]\n\nnote"}});
  CHECK(out_of(q.post_reply(read, nullptr, "note"))["hookSpecificOutput"]["additionalContext"] == "note");
}

TEST_CASE("codex: no ask, allow only with a rewrite, deny with a reason") {
  const Adapter& c = adapter("codex");
  auto ev = c.parse(fixture("codex_pre_bash.json"));
  CHECK(ev.tool_name == "Bash");
  CHECK(ev.agent == "codex_cli");
  auto deny = c.pre_reply(ev, decide(Verdict::Deny, "no"), nullptr, "");
  CHECK(deny.exit_code == 2);
  CHECK(out_of(deny)["hookSpecificOutput"] ==
        json{{"hookEventName", "PreToolUse"}, {"permissionDecision", "deny"}, {"permissionDecisionReason", "no"}});
  auto empty_reason = c.pre_reply(ev, decide(Verdict::Deny, " "), nullptr, "");
  CHECK(out_of(empty_reason)["hookSpecificOutput"]["permissionDecisionReason"] != " ");
  auto ask = c.pre_reply(ev, decide(Verdict::Ask, "a person must look"), json{{"command", "ls"}}, "");
  CHECK(ask.exit_code == 2);
  CHECK(out_of(ask)["hookSpecificOutput"]["permissionDecision"] == "deny");
  CHECK(ask.stderr_text.find("a person must look") != std::string::npos);
  CHECK(c.pre_reply(ev, decide(Verdict::Allow), nullptr, "").stdout_text.empty());
  auto rewrite = c.pre_reply(ev, decide(Verdict::Allow), json{{"command", "ls"}}, "");
  CHECK(rewrite.exit_code == 0);
  CHECK(out_of(rewrite)["hookSpecificOutput"]["permissionDecision"] == "allow");
  CHECK(out_of(rewrite)["hookSpecificOutput"]["updatedInput"] == json{{"command", "ls"}});
  // Masking: the model reads a block's reason in place of the output.
  auto post = c.parse(fixture("codex_post_bash.json"));
  CHECK(out_of(c.post_reply(post, "masked", "note")) == json{{"decision", "block"}, {"reason", "masked\n\nnote"}});
  CHECK(out_of(c.post_reply(post, "", ""))["reason"] == "[empty output]");
  CHECK(out_of(c.post_reply(post, nullptr, "note"))["hookSpecificOutput"]["additionalContext"] == "note");
}

TEST_CASE("apply_patch (Codex, Copilot): one file becomes Write or Edit, several keep the patch") {
  const Adapter& c = adapter("codex");
  auto add = c.parse(fixture("codex_pre_apply_patch.json"));
  CHECK(add.tool_name == "Write");
  CHECK(add.native_tool_name == "apply_patch");
  CHECK(add.tool_input == json{{"file_path", "/work/project/written.txt"}, {"content", "written by patch\n"}});
  auto update = c.parse(fixture("codex_pre_apply_patch_update.json"));
  CHECK(update.tool_name == "Edit");
  CHECK(update.tool_input == json{{"file_path", "/work/project/src/a.py"}, {"old_string", "    return 1\n"},
                                  {"new_string", "    return 2\n"}});
  auto multi = c.parse(fixture("codex_pre_apply_patch_multi.json"));
  CHECK(multi.tool_name == "Bash");
  CHECK(multi.tool_input["command"] ==
        "cat > '/work/project/a.txt' <<'PRELOOP_PATCH_EOF'\na\nPRELOOP_PATCH_EOF\nrm -f -- '/work/project/b.txt'\n");
  auto moved = c.parse(R"({"hook_event_name":"PreToolUse","cwd":"/p","tool_name":"apply_patch","tool_input":{"command":
    "*** Begin Patch\n*** Update File: it's.txt\n*** Move to: /home/u/.bashrc\n@@\n-x\n+PRELOOP_PATCH_EOF\n*** End Patch\n"}})");
  CHECK(moved.tool_name == "Bash");
  CHECK(moved.tool_input["command"] == "cat > '/p/it'\\''s.txt' <<'PRELOOP_PATCH_EOF_'\nPRELOOP_PATCH_EOF\n"
                                       "PRELOOP_PATCH_EOF_\nmv -f -- '/p/it'\\''s.txt' '/home/u/.bashrc'\n");
  // A rewritten patch cannot be written back: denied.
  auto masked = c.pre_reply(add, decide(Verdict::Allow), json{{"file_path", "x"}, {"content", "y"}}, "");
  CHECK(out_of(masked)["hookSpecificOutput"]["permissionDecision"] == "deny");

  const Adapter& cp = adapter("copilot");
  auto patch = cp.parse(fixture("copilot_pre_apply_patch.json"));
  CHECK(patch.tool_name == "Write");
  CHECK(patch.tool_input["file_path"] == "/work/project/written.txt");
  CHECK(out_of(cp.pre_reply(patch, decide(Verdict::Ask), json{{"file_path", "x"}}, ""))["permissionDecision"] == "deny");
}

TEST_CASE("copilot: toolArgs as a JSON string, camelCase and VS Code shapes") {
  const Adapter& c = adapter("copilot");
  auto bash = c.parse(fixture("copilot_pre_bash.json"));
  CHECK(bash.kind == protocol::EventKind::PreToolUse);
  CHECK(bash.tool_name == "Bash");
  CHECK(bash.tool_input["command"] == "rm -rf ~/");
  CHECK(bash.session_id == "cp-1");
  CHECK(bash.agent == "copilot_cli");
  auto create = c.parse(fixture("copilot_pre_create.json"));
  CHECK(create.tool_name == "Write");
  CHECK(create.tool_input == json{{"file_path", "/work/project/notes.txt"}, {"content", "hello"}});
  auto edit = c.parse(fixture("copilot_pre_vscode.json"));
  CHECK(edit.tool_name == "Edit");
  CHECK(edit.tool_input == json{{"file_path", "/work/project/a.py"}, {"old_string", "x = 1"}, {"new_string", "x = 2"}});
  auto post = c.parse(fixture("copilot_post_bash.json"));
  CHECK(post.kind == protocol::EventKind::PostToolUse);
  CHECK(post.tool_response["textResultForLlm"] == "a.py\n");
  CHECK_THROWS_WITH_AS(c.parse(R"({"toolName":"bash","toolArgs":"{\"command\":"})"), doctest::Contains("toolArgs"),
                       protocol::ProtocolError);
  CHECK_THROWS_WITH_AS(c.parse(R"({"toolName":"bash","toolArgs":42})"), doctest::Contains("toolArgs"),
                       protocol::ProtocolError);

  auto deny = c.pre_reply(bash, decide(Verdict::Deny, "no"), nullptr, "");
  CHECK(out_of(deny) == json{{"permissionDecision", "deny"}, {"permissionDecisionReason", "no"}});
  CHECK(out_of(c.pre_reply(bash, decide(Verdict::Ask), nullptr, ""))["permissionDecision"] == "ask");
  CHECK(out_of(c.pre_reply(bash, decide(Verdict::Allow), nullptr, ""))["permissionDecision"] == "allow");
  CHECK(c.pre_reply(bash, Decision{}, nullptr, "").stdout_text.empty());
  auto view = c.parse(fixture("copilot_pre_view_object.json"));
  CHECK(view.tool_name == "Read");
  CHECK(view.tool_input == json{{"file_path", "/work/project/readme.txt"}});
  // A rewrite travels as modifiedArgs, in Copilot's argument names.
  auto rewrite = c.pre_reply(view, decide(Verdict::Ask, "masked"), json{{"file_path", "/x"}}, "");
  CHECK(out_of(rewrite)["permissionDecision"] == "ask");
  CHECK(out_of(rewrite)["modifiedArgs"] == json{{"path", "/x"}});
  // Masking: modifiedResult replaces what the model reads.
  json masked = {{"resultType", "success"}, {"textResultForLlm", "[REDACTED]"}};
  CHECK(out_of(c.post_reply(post, masked, ""))["modifiedResult"] == masked);
  CHECK(c.post_reply(post, nullptr, "").stdout_text.empty());
}

TEST_CASE("cursor: every event gets an explicit permission") {
  const Adapter& c = adapter("cursor");
  auto shell = c.parse(fixture("cursor_before_shell.json"));
  CHECK(shell.tool_name == "Bash");
  CHECK(shell.tool_input["command"] == "rm -rf ~/");
  CHECK(shell.agent_version == "2.3.41");
  CHECK(shell.session_id == "cu-1");
  CHECK(shell.cwd == "/work/project");
  auto pre = c.parse(fixture("cursor_pre_tool.json"));
  CHECK(pre.tool_name == "Bash");
  CHECK(pre.tool_input["command"] == "ls -la");
  auto mcp = c.parse(fixture("cursor_before_mcp.json"));
  CHECK(mcp.tool_name == "mcp__github__create_issue");
  CHECK(mcp.tool_input == json{{"title", "x"}});
  auto read = c.parse(fixture("cursor_before_read.json"));
  CHECK(read.tool_name == "Read");
  CHECK(read.tool_input == json{{"file_path", "/home/user/.aws/credentials"}});
  CHECK_THROWS_AS(c.parse(R"({"hook_event_name":"beforeShellExecution"})"), protocol::ProtocolError);

  CHECK(out_of(c.pre_reply(shell, Decision{}, nullptr, "")) == json{{"permission", "allow"}});
  auto deny = c.pre_reply(shell, decide(Verdict::Deny, "no"), nullptr, "");
  CHECK(deny.exit_code == 0);
  CHECK(out_of(deny) == json{{"permission", "deny"}, {"user_message", "no"}, {"agent_message", "no"}});
  CHECK(out_of(c.pre_reply(shell, decide(Verdict::Ask), nullptr, ""))["permission"] == "ask");
  CHECK(out_of(c.pre_reply(shell, decide(Verdict::Ask), json{{"command", "x"}}, ""))["permission"] == "deny");
  CHECK(out_of(c.post_reply(mcp, json{{"text", "masked"}}, ""))["updated_mcp_tool_output"] == json{{"text", "masked"}});
}
