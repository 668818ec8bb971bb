#include "policy/engine.h"

#include <cstdlib>
#include <optional>
#include <set>
#include <stdexcept>

#include "policy/prefilter.h"
#include "policy/simple_condition.h"
#include "policy/template.h"
#include "policy/tool_match.h"
#include "policy/tuning.h"
#include "policy/variables.h"

namespace preloop::policy {
namespace {

// A condition compiled on first use: only the rules for the tool at hand
// are compiled in a hook process.
struct Compiled {
  bool done = false;
  std::shared_ptr<const cel::Program> program;
  std::optional<SimpleCondition> simple;
  std::string error;        // compile error, rendered with a caret
  std::string error_short;  // one line
  Prefilter prefilter;      // when the condition carries none: derived after a successful compile
};

struct DocState {
  const Document* doc;
  std::vector<std::vector<Compiled>> compiled;  // [tool][condition]
};

void compile(const Condition& c, Compiled& out) {
  if (out.done) return;
  out.done = true;
  if (c.type == ConditionType::Simple) {
    std::string err;
    out.simple = SimpleCondition::parse(c.expression, &err);
    if (!out.simple) out.error = out.error_short = err;
    return;
  }
  auto r = policy_env().compile(c.expression);
  if (r.ok()) {
    out.program = r.program;
  } else {
    out.error_short = r.error->message;
    out.error = r.error->render(c.expression);
  }
}

// The condition's prefilter; one derived here must come from an expression
// that compiles, since skipping a condition must not hide a compile error.
const Prefilter& prefilter_of(const Condition& c, Compiled& comp) {
  if (c.prefilter.state != Prefilter::State::NotDerived) return c.prefilter;
  if (comp.prefilter.state == Prefilter::State::NotDerived) {
    compile(c, comp);
    comp.prefilter.state = Prefilter::State::Always;
    if (comp.error.empty() && comp.program) comp.prefilter = derive_prefilter(c.expression);
  }
  return comp.prefilter;
}

bool skipped(const Prefilter& p, EventVariables& vars, const protocol::HookEvent& ev) {
  return p.state == Prefilter::State::AnyOf && !admits(p, vars.facts(ev, needs_shell(p)));
}

std::string rule_label(const Condition& c, const ToolRule& t) {
  if (!c.id.empty()) return c.id;
  return t.names.empty() ? std::string("rule") : t.names.front();
}

RuleRef make_ref(const std::string& layer, const Document& d, const ToolRule& t, const Condition* c) {
  RuleRef r;
  r.layer = layer;
  r.file = d.file;
  const SourceLoc& loc = c ? c->loc : t.loc;
  r.line = loc.line;
  r.column = loc.column;
  r.tool = t.names.empty() ? "" : t.names.front();
  if (c) {
    r.id = c->id;
    r.description = c->description;
    r.expression = c->expression;
    r.workflow = c->workflow;
    r.timeout_seconds = c->timeout_seconds;
  }
  if (r.workflow.empty()) r.workflow = t.workflow;
  if (r.description.empty()) r.description = t.description;
  if (r.timeout_seconds == 0 && !r.workflow.empty())
    if (const Workflow* w = d.find_workflow(r.workflow)) r.timeout_seconds = w->timeout_seconds;
  return r;
}

struct Outcome {
  Verdict verdict = Verdict::None;
  bool needs_approval = false;
  std::string reason;
  RuleRef rule;
  bool has_rule = false;
};

Outcome from_action(Action a, RuleRef ref, const std::string& label, const nlohmann::json& args) {
  Outcome o;
  o.has_rule = true;
  std::string where = " [" + label + " at " + ref.file + ":" + std::to_string(ref.line) + "]";
  std::string msg = render_template(ref.description, args);
  switch (a) {
    case Action::Deny:
      o.verdict = Verdict::Deny;
      o.reason = (msg.empty() ? std::string("Blocked by policy") : msg) + where;
      break;
    case Action::Allow:
      o.verdict = Verdict::Allow;
      o.reason = (msg.empty() ? std::string("Allowed by policy") : msg) + where;
      break;
    case Action::RequireApproval:
      o.verdict = Verdict::Ask;
      o.needs_approval = true;
      o.reason = "Approval required" + (msg.empty() ? std::string() : ": " + msg) +
                 (ref.workflow.empty() ? std::string() : " (workflow '" + ref.workflow + "')") + where;
      break;
  }
  o.rule = std::move(ref);
  return o;
}

}  // namespace

// What a document gives one call: the enforced outcome, and the outcome it
// would give with its observed rules in force (the same when none matched).
struct DocOutcome {
  Outcome enforced;
  std::optional<Outcome> would;  // set when an observed rule matched first
};

// Rule ids overridden for this call -> the overriding rule's label.
using Overridden = std::vector<std::pair<std::string, std::string>>;

const std::string* overridden_by(const Overridden& o, const std::string& id) {
  if (id.empty()) return nullptr;
  for (const auto& [rule, by] : o)
    if (rule == id) return &by;
  return nullptr;
}

struct Engine::Impl {
  std::vector<LayerDocs> layers;
  // Parallel to layers[i].docs[j]; mutable: compiled lazily.
  mutable std::vector<std::vector<DocState>> state;
  EngineSettings settings;
  mutable std::optional<TuningPlan> plan;  // resolved on first use
  const protocol::HookEvent* only_call = nullptr;  // restrict_to

