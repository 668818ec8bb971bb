#include "shell/cel_bindings.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "shell/credentials.h"
#include "shell/paths.h"
#include "shell/sql.h"

namespace preloop::shell {

namespace {

using cel::Value;

Value strings(const std::vector<std::string>& v) {
  std::vector<Value> out;
  out.reserve(v.size());
  for (const auto& s : v) out.push_back(Value::String(s));
  return Value::List(std::move(out));
}

Value send(const Send& s) {
  return Value::StringMap({{"path", Value::String(s.path)},
                           {"command", Value::String(s.command)},
                           {"destination", Value::String(s.destination)}});
}

Value script(const Script& s) {
  return Value::StringMap({{"interpreter", Value::String(s.interpreter)},
                           {"code", Value::String(s.code)},
                           {"effects", strings(s.effects)}});
}

Value dynamic_code(const DynamicCode& d) {
  return Value::StringMap({{"runner", Value::String(d.runner)},
                           {"sources", strings(d.sources)},
                           {"via", Value::String(d.via)},
                           {"path", Value::String(d.path)}});
}

Value unknown(const Unknown& u) {
  return Value::StringMap({{"kind", Value::String(u.kind)}, {"detail", Value::String(u.detail)}});
}

Value redirects(const std::vector<Redirect>& v) {
  std::vector<Value> out;
  out.reserve(v.size());
  for (const auto& r : v) {
    out.push_back(Value::StringMap({
        {"fd", Value::Int(r.fd)},
        {"op", Value::String(r.op)},
        {"target", Value::String(r.target)},
        {"path", Value::String(r.path)},
    }));
  }
  return Value::List(std::move(out));
}

Value options(const std::map<std::string, std::string>& m) {
  std::vector<std::pair<std::string, Value>> opts;
  opts.reserve(m.size());
  for (const auto& [k, v] : m) opts.emplace_back(k, Value::String(v));
  return Value::StringMap(std::move(opts));
}

// A map with a fixed set of keys whose value i is made by Derived::make(i)
// on first read and kept (the same key must always give an equal value).
// Only the values read are stored: a rule reads a few fields of each of
// thousands of commands.
template <class Derived, std::size_t N>
class LazyRecord : public cel::HostMap {
  static_assert(N < 256);

 public:
  std::size_t size() const override { return N; }
  std::optional<Value> get(std::string_view key) const override {
    const auto& keys = Derived::kKeys;
    for (std::size_t i = 0; i < N; ++i)
      if (keys[i] == key) return value(i);
    return std::nullopt;
  }
  void for_each(const std::function<void(const Value&, const Value&)>& fn) const override {
    static const std::array<Value, N> keys = [] {  // made once: iteration hands them out for every entry
      std::array<Value, N> v;
      for (std::size_t i = 0; i < N; ++i) v[i] = Value::String(std::string(Derived::kKeys[i]));
      return v;
    }();
    for (std::size_t i = 0; i < N; ++i) {
      Value v = value(i);  // a copy: `fn` may read other fields, which moves the stored ones
      fn(keys[i], v);
    }
  }

 private:
  const Value& value(std::size_t i) const {
    for (const auto& [k, v] : made_)
      if (k == i) return v;
    if (made_.empty()) made_.reserve(4);
    Value v = static_cast<const Derived*>(this)->make(i);
    return made_.emplace_back(static_cast<std::uint8_t>(i), std::move(v)).second;
  }
  mutable std::vector<std::pair<std::uint8_t, Value>> made_;  // in the order first read
};

// A list whose element i is made by make(analysis, i) on first read and kept.
class LazyList final : public cel::HostList {
 public:
  using Make = Value (*)(const std::shared_ptr<const Analysis>&, std::size_t);
  LazyList(std::shared_ptr<const Analysis> a, std::size_t n, Make make)
      : a_(std::move(a)), make_(make), items_(n), made_(n, false) {}
  std::size_t size() const override { return items_.size(); }
  Value at(std::size_t i) const override {
    if (!made_[i]) {
      items_[i] = make_(a_, i);
      made_[i] = true;
    }
    return items_[i];
  }

 private:
  std::shared_ptr<const Analysis> a_;
  Make make_;
  mutable std::vector<Value> items_;
  mutable std::vector<bool> made_;
};

template <class T, Value (*Convert)(const T&), std::vector<T> Analysis::*Field>
Value lazy_list(const std::shared_ptr<const Analysis>& a) {
  return Value::host(std::make_shared<const LazyList>(
      a, ((*a).*Field).size(),
      [](const std::shared_ptr<const Analysis>& an, std::size_t i) { return Convert(((*an).*Field)[i]); }));
}

// A path effect; a rule over thousands of writes reads one or two fields.
class PathRecord final : public LazyRecord<PathRecord, 7> {
 public:
  static constexpr std::array<std::string_view, 7> kKeys = {"path",  "raw",  "command", "recursive",
                                                            "force", "glob", "dynamic"};
  PathRecord(std::shared_ptr<const Analysis> a, const PathEffect& p) : a_(std::move(a)), p_(p) {}
  Value make(std::size_t i) const {
    switch (i) {
      case 0: return Value::String(p_.path);
      case 1: return Value::String(p_.raw);
      case 2: return Value::String(p_.command);
      case 3: return Value::Bool(p_.recursive);
      case 4: return Value::Bool(p_.force);
      case 5: return Value::Bool(p_.glob);
      default: return Value::Bool(p_.dynamic);
    }
  }

