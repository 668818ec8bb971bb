// A session's own events: the prompts that start each turn, and its start,
// end, stops and subagents, recorded so that a session reads as a timeline.
#include <nlohmann/json.hpp>

#include "audit/key.h"
#include "audit/location.h"
#include "hook/steps.h"
#include "provenance/session_state.h"
#include "provenance/settings.h"
#include "secrets/redact.h"

namespace preloop::hook {
namespace {

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

// The state of a session that ended without SessionEnd (a crash, a kill) is
// forgotten this long after it was last written.
constexpr int kForgetAfterDays = 7;

// A prompt id for a prompt event that carries none (older clients).
std::string new_prompt_id() { return "preloop-" + audit::random_id(); }

}  // namespace

std::string prompt_id_of(const protocol::HookEvent& ev) {
  if (!ev.prompt_id.empty() || ev.session_id.empty()) return ev.prompt_id;
  return provenance::SessionState(ev.session_id).current_prompt();
}

protocol::Reply user_prompt_submit(HookContext& ctx) {
  protocol::HookEvent& ev = ctx.event;
  const provenance::Settings settings = provenance::parse_settings(ctx.config->section("audit"));
  if (ev.prompt_id.empty()) ev.prompt_id = new_prompt_id();
  if (!ev.session_id.empty()) provenance::SessionState(ev.session_id).set_current_prompt(ev.prompt_id);

  std::string masked = ev.prompt;
  const std::size_t secrets = secrets::redact_text(masked, {ev.session_id, ctx.config});
  const bool block = secrets > 0 && settings.block_prompt_secrets;

  nlohmann::json args = {{"source", ev.source}, {"length", ev.prompt.size()}, {"secrets_masked", secrets}};
  if (settings.prompts == provenance::PromptRecord::Text) {
    args["prompt"] = masked;
  } else if (settings.prompts == provenance::PromptRecord::Hash) {
    // Keyed: a short prompt cannot be found by hashing guesses without the install key.
    try {
      args["prompt_hmac"] = audit::input_hash_of_text(audit::install_key(audit::db_path(ctx.config)), ev.prompt);
    } catch (const std::exception&) {
      args["prompt_hmac"] = nullptr;
    }
  }
  if (!ev.session_title.empty()) args["session_title"] = ev.session_title;
  audit::Record r;
  r.arguments = dump(args);
  r.decision = block ? "deny" : "none";
  if (secrets > 0)
    r.reason = std::to_string(secrets) + " secret(s) in the prompt " + (block ? "(blocked)" : "masked in this record");
  if (block) r.rule_id = "audit.prompt_secrets";
  const bool kept = audit_note(ctx, r);

  protocol::Reply reply;
  if (block) {
    // The reason is shown to the user; suppressOriginalPrompt keeps the secret out of it.
    nlohmann::json out = {{"decision", "block"},
                          {"reason", "preloop-hook blocked this prompt: it contains " + std::to_string(secrets) +
                                         " secret(s). Remove the credential and reference it by name instead."},
                          {"hookSpecificOutput", {{"hookEventName", "UserPromptSubmit"}, {"suppressOriginalPrompt", true}}}};
    reply.stdout_text = dump(out) + "\n";
  } else if (!kept && ctx.config->fail_mode == FailMode::Closed) {
    reply.exit_code = 2;
    reply.stderr_text = "preloop-hook blocked this prompt: it could not be recorded in the audit trail\n";
  }
  return reply;
}

protocol::Reply session_event(HookContext& ctx) {
  const protocol::HookEvent& ev = ctx.event;
  nlohmann::json args = nlohmann::json::object();
  for (auto [key, value] : {std::pair<const char*, const std::string*>{"source", &ev.source},
                            {"model", &ev.model},
                            {"reason", &ev.reason},
                            {"session_title", &ev.session_title}})
    if (!value->empty()) args[key] = *value;
  audit::Record r;
  r.arguments = dump(args);
  r.decision = "none";
  audit_note(ctx, r);
  if (ev.event_name == "SessionEnd" && !ev.session_id.empty()) provenance::SessionState(ev.session_id).clear();
  if (ev.event_name == "SessionStart") provenance::SessionState::prune(kForgetAfterDays);
  return {};  // nothing to decide
}

}  // namespace preloop::hook
