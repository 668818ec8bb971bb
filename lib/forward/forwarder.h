// Delivering the audit store to the configured sinks, at least once: the
// journal is folded first, then each sink gets the records after its cursor
// in batches, oldest first; the cursor advances only when the receiver
// accepted a batch. A failing sink waits (backoff.h) and keeps its records in
// the local store: nothing is dropped. One forwarder runs at a time (a lock
// beside the store); hooks only start it (hook/audit_step.cpp).
//
// The backlog bound: when more than a sink's max_backlog records wait, the sink
// is "behind": `doctor` warns and `audit forward` says so, and the records
// stay in the store, oldest sent first when the receiver is back. Records
// pruned before they were sent are counted and reported, never skipped silently.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "config/config.h"
#include "forward/state.h"

namespace preloop::forward {

struct ForwardOptions {
  std::filesystem::path db;
  std::string sink;            // only this sink; empty = all
  bool respect_backoff = true; // false: try a waiting sink now (`audit forward` by hand)
  std::string version;         // service.version in the records
  int busy_timeout_ms = 2000;
};

struct SinkResult {
  std::string name;
  std::int64_t sent = 0;       // records accepted during this pass
  SinkState state;             // after the pass
  bool waiting = false;        // skipped: in backoff until state.next_attempt_ms
};

struct PassResult {
  std::vector<SinkResult> sinks;
  std::string fold_error;      // journal records could not be folded (they are sent once they are)
  std::string error;           // the store could not be read
  bool left() const;           // records remain for some sink
};

// One pass over the sinks: each is sent everything after its cursor, or
// until a batch fails. The caller holds lock_forwarder().
PassResult forward_pass(const std::vector<ForwardSink>& sinks, const ForwardOptions& o);

// The host id records are identified by: the store's id, else a hash of the host name.
std::string host_id(const std::filesystem::path& db);

}  // namespace preloop::forward