 private:
  std::shared_ptr<const Analysis> a_;  // keeps p_ alive
  const PathEffect& p_;
};

template <std::vector<PathEffect> Analysis::*Field>
Value path_effects(const std::shared_ptr<const Analysis>& a) {
  return Value::host(std::make_shared<const LazyList>(
      a, ((*a).*Field).size(), [](const std::shared_ptr<const Analysis>& an, std::size_t i) {
        return Value::host(std::make_shared<const PathRecord>(an, ((*an).*Field)[i]));
      }));
}

class CommandRecord final : public LazyRecord<CommandRecord, 17> {
 public:
  static constexpr std::array<std::string_view, 17> kKeys = {
      "name", "word",    "args", "flags", "operands", "sub",   "options",      "wrappers",     "assignments",
      "redirects", "via", "cwd", "stdin_from", "input", "depth", "dynamic_name", "dynamic_args"};
  CommandRecord(std::shared_ptr<const Analysis> a, std::size_t i) : a_(std::move(a)), c_(a_->commands[i]) {}
  Value make(std::size_t i) const {
    switch (i) {
      case 0: return Value::String(c_.name);
      case 1: return Value::String(c_.word);
      case 2: return strings(c_.args);
      case 3: return strings(c_.flags);
      case 4: return strings(c_.operands);
      case 5: return Value::String(c_.operands.empty() ? std::string() : c_.operands[0]);
      case 6: return options(c_.options);
      case 7: return strings(c_.wrappers);
      case 8: return strings(c_.assignments);
      case 9: return redirects(c_.redirects);
      case 10: return Value::String(c_.via);
      case 11: return Value::String(c_.cwd);
      case 12: return strings(c_.stdin_from);
      case 13: return Value::String(c_.input);
      case 14: return Value::Int(c_.depth);
      case 15: return Value::Bool(c_.dynamic_name);
      default: return Value::Bool(c_.dynamic_args);
    }
  }

 private:
  std::shared_ptr<const Analysis> a_;  // keeps c_ alive
  const Command& c_;
};

Value command_at(const std::shared_ptr<const Analysis>& a, std::size_t i) {
  return Value::host(std::make_shared<const CommandRecord>(a, i));
}

// Command names and wrappers, each once, in order of appearance.
Value names(const Analysis& a) {
  std::vector<std::string> out;
  std::set<std::string_view> seen;
  for (const auto& c : a.commands) {
    for (const auto& w : c.wrappers)
      if (seen.insert(w).second) out.push_back(w);
    if (seen.insert(c.name).second) out.push_back(c.name);
  }
  return strings(out);
}

class AnalysisRecord final : public LazyRecord<AnalysisRecord, 12> {
 public:
  static constexpr std::array<std::string_view, 12> kKeys = {
      "commands", "names", "writes", "deletes", "reads", "sends", "scripts", "dynamic_code",
      "fork_bomb", "unparseable", "error", "unknowns"};
  explicit AnalysisRecord(std::shared_ptr<const Analysis> a) : a_(std::move(a)) {}
  Value make(std::size_t i) const {
    switch (i) {
      case 0: return Value::host(std::make_shared<const LazyList>(a_, a_->commands.size(), command_at));
      case 1: return names(*a_);
      case 2: return path_effects<&Analysis::writes>(a_);
      case 3: return path_effects<&Analysis::deletes>(a_);
      case 4: return path_effects<&Analysis::reads>(a_);
      case 5: return lazy_list<Send, send, &Analysis::sends>(a_);
      case 6: return lazy_list<Script, script, &Analysis::scripts>(a_);
      case 7: return lazy_list<DynamicCode, dynamic_code, &Analysis::dynamic_code>(a_);
      case 8: return Value::Bool(a_->fork_bomb);
      case 9: return Value::Bool(a_->unparseable);
      case 11: return lazy_list<Unknown, unknown, &Analysis::unknowns>(a_);
      default: return Value::String(a_->error);
    }
  }

