// Precision filters applied to candidate secrets after a regex match.
#pragma once

#include <string>
#include <string_view>

namespace preloop::secrets {

// s with ASCII letters in lower case.
std::string ascii_lower(std::string_view s);

// Shannon entropy of the bytes of s, in bits per byte.
double shannon_entropy(std::string_view s);

// Documentation and template values that are not secrets: `${VAR}`, `$VAR`,
// `{{ x }}`, `%VAR%`, `<token>`, `[PASSWORD]`, `your-api-key`, `xxxx`,
// `changeme`, `****`, `...EXAMPLE`, and existing `[REDACTED:...]` markers.
// With loose = true (values of `name = value` and the like, which have no
// format to vouch for them) also words such as `password`/`test`/`sample`,
// runs of one character and `1234567890`-style sequences.
bool is_placeholder(std::string_view value, bool loose = true);

// A value shaped like an identifier rather than a secret: dotted names
// (`X25519.KeyPair`, `jetbrains.mps.v8`), snake/kebab names of short parts
// (`DOC_Vector_5_32`, `cmp2-qat-1208358310`). UUIDs are not included.
bool is_identifier_like(std::string_view value);

// A value that names something rather than holding a secret: a word or
// dotted identifier without digits (`getpass`, `self.token`, `os.environ`),
// a path, a URL, a boolean.
bool is_reference_like(std::string_view value);

// Key names of `name = value` assignments and JSON objects. True when the
// name says the value is a secret: the last word (split at _ . - and
// camelCase) is password/passwd/pwd/passphrase/secret/token/key/credentials/
// auth/authorization/cookie or a compound of them (apikey, accesstoken), and
// no word says otherwise (public, id, name, url, path, type, length, ...).
bool secret_name(std::string_view name);

}  // namespace preloop::secrets
