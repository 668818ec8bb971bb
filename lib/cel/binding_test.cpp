// Activation binding (C++ values and zero-copy json), Program introspection
// and custom functions.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cel/cel.h"

namespace {

cel::Env policy_env() {
  cel::Env env;
  for (const char* v : {"args", "tool", "session", "shell", "secrets"}) env.declare_variable(v);
  return env;
}

cel::Value eval(const cel::Env& env, const std::string& expr, const cel::Activation& act) {
  auto r = env.compile(expr);
  REQUIRE_MESSAGE(r.ok(), (r.error ? r.error->message : ""));
  return r.program->evaluate(act);
}

}  // namespace

TEST_CASE("bind_json reads tool input in place") {
  auto input = nlohmann::json::parse(R"({
    "command": "rm -rf /tmp/x", "timeout": 30, "ratio": 0.5, "big": 18446744073709551615,
    "paths": ["a.txt", "b.env"], "nested": {"content-type": "text"}, "flag": true, "none": null})");
  cel::Env env = policy_env();
  cel::Activation act;
  act.bind_json("args", &input);
  act.bind("tool", cel::Value::String("Bash"));

  CHECK(eval(env, "tool == 'Bash' && args.command.contains('rm -rf')", act).is_true());
  CHECK(eval(env, "args.timeout == 30 && type(args.timeout) == int && args.timeout + 1 == 31", act).is_true());
  CHECK(eval(env, "type(args.ratio) == double && args.ratio == 0.5", act).is_true());
  CHECK(eval(env, "type(args.big) == uint", act).is_true());
  CHECK(eval(env, "args.paths.exists(p, p.endsWith('.env'))", act).is_true());
  CHECK(eval(env, "size(args.paths) == 2 && args.paths[1] == 'b.env'", act).is_true());
  CHECK(eval(env, "args.nested.`content-type` == 'text' && args['nested']['content-type'] == 'text'", act).is_true());
  CHECK(eval(env, "args.flag && args.none == null", act).is_true());
  CHECK(eval(env, "has(args.command) && !has(args.path)", act).is_true());
  CHECK(eval(env, "'command' in args", act).is_true());
  CHECK(eval(env, "args == {'command': 'rm -rf /tmp/x', 'timeout': 30, 'ratio': 0.5, 'big': 18446744073709551615u,"
                  " 'paths': ['a.txt', 'b.env'], 'nested': {'content-type': 'text'}, 'flag': true, 'none': null}",
             act)
            .is_true());
  cel::Value missing = eval(env, "args.path.endsWith('.env')", act);
  CHECK(missing.error_message() == "no such key: 'path'");
  // A value read from the json is a view: no copy of the string.
  cel::Value cmd = eval(env, "args.command", act);
  CHECK(cmd.as_string().data() == input["command"].get_ref<const std::string&>().data());
}

TEST_CASE("unbound declared variable is a runtime error") {
  cel::Env env = policy_env();
  cel::Value v = eval(env, "session.id == 'x'", cel::Activation());
  REQUIRE(v.is_error());
  CHECK(v.error_message().find("session") != std::string::npos);
  CHECK(eval(env, "session.id == 'x' || true", cel::Activation()).is_true());
}

TEST_CASE("values built in C++") {
  cel::Env env = policy_env();
  cel::Activation act;
  act.bind("shell", cel::Value::StringMap({
                        {"commands", cel::Value::List({cel::Value::String("rm"), cel::Value::String("ls")})},
                        {"pipes", cel::Value::Int(1)},
                    }));
  CHECK(eval(env, "'rm' in shell.commands && shell.pipes == 1", act).is_true());
  CHECK(cel::Value::Map({{cel::Value::Int(1), cel::Value::Null()}, {cel::Value::Uint(1), cel::Value::Null()}}).is_error());
  CHECK(cel::Value::Map({{cel::Value::Double(1.5), cel::Value::Null()}}).is_error());
}

TEST_CASE("from_json and to_json round trip") {
  auto j = nlohmann::json::parse(R"({"a": [1, 2.5, "s", null, true], "b": {"c": -3}})");
  cel::Value v = cel::Value::from_json(j);
  CHECK(v.is_map());
  CHECK(v.to_json() == j);
  CHECK(cel::Value::json_view(&j).to_json() == j);
  CHECK(v == cel::Value::json_view(&j));
  CHECK(cel::Value::Bytes("hi!?").to_json() == "aGkhPw==");
  CHECK(cel::Value::Error("boom").to_json() == nlohmann::json{{"error", "boom"}});
}

TEST_CASE("program variables and fields") {
  cel::Env env = policy_env();
  auto r = env.compile("args.command.contains('x') && has(args.path) && args['mode'] == 1 && tool == 'Bash'");
  REQUIRE(r.ok());
  CHECK(r.program->variables() == std::vector<std::string>{"args", "tool"});
  CHECK(r.program->fields_of("args") == std::vector<std::string>{"command", "path", "mode"});
  CHECK(r.program->fields_of("tool").empty());
}

