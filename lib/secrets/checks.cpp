#include "secrets/checks.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "secrets/dummies.h"
#include "secrets/filters.h"

namespace preloop::secrets {
namespace {

std::string_view piece(const re2::StringPiece& p) { return {p.data(), p.size()}; }

bool is_b64(unsigned char c) { return std::isalnum(c) || c == '+' || c == '/' || c == '='; }

bool password_name(std::string_view name) {
  std::string l(name);
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  return l.find("pass") != std::string::npos || l.find("pwd") != std::string::npos;
}

// Key material in a PEM/PuTTY block: enough base64 with high entropy, no
// documentation ellipses.
bool has_key_material(std::string_view block) {
  if (block.find("xxxx") != std::string_view::npos || block.find("....") != std::string_view::npos ||
      block.find("...\n") != std::string_view::npos || block.find('<') != std::string_view::npos)
    return false;
  std::string body;
  bool in_armor = false;
  for (std::size_t i = 0; i < block.size(); ++i) {
    if (block.compare(i, 5, "-----") == 0) {
      in_armor = !in_armor;
      i += 4;
      continue;
    }
    if (in_armor) continue;
    unsigned char c = static_cast<unsigned char>(block[i]);
    if (c == '\\' && i + 1 < block.size() && (block[i + 1] == 'n' || block[i + 1] == 'r')) {
      ++i;
      continue;
    }
    if (is_b64(c)) body.push_back(static_cast<char>(c));
  }
  return body.size() >= 64 && shannon_entropy(body) > 4.5;
}

bool database_scheme(std::string_view scheme) {
  static constexpr std::array<std::string_view, 20> dbs = {
      "postgres", "postgresql", "mysql",   "mariadb", "mongodb",    "mongodb+srv", "redis",
      "rediss",   "amqp",       "amqps",   "mssql",   "sqlserver",  "clickhouse",  "cockroachdb",
      "oracle",   "cassandra",  "couchdb", "neo4j",   "postgis",    "timescaledb"};
  std::string l(scheme);
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  if (l.starts_with("jdbc")) return true;
  if (auto plus = l.find('+'); plus != std::string::npos && l != "mongodb+srv") l.resize(plus);  // postgresql+psycopg2
  return std::find(dbs.begin(), dbs.end(), l) != dbs.end();
}

}  // namespace

bool jose_header(std::string_view seg) {
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : seg.substr(0, 512)) {
    auto v = alphabet.find(c);
    if (v == std::string_view::npos) return false;
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xff));
    }
  }
  return out.find("\"alg\"") != std::string::npos || out.find("\"typ\"") != std::string::npos ||
         out.find("\"enc\"") != std::string::npos;
}

// Text right after a value that shows it was cut short for display:
// `ops_eyJzaW..`, `xoxp-1-2-3-####`, `ghp_abc…`, `sk-***`.
bool elided_after(std::string_view text, std::size_t end) {
  std::string_view rest = text.substr(end, 3);
  return rest.starts_with("..") || rest.starts_with("\xE2\x80\xA6") || rest.starts_with("**") || rest.starts_with("##");
}

bool mixed(std::string_view s) {
  bool up = false, low = false, dig = false;
  for (unsigned char c : s) {
    up |= std::isupper(c) != 0;
    low |= std::islower(c) != 0;
    dig |= std::isdigit(c) != 0;
  }
  return up && low && dig;
}

// The line of text holding [start, end).
std::string_view line_of(std::string_view text, std::size_t start, std::size_t end) {
  std::size_t from = text.rfind('\n', start);
  from = from == std::string_view::npos ? 0 : from + 1;
  std::size_t to = text.find('\n', end);
  return text.substr(from, to == std::string_view::npos ? std::string_view::npos : to - from);
}

