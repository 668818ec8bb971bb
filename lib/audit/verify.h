// Checking the store: the hash chain (plain and keyed row hashes), sequence gaps,
// prune checkpoints, the store's identity, its head witness, the journal's chain.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace preloop::audit {

struct ChainHead {
  std::int64_t seq = 0;    // 0 for an empty store
  std::string hash;        // hex; 64 zeros for an empty store
};

// The current head of the chain (sent to the approval service as a witness).
// Throws StoreError when the store cannot be read.
ChainHead chain_head(const std::filesystem::path& db);

struct VerifyReport {
  bool ok = true;
  std::int64_t rows = 0;
  std::int64_t first_seq = 0, last_seq = 0;
  std::string head_hash;
  std::int64_t first_bad_seq = 0;   // first broken or missing seq, 0 when none
  std::int64_t checkpoints = 0;
  std::int64_t witness_seq = -1;    // the head witness's seq, -1 without a witness
  std::size_t spooled = 0;          // records waiting in the spool (not yet in the chain)
  std::size_t rejected = 0;         // spool lines that are not records
  std::vector<std::string> problems;
};

// Recomputes every link. Never throws: an unreadable store is a problem in the report.
VerifyReport verify(const std::filesystem::path& db);

// A quick check for `preloop-hook doctor`: the store opens at the current schema,
// the key is owner-only, nothing is waiting in the spool.
struct Health {
  bool ok = true;
  std::vector<std::string> findings;  // one line each, empty when all is well
};
Health health(const std::filesystem::path& db);

}  // namespace preloop::audit