TEST_CASE("custom functions") {
  cel::Env env = policy_env();
  int calls = 0;
  env.add_function({"double_it", false, 1, [&](const std::vector<cel::Value>& a) {
                      ++calls;
                      if (!a[0].is_int()) return cel::Value::Error("double_it: need int");
                      return cel::Value::Int(a[0].as_int() * 2);
                    }});
  env.add_function({"shout", true, 1, [](const std::vector<cel::Value>& a) {
                      return cel::Value::String(std::string(a[0].as_string()) + "!");
                    }});
  env.add_function({"explode", false, 0, [](const std::vector<cel::Value>&) -> cel::Value {
                      throw std::runtime_error("kaboom");
                    }});
  cel::Activation act;
  CHECK(eval(env, "double_it(21) == 42", act).is_true());
  CHECK(eval(env, "'hey'.shout() == 'hey!'", act).is_true());
  CHECK(eval(env, "double_it('x')", act).error_message() == "double_it: need int");
  CHECK(eval(env, "double_it(1/0)", act).error_message() == "division by zero");
  CHECK(eval(env, "explode()", act).error_message().find("kaboom") != std::string::npos);
  CHECK(calls == 2);  // the erroring argument never reached the function
  auto bad = env.compile("double_it(1, 2)");
  CHECK_FALSE(bad.ok());
}

TEST_CASE("constant folding keeps errors as values") {
  cel::Env env = policy_env();
  auto r = env.compile("false && 1 / 0 == 1");
  REQUIRE(r.ok());
  CHECK(r.program->evaluate(cel::Activation()).is_false());
  r = env.compile("1 / 0 == 1");
  REQUIRE(r.ok());
  CHECK(r.program->evaluate(cel::Activation()).error_message() == "division by zero");
}

TEST_CASE("deeply nested json input cannot exhaust the stack") {
  constexpr int kDepth = 100000;
  std::string text(kDepth, '[');
  text += std::string(kDepth, ']');
  auto deep = nlohmann::json::parse(text);
  cel::Env env = policy_env();
  cel::Activation act;
  act.bind_json("args", &deep);
  CHECK(eval(env, "size(args) == 1", act).is_true());
  CHECK(eval(env, "args == args", act).is_false());  // past the depth limit values compare unequal
  CHECK(eval(env, "'%s'.format([args])", act).is_error());
  CHECK(cel::Value::from_json(deep).is_error());
  CHECK(cel::Value::json_view(&deep).debug_string().find("...") != std::string::npos);
}

TEST_CASE("one program evaluated from several threads") {
  cel::Env env = policy_env();
  auto r = env.compile("args.cmd.matches('^rm\\\\s') || args.cmd in ['a', 'b'] || {'k': [1, 2]}.k.exists(v, v == args.n)");
  REQUIRE(r.ok());
  std::atomic<int> matched{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      nlohmann::json input = {{"cmd", t % 2 ? "rm -rf x" : "ls"}, {"n", t % 2 ? 7 : 2}};
      cel::Activation act;
      act.bind_json("args", &input);
      for (int i = 0; i < 2000; ++i) {
        if (r.program->evaluate(act).is_true()) matched.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(matched.load() == 4 * 2000);
}

namespace {

// Counts the elements it is asked for, to show host values are read on demand.
struct SquaresList : cel::HostList {
  std::size_t n;
  mutable int reads = 0;
  explicit SquaresList(std::size_t count) : n(count) {}
  std::size_t size() const override { return n; }
  cel::Value at(std::size_t i) const override {
    ++reads;
    return cel::Value::Int(static_cast<std::int64_t>(i * i));
  }
};

struct PointMap : cel::HostMap {
  std::size_t size() const override { return 2; }
  std::optional<cel::Value> get(std::string_view key) const override {
    if (key == "x") return cel::Value::Int(1);
    if (key == "y") return cel::Value::String("two");
    return std::nullopt;
  }
  void for_each(const std::function<void(const cel::Value&, const cel::Value&)>& fn) const override {
    fn(cel::Value::String("x"), cel::Value::Int(1));
    fn(cel::Value::String("y"), cel::Value::String("two"));
  }
};

}  // namespace

TEST_CASE("host lists and maps are read through their interface, on demand") {
  auto squares = std::make_shared<SquaresList>(1000);
  cel::Env env = policy_env();
  cel::Activation act;
  act.bind("shell", cel::Value::host(std::shared_ptr<const cel::HostList>(squares)));
  act.bind("tool", cel::Value::host(std::shared_ptr<const cel::HostMap>(std::make_shared<PointMap>())));

  CHECK(eval(env, "shell.exists(x, x == 16)", act).is_true());
  CHECK(squares->reads == 5);  // stops at the first match
  CHECK(eval(env, "size(shell) == 1000 && shell[999] == 998001 && 25 in shell", act).is_true());
  CHECK(eval(env, "tool.x == 1 && tool.y == 'two' && has(tool.x) && !has(tool.z) && size(tool) == 2", act).is_true());
  CHECK(eval(env, "tool == {'x': 1, 'y': 'two'} && {'y': 'two', 'x': 1} == tool && tool != {'x': 1}", act).is_true());
  CHECK(eval(env, "tool.all(k, k in ['x', 'y']) && tool.exists_one(k, k == 'y')", act).is_true());
  CHECK(eval(env, "tool.z", act).is_error());
  CHECK(eval(env, "shell.filter(x, x < 10) == [0, 1, 4, 9]", act).is_true());

  cel::Value m = cel::Value::host(std::shared_ptr<const cel::HostMap>(std::make_shared<PointMap>()));
  CHECK(m.to_json() == nlohmann::json{{"x", 1}, {"y", "two"}});
  CHECK(m.debug_string() == cel::Value::StringMap({{"x", cel::Value::Int(1)}, {"y", cel::Value::String("two")}}).debug_string());
  CHECK_FALSE(m.map_get(cel::Value::Int(1)).has_value());
}