  const TuningPlan& tuning() const {
    if (!plan) plan = plan_tuning(layers, settings, today_utc);
    return *plan;
  }

  // Whether condition c matches; err receives an evaluation error, and a
  // compile error makes `invalid` true (with err its message).
  bool test(const Condition& c, Compiled& comp, const protocol::HookEvent& ev, EventVariables& vars,
            cel::Activation& act, bool use_prefilter, std::string& err, bool& invalid) const {
    invalid = false;
    if (use_prefilter && skipped(prefilter_of(c, comp), vars, ev)) return false;  // no compile, no evaluation
    compile(c, comp);
    if (!comp.error.empty()) {
      invalid = true;
      err = comp.error_short;
      return false;
    }
    if (comp.simple) return comp.simple->evaluate(vars.args);
    vars.bind_lazy(*comp.program, ev, act);
    cel::Value v = comp.program->evaluate(act);
    if (v.is_error()) err = v.error_message();
    else if (!v.is_bool()) err = "condition returned " + std::string(v.type_name()) + ", not bool";
    else return v.as_bool();
    return false;
  }

  // The rule ids that matching override rules lift for this call.
  Overridden overrides(const protocol::HookEvent& ev, const ToolName& tn, EventVariables& vars, cel::Activation& act,
                       bool use_prefilter) const {
    Overridden out;
    for (const auto& r : tuning().overrides) {
      const Document& d = layers[r.layer].docs[r.doc];
      const ToolRule& t = d.tools[r.tool];
      const Condition& c = t.conditions[r.cond];
      if (!c.enabled || !tool_matches(t.names, t.source, tn)) continue;
      if (tuning().status(d, &c).mode != RuleMode::Enforce) continue;
      std::string err;
      bool invalid = false;
      if (!test(c, state[r.layer][r.doc].compiled[r.tool][r.cond], ev, vars, act, use_prefilter, err, invalid) ||
          !err.empty())
        continue;
      for (const auto& id : c.overrides) out.emplace_back(id, rule_label(c, t) + " at " + c.loc.str());
    }
    return out;
  }

