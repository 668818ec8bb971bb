// Approval reuse: a human approval may cover the identical call again for a
// short while, configured per workflow in preloop-hook's own config (not in
// policy files, so a cloned repository cannot loosen it):
//
//   approval:
//     reuse:
//       manual-approval: once   # one more identical call, within 5 minutes
//       deploy: 10m             # identical calls for 10 minutes
//       "*": off                # every other workflow (the default)
//
// "Identical" is the same tool, input, rule, workflow, session and working
// directory, compared through a hash keyed with the audit key. Grants live in
// $XDG_STATE_HOME/preloop-hook/approval-grants (owner-only, locked while
// updated); a reused approval is audited with approval_status "reused" and
// the original request id and approver.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "approval/client.h"

namespace preloop::approval {

struct Grant {
  std::string request_id;
  std::string approver;
  long long approved_at = 0;  // epoch seconds
};

std::filesystem::path grants_file();

// Signs a grant's fields (a keyed hash with the audit key), so that a grant
// edited in the file (more uses, a later expiry) is not honoured.
using GrantSigner = std::function<std::string(const std::string& fields)>;

// Uses up one use of the grant for `key`, if one is still valid.
std::optional<Grant> take_grant(const std::filesystem::path& file, const std::string& key,
                                std::chrono::system_clock::time_point now, const GrantSigner& sign);

// Records an approval for `key` under `policy` (the approval itself already
// covered the call that asked for it). Best effort.
void add_grant(const std::filesystem::path& file, const std::string& key, const ApprovalOutcome& approved,
               const ReusePolicy& policy, std::chrono::system_clock::time_point now, const GrantSigner& sign);

}  // namespace preloop::approval
