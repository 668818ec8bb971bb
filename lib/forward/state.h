// Per-sink forwarding state beside the audit store, in <db>.forward/ (owner-only):
// <sink>.json holds the cursor (the last record the sink accepted) and what
// `doctor` and `audit forward` report; `lock` is held by the one running
// forwarder. Every save is atomic (a temporary file renamed over the old one).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace preloop::forward {

struct SinkState {
  std::int64_t cursor_seq = 0;     // the last record the sink accepted (0: none yet)
  std::string cursor_hash;         // that record's hash: a rewritten store is noticed
  std::string last_success;        // RFC 3339 of the last accepted batch
  std::string last_attempt;
  std::string last_error;          // empty after a success; never holds a credential
  std::int64_t backlog = 0;        // records after the cursor when last looked at
  bool behind = false;             // backlog above the sink's max_backlog
  std::int64_t failures = 0;       // consecutive failed attempts
  std::int64_t next_attempt_ms = 0;  // epoch ms: background runs wait until then
  std::int64_t delivered = 0;      // records accepted in total
  std::int64_t pruned_unsent = 0;  // records pruned from the store before they were sent
};

// <db>.forward
std::filesystem::path state_dir(const std::filesystem::path& db);

// The state of sink `name`; default when none was saved. Throws
// std::runtime_error when the file exists but cannot be read or parsed.
SinkState load_state(const std::filesystem::path& db, const std::string& name);
// Same, nullopt when absent (doctor).
std::optional<SinkState> read_state(const std::filesystem::path& db, const std::string& name);

// Saves atomically, owner-only (the directory is created 0700). Throws std::runtime_error.
void save_state(const std::filesystem::path& db, const std::string& name, const SinkState& s);

// The forwarder's lock (flock on <db>.forward/lock). fd >= 0 when held.
struct Lock {
  int fd = -1;
  explicit operator bool() const { return fd >= 0; }
  Lock() = default;
  Lock(Lock&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Lock& operator=(Lock&&) = delete;
  ~Lock();
};
// wait: block until the lock is free; else give up at once when it is held.
Lock lock_forwarder(const std::filesystem::path& db, bool wait);

}  // namespace preloop::forward
