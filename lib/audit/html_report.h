// `audit report --html`: one self-contained HTML file for a security review
// (inline CSS, no script, nothing fetched): the chain's state, sessions,
// each session's timeline, decisions by rule, approvals, commits and coverage
// gaps. Every recorded text is HTML-escaped.
#pragma once

#include <string>

#include "audit/query.h"
#include "audit/store.h"
#include "audit/verify.h"

namespace preloop::audit {

std::string html_report(const Store& store, const Filter& f, const VerifyReport& chain, const std::string& generated_at);

// Text with & < > " ' escaped.
std::string html_escape(std::string_view text);

}  // namespace preloop::audit
