// Remembering that the approval service is down, across hook calls: after a
// call found it unreachable (connection refused, TLS failure, 5xx or 429 until
// the retries ran out), the calls of the next `approval.outage_window_seconds`
// (default 60) answer at once with on_unreachable instead of each waiting out
// its own retries. The first call after the window asks the service again; any
// answer from it ends the outage.
//
// State: $XDG_STATE_HOME/preloop-hook/approval-outage (owner-only JSON: url,
// time, reason). Read only on calls that need approval.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "approval/client.h"

namespace preloop::approval {

using SystemClock = std::chrono::system_clock;

std::filesystem::path outage_file();

// Whether this outcome means the service is down (not a refusal or an answer).
bool is_outage(const ApprovalOutcome& o);

// The remembered outage of `url` still inside `window`, as an outcome to
// answer with (status Unreachable, failure_class "outage_remembered").
std::optional<ApprovalOutcome> remembered_outage(const std::filesystem::path& file, const std::string& url,
                                                 std::chrono::seconds window, SystemClock::time_point now);

// Records (is_outage) or forgets (an answer came) the outage of `url`.
// Best effort: a state file that cannot be written only costs the next call a retry.
void note_outcome(const std::filesystem::path& file, const std::string& url, const ApprovalOutcome& o,
                  SystemClock::time_point now);

}  // namespace preloop::approval
