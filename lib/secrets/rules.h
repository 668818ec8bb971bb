// Detection rules: the built-in set and the shape of user-defined ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "secrets/keywords.h"

namespace preloop::secrets {

// What the detector checks after a regex match, beyond entropy.
enum class Check {
  Token,        // a token format: placeholder filter only
  Assignment,   // `name = value`: group 1 is the name, group 2 the value
  PrivateKey,   // PEM/OpenSSH block: the body must carry key material
  Jwt,          // header must decode to a JOSE header
  UrlPassword,  // scheme://user:password@host: kind depends on the scheme
  AwsKeyId,     // AWS access key id: documentation keys are skipped
  Credential,   // a header credential: words and variable references are skipped
  CurlUser,     // curl -u user:password: shell variables and templates are skipped
  VaultLegacy,  // "s." + 24: mixed case and digits, "vault" or "token" within 40 bytes before
};

// Where a rule's matches can lie relative to its keywords, so that a scan
// searches only that part of a long text. Anything but Text is a promise
// about the regex: break it and matches are missed.
enum class Reach {
  Text,     // anywhere: the regex searches the whole text
  Line,     // each match holds one of the keywords and no line break but as its first or last byte
  Keyword,  // each match starts with one of the keywords
  Name,     // each match starts where a run of [A-Za-z0-9_.-] holding one of the keywords starts
};

// A detection rule. Views: the built-in rules are constants, and a user
// pattern's rule() views the Pattern's own strings.
struct Rule {
  std::string_view id;                // kind shown in markers and reports
  std::string_view keywords;          // lowercase, '|'-separated; the rule runs only when one occurs (none = always)
  std::string_view regex;             // RE2 syntax
  int group = 1;                      // capture group holding the secret (0 = whole match)
  double min_entropy = 0;             // Shannon bits per byte; the secret must exceed it
  Check check = Check::Token;
  bool boundary = false;              // the secret must not follow a word character
  Reach reach = Reach::Text;
};

// A user-defined rule (the `secrets.patterns` of config.yaml).
struct Pattern {
  std::string id;
  std::string keywords;  // as Rule::keywords
  std::string regex;
  int group = 1;
  double min_entropy = 0;
  Check check = Check::Token;
  bool boundary = false;
  Reach reach = Reach::Text;
  Rule rule() const { return {id, keywords, regex, group, min_entropy, check, boundary, reach}; }
};

// The built-in rules, most specific first.
std::span<const Rule> builtin_rules();

// The built-in rules' keyword prefilter, built at compile time: the distinct
// keywords of builtin_rules() and their tables.
const keyword_tables::View& builtin_keywords();
// Indexes into builtin_rules() of the rules that keyword (an index into
// builtin_keywords().keywords) gates.
std::span<const std::uint16_t> builtin_keyword_rules(std::size_t keyword);

// Calls f(keyword) for each keyword of a '|'-separated list.
template <typename F>
constexpr void for_each_keyword(std::string_view list, F f) {
  while (!list.empty()) {
    const std::size_t bar = list.find('|');
    f(list.substr(0, bar));
    if (bar == std::string_view::npos) break;
    list.remove_prefix(bar + 1);
  }
}

}  // namespace preloop::secrets