  DocOutcome eval_doc(const std::string& layer, DocState& ds, const protocol::HookEvent& ev, const ToolName& tn,
                      EventVariables& vars, cel::Activation& act, std::vector<TraceStep>* trace, bool use_prefilter,
                      const Overridden& overridden) const {
    const Document& d = *ds.doc;
    const TuningPlan& plan = tuning();
    const RuleStatus& doc_status = plan.status(d, nullptr);
    DocOutcome out;
    // A matching rule: enforced, it decides the document; observed, it only
    // sets what the document would have answered (when it matched first).
    auto matched = [&](Outcome o, const RuleStatus& st) {
      if (st.mode == RuleMode::Observe) {
        if (!out.would) out.would = std::move(o);
        return false;
      }
      out.enforced = std::move(o);
      return true;
    };
    auto suffix = [](const RuleStatus& st) {
      return st.mode == RuleMode::Observe ? " (observe mode: not enforced; " + st.note + ")" : std::string();
    };
    for (std::size_t ti = 0; ti < d.tools.size(); ++ti) {
      const ToolRule& t = d.tools[ti];
      if (!tool_matches(t.names, t.source, tn)) continue;
      if (doc_status.mode == RuleMode::Disabled) {
        if (trace) trace->push_back({layer, t.loc.str(), "(every rule of " + d.file + ")", "skipped: " + doc_status.note});
        return out;
      }
      if (!t.enabled) {
        Outcome o;
        o.verdict = Verdict::Deny;
        o.has_rule = true;
        o.rule = make_ref(layer, d, t, nullptr);
        o.reason = "Tool " + ev.tool_name + " is disabled by policy [" + d.file + ":" + std::to_string(t.loc.line) + "]";
        if (trace) trace->push_back({layer, t.loc.str(), "(tool disabled)", "matched: deny" + suffix(doc_status)});
        if (matched(std::move(o), doc_status)) return out;
        continue;
      }
      if (t.conditions.empty()) {
        if (t.workflow.empty()) continue;
        // Preloop's legacy form: a tool with a workflow and no conditions
        // requires approval for every call.
        if (trace) trace->push_back({layer, t.loc.str(), "(every call)", "matched: require_approval" + suffix(doc_status)});
        if (matched(from_action(Action::RequireApproval, make_ref(layer, d, t, nullptr), t.names.front(), vars.args),
                    doc_status))
          return out;
        continue;
      }
      for (std::size_t ci = 0; ci < t.conditions.size(); ++ci) {
        const Condition& c = t.conditions[ci];
        if (!c.enabled) {
          if (trace) trace->push_back({layer, c.loc.str(), c.expression, "skipped: disabled"});
          continue;
        }
        const RuleStatus& st = plan.empty() ? doc_status : plan.status(d, &c);
        if (st.mode == RuleMode::Disabled) {
          if (trace) trace->push_back({layer, c.loc.str(), c.expression, "skipped: " + st.note});
          continue;
        }
        if (const std::string* by = overridden.empty() ? nullptr : overridden_by(overridden, c.id)) {
          if (trace) trace->push_back({layer, c.loc.str(), c.expression, "skipped: overridden by " + *by});
          continue;
        }
        Compiled& comp = ds.compiled[ti][ci];
        if (use_prefilter && skipped(prefilter_of(c, comp), vars, ev)) {
          // The condition is false for this call: no compile, no evaluation.
          if (trace) trace->push_back({layer, c.loc.str(), c.expression, "no match"});
          continue;
        }
        std::string err;
        bool invalid = false;
        bool hit = test(c, comp, ev, vars, act, false, err, invalid);
        if (invalid) {
          // A rule that cannot compile is an invalid policy: deny, do not guess,
          // observed or not.
          if (trace) trace->push_back({layer, c.expr_loc.str(), c.expression, "invalid: " + err});
          Outcome o;
          o.verdict = Verdict::Deny;
          o.has_rule = true;
          o.rule = make_ref(layer, d, t, &c);
          o.reason = "Invalid policy expression at " + c.expr_loc.str() + ": " + err +
                     " (run `preloop-hook rules validate`)";
          matched(std::move(o), kEnforced);
          return out;
        }
        if (!err.empty()) {
          // Preloop fails closed per rule: an error means require approval.
          if (trace) trace->push_back({layer, c.loc.str(), c.expression, "error: " + err + suffix(st)});
          Outcome o = from_action(Action::RequireApproval, make_ref(layer, d, t, &c), rule_label(c, t), vars.args);
          o.reason = "Rule evaluation error (failing closed): " + err + " [" + rule_label(c, t) + " at " + d.file +
                     ":" + std::to_string(c.loc.line) + "]";
          o.rule.description = "Rule evaluation error (failing closed): " + err;
          if (matched(std::move(o), st)) return out;
          continue;
        }
        if (trace)
          trace->push_back({layer, c.loc.str(), c.expression,
                            hit ? "matched: " + std::string(to_string(c.action)) + suffix(st) : "no match"});
        if (!hit) continue;
        Outcome o = from_action(c.action, make_ref(layer, d, t, &c), rule_label(c, t), vars.args);
        if (!c.overrides.empty() && !overridden.empty()) {
          std::string ids;
          for (const auto& id : c.overrides) ids += (ids.empty() ? "" : ", ") + id;
          o.reason += " (overrides " + ids + ")";
        }
        if (matched(std::move(o), st)) return out;
      }
    }
    return out;
  }

