// The keyword prefilter against a naive case-insensitive search.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <string>

#include "secrets/keywords.h"
#include "secrets/rules.h"

using preloop::secrets::KeywordMatcher;

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
}  // namespace

TEST_CASE("keyword matcher agrees with a naive search") {
  const std::vector<std::string> kws = {"key", "secret", "token", "sk", "sk_", "sk-ant-", "ghp_", "://", "xox",
                                        "a3t", "passw", "private key", "-h", ":aa", "dp.pt.", "s", "ke"};
  KeywordMatcher m(kws);
  std::mt19937 rng(42);
  const std::string alphabet = "keyKEYsecrtoSKnp_-:/ax3hAHd.vw ";
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    std::size_t n = rng() % 40;
    for (std::size_t i = 0; i < n; ++i) text.push_back(alphabet[rng() % alphabet.size()]);
    auto hits = m.find(text);
    for (std::size_t k = 0; k < kws.size(); ++k) {
      CAPTURE(text);
      CAPTURE(kws[k]);
      CHECK(hits[k] == (lower(text).find(kws[k]) != std::string::npos));
    }
  }
  CHECK(m.find("-----BEGIN RSA PRIVATE KEY-----")[11]);
  CHECK(m.find("xS")[15]);  // a one-byte keyword in the last byte
  CHECK(m.find("Sk")[3]);   // a two-byte keyword in the last two bytes
  CHECK_FALSE(m.find("")[0]);
}

TEST_CASE("keyword matcher reports every occurrence in text order") {
  KeywordMatcher m({"key", "ke", "", "token"});
  auto hits = m.find_all("KEY token keY");
  std::vector<std::pair<std::size_t, std::size_t>> got;
  for (const auto& h : hits) got.emplace_back(h.pos, h.keyword);
  const std::vector<std::pair<std::size_t, std::size_t>> want = {{0, 2}, {0, 0}, {0, 1}, {4, 3}, {6, 1}, {10, 0}, {10, 1}};
  CHECK(got == want);
  CHECK(m.find_all("").empty());
}

TEST_CASE("every occurrence at every offset, across the blocks the filter works in") {
  // Texts of every length up to a few blocks, a keyword at every position:
  // the blocked pair filter passes each occurrence, at a block's edges too.
  const std::vector<std::string> kws = {"key", "secret", "sk", "s", "ghp_", "private key", "-h", "xox"};
  KeywordMatcher m(kws);
  std::mt19937 rng(3);
  const std::string alphabet = "keyKEYsecrtSghp_-xo Hiva";
  for (std::size_t n = 0; n < 70; ++n)
    for (int round = 0; round < 40; ++round) {
      std::string text;
      for (std::size_t i = 0; i < n; ++i) text.push_back(alphabet[rng() % alphabet.size()]);
      if (n && round % 2) {  // a whole keyword placed at a random offset
        const std::string& k = kws[rng() % kws.size()];
        text.replace(rng() % n, k.size(), k);
        text.resize(n);
      }
      std::vector<std::pair<std::size_t, std::size_t>> want, got;
      const std::string low = lower(text);
      for (std::size_t pos = 0; pos < low.size(); ++pos)
        for (std::size_t k = 0; k < kws.size(); ++k)
          if (low.compare(pos, kws[k].size(), kws[k]) == 0) want.emplace_back(pos, k);
      for (const auto& h : m.find_all(text)) got.emplace_back(h.pos, h.keyword);
      std::sort(got.begin(), got.end());
      CAPTURE(text);
      CHECK(got == want);
    }
}

TEST_CASE("the compile-time tables of the built-in keywords agree with tables built at run time") {
  const auto& builtin = preloop::secrets::builtin_keywords();
  REQUIRE(builtin.keywords.size() > 50);
  KeywordMatcher m(std::vector<std::string>(builtin.keywords.begin(), builtin.keywords.end()));
  std::mt19937 rng(7);
  const std::string alphabet = "akiAKIsghp_-:/ \t\nHeyJEYtokn.xo<~3lcr";
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    std::size_t n = rng() % 60;
    for (std::size_t i = 0; i < n; ++i) text.push_back(alphabet[rng() % alphabet.size()]);
    auto a = preloop::secrets::keyword_tables::find_all(builtin, text);
    auto b = m.find_all(text);
    CAPTURE(text);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].pos == b[i].pos);
      CHECK(a[i].keyword == b[i].keyword);
    }
  }
}

TEST_CASE("a path naming preloop-hook wakes no -H header rule") {
  // Deny reasons name the rule file; "-h" in "preloop-hook" once made every
  // deny compile the header rule's regex to redact the reason.
  const std::string reason = "Blocked by /home/u/.config/preloop-hook/rules/block-destructive.yaml";
  const auto rules = preloop::secrets::builtin_rules();
  for (const auto& hit : preloop::secrets::keyword_tables::find_all(preloop::secrets::builtin_keywords(), reason))
    for (std::size_t r : preloop::secrets::builtin_keyword_rules(hit.keyword)) CHECK(rules[r].id != "authorization-header");
}
