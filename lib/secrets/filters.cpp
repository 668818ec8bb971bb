#include "secrets/filters.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <string>
#include <vector>

namespace preloop::secrets {
namespace {

bool contains_any(std::string_view hay, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view n) { return hay.find(n) != std::string_view::npos; });
}

// Longest run of one repeated byte.
std::size_t longest_run(std::string_view s) {
  std::size_t best = 0, run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    run = (i > 0 && s[i] == s[i - 1]) ? run + 1 : 1;
    best = std::max(best, run);
  }
  return best;
}

// Words of an identifier: split at non-alphanumerics and lower->upper case changes.
std::vector<std::string> words_of(std::string_view name) {
  std::vector<std::string> words;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(ascii_lower(cur));
    cur.clear();
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (!std::isalnum(c)) {
      flush();
      continue;
    }
    if (std::isupper(c) && !cur.empty() && std::islower(static_cast<unsigned char>(cur.back()))) flush();
    cur.push_back(static_cast<char>(c));
  }
  flush();
  return words;
}

bool one_of(std::string_view w, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), w) != set.end();
}

bool ends_with_any(std::string_view w, std::initializer_list<std::string_view> set) {
  return std::any_of(set.begin(), set.end(), [&](std::string_view s) { return w.ends_with(s); });
}

// A word that by itself means "secret".
bool secret_word(std::string_view w) {
  return one_of(w, {"password", "passwd", "pwd", "pass", "passphrase", "secret", "token", "key", "credential",
                    "credentials", "creds", "auth", "authorization", "cookie", "apikey", "pat"}) ||
         one_of(w, {"accesstoken", "authtoken", "apitoken", "secretkey", "accesskey", "privatekey", "authkey",
                    "apisecret", "clientsecret", "refreshtoken", "bearertoken", "sessiontoken", "dbpassword",
                    "adminpassword", "rootpassword"});
}

// Words that may follow the secret word in a name: `api_key_value`, `DB_PASSWORD_PROD`, `SECRET_KEY_BASE`.
bool qualifier_word(std::string_view w) {
  if (!w.empty() && std::all_of(w.begin(), w.end(), [](unsigned char c) { return std::isdigit(c); })) return true;
  return one_of(w, {"value", "val", "str", "string", "b64", "base64", "hex", "raw", "data", "plain", "plaintext",
                    "text", "enc", "encrypted", "base", "prod", "production", "dev", "development", "test", "staging",
                    "stage", "live", "local", "qa", "new", "old", "current", "secondary", "v1", "v2", "v3", "env"});
}

}  // namespace

double shannon_entropy(std::string_view s) {
  if (s.empty()) return 0;
  std::array<std::size_t, 256> counts{};
  for (unsigned char c : s) ++counts[c];
  double h = 0, n = static_cast<double>(s.size());
  for (std::size_t c : counts)
    if (c) {
      double p = static_cast<double>(c) / n;
      h -= p * std::log2(p);
    }
  return h;
}

bool is_placeholder(std::string_view value, bool loose) {
  if (value.empty()) return true;
  if (value.find("REDACTED") != std::string_view::npos) return true;
  if (value.find("EXAMPLE") != std::string_view::npos) return true;
  char first = value.front(), last = value.back();
  if (first == '$' || first == '<' || first == '{' || (first == '%' && last == '%') || (first == '@' && last == '@') ||
      (first == '[' && last == ']'))
    return true;
  if (contains_any(value, {"${", "{{", "}}", "<", ">", "$("})) return true;
  std::string l = ascii_lower(value);
  if (contains_any(l, {"xxxx", "****", "....", "####", "your_", "your-", "yourapi", "yourkey", "yourtoken", "example",
                       "changeme", "change_me", "change-me", "placeholder", "redacted", "replace_me", "replace-me",
                       "insert_", "insert-", "1234567890", "0123456789", "abcdefghij", "qwerty"}))
    return true;
  if (!loose) return false;
  if (contains_any(l, {"your", "dummy", "abcdefgh", "sample", "fake"}))
    return true;
  if (one_of(l, {"password", "passwd", "secret", "token", "apikey", "api_key", "null", "none", "true", "false",
                 "undefined", "empty", "hunter2", "pass", "test", "testing", "string", "username", "user"}))
    return true;
  return longest_run(value) >= 6;
}

