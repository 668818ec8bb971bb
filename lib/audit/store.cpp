#include "audit/store.h"

#include <cerrno>
#include <map>
#include <pwd.h>
#include <chrono>
#include <sys/stat.h>
#include <thread>

#include "audit/commits.h"
#include "audit/file_modes.h"
#include "audit/key.h"
#include "audit/location.h"
#include "audit/rows.h"
#include "audit/schema.h"
#include "audit/sha256.h"
#include "audit/spool.h"
#include "audit/sql.h"
#include "audit/witness.h"
#include "process/linkage.h"

namespace preloop::audit {
namespace fs = std::filesystem;
namespace {

// Short, growing sleeps: SQLite's default busy handler sleeps up to 100 ms at a
// time, far too coarse for dozens of hooks appending at once.
struct BusyWait {
  std::chrono::milliseconds timeout{0};
  std::chrono::steady_clock::time_point deadline;
};

int busy_handler(void* arg, int count) {
  auto* w = static_cast<BusyWait*>(arg);
  if (std::chrono::steady_clock::now() >= w->deadline) return 0;
  std::this_thread::sleep_for(std::chrono::microseconds(50 * std::min(count + 1, 40)));
  return 1;
}

thread_local BusyWait t_busy;

class Txn {
 public:
  explicit Txn(sqlite3* db) : db_(db) {
    t_busy.deadline = std::chrono::steady_clock::now() + t_busy.timeout;
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) throw_sqlite(db, rc, "cannot start a write transaction");
  }
  void commit() {
    int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) throw_sqlite(db_, rc, "cannot commit the audit record");
    done_ = true;
  }
  ~Txn() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

 private:
  sqlite3* db_;
  bool done_ = false;
};

void read_head(sqlite3* db, std::int64_t& seq, std::string& head) {
  Stmt last(db, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
  if (last.step()) {
    seq = sqlite3_column_int64(last, 0);
    head = reinterpret_cast<const char*>(sqlite3_column_text(last, 1));
    return;
  }
  Stmt cp(db, "SELECT seq_upto, head_hash FROM checkpoints ORDER BY seq_upto DESC LIMIT 1");
  if (cp.step()) {
    seq = sqlite3_column_int64(cp, 0);
    head = reinterpret_cast<const char*>(sqlite3_column_text(cp, 1));
    return;
  }
  seq = 0;
  head = kGenesisHash;
}

int user_version(sqlite3* db) {
  Stmt st(db, "PRAGMA user_version");
  return st.step() ? sqlite3_column_int(st, 0) : 0;
}

// Brings the schema to the latest version and gives the store its identity, in
// one transaction.
void migrate(sqlite3* db, const std::string& key) {
  int rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db, rc, "cannot switch the audit store to WAL");
  Txn txn(db);
  int v = user_version(db);  // again, now that we hold the write lock
  for (; v < schema::kLatest; ++v) {
    rc = sqlite3_exec(db, schema::kMigrations[v], nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) throw_sqlite(db, rc, "cannot migrate the audit store to version " + std::to_string(v + 1));
  }
  rc = sqlite3_exec(db, ("PRAGMA user_version=" + std::to_string(v)).c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db, rc, "cannot record the audit schema version");
  if (!read_identity(db)) {
    // Rows so far keep their plain hashes; every row from the next one on is keyed.
    std::int64_t seq;
    std::string head;
    read_head(db, seq, head);
    create_identity(db, key, seq + 1);
  }
  txn.commit();
}

}  // namespace

std::string_view to_string(Failure f) {
  switch (f) {
    case Failure::Locked: return "locked";
    case Failure::ReadOnly: return "read_only";
    case Failure::Full: return "disk_full";
    case Failure::Corrupt: return "corrupt";
    case Failure::Newer: return "newer_schema";
    case Failure::Io: return "io";
  }
  return "io";
}

