// The secrets steps on constructed hook contexts: PreToolUse policies and
// PostToolUse masking in each tool's output shape.
#include <doctest/doctest.h>

#include <string>

#include "hook/steps.h"

using nlohmann::json;
using namespace preloop;
using namespace preloop::hook;

namespace {

// Test secrets are assembled at run time: no scanner-triggering literal in the source.
std::string gh_token() { return "gh" + std::string("p_") + "R8mZq2VxT4nLp0sK7wYb3cJd9HfG6aEu1XtN"; }
std::string aws_key() { return "AKIA" + std::string("Q3ZK7WDNRT5MXB2H"); }

Config config_with(const std::string& yaml) {
  Config c;
  c.root = YAML::Load(yaml);
  return c;
}

HookContext pre(const Config& c, const std::string& tool, json input) {
  HookContext ctx;
  ctx.config = &c;
  ctx.event.kind = protocol::EventKind::PreToolUse;
  ctx.event.session_id = "session-1";
  ctx.event.tool_name = tool;
  ctx.event.tool_input = std::move(input);
  return ctx;
}

HookContext post(const Config& c, const std::string& tool, json response, const std::string& session = "session-1") {
  HookContext ctx;
  ctx.config = &c;
  ctx.event.kind = protocol::EventKind::PostToolUse;
  ctx.event.session_id = session;
  ctx.event.tool_name = tool;
  ctx.event.tool_response = std::move(response);
  return ctx;
}

// Same keys, same JSON types, recursively; strings may differ.
void check_same_shape(const json& a, const json& b) {
  REQUIRE(a.type() == b.type());
  if (a.is_object()) {
    REQUIRE(a.size() == b.size());
    for (auto it = a.begin(); it != a.end(); ++it) {
      REQUIRE(b.contains(it.key()));
      check_same_shape(it.value(), b[it.key()]);
    }
  } else if (a.is_array()) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) check_same_shape(a[i], b[i]);
  } else if (!a.is_string()) {
    CHECK(a == b);
  }
}

bool leaks(const json& j) {
  std::string s = j.dump();
  return s.find(gh_token()) != std::string::npos || s.find(aws_key()) != std::string::npos;
}

}  // namespace

TEST_CASE("PreToolUse: a secret in Write content is denied by default, without echoing it") {
  Config c;
  auto ctx = pre(c, "Write", {{"file_path", "/p/config.py"}, {"content", "TOKEN = \"" + gh_token() + "\"\n"}});
  secrets_input_step(ctx);
  CHECK(ctx.decision.verdict == Verdict::Deny);
  CHECK(ctx.decision.rule.id == "secrets.on_file_write");
  CHECK(ctx.decision.reason.find("environment variable") != std::string::npos);
  CHECK(ctx.decision.reason.find("/p/config.py") != std::string::npos);
  CHECK(ctx.decision.reason.find("[REDACTED:github-pat:") != std::string::npos);
  CHECK(ctx.decision.reason.find(gh_token()) == std::string::npos);
  CHECK(ctx.updated_input.is_null());
}

TEST_CASE("PreToolUse: a secret in a Bash command is denied by default") {
  Config c;
  auto ctx = pre(c, "Bash", {{"command", "curl -H 'Authorization: token " + gh_token() + "' https://api.github.com/user"},
                             {"description", "who am I"}});
  secrets_input_step(ctx);
  CHECK(ctx.decision.verdict == Verdict::Deny);
  CHECK(ctx.decision.rule.id == "secrets.on_command");
  CHECK(ctx.decision.reason.find(gh_token()) == std::string::npos);
}

TEST_CASE("PreToolUse: mask policy replaces the whole input and asks when nothing decided yet") {
  Config c = config_with("secrets: {on_command: mask, on_file_write: mask}");
  json input = {{"command", "export AWS_ACCESS_KEY_ID=" + aws_key() + " && aws s3 ls"},
                {"description", "list"},
                {"timeout", 60000},
                {"run_in_background", false}};
  auto ctx = pre(c, "Bash", input);
  secrets_input_step(ctx);
  CHECK(ctx.decision.verdict == Verdict::Ask);
  REQUIRE(ctx.updated_input.is_object());
  check_same_shape(input, ctx.updated_input);
  CHECK(ctx.updated_input["command"].get<std::string>().find("[REDACTED:aws-access-key-id:") != std::string::npos);
  CHECK(ctx.updated_input["command"].get<std::string>().find("aws s3 ls") != std::string::npos);
  CHECK(!leaks(ctx.updated_input));

  auto allowed = pre(c, "Bash", input);
  allowed.decision.verdict = Verdict::Allow;
  secrets_input_step(allowed);
  CHECK(allowed.decision.verdict == Verdict::Allow);  // masked input, still allowed
  CHECK(!allowed.updated_input.is_null());
}

