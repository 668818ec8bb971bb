// The head witness: the last head of the chain a writer saw (store id, seq, hash),
// kept outside the store's directory ($XDG_STATE_HOME/preloop-hook/witness/, one
// file per database path, owner-only) and MAC'ed with the install key. Writers
// advance it after every commit (a direct append, a fold); `audit verify` compares
// the store with it, which names a deleted, replaced, truncated or rolled-back store.
// A witness that disagrees with its store is never overwritten: removing the file
// is how a user accepts a store after investigating.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace preloop::audit {

struct Witness {
  std::string store_id;
  std::int64_t seq = 0;
  std::string hash;
  std::string mac;
};

std::filesystem::path witness_path(const std::filesystem::path& db);
std::string witness_mac(const std::string& key, const std::filesystem::path& db, const Witness& w);
// nullopt when there is no witness file; a file that cannot be parsed comes back
// with an empty mac (it then fails its MAC check).
std::optional<Witness> read_witness(const std::filesystem::path& db);
// Rewrites the witness in place with one write (mac is computed here). Throws
// std::runtime_error.
void write_witness(const std::filesystem::path& db, const std::string& key, Witness w);

}  // namespace preloop::audit