void throw_sqlite(sqlite3* db, int rc, const std::string& what) {
  std::string msg = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: throw StoreError(Failure::Locked, msg + " (another process holds the write lock)");
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN: throw StoreError(Failure::ReadOnly, msg);
    case SQLITE_FULL: throw StoreError(Failure::Full, msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: throw StoreError(Failure::Corrupt, msg);
    default:
      if (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC || rc == SQLITE_IOERR_TRUNCATE)
        throw StoreError(Failure::Full, msg + " (the file cannot grow)");
      throw StoreError(Failure::Io, msg);
  }
}

Store Store::open(const fs::path& db_file, const OpenOptions& opts) {
  if (!opts.read_only && db_file.has_parent_path()) {
    std::error_code ec;
    if (fs::create_directories(db_file.parent_path(), ec))
      ::chmod(db_file.parent_path().c_str(), 0700);  // only a directory we created
    else if (ec)
      throw StoreError(Failure::ReadOnly, "cannot create " + db_file.parent_path().string() + ": " + ec.message());
  }
  int flags = (opts.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
  sqlite3* db = nullptr;
  if (!opts.read_only) tighten_sqlite_modes(db_file);  // before SQLite copies the database's mode to -wal, -shm
  int rc = sqlite3_open_v2(db_file.c_str(), &db, flags, nullptr);
  Store store(db, db_file);
  if (rc != SQLITE_OK) throw_sqlite(db, rc, "cannot open the audit store " + db_file.string());
  t_busy.timeout = std::chrono::milliseconds(opts.busy_timeout_ms);
  t_busy.deadline = std::chrono::steady_clock::now() + t_busy.timeout;
  sqlite3_busy_handler(db, busy_handler, &t_busy);
  int v = user_version(db);
  if (v > schema::kLatest)
    throw StoreError(Failure::Newer, db_file.string() + " has audit schema version " + std::to_string(v) +
                                         ", newer than this preloop-hook (" + std::to_string(schema::kLatest) + ")");
  if (opts.read_only) {
    if (v < 1) throw StoreError(Failure::Corrupt, db_file.string() + " is not an audit store");
    store.version_ = v;
    // Readers scan whole tables (exports): pages through the mapping, not a pread each.
    store.exec("PRAGMA mmap_size=1073741824");
    return store;
  }
  // WAL with synchronous=NORMAL: a commit survives a crash of the process; only an
  // OS crash or power loss can lose the last transactions (no fsync per record).
  store.exec("PRAGMA synchronous=NORMAL");
  // Each hook process is usually the only connection: without these, closing it
  // would checkpoint (fsync) and delete the WAL on every call. Checkpoints then
  // happen after appends instead (see keep_wal_small).
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  int persist = 1;
  sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  try {
    store.key_ = install_key(db_file);
  } catch (const std::runtime_error& e) {
    throw StoreError(Failure::Io, e.what());
  }
  std::optional<StoreIdentity> id = v < schema::kLatest ? std::nullopt : read_identity(db);
  if (!id) {
    migrate(db, store.key_);
    if (v < schema::kLatest) tighten_sqlite_modes(db_file);  // a new store: the -wal, -shm made with its first mode
    id = read_identity(db);
    if (!id) throw StoreError(Failure::Corrupt, db_file.string() + " has no store identity after migration");
  }
  store.identity_ = std::move(*id);
  store.version_ = schema::kLatest;
  return store;
}

const char* Store::columns() const { return schema::columns(version_); }

Store::~Store() {
  if (db_) sqlite3_close_v2(db_);
}

void Store::exec(const char* sql) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, std::string("audit store: ") + sql);
}

namespace {

// The name of uid, looked up once per process: hooks record only their uid,
// since a name lookup through NSS costs a hook about twenty system calls.
const std::string& user_name(std::int64_t uid) {
  static std::map<std::int64_t, std::string> names;
  auto [it, fresh] = names.try_emplace(uid);
  if (fresh) {
    process::nss_files_only_if_static();
    passwd pw{};
    passwd* found = nullptr;
    char buf[4096];
    bool ok = ::getpwuid_r(uid_t(uid), &pw, buf, sizeof buf, &found) == 0 && found && found->pw_name;
    it->second = ok ? found->pw_name : "uid:" + std::to_string(uid);
  }
  return it->second;
}

}  // namespace

