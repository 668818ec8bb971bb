// The store's identity (table store_meta): a random store id, made when the store
// reached schema version 2, and the first seq whose row hash is keyed (older rows
// keep their plain SHA-256); MAC'ed with the install key, fixed by a trigger.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

struct sqlite3;

namespace preloop::audit {

struct StoreIdentity {
  std::string store_id;         // 32 hex digits
  std::int64_t keyed_from = 1;  // rows from this seq on carry keyed hashes
  std::string created;          // RFC 3339
  std::string mac;              // hex HMAC-SHA256(install key, the fields above)
};

std::string identity_mac(const std::string& key, const StoreIdentity& id);
// nullopt when the store has none (schema version 1, or the row was removed).
std::optional<StoreIdentity> read_identity(sqlite3* db);
// Whether journal lines without a link may be folded in without being reported:
// only into a store that had rows before keys and has no keyed row yet (head_seq
// is its last seq), when lines an earlier version journaled may still wait.
inline bool lines_before_keys(const StoreIdentity& id, std::int64_t head_seq) {
  return id.keyed_from > 1 && head_seq < id.keyed_from;
}

// Inserts a fresh identity (inside the caller's write transaction). Throws StoreError.
StoreIdentity create_identity(sqlite3* db, const std::string& key, std::int64_t keyed_from);

}  // namespace preloop::audit
