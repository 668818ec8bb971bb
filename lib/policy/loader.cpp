#include "policy/loader.h"

#include <functional>
#include <set>

#include <yaml-cpp/yaml.h>

#include "config/suggest.h"
#include "protocol/json_depth.h"

namespace preloop::policy {
namespace {

constexpr std::size_t kMaxTestInputValues = 100000;

struct Ctx {
  const std::string& file;
  std::vector<Diagnostic>& diags;

  SourceLoc loc(const YAML::Node& n) const {
    auto m = n.Mark();
    return {file, m.line + 1, m.column + 1};
  }
  void error(const YAML::Node& n, std::string msg) const {
    diags.push_back({Diagnostic::Severity::Error, loc(n), std::move(msg), {}});
  }
  void warn(const YAML::Node& n, std::string msg) const {
    diags.push_back({Diagnostic::Severity::Warning, loc(n), std::move(msg), {}});
  }

  bool str(const YAML::Node& n, const char* what, std::string& out) const {
    if (!n.IsScalar()) {
      error(n, std::string(what) + " must be a string");
      return false;
    }
    out = n.Scalar();
    return true;
  }
  bool boolean(const YAML::Node& n, const char* what, bool& out) const {
    if (n.IsScalar()) {
      const auto& s = n.Scalar();
      if (s == "true" || s == "True" || s == "TRUE" || s == "yes") { out = true; return true; }
      if (s == "false" || s == "False" || s == "FALSE" || s == "no") { out = false; return true; }
    }
    error(n, std::string(what) + " must be true or false");
    return false;
  }
  bool integer(const YAML::Node& n, const char* what, int lo, int hi, int& out) const {
    if (n.IsScalar()) {
      try {
        long long v = std::stoll(n.Scalar());
        if (std::to_string(v) == n.Scalar() && v >= lo && v <= hi) { out = static_cast<int>(v); return true; }
      } catch (...) {
      }
    }
    error(n, std::string(what) + " must be a whole number between " + std::to_string(lo) + " and " + std::to_string(hi));
    return false;
  }
  std::vector<std::string> strings(const YAML::Node& n, const char* what) const {
    std::vector<std::string> out;
    if (n.IsScalar()) {
      out.push_back(n.Scalar());
    } else if (n.IsSequence()) {
      for (const auto& e : n) {
        std::string s;
        if (str(e, what, s)) out.push_back(s);
      }
    } else {
      error(n, std::string(what) + " must be a string or a list of strings");
    }
    return out;
  }
  void unknown_keys(const YAML::Node& map, const std::set<std::string>& known, const char* where) const {
    for (const auto& kv : map) {  // by value: yaml-cpp's iterator -> points into a temporary
      auto k = kv.first.Scalar();
      if (!known.count(k)) error(kv.first, "unknown field '" + k + "' in " + where + did_you_mean(k, known));
    }
  }
};

bool parse_action(const std::string& s, Action& a) {
  if (s == "allow") a = Action::Allow;
  else if (s == "deny") a = Action::Deny;
  else if (s == "require_approval") a = Action::RequireApproval;
  else return false;
  return true;
}

Workflow parse_workflow(const Ctx& c, const YAML::Node& n) {
  Workflow w;
  w.loc = c.loc(n);
  if (!n.IsMap()) {
    c.error(n, "an approval workflow must be a mapping");
    return w;
  }
  c.unknown_keys(n, {"name", "description", "timeout_seconds", "approvals_required", "required_approvals",
                     "approver_users", "approver_teams", "approvers", "require_reason", "is_default", "workflow_type",
                     "escalation_users", "escalation_teams", "channel_configs", "approval_type", "ai_model",
                     "ai_guidelines", "ai_context", "ai_confidence_threshold", "ai_fallback_behavior",
                     "escalation_workflow", "async_approval"},
                 "approval workflow");
  if (n["name"]) c.str(n["name"], "workflow name", w.name);
  else c.error(n, "approval workflow has no 'name'");
  if (n["description"]) c.str(n["description"], "description", w.description);
  if (n["timeout_seconds"]) c.integer(n["timeout_seconds"], "timeout_seconds", 1, 86400, w.timeout_seconds);
  for (const char* k : {"approvals_required", "required_approvals"})
    if (n[k]) c.integer(n[k], k, 1, 10, w.approvals_required);
  if (n["approver_users"]) w.approver_users = c.strings(n["approver_users"], "approver_users");
  if (n["approver_teams"]) w.approver_teams = c.strings(n["approver_teams"], "approver_teams");
  if (auto a = n["approvers"]) {  // the guide's spelling: [{team: x} | {role: y} | {user: z}]
    if (!a.IsSequence()) c.error(a, "approvers must be a list of {team|role|user: name}");
    else
      for (const auto& e : a) {
        if (!e.IsMap() || e.size() != 1) {
          c.error(e, "an approver must be one of {team: name}, {role: name}, {user: name}");
          continue;
        }
        auto kv = *e.begin();
        std::string kind = kv.first.Scalar(), name;
        if (!c.str(kv.second, "approver name", name)) continue;
        if (kind == "user") w.approver_users.push_back(name);
        else if (kind == "team") w.approver_teams.push_back(name);
        else if (kind == "role") w.approver_teams.push_back("role:" + name);
        else c.error(e, "unknown approver kind '" + kind + "' (team, role or user)");
      }
  }
  return w;
}

Condition parse_condition(const Ctx& c, const YAML::Node& n) {
  Condition k;
  k.loc = c.loc(n);
  if (!n.IsMap()) {
    c.error(n, "a condition must be a mapping with 'expression' and 'action'");
    return k;
  }
  c.unknown_keys(n, {"id", "expression", "action", "condition_type", "description", "message", "approval_workflow",
                     "timeout_seconds", "enabled", "enforce", "override"},
                 "condition");
  if (auto e = n["expression"]) {
    k.expr_loc = c.loc(e);
    if (c.str(e, "expression", k.expression)) {
      while (!k.expression.empty() && (k.expression.back() == '\n' || k.expression.back() == ' '))
        k.expression.pop_back();
      if (k.expression.empty()) c.error(e, "expression is empty");
    }
  } else {
    c.error(n, "condition has no 'expression'");
  }
  if (n["id"]) c.str(n["id"], "id", k.id);
  if (auto a = n["action"]) {
    std::string s;
    if (c.str(a, "action", s) && !parse_action(s, k.action))
      c.error(a, "unknown action '" + s + "' (allow, deny or require_approval)" +
                     did_you_mean(s, {"allow", "deny", "require_approval"}));
  }
  if (auto t = n["condition_type"]) {
    std::string s;
    if (c.str(t, "condition_type", s)) {
      k.type_explicit = true;
      if (s == "cel") k.type = ConditionType::Cel;
      else if (s == "simple") k.type = ConditionType::Simple;
      else c.error(t, "unknown condition_type '" + s + "' (simple or cel)");
    }
  } else {
    // Preloop defaults to simple and upgrades anything with CEL markers.
    k.type = looks_like_cel(k.expression) ? ConditionType::Cel : ConditionType::Simple;
  }
  if (k.type == ConditionType::Simple && looks_like_cel(k.expression)) k.type = ConditionType::Cel;
  if (n["message"]) c.str(n["message"], "message", k.description);
  else if (n["description"]) c.str(n["description"], "description", k.description);
  while (!k.description.empty() && k.description.back() == '\n') k.description.pop_back();
  if (n["approval_workflow"]) c.str(n["approval_workflow"], "approval_workflow", k.workflow);
  if (n["timeout_seconds"]) c.integer(n["timeout_seconds"], "timeout_seconds", 1, 86400, k.timeout_seconds);
  if (n["enabled"]) c.boolean(n["enabled"], "enabled", k.enabled);
  if (n["enforce"]) c.boolean(n["enforce"], "enforce", k.enforce);
  if (auto o = n["override"]) {
    k.overrides = c.strings(o, "override");
    if (k.action == Action::Deny) c.error(o, "override belongs on an allow or require_approval rule, not a deny");
    for (const auto& id : k.overrides) {
      if (id.empty()) c.error(o, "override names an empty rule id");
      if (id.rfind("self-protection.", 0) == 0) c.error(o, "self-protection rules cannot be overridden");
    }
  }
  return k;
}

ToolRule parse_tool(const Ctx& c, const YAML::Node& n) {
  ToolRule t;
  t.loc = c.loc(n);
  if (!n.IsMap()) {
    c.error(n, "a tool entry must be a mapping with 'name'");
    return t;
  }
  c.unknown_keys(n, {"name", "source", "enabled", "approval_workflow", "conditions", "description", "justification",
                     "custom_config"},
                 "tool");
  if (n["name"]) t.names = c.strings(n["name"], "tool name");
  else c.error(n, "tool entry has no 'name'");
  for (const auto& name : t.names)
    if (name.empty()) c.error(n["name"], "tool name is empty");
  if (n["source"]) c.str(n["source"], "source", t.source);
  if (n["enabled"]) c.boolean(n["enabled"], "enabled", t.enabled);
  if (n["approval_workflow"]) c.str(n["approval_workflow"], "approval_workflow", t.workflow);
  if (n["description"]) c.str(n["description"], "description", t.description);
  if (auto cs = n["conditions"]) {
    if (cs.IsNull()) {
    } else if (!cs.IsSequence()) {
      c.error(cs, "conditions must be a list");
    } else {
      for (const auto& e : cs) t.conditions.push_back(parse_condition(c, e));
    }
  }
  return t;
}

// A calendar date YYYY-MM-DD.
bool valid_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

Tuning parse_tuning(const Ctx& c, const YAML::Node& n, Tuning::Kind kind) {
  Tuning t;
  t.kind = kind;
  t.loc = c.loc(n);
  const char* what = kind == Tuning::Kind::Disable ? "disable entry" : "observe entry";
  if (!n.IsMap()) {
    c.error(n, std::string("a ") + what + " must be a mapping {pack|rule, reason, expires}");
    return t;
  }
  c.unknown_keys(n, {"pack", "rule", "reason", "expires"}, what);
  if (n["pack"]) c.str(n["pack"], "pack", t.pack);
  if (n["rule"]) c.str(n["rule"], "rule", t.rule);
  if (t.pack.empty() == t.rule.empty()) c.error(n, std::string("a ") + what + " names exactly one of 'pack' or 'rule'");
  if (n["reason"]) c.str(n["reason"], "reason", t.reason);
  while (!t.reason.empty() && (t.reason.back() == '\n' || t.reason.back() == ' ')) t.reason.pop_back();
  if (t.reason.empty()) c.error(n, std::string("a ") + what + " needs a 'reason'");
  if (auto e = n["expires"]) {
    if (c.str(e, "expires", t.expires) && !valid_date(t.expires))
      c.error(e, "expires must be a date YYYY-MM-DD, got '" + t.expires + "'");
  }
  if (t.pack == "self-protection" || t.rule.rfind("self-protection.", 0) == 0)
    c.error(n, "self-protection cannot be disabled or observed: it guards the guard's own files");
  return t;
}

TestCase parse_case(const Ctx& c, const YAML::Node& n) {
  TestCase tc;
  tc.loc = c.loc(n);
  if (!n.IsMap()) {
    c.error(n, "a test case must be a mapping");
    return tc;
  }
  c.unknown_keys(n, {"name", "tool", "command", "input", "cwd", "home", "permission_mode", "expect", "rule"},
                 "test case");
  if (n["name"]) c.str(n["name"], "name", tc.name);
  if (n["tool"]) c.str(n["tool"], "tool", tc.tool);
  if (n["cwd"]) c.str(n["cwd"], "cwd", tc.cwd);
  if (n["home"]) c.str(n["home"], "home", tc.home);
  if (n["permission_mode"]) c.str(n["permission_mode"], "permission_mode", tc.permission_mode);
  if (n["rule"]) c.str(n["rule"], "rule", tc.expect_rule);
  if (auto cmd = n["command"]) {
    std::string s;
    if (c.str(cmd, "command", s)) tc.input = {{"command", s}};
  } else if (auto in = n["input"]) {
    // Re-serialise through YAML's JSON-compatible emitter is lossy; convert by hand.
    // Bounded like a hook event's JSON, and in size: aliases can make a few
    // lines of YAML expand exponentially.
    struct TooBig {};
    std::size_t budget = kMaxTestInputValues;
    std::function<nlohmann::json(const YAML::Node&, int)> conv = [&](const YAML::Node& y, int depth) -> nlohmann::json {
      if (budget-- == 0) throw TooBig{};
      if (y.IsMap() || y.IsSequence()) {
        if (depth >= protocol::kMaxJsonDepth) throw TooBig{};
      }
      if (y.IsMap()) {
        nlohmann::json o = nlohmann::json::object();
        for (const auto& kv : y) o[kv.first.Scalar()] = conv(kv.second, depth + 1);
        return o;
      }
      if (y.IsSequence()) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& e : y) a.push_back(conv(e, depth + 1));
        return a;
      }
      if (y.IsNull()) return nullptr;
      const auto& s = y.Scalar();
      if (y.Tag() == "!") return s;  // quoted: always a string
      if (s == "true") return true;
      if (s == "false") return false;
      try {
        std::size_t pos = 0;
        long long v = std::stoll(s, &pos);
        if (pos == s.size()) return v;
      } catch (...) {
      }
      return s;
    };
    try {
      tc.input = conv(in, 0);
      if (!tc.input.is_object()) c.error(in, "input must be a mapping (the tool_input)");
    } catch (const TooBig&) {
      tc.input = nlohmann::json::object();
      c.error(in, "input nests deeper than " + std::to_string(protocol::kMaxJsonDepth) + " levels or holds more than " +
                      std::to_string(kMaxTestInputValues) + " values (with aliases expanded)");
    }
  } else {
    c.error(n, "test case has neither 'command' nor 'input'");
  }
  if (auto e = n["expect"]) {
    std::string s;
    if (c.str(e, "expect", s)) {
      if (s == "deny") tc.expect = Verdict::Deny;
      else if (s == "ask" || s == "require_approval") tc.expect = Verdict::Ask;
      else if (s == "allow") tc.expect = Verdict::Allow;
      else if (s == "pass" || s == "none") tc.expect = Verdict::None;
      else c.error(e, "expect must be deny, ask, allow or pass, got '" + s + "'");
    }
  } else {
    c.error(n, "test case has no 'expect'");
  }
  return tc;
}

