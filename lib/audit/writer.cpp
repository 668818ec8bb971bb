#include "audit/writer.h"

#include <chrono>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

bool present(const std::filesystem::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

bool waiting(const std::filesystem::path& spool) {
  return present(spool) || present(std::filesystem::path(spool).concat(".folding"));
}

WriteResult write_direct(const std::filesystem::path& db, Record& r, int busy_timeout_ms) {
  WriteResult res;
  std::filesystem::path spool = spool_path(db);
  // Records wait in the spool (the store was unavailable): this one queues behind
  // them, so that the chain keeps answer order and the hook never folds a backlog.
  if (waiting(spool)) {
    try {
      spool_append(spool, r, Sync::Data, journal_key(db));
      res.outcome = Outcome::Journaled;
      res.fold_due = true;
      return res;
    } catch (const std::exception&) {
      // The store itself is the last place left.
    }
  }
  if (try_store(db, r, busy_timeout_ms, res)) return res;
  r.origin = "spool";
  r.failure_class = r.failure_class.empty() ? "audit_" + res.failure_class
                                            : r.failure_class + ",audit_" + res.failure_class;
  try {
    spool_append(spool, r, Sync::Data, journal_key(db));
    res.outcome = Outcome::Spooled;
    res.fold_due = true;
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
  res.fold_due = size >= opts.fold_at_bytes;
  return res;
}

}  // namespace

WriteResult write_record(const std::filesystem::path& db, Record& r, const WriteOptions& opts) {
  return opts.mode == WriteMode::Direct ? write_direct(db, r, opts.busy_timeout_ms) : write_journal(db, r, opts);
}

namespace {

// True when the marker was not touched within the last second; touches it.
bool claim_marker(const std::filesystem::path& marker) {
  constexpr auto kEvery = std::chrono::seconds(1);
  struct stat st {};
  if (::stat(marker.c_str(), &st) == 0) {
    auto started = std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec);
    auto now = std::chrono::system_clock::now().time_since_epoch();
    if (now - started < kEvery && now >= started) return false;
  }
  int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);  // a FIFO: no wait
  if (fd < 0) return false;
  bool ok = ::futimens(fd, nullptr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

bool claim_background_fold(const std::filesystem::path& db) {
  return claim_marker(std::filesystem::path(db).concat(".fold-started"));
}

bool claim_background_forward(const std::filesystem::path& db) {
  return claim_marker(std::filesystem::path(db).concat(".forward-started"));
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
