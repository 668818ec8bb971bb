// `preloop-hook doctor --agent NAME`: are the agent's hooks really on?
#include <algorithm>

#include "install/doctor.h"
#include "process/executable.h"
#include "process/run.h"

namespace preloop::install {

namespace fs = std::filesystem;

namespace {

// The program an entry's command runs: its first word, unquoted.
std::string program_of(const std::string& command) {
  if (command.empty()) return "";
  if (command.front() == '\'') {
    std::string out;
    for (std::size_t i = 1; i < command.size(); ++i) {
      if (command.compare(i, 4, "'\\''") == 0) {
        out += '\'';
        i += 3;
      } else if (command[i] == '\'') {
        return out;
      } else {
        out += command[i];
      }
    }
    return out;
  }
  return command.substr(0, command.find(' '));
}

bool runnable(const std::string& program) {
  if (program.find('/') == std::string::npos) return !find_on_path(program).empty();
  return process::executable_file(program);
}

const char* trust_fix =
    "open codex, run /hooks and trust preloop-hook's entries (Codex records the trust by the entry's hash: after "
    "each install or change, trust them again); for automation, `codex exec --dangerously-bypass-hook-trust` runs "
    "untrusted hooks, and hooks in /etc/codex/hooks.json (install --agent codex --scope managed) are trusted by policy";

// Runs an entry's command as the agent does (through a shell) on a malformed
// event: it must be denied in the agent's form (exit 2, or a deny answer).
CheckResult self_test(const std::string& id, const std::string& where, const AgentHandler& h) {
  const auto r = process::run({"/bin/sh", "-c", h.command}, "{\"hook_event_name\": ", "", std::chrono::seconds(20));
  const bool denied = !r.timed_out && (r.exit_code == 2 || (r.exit_code == 0 && r.out.find("\"deny\"") != std::string::npos));
  if (denied) return {id + ".self_test", CheckStatus::Ok, where + " denies a malformed event", ""};
  if (r.exit_code == 0 && r.err.find("FAIL-OPEN") != std::string::npos)
    return {id + ".self_test", CheckStatus::Warn, where + " lets a malformed event through: fail_mode is open",
            "set fail_mode: closed"};
  return {id + ".self_test", CheckStatus::Fail,
          where + " was given a malformed event and " +
              (r.timed_out ? std::string("did not answer within 20 s")
                           : "exited with " + std::to_string(r.exit_code) + (r.out.empty() ? "" : ", printing " + r.out.substr(0, 200))) +
              ", instead of denying it",
          "run the entry's command by hand with a hook event on stdin to see the error"};
}

}  // namespace

std::vector<CheckResult> check_agent_hooks(const DoctorContext& ctx) {
  std::vector<CheckResult> out;
  const std::string& agent = ctx.agent;
  const std::vector<std::string> events = agent_hook_events(agent);
  bool installed_somewhere = false;
  for (Scope scope : {Scope::User, Scope::Project, Scope::Managed}) {
    const fs::path file = agent_hooks_file(agent, scope, ctx.agents);
    if (file.empty()) continue;
    const std::string id = "agent." + agent + "." + scope_name(scope);
    SettingsFile settings;
    try {
      settings = read_settings(file);
    } catch (const SettingsError& e) {
      out.emplace_back(id, CheckStatus::Fail, e.what(),
                       "fix the JSON by hand: " + agent + " ignores a file it cannot parse, and with it every hook");
      continue;
    }
    if (!settings.exists) continue;
    std::vector<AgentHandler> found;
    try {
      found = find_agent_handlers(agent, settings.json);
    } catch (const SettingsError& e) {
      out.emplace_back(id, CheckStatus::Fail, file.string() + ": " + e.what(), "fix the hooks block by hand");
      continue;
    }
    if (found.empty()) continue;
    installed_somewhere = true;
    std::vector<std::string> missing;
    for (const std::string& event : events)
      if (std::none_of(found.begin(), found.end(), [&](const AgentHandler& h) { return h.event == event; }))
        missing.push_back(event);
    if (!missing.empty()) {
      std::string list;
      for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
      out.emplace_back(id + ".events", CheckStatus::Fail, file.string() + ": no preloop-hook entry for " + list,
                       "run: preloop-hook install --agent " + agent + " --scope " + scope_name(scope));
    }
    bool tested = false;
    for (const AgentHandler& h : found) {
      const std::string where = file.string() + " (" + h.event + ")";
      const std::string program = program_of(h.command);
      if (runnable(program) && !tested) {
        out.push_back(self_test(id, where, h));
        tested = true;
      }
      if ((agent == "gemini" || agent == "qwen" || agent == "codex") &&
          h.command.find("|| exit 2") == std::string::npos)
        out.emplace_back(id + ".exit", CheckStatus::Warn,
                         where + " does not end in `|| exit 2`: if the binary is missing or crashes, " + agent +
                             " lets the call through",
                         "reinstall: preloop-hook install --agent " + agent + " --scope " + scope_name(scope));
      if (!runnable(program))
        out.emplace_back(id + ".binary", CheckStatus::Fail,
                         where + " runs '" + program + "', which is not there or not executable" +
                             (agent == "codex" || agent == "gemini" || agent == "qwen"
                                  ? ": " + agent + " then runs every tool call unchecked"
                                  : ""),
                         "reinstall: preloop-hook install --agent " + agent + " --scope " + scope_name(scope));
      if (h.command.find("--agent " + agent) == std::string::npos)
        out.emplace_back(id + ".agent", CheckStatus::Fail, where + " does not name --agent " + agent,
                         "reinstall: preloop-hook install --agent " + agent + " --scope " + scope_name(scope));
      if (agent == "cursor" && !(h.handler.contains("failClosed") && h.handler["failClosed"] == true))
        out.emplace_back(id + ".fail_closed", CheckStatus::Fail,
                         where + " lacks failClosed: true: a crash or timeout of the hook lets the call through",
                         "reinstall: preloop-hook install --agent cursor --scope " + std::string(scope_name(scope)));
      if (agent == "codex" && scope != Scope::Managed &&
          codex_trusted_hash(ctx.agents, file, h.event, h.group, h.index).empty())
        out.emplace_back(id + ".trust", CheckStatus::Fail,
                         where + " is not trusted in Codex (no trusted hash in " +
                             (ctx.agents.codex_home / "config.toml").string() +
                             "): Codex skips it without a word, and every tool call runs unchecked",
                         trust_fix);
    }
    out.emplace_back(id, CheckStatus::Ok, file.string() + ": preloop-hook entries for " +
                                              std::to_string(found.size()) + " event(s)", "");
  }
  if (!installed_somewhere)
    out.emplace_back("agent." + agent + ".installed", CheckStatus::Fail,
                     "no preloop-hook entries in any of " + agent + "'s hook files",
                     "run: preloop-hook install --agent " + agent);
  else if (agent == "codex")
    out.emplace_back("agent.codex.trust_note", CheckStatus::Ok,
                     "Codex runs a user or project hook only while its trusted hash matches the entry; doctor sees "
                     "that a hash is recorded, Codex compares it",
                     "");
  return out;
}

std::vector<Check> agent_checks() {
  return {check_agent_hooks, check_config, check_policies, check_audit, check_approval};
}

}  // namespace preloop::install
