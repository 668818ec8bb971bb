// Detection rules: the built-in set and the shape of user-defined ones.
#pragma once

#include <span>
#include <string>
#include <vector>

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

struct Rule {
  std::string id;                     // kind shown in markers and reports
  std::vector<std::string> keywords;  // lowercase; the rule runs only when one occurs (none = always)
  std::string regex;                  // RE2 syntax
  int group = 1;                      // capture group holding the secret (0 = whole match)
  double min_entropy = 0;             // Shannon bits per byte; the secret must exceed it
  Check check = Check::Token;
  bool boundary = false;              // the secret must not follow a word character
  Reach reach = Reach::Text;
};

// The built-in rules, most specific first.
std::span<const Rule> builtin_rules();

}  // namespace preloop::secrets
