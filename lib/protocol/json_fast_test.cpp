// The fast JSON path against nlohmann::json::parse: the same value, to the
// number type, on everything it accepts, and nothing nlohmann rejects.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "protocol/json_fast.h"

using nlohmann::json;
using preloop::protocol::parse_json_fast;

namespace {

// Same value and the same type at every node (1 as unsigned vs integer vs float).
bool identical(const json& a, const json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(), jt = b.begin(); it != a.end(); ++it, ++jt)
      if (it.key() != jt.key() || !identical(*it, *jt)) return false;
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!identical(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

// Agrees with nlohmann on text: rejects what it rejects, and gives the same
// value where both accept.
void agrees(const std::string& text) {
  CAPTURE(text);
  const std::optional<json> fast = parse_json_fast(text);
  json slow;
  bool ok = true;
  try {
    slow = json::parse(text);
  } catch (const json::exception&) {  // parse_error, or out_of_range for a number past double
    ok = false;
  }
  if (!ok) {
    CHECK_FALSE(fast.has_value());
  } else if (fast) {
    CHECK(identical(*fast, slow));
  }
}

std::string random_string(std::mt19937& rng) {
  static const std::vector<std::string> parts = {"a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f", "\x7f",
                                                 "é", "€", "𝄞", "\xed\x9f\xbf", "line: ok, 0 warnings", "\u00a0"};
  std::string s;
  const std::size_t n = rng() % 40;
  for (std::size_t i = 0; i < n; ++i) s += parts[rng() % parts.size()];
  return s;
}

json random_value(std::mt19937& rng, int depth) {
  switch (rng() % (depth > 3 ? 6 : 8)) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: {
      static const std::vector<json> numbers = {0, 1, -1, 1234567890123LL, -9223372036854775807LL - 1,
                                                18446744073709551615ULL, 0.5, -2.5e-300, 1e300, 3.141592653589793};
      return numbers[rng() % numbers.size()];
    }
    case 3:
    case 4:
    case 5: return random_string(rng);
    case 6: {
      json a = json::array();
      for (std::size_t i = rng() % 5; i > 0; --i) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      json o = json::object();
      for (std::size_t i = rng() % 5; i > 0; --i) o[random_string(rng)] = random_value(rng, depth + 1);
      return o;
    }
  }
}

}  // namespace

TEST_CASE("fast JSON: documents nlohmann writes parse to the same values") {
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    const json v = random_value(rng, 0);
    const std::string text = v.dump(round % 3 == 0 ? 2 : -1);
    const std::optional<json> fast = parse_json_fast(text);
    CAPTURE(text);
    REQUIRE(fast.has_value());
    CHECK(identical(*fast, json::parse(text)));
    agrees(text);
  }
}

TEST_CASE("fast JSON: literal edge cases") {
  for (const char* text :
       {"", " ", "{}", "[]", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "-0", "-", "1.", ".5", "1e", "1e+5", "1E-5",
        "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616", "1.0",
        "truex", "true false", "nul", "\"\\u00e9\"", "\"\\ud834\\udd1e\"", "\"\\ud834\"", "\"\\udd1e\"",
        "\"\\ud834\\u0041\"", "\"\\u0000\"", "\"\\x\"", "\"\\u12g4\"", "\"\t\"", "\"\xc3\"", "\"\xc0\xaf\"",
        "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xef\xbb\xbf\"", "\xef\xbb\xbf{}", "{\"a\":1,\"a\":2}",
        "[[[[[[[[[[]]]]]]]]]]", "{\"k\":\"v\"} ", "\"unterminated", "\"abcdefghijklmnopqrstuvwxyz\\\"tail\""})
    agrees(text);
  CHECK(parse_json_fast("{\"a\":1,\"a\":2}")->at("a") == 2);
  CHECK(parse_json_fast("-0")->is_number_integer());
  CHECK(parse_json_fast("7")->is_number_unsigned());
  CHECK(parse_json_fast("18446744073709551616")->is_number_float());
  CHECK_FALSE(parse_json_fast(std::string(600, '[') + std::string(600, ']')).has_value());  // deep: left to nlohmann
}

TEST_CASE("fast JSON: mutated documents never parse where nlohmann fails") {
  std::mt19937 rng(11);
  static const char bytes[] = "{}[]\",:\\ntu0-.eE\x01\x80\xc3\xff ";
  for (int round = 0; round < 3000; ++round) {
    std::string text = random_value(rng, 0).dump();
    for (std::size_t edits = 1 + rng() % 3; edits > 0 && !text.empty(); --edits) {
      const std::size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0: text[at] = bytes[rng() % (sizeof bytes - 1)]; break;
        case 1: text.erase(at, 1); break;
        default: text.insert(at, 1, bytes[rng() % (sizeof bytes - 1)]); break;
      }
    }
    agrees(text);
  }
}
