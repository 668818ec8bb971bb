// Turning an approval outcome into the hook's decision:
//   approved -> allow; declined -> deny (the approver's reason);
//   timed_out -> deny (never a local prompt); unreachable -> on_unreachable; auth_error -> on_auth_error.
// An explicit human or policy deny is never downgraded.
#pragma once

#include <string>

#include "approval/client.h"
#include "approval/reuse.h"
#include "approval/settings.h"
#include "policy/decision.h"

namespace preloop::approval {

void apply_outcome(Decision& d, const ApprovalOutcome& o, const ApprovalSettings& s);

// An earlier human approval of the identical call covers this one.
void apply_reused(Decision& d, const Grant& g, const ReusePolicy& policy);

// No approval service: ask the local user, naming the rule and workflow.
void apply_not_configured(Decision& d, const std::string& why = "");

// Credentials exist but cannot be used (insecure file, no URL, ...).
void apply_credential_error(Decision& d, const std::string& message, const ApprovalSettings& s);

// "rule 'id' (file:line), workflow 'w'" for messages.
std::string rule_label(const RuleRef& r);

}  // namespace preloop::approval
