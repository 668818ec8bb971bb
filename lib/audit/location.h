// Where the audit store keeps its files.
#pragma once

#include <filesystem>

namespace preloop {
struct Config;
}

namespace preloop::audit {

// The database: $PRELOOP_HOOK_AUDIT_DB, else cfg->audit_path, else paths::default_audit_db().
std::filesystem::path db_path(const Config* cfg);
// Next to the database: the per-install HMAC key (owner-only) and the fallback spool.
std::filesystem::path key_path(const std::filesystem::path& db);
std::filesystem::path spool_path(const std::filesystem::path& db);

}  // namespace preloop::audit