 private:
  std::shared_ptr<const Analysis> a_;
};

// Calls fn(string_view) for each string in `v` (a string or a list of
// strings) until it returns true. Returns nullopt when `v` has another type,
// else whether fn returned true. No copies: this runs for every command of
// every condition.
template <class Fn>
std::optional<bool> any_string(const Value& v, Fn&& fn) {
  if (v.is_string()) return fn(v.as_string());
  if (!v.is_list()) return std::nullopt;
  for (std::size_t k = 0, n = v.list_size(); k < n; ++k) {
    Value item = v.list_at(k);
    if (!item.is_string()) return std::nullopt;
    if (fn(item.as_string())) return true;
  }
  return false;
}

Value bad_call(const char* fn, const char* expected) {
  return Value::Error(std::string("no matching overload for '") + fn + "': expected " + expected);
}

std::optional<Value> field(const Value& map, std::string_view key) {
  if (!map.is_map()) return std::nullopt;
  return map.map_get(key);
}

Value fn_is(const std::vector<Value>& args) {
  if (args.size() < 2 || !args[0].is_map()) return bad_call("is", "command.is(name, [sub...])");
  auto name = field(args[0], "name");
  auto operands = field(args[0], "operands");
  if (!name || !name->is_string() || !operands || !operands->is_list()) return bad_call("is", "a command map");
  std::string_view n = name->as_string();
  auto named = any_string(args[1], [&](std::string_view want) { return want == n; });
  if (!named) return bad_call("is", "a name or list of names");
  if (!*named) return Value::Bool(false);
  if (args.size() - 2 > operands->list_size()) return Value::Bool(false);
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (!args[i].is_string()) return bad_call("is", "string subcommands");
    Value op = operands->list_at(i - 2);
    if (!op.is_string() || op.as_string() != args[i].as_string()) return Value::Bool(false);
  }
  return Value::Bool(true);
}

Value fn_has_flag(const std::vector<Value>& args) {
  if (args.size() < 2) return bad_call("hasFlag", "command.hasFlag(flag...)");
  auto flags = field(args[0], "flags");
  if (!flags || !flags->is_list()) return bad_call("hasFlag", "a command map");
  for (std::size_t i = 1; i < args.size(); ++i)
    if (!any_string(args[i], [](std::string_view) { return false; })) return bad_call("hasFlag", "string flags");
  for (std::size_t k = 0, n = flags->list_size(); k < n; ++k) {
    Value f = flags->list_at(k);
    if (!f.is_string()) continue;
    std::string_view have = f.as_string();
    for (std::size_t i = 1; i < args.size(); ++i)
      if (*any_string(args[i], [&](std::string_view want) { return want == have; })) return Value::Bool(true);
  }
  return Value::Bool(false);
}

template <bool (*Pred)(std::string_view, std::string_view)>
Value path_pred(const char* fn, const std::vector<Value>& args) {
  if (args.size() != 2 || !args[0].is_string()) return bad_call(fn, "string receiver and a string or list of strings");
  std::string_view self = args[0].as_string();
  auto hit = any_string(args[1], [&](std::string_view o) { return !o.empty() && Pred(self, o); });
  if (!hit) return bad_call(fn, "a string or list of strings");
  return Value::Bool(*hit);
}

bool under(std::string_view p, std::string_view d) { return path_under(p, d); }
bool covers(std::string_view p, std::string_view t) { return path_covers(p, t); }
bool globbed(std::string_view p, std::string_view g) { return glob_match(p, g); }

// r.credential(home): a path effect (its path, glob and recursive) or a path
// string reaches a credential.
Value fn_credential(const std::vector<Value>& args) {
  if (args.size() != 2 || !args[1].is_string()) return bad_call("credential", "a path effect or path, and the home directory");
  std::string_view home = args[1].as_string();
  if (args[0].is_string()) return Value::Bool(reaches_credential(args[0].as_string(), home, false, false));
  auto path = field(args[0], "path");
  if (!path || !path->is_string()) return bad_call("credential", "a path effect or path, and the home directory");
  auto flag = [&](const char* k) {
    auto v = field(args[0], k);
    return v && v->is_bool() && v->as_bool();
  };
  return Value::Bool(reaches_credential(path->as_string(), home, flag("glob"), flag("recursive")));
}

}  // namespace

cel::Value to_cel(std::shared_ptr<const Analysis> analysis) {
  return Value::host(std::make_shared<const AnalysisRecord>(std::move(analysis)));
}

void register_functions(cel::Env& env) {
  env.add_function({"is", true, -1, fn_is});
  env.add_function({"credential", true, 2, fn_credential});
  env.add_function({"hasFlag", true, -1, fn_has_flag});
  env.add_function({"under", true, 2, [](const std::vector<Value>& a) { return path_pred<under>("under", a); }});
  env.add_function({"covers", true, 2, [](const std::vector<Value>& a) { return path_pred<covers>("covers", a); }});
  env.add_function({"matchesGlob", true, 2,
                    [](const std::vector<Value>& a) { return path_pred<globbed>("matchesGlob", a); }});
  env.add_function({"sqlText", true, 1, [](const std::vector<Value>& a) {
                      if (a.size() != 1 || !a[0].is_string()) return bad_call("sqlText", "a string receiver");
                      return Value::String(sql_text(a[0].as_string()));
                    }});
  env.add_function({"basename", true, 1, [](const std::vector<Value>& a) {
                      if (a.size() != 1 || !a[0].is_string()) return bad_call("basename", "a string receiver");
                      std::string_view s = a[0].as_string();
                      while (s.size() > 1 && s.back() == '/') s.remove_suffix(1);
                      std::size_t slash = s.find_last_of('/');
                      return Value::String(std::string(slash == std::string_view::npos ? s : s.substr(slash + 1)));
                    }});
}

}  // namespace preloop::shell