bool is_identifier_like(std::string_view value) {
  // Split at separators; every part short, or every dotted part a name.
  std::vector<std::string_view> parts;
  std::size_t begin = 0;
  char sep = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || value[i] == '.' || value[i] == '_' || value[i] == '-') {
      if (i < value.size()) {
        if (sep && sep != value[i] && !(sep == '.' || value[i] == '.')) sep = '*';
        else if (!sep) sep = value[i];
      }
      parts.push_back(value.substr(begin, i - begin));
      begin = i + 1;
    }
  }
  if (parts.size() < 2) return false;
  for (auto p : parts)
    if (p.empty() || !std::all_of(p.begin(), p.end(), [](unsigned char c) { return std::isalnum(c); })) return false;
  // UUIDs (8-4-4-4-12 hex) are credentials under a secret name (Heroku, npm).
  if (parts.size() == 5 && parts[0].size() == 8 && parts[1].size() == 4 && parts[4].size() == 12) return false;
  bool dotted = value.find('.') != std::string_view::npos;
  bool names = std::all_of(parts.begin(), parts.end(), [](std::string_view p) {
    return std::isalpha(static_cast<unsigned char>(p.front())) || p.size() <= 3;
  });
  if (dotted && names) return true;
  return std::all_of(parts.begin(), parts.end(), [](std::string_view p) { return p.size() <= 10; });
}

bool is_reference_like(std::string_view value) {
  if (value.empty()) return true;
  if (value.starts_with("/") || value.starts_with("./") || value.starts_with("../") || value.starts_with("~/") ||
      value.starts_with("http:") || value.starts_with("https:") || value.starts_with("file:"))
    return true;
  bool digit = std::any_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); });
  bool ident = std::all_of(value.begin(), value.end(),
                           [](unsigned char c) { return std::isalpha(c) || c == '_' || c == '.' || c == '-'; });
  if (ident && !digit) {
    // A long mixed-case run of letters can still be a key; words and dotted names are not.
    bool upper = std::any_of(value.begin(), value.end(), [](unsigned char c) { return std::isupper(c); });
    bool lowr = std::any_of(value.begin(), value.end(), [](unsigned char c) { return std::islower(c); });
    bool dotted = value.find('.') != std::string_view::npos || value.find('_') != std::string_view::npos;
    if (dotted || !(upper && lowr) || value.size() < 20) return true;
  }
  // A file name with a common extension.
  std::string l = ascii_lower(value);
  return ends_with_any(l, {".pem", ".key", ".json", ".txt", ".yaml", ".yml", ".env", ".crt", ".p12", ".pfx",
                           ".conf", ".ini", ".toml", ".xml", ".py", ".js", ".ts", ".go", ".rs", ".sh"});
}

bool secret_name(std::string_view name) {
  std::vector<std::string> words = words_of(name);
  if (words.empty()) return false;
  for (const auto& w : words)
    if (one_of(w, {"public", "pub", "publishable", "sort", "primary", "foreign", "partition", "cache",
                   "idempotency", "hot", "lookup", "index", "row", "object", "dedup", "dedupe", "routing",
                   "translation", "i18n", "shard", "unique", "composite", "group", "max", "min", "num", "count",
                   "next", "prev", "previous", "page", "pagination", "cursor", "csrf", "xsrf", "has", "is", "use",
                   "enable", "enabled", "disable", "require", "required", "allow", "no", "skip"}))
      return false;
  const std::string& lastw = words.back();
  if (one_of(lastw, {"id", "ids", "name", "names", "file", "files", "path", "paths", "dir", "url", "uri", "endpoint",
                     "host", "type", "types", "length", "len", "size", "count", "ttl", "timeout", "expiry", "expires",
                     "expiration", "header", "prefix", "suffix", "field", "var", "ref", "hash", "digest"}))
    return false;
  // The secret word must end the name, or be followed only by qualifiers.
  std::size_t i = words.size();
  while (i > 1 && qualifier_word(words[i - 1])) --i;
  return secret_word(words[i - 1]);
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace preloop::secrets
