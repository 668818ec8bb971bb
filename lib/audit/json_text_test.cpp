#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "audit/json_text.h"

using preloop::audit::is_json;

TEST_CASE("is_json accepts exactly what a JSON parser accepts") {
  const std::vector<std::string> cases = {
      "{}", "[]", "0", "-0", "1.5e-3", "-12E+2", "true", "false", "null", "\"\"", " {\"a\" : [1, 2, {\"b\": null}]} ",
      "\"\\u00e9\\n\\t\\\"\\\\\\/\\b\\f\\r\"", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", "[[[[[]]]]]",
      // refused
      "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\"}", "{a:1}", "01", "1.", ".5", "1e", "-", "+1", "tru", "nul",
      "\"abc", "\"a\nb\"", "\"\\x\"", "\"\\u12G4\"", "[1 2]", "{} {}", "\"\xc3\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
      "\"\xf4\x90\x80\x80\"", "\"\xff\"", "NaN", "[1]x", "'a'"};
  for (const auto& c : cases) CHECK_MESSAGE(is_json(c) == nlohmann::json::accept(c), "input: " << c);
}

TEST_CASE("is_json agrees with nlohmann::json::accept on random mutations of records") {
  const std::string seed =
      R"({"command":"rm -rf \"$HOME\"/x","n":[1,-2.5e3,true,null],"nested":{"k":"caf)" "\xc3\xa9" R"( \u00e9"}})";
  REQUIRE(is_json(seed));
  std::mt19937 rng(20261122);
  const std::string alphabet = "{}[]\":,\\ -.0123456789eEtrufalsn\x01\x80\xc3\xa9\xff";
  for (int i = 0; i < 20000; ++i) {
    std::string s = seed;
    int edits = 1 + int(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = rng() % (s.size() + 1);
      switch (rng() % 3) {
        case 0: s.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        case 1: if (at < s.size()) s.erase(at, 1); break;
        default: if (at < s.size()) s[at] = alphabet[rng() % alphabet.size()];
      }
    }
    REQUIRE_MESSAGE(is_json(s) == nlohmann::json::accept(s), "input: " << s);
  }
}

TEST_CASE("is_json refuses nesting deeper than 512") {
  CHECK(is_json(std::string(512, '[') + std::string(512, ']')));
  CHECK_FALSE(is_json(std::string(513, '[') + std::string(513, ']')));
  CHECK_FALSE(is_json(std::string(100000, '[')));
}
