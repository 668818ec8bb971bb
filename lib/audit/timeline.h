// One session as a timeline (`audit session`), and what produced a commit
// (`audit blame`): the session's prompts, tool calls with their decisions and
// approvals, results, masked secrets and commits, in chain order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audit/commits.h"
#include "audit/record.h"
#include "audit/store.h"

namespace preloop::audit {

// One line of a timeline: what kind of step a record is, and what it says.
struct Step {
  std::string kind;    // prompt | call | result | commit | session | secret | config
  std::string text;    // one line
  std::string verdict; // allow | ask | deny | none, or success | error; "" when neither
};
Step step_of(const Record& r);

struct SessionSummary {
  std::string session_id, first_ts, last_ts;
  std::int64_t prompts = 0, calls = 0, denied = 0, asked = 0, approvals = 0, commits = 0, secrets = 0;
};
SessionSummary summarize(const std::string& session_id, const std::vector<Record>& rows);

// Every record of the session, oldest first. Throws StoreError.
std::vector<Record> session_records(const Store& store, const std::string& session_id);
std::string timeline_text(const std::vector<Record>& rows, bool colour);

struct Blame {
  CommitRef commit;
  Record commit_record;             // the GitCommit record
  std::vector<Record> prompt;       // the prompt it followed (none when it was not recorded)
  std::vector<Record> call;         // the tool call that made it: its PreToolUse, PostToolUse
  std::vector<Record> prompt_calls; // the other calls of the same prompt
};
// What produced each commit matching prefix (see find_commits).
std::vector<Blame> blame(const Store& store, const std::string& prefix);
std::string blame_text(const std::vector<Blame>& b);

}  // namespace preloop::audit
