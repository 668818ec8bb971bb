#include "hook/hook.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <poll.h>
#include <unistd.h>

#include "approval/settings.h"
#include "hook/steps.h"
#include "policy/layers.h"
#include "policy/variables.h"
#include "provenance/settings.h"
#include "secrets/settings.h"
#include "secrets/tool_io.h"

namespace preloop::hook {
namespace {

void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    off += static_cast<std::size_t>(n);
  }
}

// A failure inside the guard: deny (fail closed) unless the user chose open.
protocol::Reply fail(HookContext& ctx, const std::string& what, const std::string& failure_class, bool dry_run) {
  bool post = ctx.event.kind == protocol::EventKind::PostToolUse ||
              ctx.event.kind == protocol::EventKind::PostToolUseFailure;
  bool other = ctx.event.kind == protocol::EventKind::ConfigChange ||
               ctx.event.kind == protocol::EventKind::InstructionsLoaded ||
               ctx.event.kind == protocol::EventKind::UserPromptSubmit ||
               ctx.event.kind == protocol::EventKind::Session;
  bool open = ctx.config && ctx.config->fail_mode == FailMode::Open;
  ctx.decision = Decision{};
  ctx.decision.failure_class = failure_class;
  if (open) {
    ctx.decision.reason = what;
  } else {
    ctx.decision.verdict = Verdict::Deny;
    ctx.decision.reason = "preloop-hook could not check this tool call, so it is blocked: " + what;
  }
  if (!dry_run && !ctx.event.event_name.empty() && !other) {
    try {
      audit_step(ctx);  // best effort: the failure itself is worth a record
    } catch (...) {
    }
  }
  protocol::Reply r;
  if (open) {
    r.stderr_text = "preloop-hook: WARNING: FAIL-OPEN (fail_mode: open): no decision made: " + what + "\n";
    return r;
  }
  if (other) {
    // Exit 2 blocks a settings change or a prompt; an instruction file's load ignores it.
    r.exit_code = 2;
    r.stderr_text = ctx.decision.reason + "\n";
    return r;
  }
  if (post) {
    // PostToolUse cannot block. Withhold the unchecked output from the model
    // (same shape, strings replaced; built from the tool's name when the
    // event did not parse) and tell it why. A failed tool has no output.
    std::string notice = "[output withheld by preloop-hook: " + what + "]";
    if (ctx.event.kind == protocol::EventKind::PostToolUseFailure) {
      r.exit_code = 2;
      r.stderr_text = ctx.decision.reason + "\n";
      return r;
    }
    return ctx.adapter->post_reply(
        ctx.event, secrets::withhold_tool_output(ctx.event.tool_response, notice, ctx.event.tool_name),
        ctx.decision.reason);
  }
  return ctx.adapter->pre_reply(ctx.event, ctx.decision, nullptr, "");
}

protocol::Reply pre_tool_use(HookContext& ctx, const RunOptions& opt) {
  policy::EvalOptions eo = opt.eval;
  eo.full_trace = eo.full_trace || opt.dry_run;
  std::optional<policy::EventVariables> vars;
  const policy::PolicySet* set = opt.policies;
  if (!set) {
    policy::LoadOptions lo = opt.load;
    if (lo.project_dir.empty()) lo.project_dir = project_dir_for(ctx.event);
    lo.use_cache = !opt.dry_run;
    if (lo.use_cache && eo.prefilter) {
      // Read only what can match this call: its facts first, from the
      // variables the evaluation then reuses.
      eo.variables = &vars.emplace(policy::call_variables(ctx.event, eo));
      lo.only_call = &ctx.event;
      lo.call_facts = &vars->facts(ctx.event, true);
    }
    set = &ctx.policies.emplace(policy::load_policy_set(*ctx.config, lo));
  }
  for (const auto& d : set->diags)
    if (d.severity == policy::Diagnostic::Severity::Error)
      return fail(ctx, "invalid policy: " + d.loc.str() + ": " + d.message +
                           " (run `preloop-hook rules validate` for details)", "policy_invalid", opt.dry_run);