std::optional<Finding> evaluate(const Match& m) {
  const Rule& rule = m.rule;
  int g = std::min<int>(rule.group, static_cast<int>(m.groups.size()) - 1);
  if (g > 0 && m.groups[static_cast<std::size_t>(g)].data() == nullptr) {
    // Alternations: the first group that took part in the match.
    g = 0;
    for (std::size_t i = 1; i < m.groups.size(); ++i)
      if (m.groups[i].data() && !m.groups[i].empty()) {
        g = static_cast<int>(i);
        break;
      }
  }
  std::string_view secret = piece(m.groups[static_cast<std::size_t>(g)]);
  // Trim what a greedy class may take from the surroundings.
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.remove_suffix(1);
  if (rule.check == Check::Assignment || rule.check == Check::Token)
    while (!secret.empty() && (secret.back() == '.' || secret.back() == '\\')) secret.remove_suffix(1);
  if (secret.empty()) return std::nullopt;
  const std::size_t secret_start = static_cast<std::size_t>(secret.data() - m.text.data());
  const std::size_t secret_end = secret_start + secret.size();
  if (rule.boundary && secret_start > 0) {
    unsigned char before = static_cast<unsigned char>(m.text[secret_start - 1]);
    if (std::isalnum(before) || before == '_') return std::nullopt;
  }
  if (rule.check != Check::PrivateKey && elided_after(m.text, secret_end)) return std::nullopt;

  Finding f;
  f.kind = rule.id;
  f.start = static_cast<std::size_t>(secret.data() - m.text.data());
  f.end = f.start + secret.size();

  switch (rule.check) {
    case Check::PrivateKey:
      if (!has_key_material(secret)) return std::nullopt;
      return f;
    case Check::Jwt: {
      if (is_placeholder(secret, false)) return std::nullopt;
      if (!jose_header(secret.substr(0, secret.find('.')))) return std::nullopt;
      break;
    }
    case Check::UrlPassword: {
      std::string_view password = piece(m.groups[3]);
      if (is_placeholder(password) || is_placeholder(secret, false)) return std::nullopt;
      // postgres:postgres@localhost, root:password123@db: a local fixture, not a secret.
      std::string_view user = piece(m.groups[2]);
      user = user.substr(0, user.find(':'));
      const std::size_t host_at = static_cast<std::size_t>(m.groups[0].data() - m.text.data()) + m.groups[0].size() - 1;
      if (local_host(host_prefix(m.text.substr(host_at))) && (well_known_dummy(password) || password == user))
        return std::nullopt;
      if (database_scheme(piece(m.groups[1]))) f.kind = "database-url";
      return f;
    }
    case Check::CurlUser: {
      std::string cred;
      for (char c : secret)
        if (c != '"' && c != '\'') cred.push_back(c);
      if (cred.find_first_of("[<(") != std::string::npos || cred.find("{{") != std::string::npos) return std::nullopt;
      auto colon = cred.find(':');
      std::string_view user = std::string_view(cred).substr(0, colon), pass = std::string_view(cred).substr(colon + 1);
      auto unbrace = [](std::string_view v) {
        return v.size() >= 2 && v.front() == '{' && v.back() == '}' ? v.substr(1, v.size() - 2) : v;
      };
      user = unbrace(user);
      pass = unbrace(pass);
      if (user.starts_with("$") || pass.starts_with("$")) return std::nullopt;  // shell variables
      std::string_view key = pass.empty() ? user : pass;
      if (key.size() < 6 || is_placeholder(key) || shannon_entropy(key) <= 2.5) return std::nullopt;
      // curl -u admin:password123 http://localhost:8080: a local fixture.
      if (well_known_dummy(key) && local_host(first_url_host(line_of(m.text, secret_start, secret_end))))
        return std::nullopt;
      return f;
    }
    case Check::Assignment: {
      std::string_view name = piece(m.groups[1]);
      if (!secret_name(name)) return std::nullopt;
      if (is_placeholder(secret) || is_reference_like(secret) || is_identifier_like(secret)) return std::nullopt;
      bool pw = password_name(name);
      if (secret.size() < (pw ? 6u : 8u) || secret.size() > 512) return std::nullopt;
      if (shannon_entropy(secret) <= (pw ? 2.5 : 3.5)) return std::nullopt;
      // {"password":"password123"} posted to http://localhost:8080: a local fixture.
      if (well_known_dummy(secret) && local_host(first_url_host(line_of(m.text, secret_start, secret_end))))
        return std::nullopt;
      f.generic = true;
      return f;
    }
    case Check::Credential:
      if (is_placeholder(secret) || is_reference_like(secret)) return std::nullopt;
      break;
    case Check::VaultLegacy: {
      if (!mixed(secret)) return std::nullopt;
      std::string before(m.text.substr(f.start > 40 ? f.start - 40 : 0, std::min<std::size_t>(f.start, 40)));
      std::transform(before.begin(), before.end(), before.begin(), [](unsigned char c) { return std::tolower(c); });
      if (before.find("vault") == std::string::npos && before.find("token") == std::string::npos) return std::nullopt;
      break;
    }
    case Check::AwsKeyId:
    case Check::Token:
      if (is_placeholder(secret, false)) return std::nullopt;
      break;
  }
  if (rule.min_entropy > 0 && shannon_entropy(secret) <= rule.min_entropy) return std::nullopt;
  return f;
}

}  // namespace preloop::secrets
