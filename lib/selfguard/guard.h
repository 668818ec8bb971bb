// Self-protection: the agent must not switch off, weaken or blind the guard
// that checks it. A tool call that writes, moves or deletes (or, through a
// command not known to be read-only, merely names) a protected location,
// wherever it really is, is denied; commands that may replace tracked
// settings files wholesale ask; the guard's own weakening commands are
// denied; reading the audit key is denied.
//
// Rule ids: self-protection.write, .delete, .names, .extract, .git, .cli,
// .claude, .key.
#pragma once

#include <functional>
#include <string>

#include "policy/decision.h"
#include "protocol/event.h"
#include "selfguard/protected_set.h"

namespace preloop::shell {
struct Analysis;
}

namespace preloop::selfguard {

struct Finding {
  Verdict verdict = Verdict::None;
  std::string rule;    // "self-protection.write", …
  std::string reason;  // what the agent (deny) or the user (ask) is told
};

// The shell analysis of a Bash call, computed on demand (shared with the policy engine).
using AnalysisFn = std::function<const shell::Analysis&()>;

// Checks one PreToolUse call. Touches the file system (realpath, and a
// short `git` run for branch switches) only when the call has something
// path-like to compare.
Finding check(const protocol::HookEvent& event, const Inputs& inputs, const AnalysisFn& analysis);

}  // namespace preloop::selfguard
