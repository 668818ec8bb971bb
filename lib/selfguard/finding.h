// Building findings, shared by the checks of the self-protection guard.
#pragma once

#include <string>

#include "selfguard/guard.h"

namespace preloop::selfguard {

inline constexpr const char* kUserOnly =
    " can only be changed by the user: tell the user what change you need and why.";

inline Finding deny(const char* rule, std::string reason) { return {Verdict::Deny, rule, std::move(reason)}; }
inline Finding ask(const char* rule, std::string reason) { return {Verdict::Ask, rule, std::move(reason)}; }

// Keeps the more restrictive of two findings (the first on a tie).
inline void merge(Finding& into, Finding f) {
  if (f.verdict > into.verdict) into = std::move(f);
}

// "Blocked: `p` is <what>; <what> can only be changed by the user…"
inline std::string blocked(const std::string& verb, const std::string& path, const Protected& e) {
  return "Blocked: this " + verb + " " + path + ", which is " + e.what + " (" + e.path + ")." +
         " The guard's configuration, audit trail and Claude Code's settings" + kUserOnly;
}

}  // namespace preloop::selfguard
