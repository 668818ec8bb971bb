// Compile-time behaviour: lexer and parser errors with columns, undeclared
// names, invalid constant regexes, nesting and length limits.
#include <doctest/doctest.h>

#include <string>

#include "cel/cel.h"
#include "cel/lexer.h"

namespace {

cel::SourceError compile_error(const std::string& expr) {
  cel::Env env;
  env.declare_variable("args");
  auto r = env.compile(expr);
  REQUIRE_MESSAGE(!r.ok(), expr);
  return *r.error;
}

bool compiles(const std::string& expr) {
  cel::Env env;
  env.declare_variable("args");
  return env.compile(expr).ok();
}

}  // namespace

TEST_CASE("lexer tokens and decoded literals") {
  auto r = cel::lex("a.b >= 0x1F && 'x\\'y' in [1u, 2.5e1, b'\\x00']");
  REQUIRE(!r.error);
  std::vector<cel::Tok> kinds;
  for (const auto& t : r.tokens) kinds.push_back(t.kind);
  using T = cel::Tok;
  CHECK(kinds == std::vector<T>{T::Ident, T::Dot, T::Ident, T::Ge, T::Int, T::And, T::String, T::In, T::LBracket,
                                T::Uint, T::Comma, T::Double, T::Comma, T::Bytes, T::RBracket, T::End});
  CHECK(r.tokens[4].int_bits == 31);
  CHECK(r.tokens[6].text == "x'y");
  CHECK(r.tokens[11].dbl == 25.0);
  CHECK(r.tokens[13].text == std::string(1, '\0'));
  CHECK(r.tokens[3].offset == 4);
}

TEST_CASE("lexer rejects bad literals") {
  CHECK(cel::lex("'\\s'").error);
  CHECK(cel::lex("'\\uD83D'").error);
  CHECK(cel::lex("'abc").error);
  CHECK(cel::lex("'a\nb'").error);
  CHECK(cel::lex("18446744073709551616u").error);
  CHECK(cel::lex("a = b").error);
  CHECK_FALSE(cel::lex("'''a\nb'''").error);
  CHECK_FALSE(cel::lex("// comment\n1").error);
}

TEST_CASE("parse errors carry line and column") {
  auto e = compile_error("args.command == ");
  CHECK(e.line == 1);
  CHECK(e.column == 17);
  CHECK(e.message.find("expected an expression") != std::string::npos);

  e = compile_error("1 +\n  * 2");
  CHECK(e.line == 2);
  CHECK(e.column == 3);

  e = compile_error("args.x = 1");
  CHECK(e.column == 8);
  CHECK(e.render("args.x = 1") == e.message + "\n  args.x = 1\n         ^");

  e = compile_error("args.a && if");
  CHECK(e.message.find("reserved identifier 'if'") != std::string::npos);
  CHECK(e.column == 11);
}

TEST_CASE("undeclared names fail to compile") {
  auto e = compile_error("tool == 'Bash'");
  CHECK(e.message == "undeclared reference to 'tool' (declared variables: args)");
  CHECK(e.column == 1);
  CHECK(compile_error("agrs.command == 'x'").message == "undeclared reference to 'agrs' (did you mean 'args'?)");
  e = compile_error("args.x.frobnicate()");
  CHECK(e.message.find("frobnicate") != std::string::npos);
  e = compile_error("'a'.contains()");
  CHECK(e.message.find("no matching overload for 'contains'") != std::string::npos);
  CHECK(compiles("[1].exists(tool, tool == 1)"));  // macro variables are declared
  CHECK(compiles("type(args) == map"));
}

TEST_CASE("deferred checking turns unknown names into runtime errors") {
  cel::Env env;
  env.allow_unknown_names(true);
  auto r = env.compile("x || true");
  REQUIRE(r.ok());
  CHECK(r.program->evaluate(cel::Activation()).is_true());
  r = env.compile("f(1)");
  REQUIRE(r.ok());
  CHECK(r.program->evaluate(cel::Activation()).is_error());
}

TEST_CASE("invalid constant regex is a compile error") {
  auto e = compile_error("args.command.matches('([a-z')");
  CHECK(e.message.find("invalid regular expression") != std::string::npos);
  CHECK(e.column == 22);
}

TEST_CASE("macro misuse") {
  CHECK(compile_error("has(args)").message.find("has()") != std::string::npos);
  CHECK(compile_error("[1].all(1, true)").message.find("simple name") != std::string::npos);
  CHECK(compile_error("Msg{a: 1}").message.find("message construction") != std::string::npos);
}

TEST_CASE("nesting and length limits") {
  std::string deep(5000, '(');
  deep += "1";
  deep += std::string(5000, ')');
  CHECK(compile_error(deep).message.find("nests too deeply") != std::string::npos);

  std::string brackets(100000, '[');
  CHECK(compile_error(brackets).message.find("too long") == std::string::npos);

  std::string chain = "1";
  for (int i = 0; i < 1000; ++i) chain += " + 1";
  CHECK(compile_error(chain).message.find("nests too deeply") != std::string::npos);

  std::string nots(50000, '!');
  nots += "true";
  CHECK(compiles(nots));  // repeated unary operators collapse

  std::string ors = "args.a";
  for (int i = 0; i < 2000; ++i) ors += " || args.a";
  CHECK(compiles(ors));  // logical chains are flat

  std::string selects = "args";
  for (int i = 0; i < 1000; ++i) selects += ".a";
  CHECK(compile_error(selects).message.find("nests too deeply") != std::string::npos);

  std::string too_long(100001, ' ');
  too_long[0] = '1';
  CHECK(compile_error(too_long).message.find("too long") != std::string::npos);

  // The conformance minimums fit: 24 nested ?: and 32-deep literals.
  std::string ternary;
  for (int i = 0; i < 24; ++i) ternary += "false ? 0 : ";
  ternary += "1";
  CHECK(compiles(ternary));
  std::string nested_lists;
  for (int i = 0; i < 32; ++i) nested_lists += "[";
  for (int i = 0; i < 32; ++i) nested_lists += "]";
  CHECK(compiles(nested_lists));
}
