// Doctor's self-test: run the PreToolUse command Claude Code would run, the
// way it runs it, on a synthetic event and on a malformed one, and check that
// it answers in the hook protocol (and that the broken event is denied).
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "install/doctor.h"
#include "install/hook_entries.h"
#include "install/settings_file.h"
#include "process/run.h"

namespace preloop::install {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::chrono::milliseconds kTimeout{20000};
constexpr const char* kCommand = "echo preloop-hook-doctor-self-test";

// The PreToolUse entry Claude Code runs first: managed settings before the others.
std::optional<std::pair<fs::path, Json>> first_entry(const DoctorContext& ctx) {
  auto files = ctx.claude.all_settings_files();
  std::stable_partition(files.begin(), files.end(), [](const auto& f) { return f.first == "managed"; });
  for (const auto& [label, path] : files) {
    try {
      const SettingsFile file = read_settings(path);
      if (!file.exists) continue;
      for (const auto& found : find_own_handlers(file.json))
        if (found.event == "PreToolUse") return std::make_pair(path, found.handler);
    } catch (const SettingsError&) {
      // reported by the settings checks
    }
  }
  return std::nullopt;
}

// argv as Claude Code builds it: exec form (command resolved on PATH, args as
// given) or shell form (sh -c).
std::vector<std::string> argv_of(const Json& handler) {
  const std::string command = handler.value("command", "");
  if (!handler.contains("args")) return {"/bin/sh", "-c", command};
  std::string program = command;
  if (program.find('/') == std::string::npos) program = find_on_path(program).string();
  std::vector<std::string> argv{program};
  for (const auto& a : handler["args"])
    if (a.is_string()) argv.push_back(a.get<std::string>());
  return argv;
}

std::string event_for(const DoctorContext& ctx, const std::string& command) {
  return json{{"session_id", "preloop-hook-doctor"},
              {"transcript_path", "/dev/null"},
              {"cwd", ctx.claude.project_dir.string()},
              {"permission_mode", "default"},
              {"hook_event_name", "PreToolUse"},
              {"tool_name", "Bash"},
              {"tool_input", {{"command", command}, {"description", "preloop-hook doctor self-test"}}},
              {"tool_use_id", "toolu_preloop_doctor"}}
      .dump();
}

std::string how_it_ended(const process::RunResult& r) {
  if (!r.started) return "could not be started";
  if (r.timed_out) return "gave no answer within " + std::to_string(kTimeout.count() / 1000) + " s";
  if (r.signal) return "was killed by signal " + std::to_string(r.signal);
  std::string s = "exited with " + std::to_string(r.exit_code);
  const std::string err = r.err.substr(0, r.err.find('\n'));
  return err.empty() ? s : s + " (" + err.substr(0, 200) + ")";
}

// "" when the reply is a valid PreToolUse answer, else what is wrong with it.
std::string protocol_problem(const process::RunResult& r) {
  if (!r.started || r.timed_out || r.signal || (r.exit_code != 0 && r.exit_code != 2))
    return how_it_ended(r) + ": Claude Code treats that as no decision and runs the call";
  if (r.out.find_first_not_of(" \n") == std::string::npos) return "";
  const json j = json::parse(r.out, nullptr, false);
  if (!j.is_object() || !j.contains("hookSpecificOutput") ||
      j["hookSpecificOutput"].value("hookEventName", "") != "PreToolUse")
    return "printed something that is not a PreToolUse answer: " + r.out.substr(0, 200);
  return "";
}

}  // namespace

std::vector<CheckResult> check_self_test(const DoctorContext& ctx) {
  const auto entry = first_entry(ctx);
  if (!entry) return {{"hook.self_test", CheckStatus::Skip, "no PreToolUse entry of preloop-hook to run", ""}};
  const auto& [path, handler] = *entry;
  const std::vector<std::string> argv = argv_of(handler);
  const std::string where = "the PreToolUse entry in " + path.string();
  if (argv[0].empty())
    return {{"hook.self_test", CheckStatus::Fail, where + ": '" + handler.value("command", "") + "' is not on PATH",
             "install preloop-hook on PATH or run `preloop-hook install`"}};

  std::vector<CheckResult> out;
  const std::string dir = fs::is_directory(ctx.claude.project_dir) ? ctx.claude.project_dir.string() : "";
  const auto ok = process::run(argv, event_for(ctx, kCommand), dir, kTimeout);
  if (const std::string problem = protocol_problem(ok); !problem.empty()) {
    out.push_back({"hook.self_test", CheckStatus::Fail, where + " was run on a synthetic Bash call and " + problem,
                   "run the entry's command by hand with a hook event on stdin to see the error"});
    return out;
  }
  const json reply = json::parse(ok.out, nullptr, false);
  const std::string decision = ok.exit_code == 2 ? "deny"
                               : reply.is_object() ? reply["hookSpecificOutput"].value("permissionDecision", "none")
                                                   : "none";
  out.push_back({"hook.self_test", CheckStatus::Ok,
                 where + " answered a synthetic Bash call (`" + kCommand + "`): " + decision +
                     " (the call is recorded in the audit trail as session preloop-hook-doctor)",
                 ""});

  const auto broken = process::run(argv, "{\"hook_event_name\": \"PreToolUse\", ", dir, kTimeout);
  if (broken.exit_code == 2 && !broken.timed_out) {
    out.push_back({"hook.self_test.fail_closed", CheckStatus::Ok, where + " denies a malformed event (exit 2)", ""});
  } else if (broken.exit_code == 0 && broken.err.find("FAIL-OPEN") != std::string::npos) {
    out.push_back({"hook.self_test.fail_closed", CheckStatus::Warn,
                   where + " lets a malformed event through: fail_mode is open", "set fail_mode: closed"});
  } else {
    out.push_back({"hook.self_test.fail_closed", CheckStatus::Fail,
                   where + " was given a malformed event and " + how_it_ended(broken) +
                       ", instead of denying it (exit 2)",
                   "make sure the entry runs `preloop-hook hook`"});
  }
  return out;
}

}  // namespace preloop::install