void Store::insert(Record& r, std::int64_t& seq, std::string& head) {
  static const std::string sql = [] {
    std::string q = std::string("INSERT INTO events(") + schema::kColumns + ") VALUES(?";
    for (int i = 1; i < schema::kColumnCount; ++i) q += ",?";
    return q + ")";
  }();
  if (r.os_user.empty() && r.os_uid >= 0) r.os_user = user_name(r.os_uid);
  r.seq = ++seq;
  r.prev_hash = head;
  r.hash = compute_hash(r, key_);
  Stmt st(db_, sql);
  bind_record(st, r);
  st.step();
  index_commits(db_, r);
  head = r.hash;
}

std::size_t Store::fold_locked(std::int64_t& seq, std::string& head, Batches& batches) {
  fs::path spool = spool_path(path_);
  std::size_t added = 0;
  // One batch per transaction: an unfinished fold first, else the live spool.
  struct stat sb{};
  if (::stat(fs::path(spool).concat(".folding").c_str(), &sb) != 0 && ::stat(spool.c_str(), &sb) != 0) return 0;
  auto batch = std::make_unique<SpoolBatch>(spool, key_, lines_before_keys(identity_, seq));
  if (batch->empty()) return 0;
  // `spool_id != ''` lets SQLite use the partial unique index: without it the
  // check scans the whole table, once per folded record.
  Stmt seen(db_, "SELECT 1 FROM events WHERE spool_id = ?1 AND spool_id != ''");
  for (Record& r : batch->records) {
    seen.reset();
    sqlite3_bind_text(seen, 1, r.spool_id.data(), int(r.spool_id.size()), SQLITE_STATIC);
    if (seen.step()) continue;  // folded before, and the batch file outlived the commit
    insert(r, seq, head);
    ++added;
  }
  batches.push_back(std::move(batch));
  return added;
}

namespace {

// The first connection of each hook process re-reads the whole WAL to rebuild
// its index, so a WAL left to grow makes every call slower (~8 ms at 2.7 MB).
// Truncating it once it passes 64 pages keeps that read short; the fsync it
// costs is paid once per few dozen calls. A busy WAL is simply left for later.
void keep_wal_small(sqlite3* db) {
  const char* file = sqlite3_db_filename(db, "main");
  struct stat st {};
  if (!file || ::stat((std::string(file) + "-wal").c_str(), &st) != 0 || st.st_size < 256 * 1024) return;
  sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
}

}  // namespace

std::int64_t Store::append(Record& r) {
  Batches batches;
  Txn txn(db_);
  std::int64_t seq;
  std::string head;
  read_head(db_, seq, head);
  const Witness before{identity_.store_id, seq, head, ""};
  fold_locked(seq, head, batches);
  insert(r, seq, head);
  txn.commit();
  for (auto& b : batches) b->done();
  advance_witness(before, seq, head);
  keep_wal_small(db_);
  return r.seq;
}

std::size_t Store::fold_spool() {
  Batches batches;
  Txn txn(db_);
  std::int64_t seq;
  std::string head;
  read_head(db_, seq, head);
  const Witness before{identity_.store_id, seq, head, ""};
  std::size_t added = fold_locked(seq, head, batches);
  txn.commit();
  for (auto& b : batches) b->done();
  advance_witness(before, seq, head);
  keep_wal_small(db_);
  return added;
}

// Whether the chain still holds hash at seq: the row, else the checkpoint ending
// there, else a row pruned inside a checkpointed range.
bool Store::on_chain(std::int64_t seq, const std::string& hash) {
  if (seq == 0) return hash == kGenesisHash;
  Stmt row(db_, "SELECT hash FROM events WHERE seq = ?1 UNION ALL SELECT head_hash FROM checkpoints WHERE seq_upto = ?1");
  sqlite3_bind_int64(row, 1, seq);
  if (row.step()) return hash == reinterpret_cast<const char*>(sqlite3_column_text(row, 0));
  Stmt pruned(db_, "SELECT 1 FROM checkpoints WHERE seq_from <= ?1 AND seq_upto >= ?1");
  sqlite3_bind_int64(pruned, 1, seq);
  return pruned.step();
}

