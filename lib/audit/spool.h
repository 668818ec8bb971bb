// The spool: an append-only JSONL file next to the database. The hook appends
// each record to it (one write, the commit point of the record) and the store
// folds it in, in batches, onto the hash chain; records also wait in it while
// the store is unusable. Appenders hold a shared flock and write each line with one
// O_APPEND write; the folder renames the file away and takes an exclusive lock,
// so no line written concurrently is lost.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "audit/record.h"

namespace preloop::audit {

// Data: fdatasync each line (survives an OS crash). None: the line is in the
// page cache when the call returns (survives a crash of the process, like a
// SQLite commit with synchronous=NORMAL in WAL mode).
enum class Sync { None, Data };

// Appends r as one JSON line (with a fresh spool_id when r has none) and returns
// the spool's size after it. Throws std::runtime_error (with errno text) when the
// line could not be written whole.
std::size_t spool_append(const std::filesystem::path& spool, Record& r, Sync sync);

// The spool renamed aside for folding, locked exclusively until destroyed.
class SpoolBatch {
 public:
  // Takes `spool.folding` if a previous fold left it, else renames `spool` to it.
  // Empty (no file) when nothing is spooled.
  explicit SpoolBatch(const std::filesystem::path& spool);
  SpoolBatch(const SpoolBatch&) = delete;
  ~SpoolBatch();
  bool empty() const { return fd_ < 0; }
  std::vector<Record> records;         // parsed lines
  std::vector<std::string> rejected;   // lines that are not a record
  // After the records are committed: moves rejected lines to `spool.rejected`
  // and removes the batch file.
  void done();

 private:
  std::filesystem::path spool_, file_;
  int fd_ = -1;
};

struct SpoolStatus {
  std::size_t pending = 0;   // lines waiting in the spool (and an unfinished fold)
  std::size_t rejected = 0;  // lines kept in spool.rejected that are not records
};
SpoolStatus spool_status(const std::filesystem::path& spool);

}  // namespace preloop::audit
