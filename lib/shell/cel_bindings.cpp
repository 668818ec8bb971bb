#include "shell/cel_bindings.h"

#include <algorithm>
#include <set>

#include "shell/paths.h"

namespace preloop::shell {

namespace {

using cel::Value;

Value strings(const std::vector<std::string>& v) {
  std::vector<Value> out;
  out.reserve(v.size());
  for (const auto& s : v) out.push_back(Value::String(s));
  return Value::List(std::move(out));
}

Value path_effects(const std::vector<PathEffect>& v) {
  std::vector<Value> out;
  out.reserve(v.size());
  for (const auto& p : v) {
    out.push_back(Value::StringMap({
        {"path", Value::String(p.path)},
        {"raw", Value::String(p.raw)},
        {"command", Value::String(p.command)},
        {"recursive", Value::Bool(p.recursive)},
        {"force", Value::Bool(p.force)},
        {"glob", Value::Bool(p.glob)},
        {"dynamic", Value::Bool(p.dynamic)},
    }));
  }
  return Value::List(std::move(out));
}

Value command(const Command& c) {
  std::vector<std::pair<std::string, Value>> opts;
  for (const auto& [k, v] : c.options) opts.emplace_back(k, Value::String(v));
  std::vector<Value> redirects;
  for (const auto& r : c.redirects) {
    redirects.push_back(Value::StringMap({
        {"fd", Value::Int(r.fd)},
        {"op", Value::String(r.op)},
        {"target", Value::String(r.target)},
        {"path", Value::String(r.path)},
    }));
  }
  return Value::StringMap({
      {"name", Value::String(c.name)},
      {"word", Value::String(c.word)},
      {"args", strings(c.args)},
      {"flags", strings(c.flags)},
      {"operands", strings(c.operands)},
      {"sub", Value::String(c.operands.empty() ? std::string() : c.operands[0])},
      {"options", Value::StringMap(std::move(opts))},
      {"wrappers", strings(c.wrappers)},
      {"assignments", strings(c.assignments)},
      {"redirects", Value::List(std::move(redirects))},
      {"via", Value::String(c.via)},
      {"cwd", Value::String(c.cwd)},
      {"stdin_from", strings(c.stdin_from)},
      {"input", Value::String(c.input)},
      {"depth", Value::Int(c.depth)},
      {"dynamic_name", Value::Bool(c.dynamic_name)},
      {"dynamic_args", Value::Bool(c.dynamic_args)},
  });
}

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

}  // namespace

cel::Value to_cel(const Analysis& a) {
  std::vector<Value> commands;
  commands.reserve(a.commands.size());
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const auto& c : a.commands) {
    commands.push_back(command(c));
    for (const auto& w : c.wrappers)
      if (seen.insert(w).second) names.push_back(w);
    if (seen.insert(c.name).second) names.push_back(c.name);
  }
  std::vector<Value> sends, scripts, dynamic;
  for (const auto& s : a.sends)
    sends.push_back(Value::StringMap({{"path", Value::String(s.path)},
                                      {"command", Value::String(s.command)},
                                      {"destination", Value::String(s.destination)}}));
  for (const auto& s : a.scripts)
    scripts.push_back(Value::StringMap({{"interpreter", Value::String(s.interpreter)},
                                        {"code", Value::String(s.code)},
                                        {"effects", strings(s.effects)}}));
  for (const auto& d : a.dynamic_code)
    dynamic.push_back(Value::StringMap({{"runner", Value::String(d.runner)},
                                        {"sources", strings(d.sources)},
                                        {"via", Value::String(d.via)}}));
  return Value::StringMap({
      {"commands", Value::List(std::move(commands))},
      {"names", strings(names)},
      {"writes", path_effects(a.writes)},
      {"deletes", path_effects(a.deletes)},
      {"reads", path_effects(a.reads)},
      {"sends", Value::List(std::move(sends))},
      {"scripts", Value::List(std::move(scripts))},
      {"dynamic_code", Value::List(std::move(dynamic))},
      {"fork_bomb", Value::Bool(a.fork_bomb)},
      {"unparseable", Value::Bool(a.unparseable)},
      {"error", Value::String(a.error)},
  });
}

void register_functions(cel::Env& env) {
  env.add_function({"is", true, -1, fn_is});
  env.add_function({"hasFlag", true, -1, fn_has_flag});
  env.add_function({"under", true, 2, [](const std::vector<Value>& a) { return path_pred<under>("under", a); }});
  env.add_function({"covers", true, 2, [](const std::vector<Value>& a) { return path_pred<covers>("covers", a); }});
  env.add_function({"matchesGlob", true, 2,
                    [](const std::vector<Value>& a) { return path_pred<globbed>("matchesGlob", a); }});
  env.add_function({"basename", true, 1, [](const std::vector<Value>& a) {
                      if (a.size() != 1 || !a[0].is_string()) return bad_call("basename", "a string receiver");
                      std::string_view s = a[0].as_string();
                      while (s.size() > 1 && s.back() == '/') s.remove_suffix(1);
                      std::size_t slash = s.find_last_of('/');
                      return Value::String(std::string(slash == std::string_view::npos ? s : s.substr(slash + 1)));
                    }});
}

}  // namespace preloop::shell
