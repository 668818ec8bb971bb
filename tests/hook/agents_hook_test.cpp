// `preloop-hook hook --agent NAME` through the real binary: the same policy
// decides for every agent, and each answer is written in that agent's format
// (deny, ask or its fail-closed stand-in, allow, rewritten input, and a
// malformed input denied the agent's way).
#include <doctest/doctest.h>

#include <fstream>

#include "hook/hook_env.h"

using preloop::testing::HookEnv;
using preloop::testing::ProcessResult;
using nlohmann::json;

namespace {

const char* kPolicy = R"Y(
tools:
  - name: Bash
    conditions:
      - expression: "args.command.contains('rm -rf /')"
        action: deny
        message: "Never delete the root"
      - expression: "args.command.startsWith('git push')"
        approval_workflow: manual-approval
      - expression: "args.command == 'make test'"
        action: allow
        description: "tests are fine"
)Y";

const char* kAgents[] = {"claude", "gemini", "qwen", "codex", "copilot", "cursor"};

// One shell command as each agent sends it.
std::string shell_call(const std::string& agent, const HookEnv& env, const std::string& command) {
  const json input = {{"command", command}};
  if (agent == "gemini")
    return json{{"hook_event_name", "BeforeTool"}, {"session_id", "s-gem"}, {"cwd", env.project()},
                {"timestamp", "2026-12-06T08:00:00Z"}, {"tool_name", "run_shell_command"}, {"tool_input", input}}
        .dump();
  if (agent == "qwen")
    return json{{"hook_event_name", "PreToolUse"}, {"session_id", "s-qw"}, {"cwd", env.project()},
                {"permission_mode", "default"}, {"tool_name", "run_shell_command"}, {"tool_input", input},
                {"tool_use_id", "toolu_1"}}
        .dump();
  if (agent == "copilot")
    return json{{"sessionId", "s-cp"}, {"timestamp", 1765008000000}, {"cwd", env.project()}, {"toolName", "bash"},
                {"toolArgs", input.dump()}}
        .dump();
  if (agent == "cursor")
    return json{{"hook_event_name", "beforeShellExecution"}, {"conversation_id", "s-cu"}, {"generation_id", "g"},
                {"workspace_roots", {env.project()}}, {"cursor_version", "2.3.41"}, {"command", command},
                {"cwd", env.project()}}
        .dump();
  return json{{"hook_event_name", "PreToolUse"}, {"session_id", "s-" + agent}, {"cwd", env.project()},
              {"tool_name", "Bash"}, {"tool_input", input}, {"tool_use_id", "call_1"}}
      .dump();
}

// The verdict an agent reads from the reply: deny, ask, allow or none; the
// replacement input (its own argument names) in *rewritten.
std::string verdict(const std::string& agent, const ProcessResult& r, json* rewritten = nullptr) {
  if (r.out.empty()) return r.exit_code == 2 ? "deny" : "none";
  json out = json::parse(r.out);
  std::string v;
  if (agent == "gemini") {
    v = out.value("decision", "none");
    if (rewritten && out.contains("hookSpecificOutput")) *rewritten = out["hookSpecificOutput"]["tool_input"];
  } else if (agent == "copilot") {
    v = out.value("permissionDecision", "none");
    if (rewritten && out.contains("modifiedArgs")) *rewritten = out["modifiedArgs"];
  } else if (agent == "cursor") {
    v = out.value("permission", "none");
  } else {
    const json& h = out["hookSpecificOutput"];
    v = h.value("permissionDecision", "none");
    if (rewritten && h.contains("updatedInput")) *rewritten = h["updatedInput"];
  }
  // A deny blocks however the agent reads it: exit 2 where it honours that.
  if (v == "deny" && agent != "copilot" && agent != "cursor") CHECK(r.exit_code == 2);
  if (v != "deny") CHECK(r.exit_code == 0);
  return v;
}

ProcessResult run(const HookEnv& env, const std::string& agent, const std::string& input) {
  return env.cli({"hook", "--agent", agent}, input);
}

}  // namespace

