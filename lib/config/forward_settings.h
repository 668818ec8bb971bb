// The `audit.forward` list of preloop-hook's config: where audit records are
// forwarded (OTLP/HTTP logs, syslog RFC 5424 over TCP or TLS, Splunk HEC).
//
//   audit:
//     forward:
//       - name: otel                      # [A-Za-z0-9._-], unique; names the cursor and state
//         kind: otlp                      # otlp | syslog | hec
//         endpoint: https://otel.example.com:4318   # otlp: POST <endpoint>/v1/logs
//         headers:                        # otlp: values from the environment or an owner-only file
//           x-api-key: {env: OTEL_API_KEY}
//           authorization: {file: ~/.config/preloop-hook/otel-auth}
//         gzip: true                      # otlp, hec: Content-Encoding: gzip
//       - name: siem
//         kind: syslog
//         endpoint: tls://syslog.example.com:6514   # tcp://host:port | tls://host:port
//         ca_bundle: /etc/ssl/siem-ca.pem
//         client_cert: ~/.config/preloop-hook/client.pem
//         client_key: ~/.config/preloop-hook/client.key
//         facility: authpriv              # syslog facility name (default authpriv)
//         format: ocsf                    # otel | ocsf: the JSON each record becomes
//       - name: splunk
//         kind: hec
//         endpoint: https://splunk.example.com:8088  # POST <endpoint>/services/collector/event
//         token: {env: SPLUNK_HEC_TOKEN}  # or {file: PATH}; sent as "Authorization: Splunk <token>"
//         index: security                 # optional; also source, sourcetype
//
// Every sink also takes batch_size (records per request, default 100),
// max_backlog (records waiting before the sink is reported behind, default
// 100000), timeout_ms (one request, default 10000) and connect_timeout_ms.
// HTTP sinks need https:// or a loopback http:// URL (their credentials never
// cross a network in the clear); syslog over plain tcp:// carries no credential.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace preloop {

enum class SinkKind { Otlp, Syslog, Hec };
enum class SinkFormat { Otel, Ocsf };
const char* to_string(SinkKind k);
const char* to_string(SinkFormat f);

// Where a credential comes from: an environment variable or an owner-only file
// (its content, trailing newline removed). Never the value itself.
struct SecretRef {
  std::string env;
  std::filesystem::path file;
  std::string describe() const;  // "env OTEL_API_KEY" | "file /path"
};

struct ForwardSink {
  std::string name;
  SinkKind kind = SinkKind::Otlp;
  SinkFormat format = SinkFormat::Otel;
  std::string endpoint;                                   // as written, without a trailing slash
  std::vector<std::pair<std::string, SecretRef>> headers; // otlp
  SecretRef token;                                        // hec
  bool gzip = false;                                      // otlp, hec
  std::string ca_bundle, client_cert, client_key;
  std::string facility = "authpriv";                      // syslog
  std::string index, source, sourcetype = "preloop:audit";  // hec
  std::size_t batch_size = 100;
  std::size_t max_backlog = 100000;
  std::chrono::milliseconds timeout{10000};
  std::chrono::milliseconds connect_timeout{5000};
};

// The syslog facility number of a name (kern .. local7), -1 when unknown.
int syslog_facility(const std::string& name);

// Parses the `forward` node of the audit section read from `file`. Throws
// ConfigError "file:line:col: message" (with a did-you-mean for unknown keys).
std::vector<ForwardSink> parse_forward(const std::filesystem::path& file, const YAML::Node& node);

}  // namespace preloop
