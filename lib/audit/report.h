// Human-readable text for the audit commands (list, show, stats, verify).
#pragma once

#include <string>

#include "audit/query.h"
#include "audit/verify.h"

namespace preloop::audit {

// One line: seq, time, event, tool, decision/result, rule, a short input summary.
std::string summary_line(const Record& r, bool colour);
// Every field of the record, then its linked records (the execution result).
std::string describe(const Shown& s);
std::string stats_text(const Stats& s, const Filter& period);
std::string verify_text(const VerifyReport& v);

}  // namespace preloop::audit
