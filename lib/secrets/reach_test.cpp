// Rule::reach only narrows where a regex searches: the built-in detector
// finds exactly what the same rules find searching whole texts. The texts mix
// the keywords of the narrowed rules with separators, quotes, line breaks and
// token-like values, so that matches start, end and overlap near line edges.
#include <doctest/doctest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "secrets/detector.h"
#include "secrets/spans.h"

using namespace preloop::secrets;

namespace {

Settings whole_text_copies() {
  Settings s;
  for (const Rule& r : builtin_rules()) {
    s.disabled.emplace_back(r.id);
    s.patterns.push_back(Pattern{std::string(r.id), std::string(r.keywords), std::string(r.regex), r.group,
                                 r.min_entropy, r.check, r.boundary, Reach::Text});
  }
  return s;
}

std::string mixed_text(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {
      "token", "Token", "api_key", "apiKey", "SECRET", "password", "pwd", "auth", "credentials", "passphrase",
      "Authorization", "authorization", "Bearer ", "bearer", "-H ", "-h", "--header", " -H '", "X-Api-Key: ",
      "https://", "postgres://", ":\\/\\/", "://", "user:", "p4ssW0rd9xQ", "@db.example.org", "@", ":", "=", " = ",
      ": ", "=>", ":=", "\"", "'", "`", ",", " ", "\t", "\n", "\n", "\r\n", "\\n", "<", ">", "</", "<apiKey>",
      "aB3dE5fG7hJ9kL2mN4pQ", "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2", "s.", "vault ", "ghp_", "1234567890", "-----", "$VAR",
      "${TOKEN}", ".", "_", "-", "x", "Q", "7"};
  std::string t;
  const std::size_t n = 20 + rng() % 200;
  for (std::size_t i = 0; i < n; ++i) t += pieces[rng() % pieces.size()];
  return t;
}

}  // namespace

TEST_CASE("reach: narrowed rules find what whole-text search finds") {
  const Detector narrowed;
  const Detector whole(whole_text_copies());
  std::mt19937 rng(2024);
  int compared = 0, with_findings = 0;
  for (int round = 0; round < 3000; ++round) {
    const std::string text = mixed_text(rng);
    const std::vector<Finding> a = narrowed.scan(text);
    const std::vector<Finding> b = whole.scan(text);
    CAPTURE(text);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].kind == b[i].kind);
      CHECK(a[i].start == b[i].start);
      CHECK(a[i].end == b[i].end);
    }
    ++compared;
    with_findings += !a.empty();
  }
  CHECK(compared == 3000);
  CHECK(with_findings > 300);  // the texts do exercise the rules
}

TEST_CASE("reach: long runs of name characters and long lines stay linear") {
  std::string run;
  while (run.size() < (1u << 20)) run += "abcdefghijklmnopqrstuvwxyzAPI_KEYtoken0123456789authX";
  const Detector d;
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(d.scan(run).empty());
  CHECK(d.scan(run + "=abcdefghijk").size() <= 1);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  // A hang guard: milliseconds when linear (seconds under sanitizers on a busy
  // machine); walking a 1 MiB identifier back from each position would take hours.
  CHECK(elapsed < std::chrono::seconds(60));
}

TEST_CASE("line spans: each line with its breaks, close ones merged") {
  const std::string text = "ab\ncd\n\nef\ngh";
  auto spans = line_spans(text, {1, 10});
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].begin == 0);
  CHECK(spans[0].end == text.size());
  const std::string far = "ab\n" + std::string(2000, 'x') + "\ncd\nef";
  spans = line_spans(far, {0, 1, far.size() - 4});
  REQUIRE(spans.size() == 2);
  CHECK(spans[0].begin == 0);
  CHECK(spans[0].end == 3);  // "ab\n"
  CHECK(spans[1].begin == 2003);
  CHECK(spans[1].end == far.size() - 2);  // "\ncd\n"
  CHECK(line_spans(text, {}).empty());
  CHECK(line_spans("no breaks", {3}).size() == 1);
}
