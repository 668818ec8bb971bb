#include "audit/writer.h"

#include <sys/stat.h>

#include "audit/key.h"
#include "audit/location.h"
#include "audit/spool.h"
#include "audit/store.h"

namespace preloop::audit {
namespace {

// The key that chains journal lines; none (an unlinked line, which verify reports)
// when it cannot be read: the record is still kept.
std::string journal_key(const std::filesystem::path& db) {
  try {
    return install_key(db);
  } catch (const std::exception&) {
    return {};
  }
}

// The store first; StoreError and anything else become the result's failure.
bool try_store(const std::filesystem::path& db, Record& r, int busy_timeout_ms, WriteResult& res) {
  try {
    Store store = Store::open(db, {.read_only = false, .busy_timeout_ms = busy_timeout_ms});
    res.seq = store.append(r);
    res.outcome = Outcome::Stored;
    return true;
  } catch (const StoreError& e) {
    res.failure_class = to_string(e.failure);
    res.message = e.what();
  } catch (const std::exception& e) {
    res.failure_class = "io";
    res.message = e.what();
  }
  return false;
}

WriteResult write_direct(const std::filesystem::path& db, Record& r, int busy_timeout_ms) {
  WriteResult res;
  if (try_store(db, r, busy_timeout_ms, res)) return res;
  r.origin = "spool";
  r.failure_class = r.failure_class.empty() ? "audit_" + res.failure_class
                                            : r.failure_class + ",audit_" + res.failure_class;
  std::filesystem::path spool = spool_path(db);
  try {
    spool_append(spool, r, Sync::Data, journal_key(db));
    res.outcome = Outcome::Spooled;
    res.message = "audit store unavailable (" + res.message + "); record kept in " + spool.string() +
                  " until the store can be written";
  } catch (const std::exception& e) {
    res.outcome = Outcome::Lost;
    res.message = "audit record could not be kept: store: " + res.message + "; spool: " + e.what();
  }
  return res;
}

WriteResult write_journal(const std::filesystem::path& db, Record& r, const WriteOptions& opts) {
  WriteResult res;
  std::filesystem::path spool = spool_path(db);
  std::size_t size = 0;
  try {
    size = spool_append(spool, r, Sync::None, journal_key(db));
  } catch (const std::exception& e) {
    // No journal: the store directly is the last place left.
    std::string journal_error = e.what();
    if (try_store(db, r, opts.busy_timeout_ms, res)) return res;
    res.outcome = Outcome::Lost;
    res.message = "audit record could not be kept: spool: " + journal_error + "; store: " + res.message;
    return res;
  }
  res.outcome = Outcome::Journaled;
  if (size < opts.fold_at_bytes) return res;
  // Another writer means another fold is under way: not worth waiting for.
  FoldResult f = fold_pending(db, std::min(opts.busy_timeout_ms, 50));
  if (!f.error.empty() && !f.locked)
    res.message = "audit store unavailable (" + f.error + "); records wait in " + spool.string() +
                  " until the store can be written";
  return res;
}

bool present(const std::filesystem::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

bool waiting(const std::filesystem::path& spool) {
  return present(spool) || present(std::filesystem::path(spool).concat(".folding"));
}

}  // namespace

WriteResult write_record(const std::filesystem::path& db, Record& r, const WriteOptions& opts) {
  return opts.mode == WriteMode::Direct ? write_direct(db, r, opts.busy_timeout_ms) : write_journal(db, r, opts);
}

FoldResult fold_pending(const std::filesystem::path& db, int busy_timeout_ms) {
  FoldResult res;
  std::filesystem::path spool = spool_path(db);
  if (!waiting(spool)) return res;
  try {
    Store store = Store::open(db, {.read_only = false, .busy_timeout_ms = busy_timeout_ms});
    // One batch per transaction; a batch written meanwhile is the next one.
    for (int round = 0; round < 4 && waiting(spool);
         ++round)
      res.added += store.fold_spool();
  } catch (const StoreError& e) {
    res.locked = e.failure == Failure::Locked;
    res.error = e.what();
  } catch (const std::exception& e) {
    res.error = e.what();
  }
  return res;
}

}  // namespace preloop::audit
