// A prepared statement that finalizes itself; errors become StoreError.
#pragma once

#include <sqlite3.h>

#include <string>

#include "audit/store.h"

namespace preloop::audit {

class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : db_(db) {
    int rc = sqlite3_prepare_v2(db, sql.c_str(), int(sql.size()), &st_, nullptr);
    if (rc != SQLITE_OK) throw_sqlite(db, rc, "cannot prepare a statement");
  }
  Stmt(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(st_); }
  // True while a row is available; throws on errors.
  bool step() {
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw_sqlite(db_, rc, "statement failed");
  }
  void reset() { sqlite3_reset(st_); sqlite3_clear_bindings(st_); }
  sqlite3_stmt* get() const { return st_; }
  operator sqlite3_stmt*() const { return st_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

}  // namespace preloop::audit
