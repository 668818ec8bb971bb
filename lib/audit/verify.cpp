#include "audit/verify.h"

#include <cstdint>
#include <optional>
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
#include "audit/witness.h"

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

// What the store says about itself, for the checks against its witness.
struct StoreFacts {
  std::optional<StoreIdentity> identity;
  bool triggers = true;                     // the append-only triggers are in place
  std::optional<std::string> witnessed_hash;  // the chain's hash at the witness's seq
};

std::string seq_range(std::int64_t from, std::int64_t to) {
  return from == to ? std::to_string(from) : std::to_string(from) + "-" + std::to_string(to);
}

bool has(const std::string& classes, std::string_view c) {
  for (std::size_t pos = 0; pos <= classes.size();) {
    std::size_t comma = std::min(classes.find(',', pos), classes.size());
    if (std::string_view(classes).substr(pos, comma - pos) == c) return true;
    pos = comma + 1;
  }
  return false;
}

void check_identity(VerifyReport& rep, sqlite3* h, const std::string& key, StoreFacts& f) {
  Stmt version(h, "PRAGMA user_version");
  int v = version.step() ? sqlite3_column_int(version, 0) : 0;
  f.identity = read_identity(h);
  if (v < 2) return;  // written before keys: every row has a plain hash, nothing more to check
  if (!f.identity) {
    problem(rep, 0, "the store's identity (store_meta) was removed");
  } else if (!key.empty() && identity_mac(key, *f.identity) != f.identity->mac) {
    problem(rep, 0, "the store's identity (store_meta) is forged (bad MAC), or the audit key was replaced");
  }
  Stmt trig(h, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
               "('events_append_only', 'events_prune_only', 'store_meta_fixed')");
  f.triggers = trig.step() && sqlite3_column_int(trig, 0) == 3;
}

// The store against its head witness (see witness.h).
void check_witness(VerifyReport& rep, const fs::path& db, const std::optional<Witness>& w, const std::string& key,
                   const StoreFacts& f) {
  const std::string path = witness_path(db).string();
  if (!w) {
    if (f.identity && rep.last_seq >= f.identity->keyed_from)
      problem(rep, 0, "the head witness " + path + " is missing: it was deleted, or could not be written");
    return;
  }
  rep.witness_seq = w->seq;
  if (!key.empty() && witness_mac(key, db, *w) != w->mac)
    problem(rep, 0, "the head witness " + path + " is forged (bad MAC), or the audit key was replaced");
  const std::string saw = "the witness saw " + std::to_string(w->seq) + " row(s) of store " + w->store_id;
  if (!f.identity || f.identity->store_id != w->store_id) {
    std::string now = f.identity ? "store " + f.identity->store_id : "a store without an identity";
    problem(rep, 0, "store replaced: " + db.string() + " is " + now +
                        (rep.last_seq == 0 ? ", empty" : ", up to seq " + std::to_string(rep.last_seq)) + "; " + saw +
                        " (remove " + path + " to accept this store)");
  } else if (rep.last_seq < w->seq) {
    if (!f.triggers)
      problem(rep, rep.last_seq + 1,
              "rows " + seq_range(rep.last_seq + 1, w->seq) + " missing from the end: the store was truncated (" +
                  saw + "; its append-only triggers were dropped)");
    else
      problem(rep, rep.last_seq + 1,
              "store older than its witness: it ends at seq " + std::to_string(rep.last_seq) + ", " + saw +
                  " (rolled back to an older copy)");
  } else if (f.witnessed_hash && *f.witnessed_hash != w->hash) {
    problem(rep, w->seq,
            "seq " + std::to_string(w->seq) + " differs from the witness: the chain was rewritten at or before it");
  }
}

