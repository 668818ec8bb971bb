// `audit replay`: the recorded PreToolUse calls evaluated again against a
// candidate policy set, and every decision that would change.
//
// Limits: the inputs are the recorded ones, with secrets masked (a decision
// taken on a secret's value is skipped, not compared); shell facts and
// self-protection are recomputed on this machine, now; the project layer is
// that of the recorded working directory; approval outcomes are compared as
// the rule's require_approval (ask).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/query.h"
#include "config/config.h"

namespace preloop::hook {

struct ReplayOptions {
  std::vector<std::filesystem::path> policy;  // files or directories: the candidate user layer
  std::string profile;                        // packs' profile (default: the config's)
  audit::Filter filter;                       // which records (since, until, tool, ...)
  int examples = 3;                           // per change of decision
};

struct ReplayChange {
  std::int64_t seq = 0;
  std::string ts, tool, input, before, after, rule_before, rule_after;
};

struct ReplayReport {
  std::int64_t examined = 0, skipped = 0, changed = 0;
  std::map<std::string, std::int64_t> by_change;  // "ask -> deny"
  std::map<std::string, std::int64_t> by_rule;    // the deciding rule now (or before, when none now)
  std::vector<ReplayChange> examples;
  std::vector<std::string> loaded;                 // the candidate layers and files
  std::vector<std::string> errors;                 // candidate policy errors (nothing is compared then)
};

ReplayReport replay(const audit::Store& store, const Config& config, const ReplayOptions& options);

std::string replay_text(const ReplayReport& r);
nlohmann::json replay_json(const ReplayReport& r);

}  // namespace preloop::hook
