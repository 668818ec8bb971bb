// Where credentials live: private keys, cloud credentials, key stores,
// environment files. What a read of a path (or a glob, or a recursive read of
// a directory) reaches.
#pragma once

#include <string_view>

namespace preloop::shell {

// `path` is a credential file or directory: `.ssh/id_*`, `*.pem`, `*.key`,
// `.env` and `.env.*`, `.aws/credentials`, gcloud and azure configuration,
// `.kube/config`, key stores (`*.p12`, `*.pfx`, `*.jks`, `*.keystore`),
// `.netrc`, `.git-credentials`, `.pgpass`, docker's `config.json`, `.gnupg`,
// or one of home's `.ssh`, `.aws`, `.gnupg`, `.config/gcloud`, `.azure` (and
// what lies below); not `*.pub`, `known_hosts`, `.ssh/config`,
// `authorized_keys`, `.aws/config` or example env files (`.env*.example`,
// `.sample`, `.template`, `.dist`).
bool credential_path(std::string_view path, std::string_view home);

// A read of `path` reaches a credential: it is one, or it is a glob or a
// recursive read that covers one of home's (`cat ~/.ssh/*`, `grep -r x ~`), or
// a glob that covers an `.env` or `.env.local` in its own directory (`cat .env*`;
// `*` does not match a leading dot).
bool reaches_credential(std::string_view path, std::string_view home, bool glob, bool recursive);

}  // namespace preloop::shell