// Lines still waiting in the journal (and an unfinished fold) against their chain.
void check_journals(VerifyReport& rep, const fs::path& db, const std::string& key, const StoreFacts& f) {
  if (key.empty()) return;
  bool allow_unlinked = !f.identity || lines_before_keys(*f.identity, rep.last_seq);
  for (const fs::path& file : {spool_path(db), fs::path(spool_path(db)).concat(".folding")}) {
    JournalCheck j = check_journal(file, key, allow_unlinked);
    if (j.breaks)
      problem(rep, 0, "journal " + file.string() + " edited or cut at line " + std::to_string(j.first_break) + " (" +
                          std::to_string(j.breaks) + " of its " + std::to_string(j.lines) +
                          " line(s) break its chain)");
  }
}

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
  std::optional<Witness> witness = read_witness(db);
  std::string key;
  std::string key_error;
  try {
    key = install_key(db, false);
  } catch (const std::exception& e) {
    key_error = e.what();
  }
  std::error_code ec;
  if (witness && !fs::exists(db, ec)) {
    problem(rep, 0, "store deleted: " + db.string() + " is gone; the witness saw " + std::to_string(witness->seq) +
                        " row(s) of store " + witness->store_id + " (" + witness_path(db).string() + ")");
    rep.witness_seq = witness->seq;
    return rep;
  }
  try {
    Store store = Store::open(db, {.read_only = true});
    sqlite3* h = store.handle();
    StoreFacts facts;
    check_identity(rep, h, key, facts);
    std::int64_t keyed_from = facts.identity ? facts.identity->keyed_from : INT64_MAX;
    std::vector<Checkpoint> cps;
    Stmt c(h, "SELECT seq_from, seq_upto, head_hash, timestamp, mac FROM checkpoints ORDER BY seq_upto");
    while (c.step())
      cps.push_back({sqlite3_column_int64(c, 0), sqlite3_column_int64(c, 1), col(c, 2), col(c, 3), col(c, 4)});
    rep.checkpoints = std::int64_t(cps.size());
    if (key.empty() && (!cps.empty() || facts.identity))
      problem(rep, 0, "cannot check keyed hashes and checkpoints: " + key_error);
    std::int64_t expect_from = 1;
    for (const auto& cp : cps) {
      if (cp.from != expect_from)
        problem(rep, expect_from,
                "checkpoint up to seq " + std::to_string(cp.upto) + " starts at " + std::to_string(cp.from) +
                    ", expected " + std::to_string(expect_from) + " (pruned range missing)");
      if (cp.upto < cp.from) problem(rep, cp.from, "checkpoint up to seq " + std::to_string(cp.upto) + " is empty");
      if (!key.empty() && checkpoint_mac(key, cp.from, cp.upto, cp.head, cp.ts) != cp.mac)
        problem(rep, cp.upto, "checkpoint up to seq " + std::to_string(cp.upto) + " forged (bad MAC)");
      if (witness && cp.upto == witness->seq) facts.witnessed_hash = cp.head;
      expect_from = cp.upto + 1;
    }
    std::int64_t expect = cps.empty() ? 1 : cps.back().upto + 1;
    std::string prev = cps.empty() ? kGenesisHash : cps.back().head;
    Stmt rows(h, std::string("SELECT ") + store.columns() + " FROM events ORDER BY seq");
    while (rows.step()) {
      Record r = read_record(rows);
      if (rep.rows++ == 0) rep.first_seq = r.seq;
      if (r.seq != expect)
        problem(rep, expect,
                r.seq > expect ? "seq " + seq_range(expect, r.seq - 1) + " missing"
                               : "seq " + std::to_string(r.seq) + " out of place (covered by a checkpoint)");
      if (r.prev_hash != prev) problem(rep, r.seq, "seq " + std::to_string(r.seq) + " does not link to its predecessor");
      bool keyed = r.seq >= keyed_from;
      if ((!keyed || !key.empty()) && compute_hash(r, keyed ? key : "") != r.hash)
        problem(rep, r.seq, "seq " + std::to_string(r.seq) + " edited (hash mismatch)");
      if (has(r.failure_class, kJournalBreak))
        problem(rep, r.seq,
                "journal edited or cut before seq " + std::to_string(r.seq) +
                    " was folded in (its journal line broke the chain)");
      if (witness && r.seq == witness->seq) facts.witnessed_hash = r.hash;
      prev = r.hash;
      expect = r.seq + 1;
      rep.last_seq = r.seq;
    }
    rep.head_hash = prev;
    if (rep.rows == 0 && !cps.empty()) rep.last_seq = cps.back().upto;
    if (facts.identity && !facts.triggers)
      problem(rep, 0, "the store's append-only triggers were dropped: it was edited outside preloop-hook");
    check_witness(rep, db, witness, key, facts);
    check_journals(rep, db, key, facts);
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
