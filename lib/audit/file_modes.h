// Owner-only modes for the audit store's files: the database, its -wal and
// -shm (which SQLite creates with the database's mode), the journal and the
// key hold tool inputs and the key that binds them, so no one else may read them.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace preloop::audit {

struct LooseMode {
  std::filesystem::path path;
  mode_t mode = 0;      // as found
  bool fixed = false;   // tightened to owner-only
};

// Tightens the store's files next to db (db, -wal, -shm, the journal and the
// key) to owner-only when they are regular files of this user with group or
// other bits set; never follows a link. Returns every loose file, fixed or not.
std::vector<LooseMode> tighten_store_modes(const std::filesystem::path& db);

// The SQLite files only (db, -wal, -shm): what opening the store for writing checks.
void tighten_sqlite_modes(const std::filesystem::path& db);

// "0644"
std::string mode_text(mode_t mode);

}  // namespace preloop::audit