TEST_CASE("PreToolUse: never downgrades a deny; allow policy lets it through") {
  Config c = config_with("secrets: {on_command: allow}");
  auto denied = pre(c, "Write", {{"file_path", "/x"}, {"content", gh_token()}});
  denied.decision.verdict = Verdict::Deny;
  denied.decision.reason = "policy says no";
  secrets_input_step(denied);
  CHECK(denied.decision.verdict == Verdict::Deny);
  CHECK(denied.decision.reason == "policy says no");

  auto allowed = pre(c, "Bash", {{"command", "echo " + gh_token()}});
  secrets_input_step(allowed);
  CHECK(allowed.decision.verdict == Verdict::None);
  CHECK(allowed.updated_input.is_null());

  // A pending approval does not survive a secrets deny.
  Config d;
  auto approval = pre(d, "Bash", {{"command", "echo " + gh_token()}});
  approval.decision.verdict = Verdict::Ask;
  approval.decision.needs_approval = true;
  secrets_input_step(approval);
  CHECK(approval.decision.verdict == Verdict::Deny);
  CHECK_FALSE(approval.decision.needs_approval);
}

TEST_CASE("PreToolUse: an Edit that keeps an existing secret is not blocked; a new one is") {
  Config c;
  std::string line = "API_TOKEN = \"" + gh_token() + "\"";
  auto keep = pre(c, "Edit", {{"file_path", "/p/s.py"}, {"old_string", line + "  # old"}, {"new_string", line + "  # new"}});
  secrets_input_step(keep);
  CHECK(keep.decision.verdict == Verdict::None);
  auto add = pre(c, "Edit", {{"file_path", "/p/s.py"}, {"old_string", "x = 1"}, {"new_string", line}});
  secrets_input_step(add);
  CHECK(add.decision.verdict == Verdict::Deny);
  auto other = pre(c, "Read", {{"file_path", "/p/.env"}});
  secrets_input_step(other);
  CHECK(other.decision.verdict == Verdict::None);
}

TEST_CASE("PostToolUse: each built-in output shape is masked in place, fields kept") {
  Config c;
  const std::string env = "AWS_ACCESS_KEY_ID=" + aws_key() + "\nGITHUB_TOKEN=" + gh_token() + "\nHOME=/home/me\n";
  const json shapes[] = {
      // Bash
      {{"stdout", env}, {"stderr", "warning: " + gh_token()}, {"interrupted", false}, {"isImage", false},
       {"noOutputExpected", false}},
      // Read (text)
      {{"type", "text"},
       {"file", {{"filePath", "/p/.env"}, {"content", env}, {"numLines", 3}, {"startLine", 1}, {"totalLines", 3}}}},
      // Grep (content mode)
      {{"mode", "content"}, {"numFiles", 1}, {"filenames", json::array({"/p/.env"})}, {"content", "/p/.env:2:" + env},
       {"numLines", 3}},
      // WebFetch
      {{"bytes", 1234}, {"code", 200}, {"codeText", "OK"}, {"result", "The page lists the key " + aws_key()},
       {"durationMs", 321}, {"url", "https://example.org/leak"}},
      // MCP: content blocks
      json::array({{{"type", "text"}, {"text", env}}}),
      {{"content", json::array({{{"type", "text"}, {"text", env}}})}, {"isError", false}},
  };
  for (const json& shape : shapes) {
    CAPTURE(shape.dump());
    auto ctx = post(c, "Bash", shape);
    secrets_output_step(ctx);
    REQUIRE(!ctx.updated_output.is_null());
    check_same_shape(shape, ctx.updated_output);
    CHECK(!leaks(ctx.updated_output));
    CHECK(ctx.updated_output.dump().find("[REDACTED:") != std::string::npos);
    CHECK(ctx.additional_context.find("masked") != std::string::npos);
  }
}

TEST_CASE("PostToolUse: nothing found, binary payloads and on_output: allow give no output") {
  Config c;
  auto clean = post(c, "Bash", {{"stdout", "total 0\n"}, {"stderr", ""}, {"interrupted", false}, {"isImage", false}});
  secrets_output_step(clean);
  CHECK(clean.updated_output.is_null());
  CHECK(clean.additional_context.empty());

  auto image = post(c, "Read", {{"type", "image"},
                                {"file", {{"base64", "iVBORw0KGgo" + aws_key() + "AAAA"}, {"type", "image/png"},
                                          {"originalSize", 1000}}}});
  secrets_output_step(image);
  CHECK(image.updated_output.is_null());

  Config allow = config_with("secrets: {on_output: allow}");
  auto off = post(allow, "Bash", {{"stdout", gh_token()}, {"stderr", ""}});
  secrets_output_step(off);
  CHECK(off.updated_output.is_null());
}

TEST_CASE("PostToolUse: markers are stable per secret within a session and differ across sessions") {
  Config c;
  auto a = post(c, "Bash", {{"stdout", gh_token() + " " + gh_token()}, {"stderr", ""}}, "s-A");
  secrets_output_step(a);
  std::string out = a.updated_output["stdout"];
  auto sp = out.find(' ');
  CHECK(out.substr(0, sp) == out.substr(sp + 1));
  auto b = post(c, "Bash", {{"stdout", gh_token()}, {"stderr", ""}}, "s-B");
  secrets_output_step(b);
  CHECK(b.updated_output["stdout"].get<std::string>() != out.substr(0, sp));
}

TEST_CASE("an invalid secrets section fails loudly (the pipeline turns it into a deny)") {
  Config bad = config_with("secrets: {patterns: [{id: x, regex: '(('}]}");
  auto ctx = pre(bad, "Bash", {{"command", "ls"}});
  CHECK_THROWS_AS(secrets_input_step(ctx), ConfigError);
}