TEST_CASE("one policy decides for every agent, answered in each agent's format") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml", kPolicy);
  for (const std::string agent : kAgents) {
    INFO("agent: " << agent);
    auto denied = run(env, agent, shell_call(agent, env, "sudo rm -rf / --no-preserve-root"));
    CHECK(verdict(agent, denied) == "deny");
    CHECK(denied.out.find("Never delete the root") != std::string::npos);

    // Codex cannot ask, and a question hangs a headless Gemini: a deny that says why.
    const bool no_ask = agent == "codex" || agent == "gemini";
    auto asked = run(env, agent, shell_call(agent, env, "git push origin main"));
    CHECK(verdict(agent, asked) == (no_ask ? "deny" : "ask"));
    CHECK(asked.out.find("manual-approval") != std::string::npos);
    if (no_ask) CHECK(asked.err.find("cannot ask") != std::string::npos);

    // Codex accepts allow only with a replacement input: no output is its plain allow.
    auto allowed = run(env, agent, shell_call(agent, env, "make test"));
    CHECK(verdict(agent, allowed) == (agent == "codex" ? "none" : "allow"));

    // Cursor runs the hook with failClosed: it always gets an explicit answer.
    auto unmatched = run(env, agent, shell_call(agent, env, "ls -la"));
    CHECK(verdict(agent, unmatched) == (agent == "cursor" ? "allow" : "none"));
  }
}

TEST_CASE("a secret masked in a command: the rewritten input in the agent's names, or a deny where it has none") {
  HookEnv env("profile: off\nsecrets: {on_command: mask}\n");
  const std::string command = "curl -H 'Authorization: token ghp_R4nd0mTok3nV4lu3F0rT3st1ngOnly012345' https://x";
  for (const std::string agent : kAgents) {
    INFO("agent: " << agent);
    json rewritten;
    auto r = run(env, agent, shell_call(agent, env, command));
    const std::string v = verdict(agent, r, &rewritten);
    if (agent == "cursor" || agent == "codex" || agent == "gemini") {
      CHECK(v == "deny");  // no rewrite (Cursor) or no ask (Codex, Gemini): blocked
    } else {
      CHECK(v == "ask");
      REQUIRE(rewritten.is_object());
      CHECK(rewritten["command"].get<std::string>().find("[REDACTED:") != std::string::npos);
    }
    CHECK(r.out.find("ghp_R4nd0m") == std::string::npos);
  }
}

TEST_CASE("malformed input is denied in each agent's form") {
  HookEnv env;
  for (const std::string agent : kAgents) {
    INFO("agent: " << agent);
    for (const std::string& input : {std::string("{\"hook_event_name\": \"PreToolUse\", "), std::string("[1,2]"),
                                    std::string("")}) {
      auto r = run(env, agent, input);
      CHECK(verdict(agent, r) == "deny");
      CHECK((r.out + r.err).find("could not check this tool call") != std::string::npos);
    }
  }
  // A string of toolArgs that is not JSON (Copilot).
  auto r = run(env, "copilot", R"({"toolName":"bash","toolArgs":"{\"command\": rm"})");
  CHECK(verdict("copilot", r) == "deny");
  CHECK(r.out.find("toolArgs") != std::string::npos);
}

TEST_CASE("a masked secret in a tool result reaches Gemini as the replaced result") {
  HookEnv env;
  json ev = {{"hook_event_name", "AfterTool"}, {"session_id", "s-gem"}, {"cwd", env.project()},
             {"tool_name", "run_shell_command"}, {"tool_input", {{"command", "cat .env"}}},
             {"tool_response",
              {{"llmContent", "GITHUB_TOKEN=ghp_R4nd0mTok3nV4lu3F0rT3st1ngOnly012345\n"}, {"returnDisplay", "x"}}}};
  auto r = run(env, "gemini", ev.dump());
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  json out = json::parse(r.out);
  CHECK(out["decision"] == "deny");
  std::string text = out["reason"];
  CHECK(text.find("GITHUB_TOKEN=[REDACTED:") != std::string::npos);
  CHECK(text.find("ghp_R4nd0m") == std::string::npos);
}

