// Masking of secrets in stored or displayed data (audit records, approval
// requests, `preloop-hook test` output). Every detected secret is replaced by
// a marker "[REDACTED:<kind>:<tag>]"; the tag is a keyed hash of the value and
// the session id, so the same secret gets the same marker within a session and
// different secrets can be told apart without being shown.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace preloop {
struct Config;
}

namespace preloop::secrets {

struct RedactOptions {
  std::string_view session_id;     // keys the marker tag; empty is allowed
  const Config* config = nullptr;  // user patterns/allowlist from `secrets:`; null = built-ins only
};

// Masks every secret found in text. Returns the number of secrets masked.
// Throws ConfigError when the `secrets:` section of config is invalid.
std::size_t redact_text(std::string& text, const RedactOptions& options = {});

// Masks every string in value (keys kept), recursing through arrays and
// objects. Values under secret-looking key names (password, passwd,
// passphrase, secret, token, api_key, private_key, access_key,
// authorization, credentials, cookie, ...; case-insensitive, any depth, any
// separator or camelCase) are replaced whole when they are strings, and every
// string below such a key when it is an object or array. Numbers, booleans and
// null keep their type. Returns the number of values masked.
std::size_t redact_json(nlohmann::json& value, const RedactOptions& options = {});

// True when a JSON key name means "the value is a secret" (the rule above).
bool is_secret_key_name(std::string_view key);

}  // namespace preloop::secrets
