// The pipeline steps that other libraries provide to the hook. Each step may
// change ctx.decision; none may throw past its boundary without the hook
// turning it into a deliberate deny (see hook.cpp).
#pragma once

#include <memory>
#include <string>

#include "audit/record.h"
#include "hook/context.h"
#include "policy/engine.h"
#include "policy/layers.h"
#include "protocol/response.h"

namespace preloop::hook {

// The self-protection guard (protected locations resolved for this call, the
// guard's own commands, branch switches bringing in settings): merged into
// ctx.decision, most restrictive wins. `analysis` is the policy engine's shell
// analysis when it computed one.  [selfguard]
void selfguard_step(HookContext& ctx, const policy::Engine& engine, const policy::EvalOptions& eo,
                    std::shared_ptr<const shell::Analysis> analysis);

// Secrets found in the tool input (Write/Edit content, Bash command):
// may deny, or set ctx.updated_input to a masked copy.  [secrets]
void secrets_input_step(HookContext& ctx);

// Secrets in the tool output of PostToolUse: sets ctx.updated_output to a
// masked copy in the tool's own output shape when something was found.  [secrets]
void secrets_output_step(HookContext& ctx);

// require_approval decisions: asks the approval service (or maps to ask when
// none is configured) and sets ctx.decision to the outcome.  [approval]
void approval_step(HookContext& ctx);

// Starts a detached background policy sync when the synced layer is stale.  [approval/sync]
void maybe_background_sync(const HookContext& ctx);

// Appends the audit record. Returns false when the record could be kept
// neither in the store nor in the spool (the hook then fails closed).  [audit]
bool audit_step(HookContext& ctx);

// Keeps a record that is not the call's own decision (a configuration change,
// an instruction file loaded, a commit the call made): the fields every record
// shares are filled in, the reason masked; the tool call's id only when
// `of_call` (the record belongs to it). Returns false when it could be kept
// nowhere.  [audit]
bool audit_note(const HookContext& ctx, audit::Record& r, bool of_call = false);

// The prompt a record of this event belongs to: the event's prompt_id, else
// the one UserPromptSubmit remembered for the session.  [provenance]
std::string prompt_id_of(const protocol::HookEvent& ev);

// UserPromptSubmit: records the prompt as audit.prompts says (text masked,
// keyed hash, or nothing) under its prompt id, remembers the id for the
// session, and blocks a prompt holding a secret when audit.prompt_secrets is
// block. SessionStart, SessionEnd, Stop, SubagentStart, SubagentStop:
// recorded (SessionEnd also forgets the session's state).  [provenance]
protocol::Reply user_prompt_submit(HookContext& ctx);
protocol::Reply session_event(HookContext& ctx);

// A Bash call with git commands that can commit: remember each repository's
// HEAD before it runs (PreToolUse, not denied); after it (PostToolUse), record
// the commits HEAD gained, with repository and branch, linked to the session,
// prompt and tool call, and optionally a git note on each. Other calls cost a
// substring test.  [provenance]
void remember_heads(HookContext& ctx, const shell::Analysis* analysis);
void record_commits(HookContext& ctx);

// Compares the guard's configuration with the last call's (tamper/fingerprint.h)
// and records each change. A weakening during the session makes a PreToolUse
// call ask (or deny, as tamper.on_weakening says); other events leave it for
// the next PreToolUse. `policy` and `signature` are the call's policy inputs
// when it loaded policies (nullptr: listed here).  [tamper]
void guard_step(HookContext& ctx, const policy::PolicyInputs* policy, const std::string& signature);

// ConfigChange: records it, and blocks (exit 2) a change to a settings file
// that stops running preloop-hook or sets disableAllHooks, except managed
// policy settings, which cannot be blocked. InstructionsLoaded: records the
// file, its memory type and why it was loaded.  [tamper]
protocol::Reply config_change(HookContext& ctx);
protocol::Reply instructions_loaded(HookContext& ctx);

}  // namespace preloop::hook