TEST_CASE("an unknown agent name blocks with a clear reason; the audit records each agent") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml", kPolicy);
  auto r = env.cli({"hook", "--agent", "gemni"}, shell_call("gemini", env, "ls"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("unknown agent 'gemni'") != std::string::npos);
  CHECK(r.err.find("gemini, qwen, codex, copilot, cursor") != std::string::npos);
  auto eq = env.cli({"hook", "--agent=cursor"}, shell_call("cursor", env, "make test"));
  CHECK(json::parse(eq.out)["permission"] == "allow");

  for (const std::string agent : kAgents) run(env, agent, shell_call(agent, env, "make test"));
  auto list = env.cli({"audit", "list", "--json", "-n", "100"});
  REQUIRE_MESSAGE(list.exit_code == 0, list.err);
  std::vector<std::string> seen;
  for (const json& rec : json::parse(list.out))
    if (rec["hook_event"] == "PreToolUse") {
      seen.push_back(rec["agent"]);
      CHECK(rec["tool"] == "Bash");
    }
  for (const char* name : {"claude_code", "gemini_cli", "qwen_code", "codex_cli", "copilot_cli", "cursor"})
    CHECK(std::find(seen.begin(), seen.end(), name) != seen.end());
}

TEST_CASE("a secret in a tool result is masked in what Codex and Copilot pass to the model") {
  HookEnv env;
  const std::string secret = "ghp_R4nd0mTok3nV4lu3F0rT3st1ngOnly012345";
  json codex = {{"hook_event_name", "PostToolUse"}, {"session_id", "s-cx"}, {"cwd", env.project()},
                {"tool_name", "Bash"}, {"tool_input", {{"command", "cat .env"}}},
                {"tool_response", "GITHUB_TOKEN=" + secret + "\n"}, {"tool_use_id", "call_9"}};
  auto r = run(env, "codex", codex.dump());
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  json out = json::parse(r.out);
  CHECK(out["decision"] == "block");
  CHECK(out["reason"].get<std::string>().find("GITHUB_TOKEN=[REDACTED:") == 0);

  json copilot = {{"sessionId", "s-cp"}, {"timestamp", 1}, {"cwd", env.project()}, {"toolName", "bash"},
                  {"toolArgs", {{"command", "cat .env"}}},
                  {"toolResult", {{"resultType", "success"}, {"textResultForLlm", "GITHUB_TOKEN=" + secret}}}};
  r = run(env, "copilot", copilot.dump());
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  out = json::parse(r.out);
  CHECK(out["modifiedResult"]["resultType"] == "success");
  CHECK(out["modifiedResult"]["textResultForLlm"].get<std::string>().find("GITHUB_TOKEN=[REDACTED:") == 0);
  CHECK(r.out.find(secret) == std::string::npos);
}

TEST_CASE("Qwen reads a masked result as the stopReason that replaces it") {
  HookEnv env;
  json ev = {{"hook_event_name", "PostToolUse"}, {"session_id", "s-qw"}, {"cwd", env.project()},
             {"tool_name", "run_shell_command"}, {"tool_input", {{"command", "cat .env"}}},
             {"tool_response",
              {{"llmContent", "Output: GITHUB_TOKEN=ghp_R4nd0mTok3nV4lu3F0rT3st1ngOnly012345\nExit Code: 0"},
               {"returnDisplay", "x"}}}};
  auto r = run(env, "qwen", ev.dump());
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  json out = json::parse(r.out);
  CHECK(out["continue"] == false);
  CHECK(out["stopReason"].get<std::string>().find("GITHUB_TOKEN=[REDACTED:") != std::string::npos);
  CHECK(r.out.find("ghp_R4nd0m") == std::string::npos);
}

TEST_CASE("the installed command blocks when the binary is gone, in the agents that would let the call through") {
  HookEnv env;
  for (const std::string agent : {"gemini", "qwen", "codex"}) {
    INFO("agent: " << agent);
    auto installed = env.cli({"install", "--agent", agent});
    REQUIRE_MESSAGE(installed.exit_code == 0, installed.err);
    const std::string file = agent == "codex" ? env.home() + "/.codex/hooks.json"
                                              : env.home() + "/." + agent + "/settings.json";
    json doc;
    std::ifstream in(file);
    REQUIRE(in.good());
    in >> doc;
    const json& first = doc["hooks"].begin().value()[0]["hooks"][0];
    std::string command = first["command"];
    CHECK(command.find(" hook --agent " + agent) != std::string::npos);
    // The same command with the binary moved away, run as the agent runs it (through a shell).
    const std::string bin = preloop::testing::hook_binary();
    command.replace(command.find(bin), bin.size(), env.dir().path() + "/gone/preloop-hook");
    auto r = preloop::testing::run_process({"/bin/sh", "-c", command}, shell_call(agent, env, "ls"), env.env());
    CHECK(r.exit_code == 2);
  }
}

