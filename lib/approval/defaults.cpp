// The process-dependent defaults (environment, XDG paths), kept apart so the
// rest of the library is testable with explicit inputs.
#include <cstdlib>

#include "approval/credentials.h"
#include "config/paths.h"

namespace preloop::approval {

CredentialSources default_credential_sources(const ApprovalSettings& settings) {
  CredentialSources s;
  if (const char* v = std::getenv("PRELOOP_URL")) s.env_url = v;
  if (const char* v = std::getenv("PRELOOP_API_KEY")) s.env_token = v;
  s.config_url = settings.url;
  s.file = settings.credentials_file.empty() ? paths::credentials_file() : paths::expand_user(settings.credentials_file);
  if (settings.preloop_cli_credentials) s.preloop_cli_dir = paths::home_dir() / ".preloop" / "agents";
  return s;
}

}  // namespace preloop::approval
