// Rule tuning: which rules a set of layers disables, observes (records the
// would-be decision without answering it) or overrides, from the documents'
// `disable:` / `observe:` lists, `mode: observe`, `enforce: false`,
// `override:` and the config's policy settings.
//
// Who may tune: the managed layer always; the user, synced and `--rules`
// layers unless the managed config sets policy.allow_tuning: false; a project
// only when trusted (and allowed). Observe settings below the managed layer
// are ignored under policy.pin_enforce. The self-protection pack is never
// disabled, observed or overridden.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "policy/engine.h"

namespace preloop::policy {

enum class RuleMode { Enforce, Observe, Disabled };

struct RuleStatus {
  RuleMode mode = RuleMode::Enforce;
  std::string note;  // "disabled by FILE:LINE:COL: reason", for traces
};

struct OverrideRef {
  std::size_t layer, doc, tool, cond;
};

struct TuningPlan {
  std::unordered_map<const Document*, RuleStatus> docs;    // whole documents (packs)
  std::unordered_map<const Condition*, RuleStatus> rules;  // single rules
  std::vector<OverrideRef> overrides;                      // rules that may override others
  std::vector<TraceStep> notes;                            // entries not applied, and why
  bool empty() const { return docs.empty() && rules.empty() && overrides.empty(); }
  // The stronger of the document's and the rule's status (c may be null: the tool entry itself).
  const RuleStatus& status(const Document& d, const Condition* c) const;
};

// today_of: today's date (YYYY-MM-DD), asked for only when an entry has an end.
TuningPlan plan_tuning(const std::vector<LayerDocs>& layers, const EngineSettings& settings,
                       const std::function<std::string()>& today_of);

// Warnings for disable:/observe: entries and overrides that name no rule id
// or pack of `layers` or of the built-in packs, with the closest name.
std::vector<Diagnostic> check_tuning_targets(const std::vector<LayerDocs>& layers);

// Today's date in UTC, YYYY-MM-DD.
std::string today_utc();

}  // namespace preloop::policy