TEST_CASE("a patch of several files is checked by the paths it writes: a credential file or the guard's config is denied") {
  HookEnv env("profile: recommended\n");
  auto patch = [&](const std::string& second) {
    return json{{"hook_event_name", "PreToolUse"}, {"session_id", "s-cx"}, {"cwd", env.project()},
                {"tool_name", "apply_patch"},
                {"tool_input",
                 {{"command", "*** Begin Patch\n*** Add File: notes.txt\n+plain\n*** Add File: " + second +
                                  "\n+x\n*** End Patch\n"}}},
                {"tool_use_id", "call_p"}}
        .dump();
  };
  for (const std::string agent : {"codex", "copilot"}) {
    INFO("agent: " << agent);
    auto input = [&](const std::string& second) {
      if (agent == "codex") return patch(second);
      json j = json::parse(patch(second));
      return json{{"sessionId", "s-cp"}, {"cwd", env.project()}, {"toolName", "apply_patch"},
                  {"toolArgs", j["tool_input"]["command"]}}
          .dump();
    };
    CHECK(verdict(agent, run(env, agent, input("more.txt"))) == "none");
    CHECK(verdict(agent, run(env, agent, input(env.home() + "/.aws/credentials"))) == "deny");
    CHECK(verdict(agent, run(env, agent, input(env.dir().path() + "/cfg/preloop-hook/config.yaml"))) == "deny");
  }
}

TEST_CASE("an agent may not change the files that hold its own hooks") {
  HookEnv env("profile: recommended\n");
  const std::string home = env.home(), project = env.project();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"gemini", "sed -i s/preloop-hook/true/ " + home + "/.gemini/settings.json"},
      {"gemini", "echo '{}' > " + project + "/.gemini/settings.json"},
      {"qwen", "rm " + home + "/.qwen/settings.json"},
      {"codex", "echo 'x' >> " + home + "/.codex/config.toml"},  // where Codex records which hooks it trusts
      {"codex", "cp /dev/null " + home + "/.codex/hooks.json"},
      {"copilot", "rm -r " + project + "/.github/hooks"},
      {"cursor", "mv " + home + "/.cursor/hooks.json /tmp/x"},
  };
  for (const auto& [agent, command] : cases) {
    INFO(agent << ": " << command);
    auto r = run(env, agent, shell_call(agent, env, command));
    CHECK(verdict(agent, r) == "deny");
    CHECK(r.out.find("self-protection") != std::string::npos);
  }
  // Next to them, the agent's other files are its own.
  CHECK(verdict("gemini", run(env, "gemini", shell_call("gemini", env, "echo x > " + project + "/.gemini/notes.md"))) ==
        "none");
}

TEST_CASE("no guarded agent may change the user-level files that hold another agent's hooks") {
  HookEnv env("profile: recommended\n");
  const std::string home = env.home();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"claude", "sed -i s/preloop-hook/true/ " + home + "/.gemini/settings.json"},
      {"claude", "echo 'x' >> " + home + "/.codex/config.toml"},
      {"claude", "rm -r " + home + "/.copilot/hooks"},
      {"gemini", "cp /dev/null " + home + "/.cursor/hooks.json"},
      {"codex", "echo '{}' > " + home + "/.qwen/settings.json"},
  };
  for (const auto& [agent, command] : cases) {
    INFO(agent << ": " << command);
    auto r = run(env, agent, shell_call(agent, env, command));
    CHECK(verdict(agent, r) == "deny");
    CHECK(r.out.find("self-protection") != std::string::npos);
  }
}

TEST_CASE("test --agent dry-runs an agent's own event from stdin") {
  HookEnv env("profile: recommended\n");
  json read = {{"hook_event_name", "beforeReadFile"}, {"conversation_id", "c"}, {"workspace_roots", {env.project()}},
               {"file_path", env.home() + "/.aws/credentials"}};
  auto r = env.cli({"test", "--agent", "cursor", "--json"}, read.dump());
  REQUIRE_MESSAGE(r.out.size() > 0, r.err);
  json out = json::parse(r.out);
  CHECK(out["decision"] == "ask");
  CHECK(r.out.find("secrets.read-file") != std::string::npos);
  auto mixed = env.cli({"test", "--agent", "cursor", "--", "ls"});
  CHECK(mixed.exit_code != 0);
  CHECK(mixed.err.find("stdin") != std::string::npos);
  CHECK(env.cli({"test", "--agent", "cursr"}, read.dump()).exit_code != 0);
}