YAML::Node parse_yaml(std::string_view text, const Ctx& c) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    c.diags.push_back({Diagnostic::Severity::Error, {c.file, e.mark.line + 1, e.mark.column + 1}, e.msg, {}});
    return {};
  }
}

}  // namespace

bool looks_like_cel(std::string_view e) {
  static constexpr std::string_view kMarkers[] = {"contains(", "startsWith(", "endsWith(", "matches(", "exists(",
                                                  "all(",      "filter(",     "map(",      "size(",    "type(",
                                                  "has(",      ".in(",        " in ",      "&&",       "||",
                                                  "?",         "[",           "{",         "exists_one("};
  for (auto m : kMarkers)
    if (e.find(m) != std::string_view::npos) return true;
  for (std::size_t i = 0; i < e.size(); ++i)
    if (e[i] == '!' && (i + 1 >= e.size() || e[i + 1] != '=')) return true;
  // Our variables beyond `args` exist only in CEL (simple mode would read
  // `tool.name` as `args.tool.name`).
  auto start = e.find_first_not_of(" \t\n(");
  if (start != std::string_view::npos)
    for (std::string_view v : {"tool.", "session.", "shell.", "secrets."})
      if (e.substr(start, v.size()) == v) return true;
  return false;
}

Document load_document_text(std::string_view text, const std::string& file, std::vector<Diagnostic>& diags) {
  Ctx c{file, diags};
  Document d;
  d.file = file;
  YAML::Node root = parse_yaml(text, c);
  if (!root || root.IsNull()) {
    if (!has_errors(diags)) c.warn(root, "policy document is empty");
    return d;
  }
  if (!root.IsMap()) {
    c.error(root, "a policy document must be a mapping with 'tools'");
    return d;
  }
  c.unknown_keys(root, {"version", "metadata", "mcp_servers", "approval_workflows", "tools", "defaults", "model_io",
                        "tests", "disable", "observe", "mode"},
                 "policy document");
  if (auto v = root["version"]) {
    if (c.str(v, "version", d.version) && d.version != "1.0" && d.version != "1")
      c.error(v, "unsupported policy version '" + d.version + "' (expected \"1.0\")");
  }
  if (auto m = root["metadata"]) {
    if (!m.IsMap()) {
      c.error(m, "metadata must be a mapping");
    } else {
      c.unknown_keys(m, {"name", "description", "profiles", "version", "author", "tags", "labels"}, "metadata");
      if (m["name"]) c.str(m["name"], "metadata.name", d.name);
      if (m["description"]) c.str(m["description"], "metadata.description", d.description);
      if (m["profiles"]) {
        d.profiles = c.strings(m["profiles"], "metadata.profiles");
        for (const auto& p : d.profiles)
          if (p != "recommended" && p != "strict") c.error(m["profiles"], "unknown profile '" + p + "'");
      }
    }
  }
  if (auto ws = root["approval_workflows"]) {
    if (!ws.IsSequence()) c.error(ws, "approval_workflows must be a list");
    else
      for (const auto& w : ws) {
        Workflow wf = parse_workflow(c, w);
        if (!wf.name.empty() && d.find_workflow(wf.name)) c.error(w, "duplicate approval workflow '" + wf.name + "'");
        d.workflows.push_back(std::move(wf));
      }
  }
  if (auto ts = root["tools"]) {
    if (ts.IsNull()) {
    } else if (!ts.IsSequence()) {
      c.error(ts, "tools must be a list");
    } else {
      for (const auto& t : ts) d.tools.push_back(parse_tool(c, t));
      for (const auto& t : d.tools)
        for (const auto& k : t.conditions) d.rule_tuning = d.rule_tuning || !k.enforce || !k.overrides.empty();
    }
  }
  if (auto mode = root["mode"]) {
    std::string s;
    if (c.str(mode, "mode", s)) {
      if (s == "observe") d.observe = true;
      else if (s != "enforce") c.error(mode, "mode must be 'enforce' or 'observe', got '" + s + "'" + did_you_mean(s, {"enforce", "observe"}));
    }
  }
  for (auto kind : {Tuning::Kind::Disable, Tuning::Kind::Observe}) {
    const char* key = kind == Tuning::Kind::Disable ? "disable" : "observe";
    auto list = root[key];
    if (!list) continue;
    if (!list.IsSequence()) {
      c.error(list, std::string(key) + " must be a list of {pack|rule, reason, expires}");
      continue;
    }
    for (const auto& e : list) d.tuning.push_back(parse_tuning(c, e, kind));
  }
  if (auto tests = root["tests"]) {
    if (!tests.IsSequence()) c.error(tests, "tests must be a list of cases");
    else
      for (const auto& t : tests) d.tests.push_back(parse_case(c, t));
  }
  return d;
}

