// Where the approval service's URL and API token come from, first found wins:
//   1. PRELOOP_API_KEY (token) and PRELOOP_URL (URL) in the environment;
//   2. preloop-hook's credentials file (paths::credentials_file(), owner-only):
//        url: https://preloop.example.com
//        api_key: <token>            # "token" is accepted too
//   3. the official Preloop CLI's hook credentials, newest of
//      ~/.preloop/agents/*/permission_hook.json ({"base_url": ..., "token": ...}).
// The URL is PRELOOP_URL, else approval.url, else the URL stored with the token.
// A credentials file readable by group or others is refused, never read.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include "approval/settings.h"

namespace preloop::approval {

struct Credentials {
  std::string url;     // base URL without a trailing slash
  std::string token;
  std::string source;  // "environment" or the file it came from (never the token)
};

struct CredentialSources {
  std::string env_url;                     // PRELOOP_URL
  std::string env_token;                   // PRELOOP_API_KEY
  std::string config_url;                  // approval.url
  std::filesystem::path file;              // preloop-hook credentials file
  std::filesystem::path preloop_cli_dir;   // ~/.preloop/agents, empty = not consulted
};

// A credential that exists but cannot be used (insecure mode, unreadable,
// malformed, token without URL). The message never contains the token.
struct CredentialError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads an owner-only file (never through a link, never a FIFO or device,
// at most 64 KiB); nullopt when it does not exist. Throws CredentialError
// when it is readable by group or others or owned by someone else.
std::optional<std::string> read_private_file(const std::filesystem::path& path);

// nullopt when no token is configured anywhere.
std::optional<Credentials> resolve_credentials(const CredentialSources& sources);

// The sources of this process: environment, settings and the default paths.
CredentialSources default_credential_sources(const ApprovalSettings& settings);

// Cheap check for the hot path (no file is read): could a service be configured?
bool service_maybe_configured(const CredentialSources& sources);

}  // namespace preloop::approval
