#include "audit/location.h"

#include <cstdlib>

#include "config/config.h"
#include "config/paths.h"

namespace preloop::audit {
namespace fs = std::filesystem;

fs::path db_path(const Config* cfg) {
  if (const char* env = std::getenv("PRELOOP_HOOK_AUDIT_DB"); env && *env) return paths::expand_user(env);
  if (cfg && !cfg->audit_path.empty()) return paths::expand_user(cfg->audit_path.string());
  return paths::default_audit_db();
}

fs::path key_path(const fs::path& db) { return fs::path(db).concat(".key"); }
fs::path spool_path(const fs::path& db) { return fs::path(db).concat(".spool.jsonl"); }

}  // namespace preloop::audit
