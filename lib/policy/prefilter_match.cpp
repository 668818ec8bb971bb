// The call side of the prefilter: the call's values per field, and the
// atom test. Every value a derived atom can refer to must be collected here
// (a value left out would be a bypass), so each list mirrors shell::to_cel.
#include "policy/prefilter.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "shell/analyze.h"

namespace preloop::policy {
namespace {

void add_flag(CallFacts& f, bool on, const char* name) {
  if (on) f.add(FactField::Flag, name);
}

bool test(FactOp op, std::string_view value, std::string_view lit) {
  switch (op) {
    case FactOp::Eq: return value == lit;
    case FactOp::Prefix: return value.substr(0, lit.size()) == lit;
    case FactOp::Suffix: return value.size() >= lit.size() && value.substr(value.size() - lit.size()) == lit;
    case FactOp::Contains: return value.find(lit) != std::string_view::npos;
  }
  return true;
}

// An Arg atom: the string field's value, when `args` has that key as a string.
bool test_arg(FactOp op, std::string_view text, const std::vector<std::string_view>& args, bool* key_seen) {
  std::string_view key = text.substr(0, text.find('\0') + 1);  // "key\0"
  for (std::string_view v : args) {
    if (v.substr(0, key.size()) != key) continue;
    *key_seen = true;
    if (test(op, v.substr(key.size()), text.substr(key.size()))) return true;
  }
  return false;
}

}  // namespace

bool CallFacts::has_indexed(FactField field, std::string_view value) const {
  return sets_[static_cast<int>(field)].count(value) > 0;
}

void CallFacts::add(FactField field, std::string value) {
  if (has(field, value)) return;
  auto& list = lists_[static_cast<int>(field)];
  auto& set = sets_[static_cast<int>(field)];
  std::string_view v = strings_.emplace_back(std::move(value));
  list.push_back(v);
  signatures_[static_cast<int>(field)] |= signature(v);
  if (list.size() == kIndexed) set.insert(list.begin(), list.end());
  else if (list.size() > kIndexed) set.insert(v);
}

void add_shell_facts(CallFacts& f, const shell::Analysis& a) {
  bool dynamic_name = false;
  for (const auto& c : a.commands) {
    f.add(FactField::Name, c.name);
    if (!c.operands.empty()) f.add(FactField::NameSub, c.name + '\0' + c.operands.front());
    for (const auto& o : c.operands) f.add(FactField::Operand, o);
    for (const auto& w : c.wrappers) f.add(FactField::Alias, w);
    f.add(FactField::Alias, c.name);
    dynamic_name = dynamic_name || c.dynamic_name;
  }
  add_flag(f, !a.deletes.empty(), "deletes");
  add_flag(f, !a.writes.empty(), "writes");
  add_flag(f, !a.reads.empty(), "reads");
  add_flag(f, !a.sends.empty(), "sends");
  add_flag(f, !a.scripts.empty(), "scripts");
  add_flag(f, !a.dynamic_code.empty(), "dynamic_code");
  add_flag(f, !a.unknowns.empty(), "unknowns");
  add_flag(f, a.fork_bomb, "fork_bomb");
  add_flag(f, a.unparseable, "unparseable");
  add_flag(f, dynamic_name, "dynamic_name");
}

void add_arg_facts(CallFacts& f, const nlohmann::json& args) {
  if (!args.is_object()) return;
  for (const auto& [k, v] : args.items())  // a key with NUL cannot be written as args.<field>
    if (v.is_string() && k.find('\0') == std::string::npos) f.add(FactField::Arg, k + '\0' + v.get<std::string>());
}

bool needs_shell(const Prefilter& p) {
  for (const auto& atom : p.any_of)
    if (atom.field != FactField::Arg) return true;
  return false;
}

bool holds(FactField field, FactOp op, std::string_view text, const CallFacts& facts) {
  const auto& values = facts.values(field);
  if (field == FactField::Arg) {
    bool key_seen = false;
    return test_arg(op, text, values, &key_seen) || !key_seen;
  }
  if (op == FactOp::Eq) return facts.has(field, text);
  for (std::string_view v : values)
    if (test(op, v, text)) return true;
  return false;
}

bool admits(const Prefilter& p, const CallFacts& facts) {
  if (p.state != Prefilter::State::AnyOf) return true;
  for (const auto& atom : p.any_of)
    if (holds(atom.field, atom.op, atom.text, facts)) return true;
  return false;
}

}  // namespace preloop::policy
