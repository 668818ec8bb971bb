// The hook entry point: one event on stdin, one reply on stdout/stderr.
#pragma once

#include <string>

#include "hook/context.h"
#include "policy/layers.h"
#include "protocol/response.h"

namespace preloop::hook {

// Reads the event from fd 0, writes the reply to fds 1 and 2 and ends the
// process with the reply's exit code (_exit: no destructors, no exit
// handlers; stdio is flushed). Every internal failure becomes a deliberate
// deny (or, with fail_mode: open, no decision plus a loud warning on stderr).
[[noreturn]] void run_from_stdio();

struct RunOptions {
  bool dry_run = false;                     // `preloop-hook test`: no network, no audit, full trace
  const policy::PolicySet* policies = nullptr;  // preloaded (suites); else loaded per call
  policy::LoadOptions load;                 // when loading here
  policy::EvalOptions eval;
};

// The whole pipeline on in-memory input. The context (decision, trace,
// updated input/output) is left in *out_ctx when given.
protocol::Reply run(const std::string& input, const Config& config, const RunOptions& options = {},
                    HookContext* out_ctx = nullptr);

}  // namespace preloop::hook
