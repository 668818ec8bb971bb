#include <doctest/doctest.h>

#include <random>

#include "protocol/json_size.h"

using preloop::protocol::dumped_size;
using nlohmann::json;

namespace {

json random_value(std::mt19937& rng, int depth) {
  static const std::vector<std::string> atoms = {"a", " ", "\"", "\\", "\n", "\r", "\t", "\b", "\f", "\x01", "\x1f",
                                                 "/", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x7f"};
  auto str = [&] {
    std::string s;
    for (std::size_t n = rng() % 12; n > 0; --n) s += atoms[rng() % atoms.size()];
    return s;
  };
  switch (depth > 3 ? rng() % 6 : rng() % 8) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: return std::int64_t(rng()) - (1LL << 31);
    case 3: return double(rng()) / 7.0;
    case 4: return std::uint64_t(rng()) << 20;
    case 5: return str();
    case 6: {
      json a = json::array();
      for (std::size_t n = rng() % 5; n > 0; --n) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      json o = json::object();
      for (std::size_t n = rng() % 5; n > 0; --n) o[str()] = random_value(rng, depth + 1);
      return o;
    }
  }
}

}  // namespace

TEST_CASE("dumped_size equals the length of dump() for every kind of value") {
  CHECK(dumped_size(json::parse(R"({"stdout":"a\nb","stderr":"","interrupted":false,"n":[1,2.5,null]})")) ==
        json::parse(R"({"stdout":"a\nb","stderr":"","interrupted":false,"n":[1,2.5,null]})").dump().size());
  CHECK(dumped_size(json::object()) == 2);
  CHECK(dumped_size(json::array()) == 2);
  std::mt19937 rng(42);
  for (int i = 0; i < 3000; ++i) {
    json v = random_value(rng, 0);
    REQUIRE_MESSAGE(dumped_size(v) == v.dump().size(), v.dump());
  }
}

TEST_CASE("dumped_size of a string: every ASCII byte at every offset of a word") {
  // Up to 40 bytes: two blocks of sixteen, a word of eight and single bytes.
  for (int c = 0; c < 0x80; ++c)
    for (std::size_t len = 1; len <= 40; ++len)
      for (std::size_t at = 0; at < len; ++at) {
        std::string s(len, 'x');
        s[at] = static_cast<char>(c);
        if (at + 2 < len) s[at + 2] = '\n';  // a newline in the same word, counted with the others
        CAPTURE(c);
        CAPTURE(at);
        CHECK(dumped_size(json(s)) == json(s).dump().size());
      }
}

TEST_CASE("dumped_size of a string: multi-byte characters across block edges") {
  for (const char* ch : {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"})
    for (std::size_t at = 0; at < 36; ++at) {
      std::string s(at, 'x');
      s += ch;
      s += "\"\n\x01" + std::string(20, 'y');
      CAPTURE(at);
      CHECK(dumped_size(json(s)) == json(s).dump().size());
    }
}
