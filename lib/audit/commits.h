// Commits made by recorded tool calls. A GitCommit record (chained like every
// other) carries them in its arguments ({"repository", "branch", "commits":
// [ids], ...}); the commits table indexes them by id, filled as the record is
// inserted, so that `audit blame` finds a commit by a prefix of its id.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audit/record.h"
#include "audit/store.h"

struct sqlite3;

namespace preloop::audit {

inline constexpr const char* kCommitEvent = "GitCommit";

struct CommitRef {
  std::string commit_id, repository, branch;
  std::int64_t seq = 0;  // the GitCommit record
};

// The commits r names, when it is a GitCommit record; empty otherwise.
std::vector<CommitRef> commits_of(const Record& r);

// Indexes the commits of r (inserted as seq r.seq) in the commits table.
void index_commits(sqlite3* db, const Record& r);

// The commits whose id starts with prefix (hex, at least 4 digits), oldest
// first. Throws std::invalid_argument for a prefix that is not one; empty for a
// store older than the commits table.
std::vector<CommitRef> find_commits(const Store& store, const std::string& prefix);

}  // namespace preloop::audit
