#include "audit/verify.h"

#include <sys/stat.h>
#include <unistd.h>

#include "audit/file_modes.h"
#include "audit/key.h"
#include "audit/location.h"
#include "audit/record.h"
#include "audit/rows.h"
#include "audit/schema.h"
#include "audit/spool.h"
#include "audit/sql.h"
#include "audit/store.h"

namespace preloop::audit {
namespace fs = std::filesystem;
namespace {

std::string col(sqlite3_stmt* st, int i) {
  const unsigned char* p = sqlite3_column_text(st, i);
  return p ? reinterpret_cast<const char*>(p) : "";
}

void problem(VerifyReport& rep, std::int64_t seq, const std::string& what) {
  if (rep.ok || rep.first_bad_seq == 0) rep.first_bad_seq = seq;
  rep.ok = false;
  if (rep.problems.size() < 20) rep.problems.push_back(what);
}

struct Checkpoint {
  std::int64_t from, upto;
  std::string head, ts, mac;
};

}  // namespace

ChainHead chain_head(const fs::path& db) {
  Store store = Store::open(db, {.read_only = true});
  Stmt last(store.handle(),
            "SELECT seq, hash FROM events UNION ALL SELECT seq_upto, head_hash FROM checkpoints "
            "ORDER BY 1 DESC LIMIT 1");
  if (!last.step()) return {0, kGenesisHash};
  return {sqlite3_column_int64(last, 0), col(last, 1)};
}

VerifyReport verify(const fs::path& db) {
  VerifyReport rep;
  SpoolStatus sp = spool_status(spool_path(db));
  rep.spooled = sp.pending;
  rep.rejected = sp.rejected;
  if (sp.pending)
    problem(rep, 0, std::to_string(sp.pending) + " record(s) are waiting in the spool " + spool_path(db).string() +
                        " (the store could not be written; they are folded in on the next successful write)");
  if (sp.rejected)
    problem(rep, 0, std::to_string(sp.rejected) + " damaged spool line(s) kept in " +
                        spool_path(db).string() + ".rejected could not be folded in");
  try {
    Store store = Store::open(db, {.read_only = true});
    sqlite3* h = store.handle();
    std::vector<Checkpoint> cps;
    Stmt c(h, "SELECT seq_from, seq_upto, head_hash, timestamp, mac FROM checkpoints ORDER BY seq_upto");
    while (c.step())
      cps.push_back({sqlite3_column_int64(c, 0), sqlite3_column_int64(c, 1), col(c, 2), col(c, 3), col(c, 4)});
    rep.checkpoints = std::int64_t(cps.size());
    std::string key;
    if (!cps.empty()) {
      try {
        key = install_key(db, false);
      } catch (const std::exception& e) {
        problem(rep, 0, std::string("cannot check checkpoints: ") + e.what());
      }
    }
    std::int64_t expect_from = 1;
    for (const auto& cp : cps) {
      if (cp.from != expect_from)
        problem(rep, expect_from,
                "checkpoint up to seq " + std::to_string(cp.upto) + " starts at " + std::to_string(cp.from) +
                    ", expected " + std::to_string(expect_from) + " (pruned range missing)");
      if (cp.upto < cp.from) problem(rep, cp.from, "checkpoint up to seq " + std::to_string(cp.upto) + " is empty");
      if (!key.empty() && checkpoint_mac(key, cp.from, cp.upto, cp.head, cp.ts) != cp.mac)
        problem(rep, cp.upto, "checkpoint up to seq " + std::to_string(cp.upto) + " has a bad MAC (edited)");
      expect_from = cp.upto + 1;
    }
    std::int64_t expect = cps.empty() ? 1 : cps.back().upto + 1;
    std::string prev = cps.empty() ? kGenesisHash : cps.back().head;
    Stmt rows(h, std::string("SELECT ") + schema::kColumns + " FROM events ORDER BY seq");
    while (rows.step()) {
      Record r = read_record(rows);
      if (rep.rows++ == 0) rep.first_seq = r.seq;
      if (r.seq != expect)
        problem(rep, expect,
                r.seq > expect ? "seq " + std::to_string(expect) + (r.seq - expect > 1 ? "-" + std::to_string(r.seq - 1) : "") +
                                     " missing"
                               : "seq " + std::to_string(r.seq) + " out of place (covered by a checkpoint)");
      if (r.prev_hash != prev) problem(rep, r.seq, "seq " + std::to_string(r.seq) + " does not link to its predecessor");
      if (compute_hash(r) != r.hash) problem(rep, r.seq, "seq " + std::to_string(r.seq) + " was altered (hash mismatch)");
      prev = r.hash;
      expect = r.seq + 1;
      rep.last_seq = r.seq;
    }
    rep.head_hash = prev;
    if (rep.rows == 0 && !cps.empty()) rep.last_seq = cps.back().upto;
  } catch (const StoreError& e) {
    problem(rep, 0, std::string("cannot read the audit store (") + std::string(to_string(e.failure)) + "): " + e.what());
  } catch (const std::exception& e) {
    problem(rep, 0, std::string("cannot read the audit store: ") + e.what());
  }
  return rep;
}

Health health(const fs::path& db) {
  Health h;
  auto finding = [&](const std::string& s) { h.ok = false; h.findings.push_back(s); };
  std::error_code ec;
  if (!fs::exists(db, ec)) {
    h.findings.push_back("audit store " + db.string() + " not created yet (created on the first hook call)");
  } else {
    try {
      Store store = Store::open(db, {.read_only = true});
      Stmt st(store.handle(), "SELECT count(*) FROM events");
      st.step();
    } catch (const std::exception& e) {
      finding(std::string("audit store ") + db.string() + ": " + e.what());
    }
    for (const char* suffix : {"", "-wal", "-shm"}) {
      fs::path f = fs::path(db).concat(suffix);
      if (fs::exists(f, ec) && ::access(f.c_str(), W_OK) != 0)
        finding("audit store file " + f.string() + " is not writable (records go to the spool)");
    }
  }
  // Owner-only files: tightened here when they are ours, reported when they cannot be.
  for (const LooseMode& m : tighten_store_modes(db)) {
    if (m.fixed)
      h.findings.push_back(m.path.string() + " was mode " + mode_text(m.mode) + "; made owner-only (0600)");
    else
      finding(m.path.string() + " is readable by other users (mode " + mode_text(m.mode) +
              ") and could not be made owner-only: chmod 600 " + m.path.string());
  }
  SpoolStatus sp = spool_status(spool_path(db));
  if (sp.pending) finding(std::to_string(sp.pending) + " audit record(s) waiting in " + spool_path(db).string());
  if (sp.rejected) finding(std::to_string(sp.rejected) + " damaged spool line(s) in " + spool_path(db).string() + ".rejected");
  return h;
}

}  // namespace preloop::audit
