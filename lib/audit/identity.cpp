#include "audit/identity.h"

#include <sqlite3.h>

#include "audit/key.h"
#include "audit/record.h"
#include "audit/sha256.h"
#include "audit/sql.h"

namespace preloop::audit {

std::string identity_mac(const std::string& key, const StoreIdentity& id) {
  std::string msg = "preloop-audit-store-v1\n" + id.store_id + "\n" + std::to_string(id.keyed_from) + "\n" +
                    id.created + "\n";
  return to_hex(hmac_sha256(key, msg));
}

std::optional<StoreIdentity> read_identity(sqlite3* db) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT store_id, keyed_from, created, mac FROM store_meta WHERE id = 1", -1, &st,
                         nullptr) != SQLITE_OK) {
    sqlite3_finalize(st);
    return std::nullopt;  // no such table: a version 1 store
  }
  std::optional<StoreIdentity> id;
  if (sqlite3_step(st) == SQLITE_ROW) {
    auto text = [&](int i) {
      const unsigned char* p = sqlite3_column_text(st, i);
      return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
    };
    id = StoreIdentity{text(0), sqlite3_column_int64(st, 1), text(2), text(3)};
  }
  sqlite3_finalize(st);
  return id;
}

StoreIdentity create_identity(sqlite3* db, const std::string& key, std::int64_t keyed_from) {
  StoreIdentity id{random_id(), keyed_from, now_rfc3339(), ""};
  id.mac = identity_mac(key, id);
  Stmt ins(db, "INSERT INTO store_meta(id, store_id, keyed_from, created, mac) VALUES(1, ?, ?, ?, ?)");
  sqlite3_bind_text(ins, 1, id.store_id.data(), int(id.store_id.size()), SQLITE_STATIC);
  sqlite3_bind_int64(ins, 2, id.keyed_from);
  sqlite3_bind_text(ins, 3, id.created.data(), int(id.created.size()), SQLITE_STATIC);
  sqlite3_bind_text(ins, 4, id.mac.data(), int(id.mac.size()), SQLITE_STATIC);
  ins.step();
  return id;
}

}  // namespace preloop::audit
