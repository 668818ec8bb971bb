// The store's tables and their migrations (PRAGMA user_version = index reached).
// Readers accept every version from 1 on: columns are only ever added, and a
// reader of an older store selects '' in their place (columns(version)).
#pragma once

namespace preloop::audit::schema {

// Migration i takes user_version i to i + 1.
inline constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE events(
  seq INTEGER PRIMARY KEY,
  timestamp TEXT NOT NULL,
  hook_event TEXT NOT NULL,
  session_id TEXT NOT NULL DEFAULT '',
  tool_use_id TEXT NOT NULL DEFAULT '',
  agent_id TEXT NOT NULL DEFAULT '',
  agent_type TEXT NOT NULL DEFAULT '',
  cwd TEXT NOT NULL DEFAULT '',
  permission_mode TEXT NOT NULL DEFAULT '',
  os_user TEXT NOT NULL DEFAULT '',
  host TEXT NOT NULL DEFAULT '',
  identity TEXT NOT NULL DEFAULT '',
  agent TEXT NOT NULL DEFAULT '',
  tool TEXT NOT NULL DEFAULT '',
  arguments TEXT NOT NULL DEFAULT '',
  input_hmac TEXT NOT NULL DEFAULT '',
  decision TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  rule_layer TEXT NOT NULL DEFAULT '',
  rule_location TEXT NOT NULL DEFAULT '',
  rule_id TEXT NOT NULL DEFAULT '',
  rule_description TEXT NOT NULL DEFAULT '',
  approval_request_id TEXT NOT NULL DEFAULT '',
  approval_status TEXT NOT NULL DEFAULT '',
  approver TEXT NOT NULL DEFAULT '',
  approval_wait_ms INTEGER NOT NULL DEFAULT 0,
  failure_class TEXT NOT NULL DEFAULT '',
  latency_us INTEGER NOT NULL DEFAULT 0,
  execution_result TEXT NOT NULL DEFAULT '',
  duration_ms INTEGER,
  output_size INTEGER,
  error TEXT NOT NULL DEFAULT '',
  origin TEXT NOT NULL DEFAULT 'live',
  spool_id TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX events_tool_use_id ON events(tool_use_id) WHERE tool_use_id != '';
CREATE INDEX events_timestamp ON events(timestamp);
CREATE UNIQUE INDEX events_spool_id ON events(spool_id) WHERE spool_id != '';
CREATE TRIGGER events_append_only BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TABLE checkpoints(
  seq_upto INTEGER PRIMARY KEY,
  seq_from INTEGER NOT NULL,
  head_hash TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  mac TEXT NOT NULL
);
)sql",
    // Keyed row hashes from store_meta.keyed_from on; the store's random identity
    // (filled in by the store, which holds the key); rows leave only through prune.
    R"sql(
CREATE TABLE store_meta(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  store_id TEXT NOT NULL,
  keyed_from INTEGER NOT NULL,
  created TEXT NOT NULL,
  mac TEXT NOT NULL
);
CREATE TRIGGER store_meta_fixed BEFORE UPDATE ON store_meta
  BEGIN SELECT RAISE(ABORT, 'the audit store identity is fixed'); END;
CREATE TRIGGER events_prune_only BEFORE DELETE ON events
  WHEN old.seq > (SELECT COALESCE(MAX(seq_upto), 0) FROM checkpoints)
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only (prune removes them behind a checkpoint)'); END;
)sql",
    // The prompt a record belongs to and the agent's version; the commits a
    // recorded git command produced (an index of its chained record).
    R"sql(
ALTER TABLE events ADD COLUMN prompt_id TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN agent_version TEXT NOT NULL DEFAULT '';
CREATE TABLE commits(
  seq INTEGER NOT NULL,
  commit_id TEXT NOT NULL,
  repository TEXT NOT NULL DEFAULT '',
  branch TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(commit_id, seq)
);
CREATE TRIGGER events_prune_commits AFTER DELETE ON events
  BEGIN DELETE FROM commits WHERE seq = old.seq; END;
)sql",
};

inline constexpr int kLatest = sizeof(kMigrations) / sizeof(kMigrations[0]);

// Column list shared by inserts, queries and exports, in this order.
inline constexpr const char* kColumns =
    "seq,timestamp,hook_event,session_id,tool_use_id,agent_id,agent_type,cwd,permission_mode,os_user,host,"
    "identity,agent,tool,arguments,input_hmac,decision,reason,rule_layer,rule_location,rule_id,"
    "rule_description,approval_request_id,approval_status,approver,approval_wait_ms,failure_class,latency_us,"
    "execution_result,duration_ms,output_size,error,origin,spool_id,prompt_id,agent_version,prev_hash,hash";
inline constexpr int kColumnCount = 38;

// kColumns as a store of `version` can answer: '' for columns added after it.
inline constexpr const char* kColumnsBefore3 =
    "seq,timestamp,hook_event,session_id,tool_use_id,agent_id,agent_type,cwd,permission_mode,os_user,host,"
    "identity,agent,tool,arguments,input_hmac,decision,reason,rule_layer,rule_location,rule_id,"
    "rule_description,approval_request_id,approval_status,approver,approval_wait_ms,failure_class,latency_us,"
    "execution_result,duration_ms,output_size,error,origin,spool_id,'','',prev_hash,hash";
inline constexpr const char* columns(int version) { return version >= 3 ? kColumns : kColumnsBefore3; }

}  // namespace preloop::audit::schema
