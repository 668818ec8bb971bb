#include "policy/tuning.h"

#include <ctime>
#include <map>
#include <set>

#include "config/suggest.h"
#include "policy/layers.h"

namespace preloop::policy {
namespace {

const RuleStatus kEnforce{};

bool is_pack(const LayerDocs& l) { return l.name.rfind("pack:", 0) == 0; }
bool is_self_protection(const LayerDocs& l, const Document& d) { return is_pack(l) && d.name == "self-protection"; }

// Why a layer's disable:/observe:/override: do not apply; empty when they do.
std::string tuning_refused(const LayerDocs& l, const EngineSettings& s) {
  if (l.name == "managed") return "";
  if (is_pack(l)) return "built-in packs do not tune other rules";
  if (!s.allow_tuning) return "the managed config sets policy.allow_tuning: false";
  if (l.name == "project" && !l.honour_allow) return "the project is not trusted (trusted_projects)";
  return "";
}

std::string observe_refused(const LayerDocs& l, const EngineSettings& s) {
  return l.name != "managed" && s.pin_enforce ? "the managed config pins enforcement (policy.pin_enforce)" : "";
}

void raise(RuleStatus& st, RuleMode mode, const std::string& note) {
  if (mode > st.mode) st = {mode, note};
}

}  // namespace

const RuleStatus& TuningPlan::status(const Document& d, const Condition* c) const {
  const RuleStatus* doc = &kEnforce;
  if (!docs.empty())
    if (auto it = docs.find(&d); it != docs.end()) doc = &it->second;
  if (c && !rules.empty())
    if (auto it = rules.find(c); it != rules.end() && it->second.mode > doc->mode) return it->second;
  return *doc;
}

std::vector<Diagnostic> check_tuning_targets(const std::vector<LayerDocs>& layers) {
  std::set<std::string> rules, packs;
  std::vector<Diagnostic> ignored;
  auto collect = [&](const Document& d, bool pack) {
    if (pack) packs.insert(d.name);
    for (const auto& t : d.tools)
      for (const auto& c : t.conditions)
        if (!c.id.empty()) rules.insert(c.id);
  };
  for (const char* profile : {"recommended", "strict"})
    for (const auto& d : load_packs(profile, ignored)) collect(d, true);
  for (const auto& l : layers)
    for (const auto& d : l.docs) collect(d, is_pack(l));
  std::vector<Diagnostic> out;
  auto check = [&](const std::string& name, bool pack, const SourceLoc& loc) {
    const auto& known = pack ? packs : rules;
    if (known.count(name)) return;
    out.push_back({Diagnostic::Severity::Warning, loc,
                   std::string(pack ? "no pack named '" : "no rule with id '") + name + "'" + did_you_mean(name, known) +
                       ": the entry has no effect", {}});
  };
  for (const auto& l : layers)
    for (const auto& d : l.docs) {
      for (const auto& t : d.tuning) check(t.pack.empty() ? t.rule : t.pack, !t.pack.empty(), t.loc);
      for (const auto& t : d.tools)
        for (const auto& c : t.conditions)
          for (const auto& id : c.overrides) check(id, false, c.loc);
    }
  return out;
}

std::string today_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

TuningPlan plan_tuning(const std::vector<LayerDocs>& layers, const EngineSettings& s,
                       const std::function<std::string()>& today_of) {
  TuningPlan plan;
  std::string today;  // read only when an entry has an end
  // target ("pack NAME" or a rule id) -> strongest entry
  std::map<std::string, RuleStatus> targets;
  for (const auto& l : layers)
    for (const auto& d : l.docs)
      for (const auto& t : d.tuning) {
        const bool disable = t.kind == Tuning::Kind::Disable;
        const std::string what = std::string(disable ? "disable " : "observe ") + t.target();
        std::string refused = tuning_refused(l, s);
        if (refused.empty() && !disable) refused = observe_refused(l, s);
        if (refused.empty() && !t.expires.empty() && today.empty()) today = today_of();
        if (refused.empty() && !t.expires.empty() && today > t.expires) refused = "expired on " + t.expires;
        if (!refused.empty()) {
          plan.notes.push_back({l.name, t.loc.str(), what, "not applied: " + refused});
          continue;
        }
        raise(targets[t.pack.empty() ? t.rule : "pack " + t.pack], disable ? RuleMode::Disabled : RuleMode::Observe,
              std::string(disable ? "disabled" : "observed") + " by " + t.loc.str() + ": " + t.reason +
                  (t.expires.empty() ? "" : " (until " + t.expires + ")"));
      }
  for (std::size_t li = 0; li < layers.size(); ++li) {
    const LayerDocs& l = layers[li];
    const bool may_observe = observe_refused(l, s).empty();
    const bool may_override = !is_pack(l) && l.name != "project" && tuning_refused(l, s).empty();
    for (std::size_t di = 0; di < l.docs.size(); ++di) {
      const Document& d = l.docs[di];
      if (is_self_protection(l, d)) continue;  // always enforced
      RuleStatus doc;
      if (is_pack(l) && !targets.empty())
        if (auto it = targets.find("pack " + d.name); it != targets.end()) doc = it->second;
      if (d.observe && may_observe) raise(doc, RuleMode::Observe, "observed: mode: observe in " + d.file);
      if (s.observe) raise(doc, RuleMode::Observe, "observed: policy.mode: observe");
      if (doc.mode != RuleMode::Enforce) plan.docs.emplace(&d, doc);
      if (targets.empty() && !d.rule_tuning) continue;  // no rule of it is tuned
      for (std::size_t ti = 0; ti < d.tools.size(); ++ti)
        for (std::size_t ci = 0; ci < d.tools[ti].conditions.size(); ++ci) {
          const Condition& c = d.tools[ti].conditions[ci];
          RuleStatus st;
          if (!c.id.empty() && !targets.empty())
            if (auto it = targets.find(c.id); it != targets.end()) st = it->second;
          if (!c.enforce && may_observe) raise(st, RuleMode::Observe, "observed: enforce: false");
          if (st.mode > doc.mode) plan.rules.emplace(&c, std::move(st));
          if (!c.overrides.empty() && may_override && c.action != Action::Deny) plan.overrides.push_back({li, di, ti, ci});
        }
    }
  }
  return plan;
}

}  // namespace preloop::policy
