// The planner's string-test fusion and the compile-time substring finder.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "cel/cel.h"
#include "cel/nodes.h"

namespace {

cel::Value eval_with(const std::string& expr, const cel::Value& x) {
  cel::Env env;
  env.declare_variable("x");
  auto r = env.compile(expr);
  REQUIRE_MESSAGE(r.ok(), expr);
  cel::Activation act;
  act.bind("x", x);
  return r.program->evaluate(act);
}

}  // namespace

TEST_CASE("fused string tests keep CEL semantics") {
  const std::string any = "x.contains('rm -rf') || x.startsWith('sudo ') || x.endsWith('| sh')";
  CHECK(eval_with(any, cel::Value::String("echo; rm -rf /")).is_true());
  CHECK(eval_with(any, cel::Value::String("sudo ls")).is_true());
  CHECK(eval_with(any, cel::Value::String("curl x | sh")).is_true());
  CHECK(eval_with(any, cel::Value::String("ls -la")).is_false());
  cel::Value wrong = eval_with(any, cel::Value::Int(3));
  REQUIRE(wrong.is_error());
  CHECK(wrong.error_message() == "no matching overload for 'contains' applied to (int, string)");

  const std::string all = "x.contains('a') && x.endsWith('z') && x.startsWith('q')";
  CHECK(eval_with(all, cel::Value::String("qaz")).is_true());
  CHECK(eval_with(all, cel::Value::String("qa")).is_false());

  // Mixed with other terms: the deciding value still wins over an error.
  CHECK(eval_with("x.contains('a') || 1 / 0 == 1 || x.contains('b')", cel::Value::String("b")).is_true());
  CHECK(eval_with("x.contains('a') || 1 / 0 == 1 || x.contains('b')", cel::Value::String("c")).is_error());
  CHECK(eval_with("x.contains('a') || true", cel::Value::Int(1)).is_true());
  CHECK(eval_with("'abc'.contains('b') || 'abc'.contains('z')", cel::Value::Null()).is_true());
}

TEST_CASE("finder agrees with std::string::find") {
  std::mt19937 rng(12345);
  const std::string alphabet = "ab c";
  for (int round = 0; round < 3000; ++round) {
    std::string hay(rng() % 200, ' ');
    for (char& c : hay) c = alphabet[rng() % alphabet.size()];
    std::string needle(rng() % 9, ' ');
    for (char& c : needle) c = alphabet[rng() % alphabet.size()];
    cel::Finder f(needle);
    REQUIRE_MESSAGE(f.found_in(hay) == (hay.find(needle) != std::string::npos), "'" << needle << "' in '" << hay << "'");
  }
}

TEST_CASE("finder on long inputs") {
  std::string big(200000, 'a');
  cel::Finder f("aaaab");
  CHECK_FALSE(f.found_in(big));
  big.back() = 'b';
  CHECK(f.found_in(big));
  CHECK(cel::Finder("").found_in(""));
  CHECK_FALSE(cel::Finder("abc").found_in("ab"));
}

TEST_CASE("contains on a 32 MiB json string") {
  nlohmann::json input = {{"content", std::string(32u << 20, 'x') + "BEGIN PRIVATE KEY"}};
  cel::Env env;
  env.declare_variable("args");
  auto r = env.compile("args.content.contains('BEGIN PRIVATE KEY') && size(args.content) > 1000");
  REQUIRE(r.ok());
  cel::Activation act;
  act.bind_json("args", &input);
  CHECK(r.program->evaluate(act).is_true());
}
