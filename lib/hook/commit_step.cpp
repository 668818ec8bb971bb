// Commits made by a tool call: HEAD of each repository a commit-capable git
// command runs in, read before the call and compared after it. What the agent
// prints is never trusted; only the repository's own HEAD and history are.
#include <nlohmann/json.hpp>

#include "audit/commits.h"
#include "hook/steps.h"
#include "process/run.h"
#include "install/hook_entries.h"
#include "provenance/git_calls.h"
#include "provenance/git_head.h"
#include "provenance/session_state.h"
#include "provenance/settings.h"

namespace preloop::hook {
namespace {

const std::string* bash_command(const protocol::HookEvent& ev) {
  if (ev.tool_name != "Bash") return nullptr;
  auto it = ev.tool_input.find("command");
  return it != ev.tool_input.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

// A note on the commit naming the session, prompt and tool call that made it,
// committed to the notes ref in the guard's own name.
void add_note(const std::string& top, const std::string& commit, const protocol::HookEvent& ev,
              const std::string& prompt_id) {
  static const std::string git = install::find_on_path("git").string();
  if (git.empty()) return;
  const std::string text = "preloop-hook: session " + ev.session_id + "\nprompt " + prompt_id + "\ntool_use_id " +
                           ev.tool_use_id + "\n";
  process::run({git, "--no-pager", "-c", "core.fsmonitor=false", "-c", "user.name=preloop-hook", "-c",
                "user.email=preloop-hook@localhost", "-C", top, "notes", "--ref=preloop", "add", "-f", "-F", "-", commit},
               text, top, std::chrono::milliseconds(3000));
}

}  // namespace

void remember_heads(HookContext& ctx, const shell::Analysis* analysis) {
  const protocol::HookEvent& ev = ctx.event;
  if (ev.kind != protocol::EventKind::PreToolUse || ctx.decision.verdict == Verdict::Deny || ev.session_id.empty() ||
      ev.tool_use_id.empty() || !ctx.config->audit_enabled)
    return;
  const std::string* command = bash_command(ev);
  if (!command || !provenance::mentions_git(*command)) return;
  shell::Analysis own;
  if (!analysis) {
    own = shell::analyze(*command, {.cwd = ev.cwd, .home = std::getenv("HOME") ? std::getenv("HOME") : "", .project_dir = ev.cwd});
    analysis = &own;
  }
  nlohmann::json heads = nlohmann::json::array();
  for (const provenance::GitCall& call : provenance::commit_calls(*analysis)) {
    auto head = provenance::read_head(call.dir.empty() ? ev.cwd : call.dir);
    if (!head) continue;
    bool seen = false;
    for (const auto& h : heads) seen |= h["top"] == head->top;
    if (!seen) heads.push_back({{"top", head->top}, {"commit", head->commit}, {"subcommand", call.subcommand}});
  }
  if (!heads.empty()) provenance::SessionState(ev.session_id).put_pending(ev.tool_use_id, heads.dump());
}

void record_commits(HookContext& ctx) {
  const protocol::HookEvent& ev = ctx.event;
  const std::string* command = bash_command(ev);
  if (!command || !provenance::mentions_git(*command) || ev.session_id.empty() || ev.tool_use_id.empty()) return;
  auto pending = provenance::SessionState(ev.session_id).take_pending(ev.tool_use_id);
  if (!pending) return;
  nlohmann::json heads = nlohmann::json::parse(*pending, nullptr, false);
  if (!heads.is_array()) return;
  std::optional<provenance::Settings> settings;
  for (const auto& before : heads) {
    if (!before.is_object() || !before.value("top", nlohmann::json()).is_string()) continue;
    const std::string top = before["top"];
    const std::string old_commit = before.value("commit", "");
    const std::string subcommand = before.value("subcommand", "");
    auto after = provenance::read_head(top);
    if (!after || after->commit == old_commit) continue;
    auto commits = provenance::new_commits(top, old_commit, after->commit, subcommand);
    if (commits.empty()) continue;
    nlohmann::json ids = nlohmann::json::array();
    for (const auto& c : commits) ids.push_back(c.id);
    audit::Record r;
    r.hook_event = audit::kCommitEvent;
    r.tool = ev.tool_name;
    r.arguments = nlohmann::json{{"repository", top},
                                 {"branch", after->branch},
                                 {"commits", ids},
                                 {"head_before", old_commit},
                                 {"git", subcommand}}
                      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    r.decision = "none";
    audit_note(ctx, r, true);
    if (!settings) settings = provenance::parse_settings(ctx.config->section("audit"));
    if (settings->git_notes)
      for (const auto& c : commits) add_note(top, c.id, ev, r.prompt_id);
  }
}

}  // namespace preloop::hook