Document load_document_file(const std::filesystem::path& file, std::vector<Diagnostic>& diags, const FileRule& rule,
                            const std::filesystem::path& within) {
  std::string text;
  try {
    text = read_file_safely(file, rule, within).text;
  } catch (const FileError& e) {
    diags.push_back({Diagnostic::Severity::Error, {file.string(), 0, 0}, std::string("cannot read policy file: ") + e.what(), {}});
    Document d;
    d.file = file.string();
    return d;
  }
  return load_document_text(text, file.string(), diags);
}

std::vector<TestCase> load_suite_text(std::string_view text, const std::string& file, std::vector<Diagnostic>& diags,
                                      std::string* suite_profile) {
  Ctx c{file, diags};
  std::vector<TestCase> out;
  YAML::Node root = parse_yaml(text, c);
  if (!root) return out;
  YAML::Node cases = root;
  if (root.IsMap()) {
    c.unknown_keys(root, {"name", "description", "profile", "cases"}, "suite");
    if (root["profile"] && suite_profile) c.str(root["profile"], "profile", *suite_profile);
    cases = root["cases"];
    if (!cases) {
      c.error(root, "suite has no 'cases'");
      return out;
    }
  }
  if (!cases.IsSequence()) {
    c.error(cases, "cases must be a list");
    return out;
  }
  for (const auto& n : cases) out.push_back(parse_case(c, n));
  return out;
}

}  // namespace preloop::policy
