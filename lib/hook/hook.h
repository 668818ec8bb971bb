// The hook entry point: one event on stdin, one reply on stdout/stderr.
#pragma once

#include <string>
#include <string_view>

#include "hook/context.h"
#include "policy/layers.h"
#include "protocol/response.h"

namespace preloop::hook {

// Reads the event from fd 0, writes the reply to fds 1 and 2 and ends the
// process with the reply's exit code (_exit: no destructors, no exit
// handlers; stdio is flushed). Every internal failure becomes a deliberate
// deny (or, with fail_mode: open, no decision plus a loud warning on stderr).
[[noreturn]] void run_from_stdio(const agents::Adapter& adapter = agents::claude_code());

// `preloop-hook hook --agent NAME`: run_from_stdio with that agent's adapter.
// An unknown name cannot be answered in its agent's format: the process ends
// with exit 2 and the reason on stderr, which blocks in the agents that honour
// it (Cursor's failClosed blocks on any failure).
[[noreturn]] void run_for_agent(std::string_view name);

// For a command line that could not be parsed: when stdin carries a Claude Code
// hook event (the hook entry in settings is wrong: a missing subcommand, a bad
// flag), writes a deny reason to stderr and returns 2, so that the mistake blocks
// the call instead of letting it through; otherwise returns -1 (an ordinary
// usage error). Never waits long for stdin.
int deny_if_hook_event(const std::string& why);

struct RunOptions {
  bool dry_run = false;                     // `preloop-hook test`: no network, no audit, full trace
  const policy::PolicySet* policies = nullptr;  // preloaded (suites); else loaded per call
  policy::LoadOptions load;                 // when loading here
  policy::EvalOptions eval;
  bool background = false;                  // may start detached work (journal folds): the real hook process only
  const agents::Adapter* adapter = nullptr; // the agent's formats; Claude Code's when null
};

// The whole pipeline on in-memory input. The context (decision, trace,
// updated input/output) is left in *out_ctx when given.
protocol::Reply run(const std::string& input, const Config& config, const RunOptions& options = {},
                    HookContext* out_ctx = nullptr);

}  // namespace preloop::hook