// After a commit: the witness moves to the new head unless it names another store,
// a later head, or a head this chain no longer holds (verify reports those; the
// witness keeps the evidence). Concurrent writers may leave it at an earlier head
// of the same chain, never at one the store does not hold. before is the head the
// transaction started from: a witness there needs no look-up.
void Store::advance_witness(const Witness& before, std::int64_t seq, const std::string& head) noexcept {
  try {
    if (std::optional<Witness> w = read_witness(path_)) {
      if (w->store_id != identity_.store_id || w->seq > seq || w->mac != witness_mac(key_, path_, *w)) return;
      if (w->seq == seq && w->hash == head) return;
      bool at_start = w->seq == before.seq && w->hash == before.hash;
      if (!at_start && !on_chain(w->seq, w->hash)) return;
    }
    write_witness(path_, key_, {identity_.store_id, seq, head, ""});
  } catch (const std::exception&) {
    // verify reports a missing or stale witness
  }
}

std::string checkpoint_mac(const std::string& key, std::int64_t seq_from, std::int64_t seq_upto,
                           const std::string& head_hash, const std::string& ts) {
  std::string msg = "preloop-audit-checkpoint-v1\n" + std::to_string(seq_from) + "\n" + std::to_string(seq_upto) +
                    "\n" + head_hash + "\n" + ts + "\n";
  return to_hex(hmac_sha256(key, msg));
}

std::optional<Store::SeqRange> Store::prune_range(const std::string& cutoff) const {
  // Rows go from the oldest on, up to the first row that is not older than the cutoff,
  // so that what remains is one contiguous chain.
  Stmt first_kept(db_, "SELECT MIN(seq) FROM events WHERE timestamp >= ?");
  sqlite3_bind_text(first_kept, 1, cutoff.data(), int(cutoff.size()), SQLITE_STATIC);
  first_kept.step();
  Stmt bounds(db_, "SELECT MIN(seq), MAX(seq) FROM events");
  bounds.step();
  if (sqlite3_column_type(bounds, 0) == SQLITE_NULL) return std::nullopt;
  const std::int64_t lo = sqlite3_column_int64(bounds, 0);
  const std::int64_t upto = sqlite3_column_type(first_kept, 0) == SQLITE_NULL ? sqlite3_column_int64(bounds, 1)
                                                                               : sqlite3_column_int64(first_kept, 0) - 1;
  if (upto < lo) return std::nullopt;
  return SeqRange{lo, upto};
}

std::size_t Store::prune_before(const std::string& cutoff) {
  Txn txn(db_);
  const auto range = prune_range(cutoff);
  if (!range) return 0;
  const std::int64_t lo = range->from, upto = range->upto;
  Stmt head(db_, "SELECT hash FROM events WHERE seq = ?");
  sqlite3_bind_int64(head, 1, upto);
  if (!head.step()) throw StoreError(Failure::Corrupt, "audit row " + std::to_string(upto) + " is missing");
  std::string head_hash = reinterpret_cast<const char*>(sqlite3_column_text(head, 0));
  std::string ts = now_rfc3339();
  Stmt cp(db_, "INSERT INTO checkpoints(seq_upto, seq_from, head_hash, timestamp, mac) VALUES(?,?,?,?,?)");
  sqlite3_bind_int64(cp, 1, upto);
  sqlite3_bind_int64(cp, 2, lo);
  sqlite3_bind_text(cp, 3, head_hash.data(), int(head_hash.size()), SQLITE_STATIC);
  sqlite3_bind_text(cp, 4, ts.data(), int(ts.size()), SQLITE_STATIC);
  std::string mac = checkpoint_mac(key_, lo, upto, head_hash, ts);
  sqlite3_bind_text(cp, 5, mac.data(), int(mac.size()), SQLITE_STATIC);
  cp.step();
  Stmt del(db_, "DELETE FROM events WHERE seq <= ?");
  sqlite3_bind_int64(del, 1, upto);
  del.step();
  std::size_t removed = std::size_t(sqlite3_changes(db_));
  txn.commit();
  return removed;
}

}  // namespace preloop::audit
