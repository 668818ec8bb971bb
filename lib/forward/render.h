// Audit records as the log pipelines want them: OpenTelemetry log records
// (OTLP/HTTP JSON), OCSF events, RFC 5424 syslog messages with octet-counting
// framing, Splunk HEC events. Everything is built from audit::to_json(record),
// so every column of the record travels; secrets were masked before the record
// was written and nothing here sees a raw input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/record.h"
#include "config/forward_settings.h"

namespace preloop::forward {

// What every batch says about where it comes from and how far the chain goes:
// a receiver that knows the head can tell a gap (seqs missing before it) and a
// rewrite (a seq seen before with another hash).
struct Origin {
  std::string host_id;        // the store's id (32 hex), else a hash of the host name
  std::string host;           // this machine's name
  std::string service_version;
  std::int64_t head_seq = 0;  // the store's chain head when the batch was read
  std::string head_hash;
};

// "<host_id>-<seq>-<first 16 hex of the record hash>": the same record gets
// the same id on every resend, so receivers drop duplicates by it.
std::string stable_id(const std::string& host_id, const audit::Record& r);

// "<stable id>-finding": the id of the Detection Finding a record adds with the
// ocsf format (its metadata.uid, HEC fields.preloop_record_id and syslog SD id),
// so that deduplicating by id keeps both events of the record.
std::string finding_id(const std::string& host_id, const audit::Record& r);

// The record's attributes under OpenTelemetry names where they exist
// (session.id, prompt.id, tool_use_id, gen_ai.tool.name, gen_ai.tool.call.id,
// gen_ai.operation.name) and preloop.* for the rest, as one flat JSON object;
// the otel rendering for syslog and HEC.
nlohmann::json flat_attributes(const audit::Record& r, const Origin& o);

// The OCSF events of one record: its activity (Process Activity for Bash, File
// System Activity for file tools, API Activity for MCP and other tools) and a
// Detection Finding when secrets were masked in it.
std::vector<nlohmann::json> ocsf_events(const audit::Record& r, const Origin& o);

// An OTLP/HTTP JSON ExportLogsServiceRequest for a batch.
std::string otlp_body(const std::vector<audit::Record>& batch, const Origin& o);

// A HEC request body: one event object per line (per OCSF event with ocsf).
std::string hec_body(const std::vector<audit::Record>& batch, const Origin& o, const ForwardSink& sink);

// One RFC 5424 message per record (per OCSF event), each framed "LEN SP MSG".
std::string syslog_frames(const std::vector<audit::Record>& batch, const Origin& o, const ForwardSink& sink);

// RFC 3339 (as records keep it) to nanoseconds since the epoch; 0 when malformed.
std::int64_t unix_nanos(const std::string& rfc3339);

}  // namespace preloop::forward
