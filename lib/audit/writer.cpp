#include "audit/writer.h"

#include "audit/location.h"
#include "audit/spool.h"
#include "audit/store.h"

namespace preloop::audit {

WriteResult write_record(const std::filesystem::path& db, Record& r, int busy_timeout_ms) {
  WriteResult res;
  try {
    Store store = Store::open(db, {.read_only = false, .busy_timeout_ms = busy_timeout_ms});
    res.seq = store.append(r);
    res.outcome = Outcome::Stored;
    return res;
  } catch (const StoreError& e) {
    res.failure_class = to_string(e.failure);
    res.message = e.what();
  } catch (const std::exception& e) {
    res.failure_class = "io";
    res.message = e.what();
  }
  r.failure_class = r.failure_class.empty() ? "audit_" + res.failure_class
                                            : r.failure_class + ",audit_" + res.failure_class;
  std::filesystem::path spool = spool_path(db);
  try {
    spool_append(spool, r);
    res.outcome = Outcome::Spooled;
    res.message = "audit store unavailable (" + res.message + "); record kept in " + spool.string() +
                  " until the store can be written";
  } catch (const std::exception& e) {
    res.outcome = Outcome::Lost;
    res.message = "audit record could not be kept: store: " + res.message + "; spool: " + e.what();
  }
  return res;
}

}  // namespace preloop::audit
