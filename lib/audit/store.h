// The SQLite audit store: open (with schema migrations), append to the hash
// chain under BEGIN IMMEDIATE, fold in the fallback spool, prune with checkpoints.
// Writers hash rows with the install key and advance the head witness (witness.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/identity.h"
#include "audit/record.h"

struct sqlite3;

namespace preloop::audit {
class SpoolBatch;
struct Witness;
}

namespace preloop::audit {

// Why the store could not be used; the class is recorded and reported.
enum class Failure { Locked, ReadOnly, Full, Corrupt, Newer, Io };
std::string_view to_string(Failure f);  // "locked" "read_only" "disk_full" "corrupt" "newer_schema" "io"

struct StoreError : std::runtime_error {
  StoreError(Failure f, const std::string& msg) : std::runtime_error(msg), failure(f) {}
  Failure failure;
};

struct OpenOptions {
  bool read_only = false;      // commands that only read: never create or migrate
  int busy_timeout_ms = 2000;  // how long to wait for another writer's lock
};

class Store {
 public:
  // Opens (read-write: creating the file and schema when missing, and reading the
  // install key) the database. Throws StoreError.
  static Store open(const std::filesystem::path& db, const OpenOptions& opts = {});
  Store(Store&& o) noexcept
      : db_(o.db_), path_(std::move(o.path_)), key_(std::move(o.key_)), identity_(std::move(o.identity_)),
        version_(o.version_) {
    o.db_ = nullptr;
  }
  Store& operator=(Store&&) = delete;
  ~Store();

  // Appends r (seq, prev_hash and hash are assigned) after folding in any spooled
  // records, in one write transaction. Returns r.seq. Throws StoreError.
  std::int64_t append(Record& r);

  // Folds the spool into the store (one write transaction). Returns rows added.
  std::size_t fold_spool();

  // Deletes rows older than cutoff (RFC 3339) from the oldest on, keeping the chain
  // verifiable through a checkpoint of the pruned head. Returns rows removed.
  std::size_t prune_before(const std::string& cutoff);

  // The seq range prune_before(cutoff) would remove, nullopt when none
  // (`audit prune --dry-run`).
  struct SeqRange {
    std::int64_t from = 0, upto = 0;
    std::int64_t count() const { return upto - from + 1; }
  };
  std::optional<SeqRange> prune_range(const std::string& cutoff) const;

  sqlite3* handle() const { return db_; }
  const std::filesystem::path& path() const { return path_; }
  // The schema version (older only when opened read-only) and the events
  // columns it answers, as schema::kColumns (read with read_record).
  int schema_version() const { return version_; }
  const char* columns() const;

 private:
  Store(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  void exec(const char* sql);
  using Batches = std::vector<std::unique_ptr<SpoolBatch>>;
  void insert(Record& r, std::int64_t& seq, std::string& head);
  std::size_t fold_locked(std::int64_t& seq, std::string& head, Batches& batches);
  void advance_witness(const Witness& before, std::int64_t seq, const std::string& head) noexcept;
  bool on_chain(std::int64_t seq, const std::string& hash);
  sqlite3* db_;
  std::filesystem::path path_;
  std::string key_;          // writers only
  StoreIdentity identity_;   // writers only
  int version_ = 0;
};

// Maps a SQLite result code to a StoreError with context.
[[noreturn]] void throw_sqlite(sqlite3* db, int rc, const std::string& what);

// HMAC over a checkpoint's fields with the install key (hex).
std::string checkpoint_mac(const std::string& key, std::int64_t seq_from, std::int64_t seq_upto,
                           const std::string& head_hash, const std::string& ts);

}  // namespace preloop::audit