  std::shared_ptr<const shell::Analysis> analysis;
  eo.share_analysis = &analysis;
  ctx.decision = set->engine.evaluate(ctx.event, eo);
  selfguard_step(ctx, set->engine, eo, analysis);
  secrets_input_step(ctx);
  if (opt.dry_run) {
    if (ctx.decision.needs_approval) ctx.decision.approval_status = "dry_run";
  } else {
    approval_step(ctx);
    if (!opt.policies) guard_step(ctx, &set->inputs, set->signature);
    if (!audit_step(ctx)) return fail(ctx, "the audit record could not be written (store and spool failed)",
                                      "audit_unavailable", opt.dry_run);
    remember_heads(ctx, analysis.get());
    maybe_background_sync(ctx);
  }
  return ctx.adapter->pre_reply(ctx.event, ctx.decision, ctx.updated_input, ctx.additional_context);
}

// A skill's shell line: the pipeline of a PreToolUse of its tool, its decision
// answered in PreSkillShellCommand's shape. (A failure inside the pipeline is
// answered by fail(): exit 2, which stops the line too.)
protocol::Reply skill_shell_line(HookContext& ctx, const RunOptions& opt) {
  protocol::Reply as_tool_call = pre_tool_use(ctx, opt);
  protocol::Reply r = protocol::skill_shell_reply(ctx.decision);
  if (r.stderr_text.empty()) r.stderr_text = as_tool_call.stderr_text;  // a fail-open warning
  return r;
}

protocol::Reply post_tool_use(HookContext& ctx, const RunOptions& opt) {
  secrets_output_step(ctx);
  if (!opt.dry_run) guard_step(ctx, nullptr, "");
  if (!opt.dry_run && !audit_step(ctx))
    return fail(ctx, "the audit record could not be written (store and spool failed)", "audit_unavailable",
                opt.dry_run);
  if (!opt.dry_run) record_commits(ctx);
  return ctx.adapter->post_reply(ctx.event, ctx.updated_output, ctx.additional_context);
}

}  // namespace

std::string project_dir_for(const protocol::HookEvent& ev) {
  if (const char* p = std::getenv("CLAUDE_PROJECT_DIR"); p && *p) return p;
  return ev.cwd;
}