  static inline const RuleStatus kEnforced{};
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

const std::vector<LayerDocs>& Engine::layers() const { return impl_->layers; }

void Engine::restrict_to(const protocol::HookEvent* call) { impl_->only_call = call; }

EventVariables call_variables(const protocol::HookEvent& ev, const EvalOptions& opt) {
  std::string home = opt.home;
  if (home.empty())
    if (const char* h = std::getenv("HOME")) home = h;
  std::string project = opt.project_dir;
  if (project.empty()) {
    const char* p = std::getenv("CLAUDE_PROJECT_DIR");
    project = p && *p ? p : ev.cwd;
  }
  return EventVariables(ev, std::move(home), std::move(project));
}

void Engine::configure(const EngineSettings& settings) {
  impl_->settings = settings;
  impl_->plan.reset();
}

void Engine::add_layer(LayerDocs layer) {
  impl_->layers.push_back(std::move(layer));
  impl_->plan.reset();
  // Rebuild state pointers: the layers vector may have reallocated.
  impl_->state.clear();
  for (const auto& l : impl_->layers) {
    std::vector<DocState> docs;
    for (const auto& d : l.docs) {
      DocState ds{&d, {}};
      for (const auto& t : d.tools) ds.compiled.emplace_back(t.conditions.size());
      docs.push_back(std::move(ds));
    }
    impl_->state.push_back(std::move(docs));
  }
}

Decision Engine::evaluate(const protocol::HookEvent& ev, const EvalOptions& opt) const {
  // Only what can match the call the layers were read for may be in them:
  // deciding another call with them could miss its rules. (The hook answers
  // the exception with a deny.)
  if (impl_->only_call && (&ev != impl_->only_call || !opt.prefilter))
    throw std::logic_error("policy read for the call of '" + impl_->only_call->tool_name + "', asked about another");
  std::optional<EventVariables> own;
  EventVariables& vars = opt.variables ? *opt.variables : own.emplace(call_variables(ev, opt));
  struct Share {  // hands the analysis on however evaluation ends
    const EventVariables& vars;
    std::shared_ptr<const shell::Analysis>* out;
    ~Share() {
      if (out) *out = vars.computed_analysis();
    }
  } share{vars, opt.share_analysis};
  cel::Activation act;
  vars.bind(act);
  ToolName tn = ToolName::parse(ev.tool_name);

  Decision best;
  Outcome would;  // with the observed rules in force
  std::vector<TraceStep>* trace = opt.full_trace ? &best.trace : nullptr;
  const TuningPlan& plan = impl_->tuning();
  if (trace) trace->insert(trace->end(), plan.notes.begin(), plan.notes.end());
  const Overridden overridden =
      plan.overrides.empty() ? Overridden{} : impl_->overrides(ev, tn, vars, act, opt.prefilter);
  auto take = [](Outcome& into, Outcome& o) {
    if (o.verdict > into.verdict) into = std::move(o);
  };
  Outcome enforced;
  for (std::size_t li = 0; li < impl_->layers.size(); ++li) {
    const LayerDocs& layer = impl_->layers[li];
    for (auto& ds : impl_->state[li]) {
      if (enforced.verdict == Verdict::Deny && would.verdict == Verdict::Deny && !opt.full_trace) break;
      DocOutcome o = impl_->eval_doc(layer.name, ds, ev, tn, vars, act, trace, opt.prefilter, overridden);
      if (o.enforced.verdict == Verdict::Allow && !layer.honour_allow) {
        // A cloned repository must not be able to approve its own commands.
        if (trace)
          trace->push_back({layer.name, o.enforced.rule.location(), o.enforced.rule.expression,
                            "ignored: allow from an untrusted project (add it to trusted_projects)"});
        o.enforced = Outcome{};
      }
      if (o.would && o.would->verdict == Verdict::Allow && !layer.honour_allow) o.would = Outcome{};
      const Outcome& w = o.would ? *o.would : o.enforced;
      if (w.verdict > would.verdict) would = w;  // a copy, on a match only
      take(enforced, o.enforced);
    }
  }
  best.verdict = enforced.verdict;
  best.needs_approval = enforced.needs_approval;
  best.reason = std::move(enforced.reason);
  best.has_rule = enforced.has_rule;
  best.rule = std::move(enforced.rule);
  if (would.verdict != best.verdict) {
    best.has_observed = true;
    best.observed_verdict = would.verdict;
    best.observed_reason = std::move(would.reason);
    best.observed_rule = std::move(would.rule);
  }
  return best;
}

}  // namespace preloop::policy
