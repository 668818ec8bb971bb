// Keeping one record whatever happens to the store.
//   journal (default): the record is appended to the spool with one write — its
//     commit point — and the spool is folded onto the hash chain in batches, by
//     a detached `audit fold` that the hook finding the spool past a size starts,
//     and by every `audit` command;
//   direct: the record is committed to the store; while older records wait in
//     the spool it joins them there (fsync'ed), so the chain keeps answer order.
// A hook never folds: the work of a fold grows with what waits, and a hook must
// answer within a fixed budget. When nothing can keep the record the caller gets
// a clear failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "audit/record.h"

namespace preloop::audit {

enum class WriteMode { Journal, Direct };

struct WriteOptions {
  WriteMode mode = WriteMode::Journal;
  int busy_timeout_ms = 2000;            // the longest wait for another writer's lock
  std::size_t fold_at_bytes = 64 * 1024;  // journal: start a fold once the spool is this big
};

enum class Outcome { Stored, Journaled, Spooled, Lost };

struct WriteResult {
  Outcome outcome = Outcome::Lost;
  std::int64_t seq = 0;          // when stored directly
  std::string failure_class;     // store failure (locked, read_only, disk_full, corrupt, ...), empty when fine
  std::string message;           // what went wrong, for stderr and the doctor; empty when fine
  bool fold_due = false;         // records wait in the spool: the caller should start a fold
};

// Keeps r as opts.mode says. Never throws.
WriteResult write_record(const std::filesystem::path& db, Record& r, const WriteOptions& opts);

struct FoldResult {
  std::size_t added = 0;
  bool locked = false;  // another writer held the store past the wait
  std::string error;    // why waiting records could not be folded; empty when done
};

// Folds every waiting spool record onto the chain (creating the store when there
// is none yet). Cheap when nothing waits. Never throws.
FoldResult fold_pending(const std::filesystem::path& db, int busy_timeout_ms);

// True at most once a second per store: the caller that gets true starts the
// background fold (one stat of a marker file when a fold was started recently).
bool claim_background_fold(const std::filesystem::path& db);
// The same for the background forwarder (`audit forward`, which folds first).
bool claim_background_forward(const std::filesystem::path& db);

}  // namespace preloop::audit
