// Coverage gaps: tool calls that ran without passing the PreToolUse gate.
// A PostToolUse (or PostToolUseFailure) record whose tool_use_id no PreToolUse
// record carries means the call was not checked: the hook was disabled or
// bypassed for it, or Claude Code did not run it (e.g. in a subagent). Found
// at read time by an anti-join on the tool_use_id index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "audit/query.h"
#include "audit/store.h"

namespace preloop::audit {

struct Gap {
  std::int64_t seq = 0;  // the PostToolUse record
  std::string ts, tool_use_id, tool, session_id, agent_type;
};

struct Gaps {
  std::int64_t count = 0;
  std::vector<Gap> examples;  // the first ones, oldest first
};

// Gaps among the records the filter's period and session select. Throws StoreError.
Gaps coverage_gaps(const Store& store, const Filter& f = {}, std::size_t max_examples = 5);

// "N tool call(s) ran without passing PreToolUse (first: seq S tool T tool_use_id I, ...)"; "" when none.
std::string describe_gaps(const Gaps& g);

}  // namespace preloop::audit