std::chrono::milliseconds HookContext::remaining() const {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

protocol::Reply run(const std::string& input, const Config& config, const RunOptions& opt, HookContext* out_ctx) {
  HookContext local;
  HookContext& ctx = out_ctx ? *out_ctx : local;
  ctx.config = &config;
  if (opt.adapter) ctx.adapter = opt.adapter;
  ctx.dry_run = opt.dry_run;
  ctx.background = opt.background && !opt.dry_run;
  ctx.started = Clock::now();
  ctx.deadline = ctx.started + std::chrono::seconds(config.wait_budget_seconds());
  try {
    ctx.event = ctx.adapter->parse(input);
    switch (ctx.event.kind) {
      case protocol::EventKind::PreToolUse: return pre_tool_use(ctx, opt);
      case protocol::EventKind::PreSkillShellCommand: return skill_shell_line(ctx, opt);
      case protocol::EventKind::PostToolUse:
      case protocol::EventKind::PostToolUseFailure: return post_tool_use(ctx, opt);
      case protocol::EventKind::ConfigChange: return opt.dry_run ? protocol::Reply{} : config_change(ctx);
      case protocol::EventKind::InstructionsLoaded: return opt.dry_run ? protocol::Reply{} : instructions_loaded(ctx);
      case protocol::EventKind::UserPromptSubmit: return opt.dry_run ? protocol::Reply{} : user_prompt_submit(ctx);
      case protocol::EventKind::Session: return opt.dry_run ? protocol::Reply{} : session_event(ctx);
      default: return {};  // nothing to decide
    }
  } catch (const protocol::ProtocolError& e) {
    // Answer an event that does not parse in its own shape (a PostToolUse gets
    // its output withheld); an unknown kind is denied as a PreToolUse would be.
    if (ctx.event.event_name.empty()) ctx.event = ctx.adapter->sniff(input);
    return fail(ctx, e.what(), "bad_input", opt.dry_run);
  } catch (const std::exception& e) {
    if (ctx.event.event_name.empty()) ctx.event = ctx.adapter->sniff(input);
    return fail(ctx, std::string("internal error: ") + e.what(), "internal_error", opt.dry_run);
  } catch (...) {
    return fail(ctx, "internal error (unknown exception)", "internal_error", opt.dry_run);
  }
}

namespace {

// Whether the libraries' sections parse (then the config may be snapshotted).
bool sections_valid(const Config& config) {
  try {
    secrets::parse_settings(config.section("secrets"));
    approval::parse_approval_settings(config.section("approval"));
    approval::parse_sync_settings(config.section("sync"));
    provenance::parse_settings(config.section("audit"));
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// The reply for one stdin event; every path ends in a reply. The config and
// the context belong to the caller, which ends the process without
// destroying them.
protocol::Reply answer_stdin(Config& config, HookContext& ctx) {
  std::string config_error;
  try {
    config = load_config_cached(sections_valid);
  } catch (const std::exception& e) {
    config_error = e.what();  // the fail mode is unknown: closed, the default
  }
  ctx.config = &config;
  std::string input;
  std::string head;  // of an oversized input: enough to tell the event's kind
  try {
    input = protocol::read_all_capped(0, config.max_input_bytes, &head);
  } catch (const std::exception& e) {
    ctx.event = ctx.adapter->sniff(head);
    return fail(ctx, e.what(), "bad_input", true);
  }
  if (config_error.empty()) {
    RunOptions opt;
    opt.background = true;
    return run(input, config, opt, &ctx);
  }
  try {
    ctx.event = ctx.adapter->parse(input);  // to answer in the event's own shape
  } catch (...) {
    ctx.event = ctx.adapter->sniff(input);
  }
  return fail(ctx, "invalid config: " + config_error, "config_invalid", true);
}

}  // namespace

void run_from_stdio(const agents::Adapter& adapter) {
  protocol::Reply reply;
  // Never destroyed: the process ends right after the reply, and freeing the
  // policies, the event and the detectors would only delay the answer.
  auto* config = new Config;
  auto* ctx = new HookContext;
  ctx->adapter = &adapter;
  try {
    reply = answer_stdin(*config, *ctx);
  } catch (...) {
    reply = {2, "", "preloop-hook could not check this tool call, so it is blocked: internal error\n"};
  }
  write_all(1, reply.stdout_text);
  write_all(2, reply.stderr_text);
  std::fflush(nullptr);
  ::_exit(reply.exit_code);
}

void run_for_agent(std::string_view name) {
  if (const agents::Adapter* adapter = agents::find_adapter(name)) run_from_stdio(*adapter);
  write_all(2, "preloop-hook could not check this tool call, so it is blocked: unknown agent '" + std::string(name) +
                   "' in the hook command (--agent takes one of: " + agents::adapter_names() + ")\n");
  ::_exit(2);
}

int deny_if_hook_event(const std::string& why) {
  if (::isatty(0)) return -1;
  std::string input;
  char buf[4096];
  constexpr std::size_t kPeek = 1 << 20;  // an event names itself near its start; the rest is not needed
  while (input.size() < kPeek) {
    pollfd p{0, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) break;  // nothing within 200 ms: no event is coming
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    input.append(buf, std::size_t(n));
  }
  if (input.find("\"hook_event_name\"") == std::string::npos) return -1;
  std::string reason = "preloop-hook could not check this tool call, so it is blocked: its hook command is "
                       "misconfigured (" + why + "); the entry must run `preloop-hook hook`\n";
  write_all(2, reason);
  return 2;
}

}  // namespace preloop::hook
