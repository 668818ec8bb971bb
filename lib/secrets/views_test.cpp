// Split, encoded, reversed and block-scalar secrets; secrets as JSON keys and
// in binary payloads of tool output; the audit redaction sees them all.
#include "secrets/views.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "secrets/marker.h"
#include "secrets/redact.h"
#include "secrets/tool_io.h"

using namespace preloop::secrets;
using nlohmann::json;

namespace {

// Built from pieces so that this file holds no token.
std::string tok() { return "gh" + std::string("p_") + "Zx8Kq2Lm9Vb4Nc7Pd1Rt6Ws3Yh5Jf0Ga2Ek8"; }

std::string b64(const std::string& in) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (unsigned char c : in) {
    v = (v << 8) | c;
    bits += 8;
    while (bits >= 6) out.push_back(a[(v >> (bits -= 6)) & 63]);
  }
  if (bits) out.push_back(a[(v << (6 - bits)) & 63]);
  while (out.size() % 4) out.push_back('=');
  return out;
}

std::vector<Finding> views(const std::string& text, unsigned which) {
  Detector d;
  std::vector<Finding> f = d.scan(text);
  add_view_findings(d, text, which, f);
  return f;
}

}  // namespace

TEST_CASE("a token split into quoted pieces or printf arguments is found and its whole span masked") {
  const std::string t = tok();
  const std::string cmd = "export T=\"" + t.substr(0, 4) + "\"'" + t.substr(4, 10) + "'\"" + t.substr(14) + "\"";
  CHECK(Detector().scan(cmd).empty());
  auto f = views(cmd, kJoined);
  REQUIRE(f.size() == 1);
  CHECK(cmd.substr(f[0].start, f[0].end - f[0].start).find(t.substr(0, 4)) == 0);
  CHECK(f[0].end == cmd.size() - 1);  // up to the last piece, its closing quote outside
  const std::string p = "printf '%s%s' " + t.substr(0, 20) + " '" + t.substr(20) + "' > x";
  CHECK(views(p, kJoined).size() == 1);
  CHECK(views("printf '%s%s\\n' build- ok", kJoined).empty());
  CHECK(views("echo \"a\"\"b\" 'c'", kJoined).empty());
}

TEST_CASE("encoded and reversed tokens are found over the encoded run") {
  const std::string t = tok();
  const std::string enc = b64("token: " + t);
  const std::string text = "const a = atob('" + enc + "');";
  auto f = views(text, kEncoded);
  REQUIRE(f.size() == 1);
  CHECK(text.substr(f[0].start, f[0].end - f[0].start) == enc);
  std::string hex;
  for (unsigned char c : t) {
    static const char* h = "0123456789abcdef";
    hex += h[c >> 4];
    hex += h[c & 15];
  }
  CHECK(views("k = '" + hex + "'", kEncoded).size() == 1);
  const std::string rev(t.rbegin(), t.rend());
  auto r = views("x = '" + rev + "'[::-1]", kReversed);
  REQUIRE(r.size() == 1);
  CHECK(r[0].start == 5);
  CHECK(views("const s = atob('" + b64("Hello, world! This is plain text.") + "');", kEncoded).empty());
  CHECK(views("sha512-9pS7BWx0rJ6Hq1VnJq9iUXzTqHvO1xVbW8cJmkS4hNgXnGZbV6r2Lq0n8yV6sJ3pT5Bq2mE9aQ==", kEncoded).empty());
}

TEST_CASE("a value on the line below a YAML block scalar is a value of the key") {
  const std::string y = "db:\n  password: |\n    Xk9mQ2vL7pR4tW8zN3\n  host: x\n";
  CHECK(Detector().scan(y).empty());
  auto f = views(y, kBlockScalars);
  REQUIRE(f.size() == 1);
  CHECK(y.substr(f[0].start, f[0].end - f[0].start) == "Xk9mQ2vL7pR4tW8zN3");
  CHECK(views("run: |\n  npm ci\n  npm test\n", kBlockScalars).empty());
  CHECK(views("password: |\n  ${DB_PASSWORD}\n", kBlockScalars).empty());
}

TEST_CASE("tool output: secrets as keys and in data/base64 payloads are masked") {
  Detector d;
  const std::string t = tok();
  json out = {{"content", json::array({{{"type", "resource"}, {"data", b64("export GH_TOKEN=" + t)}},
                                       {{"type", "image"}, {"mimeType", "image/png"}, {"base64", t}}})},
              {"tokens", {{t, "owner"}}}};
  std::size_t n = 0;
  json masked = mask_tool_output(out, d, "s", &n);
  CHECK(n == 3);
  const std::string dump = masked.dump();
  CHECK(dump.find(t) == std::string::npos);
  CHECK(dump.find(b64("export GH_TOKEN=" + t)) == std::string::npos);
  CHECK(masked["tokens"].size() == 1);
  CHECK(masked["tokens"].begin().value() == "owner");
  // an image stays as it is
  json img = {{"type", "image"}, {"mimeType", "image/png"}, {"data", b64(std::string(64, '\x01'))}};
  CHECK(mask_tool_output(img, d, "s").is_null());
}

TEST_CASE("the audit redaction reaches keys, split and encoded secrets") {
  const std::string t = tok();
  json input = {{"command", "export T=\"" + t.substr(0, 4) + "\"\"" + t.substr(4) + "\""},
                {"content", "a = '" + std::string(t.rbegin(), t.rend()) + "'"},
                {"map", {{t, 1}}}};
  CHECK(redact_json(input, {.session_id = "s"}) == 3);
  const std::string dump = input.dump();
  CHECK(dump.find(t.substr(4)) == std::string::npos);
  CHECK(dump.find(std::string(t.rbegin(), t.rend())) == std::string::npos);
  CHECK(dump.find(t) == std::string::npos);
}

TEST_CASE("views of arbitrary text: findings stay inside the text, sorted and apart") {
  Detector d;
  const std::string t = tok();
  const std::string alphabet = "ab=:|>'\"%s \n\t-_/+0123456789ABCDEFxyz{}$printf";
  unsigned seed = 12345;
  auto next = [&] { return seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff; };
  for (int round = 0; round < 1500; ++round) {
    std::string text;
    std::size_t len = next() % 300;
    for (std::size_t i = 0; i < len; ++i) text += alphabet[next() % alphabet.size()];
    if (round % 5 == 0) text.insert(next() % (text.size() + 1), "password: |\n  ");
    if (round % 3 == 0) text.insert(next() % (text.size() + 1), " \"" + t.substr(0, 9) + "\"'" + t.substr(9) + "' ");
    std::vector<Finding> f = d.scan(text);
    add_view_findings(d, text, kAllViews, f);
    for (std::size_t k = 0; k < f.size(); ++k) {
      CHECK(f[k].start < f[k].end);
      CHECK(f[k].end <= text.size());
      if (k) CHECK(f[k - 1].end <= f[k].start);
    }
    std::string masked = text;
    apply_masks(masked, f, "s");  // must not throw on any span
    if (round % 3 == 0) CHECK(masked.find(t.substr(9)) == std::string::npos);
  }
}
