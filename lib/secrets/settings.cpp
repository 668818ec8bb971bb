#include "secrets/settings.h"

#include <algorithm>
#include <string_view>

#include <re2/re2.h>

#include "config/config.h"

namespace preloop::secrets {
namespace {

[[noreturn]] void fail(const std::string& where, const YAML::Node& node, const std::string& what) {
  std::string at;
  if (node.IsDefined() && node.Mark().line >= 0)
    at = " (line " + std::to_string(node.Mark().line + 1) + ", column " + std::to_string(node.Mark().column + 1) + ")";
  throw ConfigError("secrets." + where + at + ": " + what);
}

std::string scalar(const YAML::Node& node, const std::string& where) {
  if (!node.IsScalar()) fail(where, node, "expected a string");
  return node.Scalar();
}

std::vector<std::string> string_list(const YAML::Node& node, const std::string& where) {
  std::vector<std::string> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsSequence()) fail(where, node, "expected a list of strings");
  for (std::size_t i = 0; i < node.size(); ++i) out.push_back(scalar(node[i], where + "[" + std::to_string(i) + "]"));
  return out;
}

Policy policy(const YAML::Node& node, const std::string& where, Policy def, bool allow_deny) {
  if (!node.IsDefined() || node.IsNull()) return def;
  std::string v = scalar(node, where);
  if (v == "mask") return Policy::Mask;
  if (v == "allow") return Policy::Allow;
  if (v == "deny" && allow_deny) return Policy::Deny;
  fail(where, node, "unknown value '" + v + (allow_deny ? "' (expected deny, mask or allow)" : "' (expected mask or allow)"));
}

void check_regex(const std::string& re, const YAML::Node& node, const std::string& where) {
  RE2 compiled(re, RE2::Quiet);
  if (!compiled.ok()) fail(where, node, "invalid regex: " + compiled.error());
}

Pattern user_rule(const YAML::Node& node, const std::string& where) {
  if (!node.IsMap()) fail(where, node, "expected a map with id and regex");
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    if (key != "id" && key != "regex" && key != "keywords" && key != "group" && key != "entropy")
      fail(where + "." + key, kv.first, "unknown key (expected id, regex, keywords, group, entropy)");
  }
  Pattern r;
  if (!node["id"].IsDefined()) fail(where, node, "missing id");
  if (!node["regex"].IsDefined()) fail(where, node, "missing regex");
  r.id = scalar(node["id"], where + ".id");
  if (r.id.empty() || r.id.find_first_of("[]: \t\n") != std::string::npos)
    fail(where + ".id", node["id"], "must be non-empty without spaces, ':' or brackets");
  r.regex = scalar(node["regex"], where + ".regex");
  RE2 compiled(r.regex, RE2::Quiet);
  if (!compiled.ok()) fail(where + ".regex", node["regex"], "invalid regex: " + compiled.error());
  const std::vector<std::string> keywords = string_list(node["keywords"], where + ".keywords");
  for (const std::string& k : keywords) {
    if (k.empty()) {  // occurs in every text: no prefilter
      r.keywords.clear();
      break;
    }
    if (k.find('|') != std::string::npos) fail(where + ".keywords", node["keywords"], "a keyword must not contain '|'");
    if (!r.keywords.empty()) r.keywords += '|';
    for (unsigned char c : k) r.keywords += static_cast<char>(std::tolower(c));
  }
  r.group = compiled.NumberOfCapturingGroups() > 0 ? 1 : 0;
  if (node["group"].IsDefined()) {
    try {
      r.group = node["group"].as<int>();
    } catch (const YAML::Exception&) {
      fail(where + ".group", node["group"], "expected an integer");
    }
    if (r.group < 0 || r.group > compiled.NumberOfCapturingGroups())
      fail(where + ".group", node["group"], "no such capture group in the regex");
  }
  if (node["entropy"].IsDefined()) {
    try {
      r.min_entropy = node["entropy"].as<double>();
    } catch (const YAML::Exception&) {
      fail(where + ".entropy", node["entropy"], "expected a number");
    }
  }
  return r;
}

}  // namespace

const char* to_string(Policy p) {
  switch (p) {
    case Policy::Deny: return "deny";
    case Policy::Mask: return "mask";
    case Policy::Allow: return "allow";
  }
  return "?";
}

Settings parse_settings(const YAML::Node& section) {
  Settings s;
  if (!section.IsDefined() || section.IsNull()) return s;
  if (!section.IsMap()) fail("", section, "expected a map");
  for (const auto& kv : section) {
    std::string key = kv.first.as<std::string>();
    static constexpr std::string_view known[] = {"on_file_write", "on_command", "on_output", "disable", "patterns",
                                                 "allowlist"};
    if (std::find(std::begin(known), std::end(known), key) == std::end(known))
      fail(key, kv.first, "unknown key (expected on_file_write, on_command, on_output, disable, patterns, allowlist)");
  }
  s.on_file_write = policy(section["on_file_write"], "on_file_write", s.on_file_write, true);
  s.on_command = policy(section["on_command"], "on_command", s.on_command, true);
  s.mask_output = policy(section["on_output"], "on_output", Policy::Mask, false) == Policy::Mask;
  s.disabled = string_list(section["disable"], "disable");
  for (const auto& kind : s.disabled) {
    auto rules = builtin_rules();
    if (std::none_of(rules.begin(), rules.end(), [&](const Rule& r) { return r.id == kind; }))
      fail("disable", section["disable"], "unknown built-in kind '" + kind + "'");
  }
  const YAML::Node patterns = section["patterns"];
  if (patterns.IsDefined() && !patterns.IsNull()) {
    if (!patterns.IsSequence()) fail("patterns", patterns, "expected a list");
    for (std::size_t i = 0; i < patterns.size(); ++i)
      s.patterns.push_back(user_rule(patterns[i], "patterns[" + std::to_string(i) + "]"));
  }
  const YAML::Node allow = section["allowlist"];
  if (allow.IsDefined() && !allow.IsNull()) {
    if (!allow.IsMap()) fail("allowlist", allow, "expected a map with regexes and/or values");
    for (const auto& kv : allow) {
      std::string key = kv.first.as<std::string>();
      if (key != "regexes" && key != "values") fail("allowlist." + key, kv.first, "unknown key (expected regexes, values)");
    }
    s.allow_regexes = string_list(allow["regexes"], "allowlist.regexes");
    for (std::size_t i = 0; i < s.allow_regexes.size(); ++i)
      check_regex(s.allow_regexes[i], allow["regexes"][i], "allowlist.regexes[" + std::to_string(i) + "]");
    s.allow_values = string_list(allow["values"], "allowlist.values");
  }
  return s;
}

}  // namespace preloop::secrets
