// Behaviour of the detector on realistic snippets. Test secrets are built
// from pieces at run time so the source holds no scanner-triggering literal.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "secrets/cel_bindings.h"
#include "secrets/detector.h"
#include "secrets/filters.h"

using namespace preloop::secrets;

namespace {

std::string rep(std::string_view unit, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += unit;
  return s;
}

// A pseudo-random alphanumeric string (deterministic).
std::string rnd(std::size_t n, unsigned seed = 7, std::string_view alphabet =
                                                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") {
  std::string s;
  unsigned x = seed * 2654435761u + 1;
  for (std::size_t i = 0; i < n; ++i) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    s.push_back(alphabet[x % alphabet.size()]);
  }
  return s;
}

std::vector<std::string> kinds(const std::string& text, const Detector& d = detector_for(nullptr)) {
  std::vector<std::string> out;
  for (const auto& f : d.scan(text)) out.push_back(f.kind);
  return out;
}

std::string secret_of(const std::string& text) {
  auto f = detector_for(nullptr).scan(text);
  REQUIRE(f.size() == 1);
  return text.substr(f[0].start, f[0].end - f[0].start);
}

}  // namespace

TEST_CASE("token formats are found with exact bounds") {
  const std::string gh = "gh" + std::string("p_") + rnd(36, 1);
  CHECK(secret_of("export GITHUB_TOKEN=" + gh + "\n") == gh);
  const std::string aws = "AKI" + std::string("A") + rnd(16, 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
  CHECK(secret_of("aws_access_key_id = " + aws) == aws);
  const std::string slack = "xox" + std::string("b-") + rnd(13, 31, "0123456789") + "-" + rnd(13, 32, "0123456789") + "-" + rnd(24, 3);
  CHECK(secret_of("token: " + slack) == slack);
  const std::string stripe = "sk_" + std::string("live_") + rnd(24, 4);
  CHECK(kinds("stripe.api_key = '" + stripe + "'") == std::vector<std::string>{"stripe-secret-key"});
  const std::string google = "AI" + std::string("za") + rnd(35, 5);
  CHECK(kinds("key=" + google) == std::vector<std::string>{"gcp-api-key"});
  const std::string npm = "np" + std::string("m_") + rnd(36, 6);
  CHECK(kinds("//registry.npmjs.org/:_authToken=" + npm) == std::vector<std::string>{"npm-token"});
  const std::string sg = "S" + std::string("G.") + rnd(22, 7) + "." + rnd(43, 8);
  CHECK(kinds(sg) == std::vector<std::string>{"sendgrid-api-key"});
  const std::string ant = "sk-" + std::string("ant-api03-") + rnd(93, 9) + "AA";
  CHECK(kinds("ANTHROPIC_API_KEY=" + ant) == std::vector<std::string>{"anthropic-api-key"});
  const std::string glpat = "gl" + std::string("pat-") + rnd(20, 10);
  CHECK(kinds(glpat) == std::vector<std::string>{"gitlab-token"});
  const std::string twilio = "S" + std::string("K") + rnd(32, 11, "0123456789abcdef");
  CHECK(kinds("TWILIO_API_KEY_SID " + twilio) == std::vector<std::string>{"twilio-api-key"});
}

TEST_CASE("AWS secret access key needs its context") {
  const std::string secret = rnd(40, 12, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+");
  CHECK(secret_of("aws_secret_access_key = " + secret + "\n") == secret);
  CHECK(secret_of("AWS_SECRET_ACCESS_KEY=\"" + secret + "\"") == secret);
  // A bare 40-character string (e.g. a commit id) is nothing.
  CHECK(kinds("commit " + rnd(40, 13, "0123456789abcdef")).empty());
}

TEST_CASE("private keys: whole block, JSON-escaped, cut off; not documentation") {
  const std::string body = rnd(64, 14, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") + "\n" +
                           rnd(64, 15, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") + "\n";
  const std::string begin = "-----BEGIN RSA " + std::string("PRIVATE KEY-----\n");
  const std::string end = "-----END RSA " + std::string("PRIVATE KEY-----");
  const std::string block = begin + body + end;
  CHECK(secret_of("key:\n" + block + "\ntrailer") == block);
  std::string escaped = "\"private_key\": \"-----BEGIN " + std::string("PRIVATE KEY-----\\n") + rnd(64, 16) + "\\n" +
                        rnd(64, 17) + "\\n-----END " + "PRIVATE KEY-----\\n\"";
  CHECK(kinds(escaped) == std::vector<std::string>{"private-key"});
  CHECK(kinds(begin + body) == std::vector<std::string>{"private-key"});  // no END line (truncated read)
  CHECK(kinds(begin + "...\n" + end).empty());
  CHECK(kinds("if line.startswith('" + begin.substr(0, begin.size() - 1) + "'):\n    pass\n").empty());
  CHECK(kinds("-----BEGIN PUBLIC KEY-----\n" + body + "-----END PUBLIC KEY-----").empty());
}

TEST_CASE("JWT needs a JOSE header") {
  const std::string jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + std::string("eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.") +
                          rnd(43, 18);
  CHECK(kinds("Cookie: session=" + jwt) == std::vector<std::string>{"jwt"});
  CHECK(kinds("eyJub3RoaW5nIjogMX0x." + std::string("eyJzdWIiOiIxMjM0NTY3ODkwIn0.") + rnd(20, 19)).empty());
}

TEST_CASE("URLs with passwords; database URLs are named as such") {
  const std::string pw = rnd(16, 20);
  auto f = detector_for(nullptr).scan("DATABASE_URL=postgres://app:" + pw + "@db.internal:5432/app");
  REQUIRE(f.size() == 1);
  CHECK(f[0].kind == "database-url");
  CHECK(kinds("https://deploy:" + pw + "@git.example.org/repo.git") == std::vector<std::string>{"url-password"});
  CHECK(kinds("postgres://localhost:5432/app").empty());
  CHECK(kinds("postgres://user:${DB_PASSWORD}@db/app").empty());
  CHECK(kinds("mysql://root:password@localhost/db").empty());
}

TEST_CASE("Authorization headers") {
  const std::string tok = rnd(32, 21);
  CHECK(kinds("curl -H 'Authorization: Bearer " + tok + "' https://api") ==
        std::vector<std::string>{"authorization-header"});
  CHECK(kinds("Authorization: Basic " + rnd(24, 22) + "==") == std::vector<std::string>{"authorization-header"});
  CHECK(kinds("curl -H \"Authorization: Bearer $API_TOKEN\" https://api").empty());
  CHECK(kinds("the bearer authentication scheme is described in RFC 6750").empty());
  // -H "X-Api-Token: ..." after a space, a tab or a line break (the keywords hold the whitespace).
  for (const char* before : {"curl -H", "curl\t-H", "curl \\\n-H", "curl\n-H"})
    CHECK(kinds(std::string(before) + " \"X-Api-Token: " + tok + "\" https://api") ==
          std::vector<std::string>{"authorization-header"});
  const auto glued = kinds("preloop-hook-H 'X-Api-Token: " + tok + "'");  // -H must follow whitespace
  CHECK(std::find(glued.begin(), glued.end(), "authorization-header") == glued.end());
}

TEST_CASE("generic assignments: entropy, placeholders, references") {
  const std::string v = rnd(32, 23);
  CHECK(kinds("API_KEY=" + v) == std::vector<std::string>{"generic-secret"});
  CHECK(kinds("\"client_secret\": \"" + v + "\"") == std::vector<std::string>{"generic-secret"});
  CHECK(kinds("db_password: 'Tr0ub4dor&3x'") == std::vector<std::string>{"generic-secret"});
  CHECK(kinds("api_key = \"your-api-key-here\"").empty());
  CHECK(kinds("API_KEY=${API_KEY}").empty());
  CHECK(kinds("token: <token>").empty());
  CHECK(kinds("password = changeme").empty());
  CHECK(kinds("SECRET=xxxxxxxxxxxxxxxxxxxx").empty());
  CHECK(kinds("password = getpass.getpass()").empty());
  CHECK(kinds("token = os.environ['TOKEN']").empty());
  CHECK(kinds("key_file = /etc/ssl/private/server.key").empty());
  CHECK(kinds("max_tokens = 4096").empty());
  CHECK(kinds("public_key = \"" + v + "\"").empty());
  CHECK(kinds("cache_key = \"" + v + "\"").empty());
}

TEST_CASE("generic assignments as XML elements, also across lines") {
  const std::string v = rnd(32, 29);
  CHECK(kinds("<apiKey>" + v + "</apiKey>") == std::vector<std::string>{"generic-secret"});
  CHECK(kinds("<config>\n  <Password>\n    " + v + "\n  </Password>\n</config>") ==
        std::vector<std::string>{"generic-secret"});
  CHECK(secret_of("<db.secret>" + v + "</db.secret>") == v);
  CHECK(kinds("<name>" + v + "</name>").empty());
}

TEST_CASE("hashes, UUIDs and digests in ordinary output are left alone") {
  CHECK(kinds("commit 3f2a9c1e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a39\nAuthor: a <a@b.c>").empty());
  CHECK(kinds("\"integrity\": \"sha512-" + rnd(86, 24) + "==\"").empty());
  CHECK(kinds("request_id=550e8400-e29b-41d4-a716-446655440000").empty());
  CHECK(kinds("sha256:" + rnd(64, 25, "0123456789abcdef")).empty());
  CHECK(kinds("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + rnd(43, 26) + " me@host").empty());
  CHECK(kinds("AKIAIOSFODNN7" + std::string("EXAMPLE")).empty());
}

TEST_CASE("a token format wins over the generic match of the same bytes") {
  const std::string gh = "gh" + std::string("p_") + rnd(36, 27);
  CHECK(kinds("github_token = \"" + gh + "\"") == std::vector<std::string>{"github-pat"});
}

TEST_CASE("config: user patterns, allowlist, disabled kinds, errors") {
  YAML::Node section = YAML::Load(R"(
on_command: mask
disable: [jwt]
patterns:
  - id: acme-token
    regex: 'acme_([a-z0-9]{16})'
    keywords: [acme_]
allowlist:
  values: ['AKIAZZZZZZZZZZZZ2345']
  regexes: ['^sk_test_']
)");
  Detector d(parse_settings(section));
  CHECK(d.settings().on_command == Policy::Mask);
  CHECK(d.settings().on_file_write == Policy::Deny);
  CHECK(kinds("id acme_0123abcd4567ef89 end", d) == std::vector<std::string>{"acme-token"});
  CHECK(kinds("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + std::string("eyJzdWIiOiIxMjM0NTY3ODkwIn0.") + rnd(43, 28), d)
            .empty());
  CHECK(kinds("sk_" + std::string("test_") + rnd(24, 29), d).empty());
  CHECK_THROWS_AS(parse_settings(YAML::Load("patterns: [{id: x, regex: '(unclosed'}]")), preloop::ConfigError);
  CHECK_THROWS_AS(parse_settings(YAML::Load("on_file_write: maybe")), preloop::ConfigError);
  CHECK_THROWS_AS(parse_settings(YAML::Load("disable: [no-such-kind]")), preloop::ConfigError);
  CHECK_THROWS_AS(parse_settings(YAML::Load("unknown: 1")), preloop::ConfigError);
  try {
    parse_settings(YAML::Load("patterns:\n  - id: x\n    regex: '(a'\n"));
  } catch (const preloop::ConfigError& e) {
    CHECK(std::string(e.what()).find("secrets.patterns[0].regex") != std::string::npos);
  }
}

TEST_CASE("filters") {
  CHECK(shannon_entropy("aaaa") == doctest::Approx(0.0));
  CHECK(shannon_entropy("abcd") == doctest::Approx(2.0));
  CHECK(secret_name("AWS_SECRET_ACCESS_KEY"));
  CHECK(secret_name("apiKey"));
  CHECK(secret_name("db_password"));
  CHECK_FALSE(secret_name("token_count"));
  CHECK_FALSE(secret_name("max_tokens"));
  CHECK_FALSE(secret_name("publicKey"));
  CHECK_FALSE(secret_name("secret_name"));
  CHECK(is_placeholder("[REDACTED:github-pat:3f2a]"));
  CHECK(is_placeholder(rep("x", 12)));
}

TEST_CASE("findings as a CEL value") {
  const std::string gh = "gh" + std::string("p_") + rnd(36, 40);
  nlohmann::json input = {{"command", "curl -H 'Authorization: token " + gh + "' https://x"}, {"n", 3}};
  cel::Value v = findings_value(input);
  REQUIRE(v.is_map());
  CHECK(v.map_get("found")->is_true());
  CHECK(v.map_get("count")->as_int() == 1);
  REQUIRE(v.map_get("kinds")->list_size() == 1);
  CHECK(v.map_get("kinds")->list_at(0).as_string() == "github-pat");
  cel::Value none = findings_value(nlohmann::json{{"command", "ls -la"}});
  CHECK(none.map_get("found")->is_false());
  CHECK(none.map_get("count")->as_int() == 0);
  CHECK(none.map_get("kinds")->list_size() == 0);
}

TEST_CASE("URL passwords with characters a URL would escape (#, ?, $, !)") {
  CHECK(kinds("postgres://app:Vx9!qL2#mT7$wR4k@db.internal/app") == std::vector<std::string>{"database-url"});
  CHECK(kinds("mysql://root:p?ss#W0rd9x@localhost/db") == std::vector<std::string>{"database-url"});
  CHECK(kinds("https://example.org/page?x=1#frag@top").empty());
}
