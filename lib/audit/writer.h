// Keeping one record whatever happens to the store: the store when it can be
// written, else the spool next to it, else a clear failure for the caller.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "audit/record.h"

namespace preloop::audit {

enum class Outcome { Stored, Spooled, Lost };

struct WriteResult {
  Outcome outcome = Outcome::Lost;
  std::int64_t seq = 0;          // when stored
  std::string failure_class;     // store failure (locked, read_only, disk_full, corrupt, ...), empty when stored
  std::string message;           // what went wrong, for stderr and the doctor
};

// Appends r to the store at db (waiting at most busy_timeout_ms for the write lock),
// falling back to the spool. Never throws.
WriteResult write_record(const std::filesystem::path& db, Record& r, int busy_timeout_ms);

}  // namespace preloop::audit
