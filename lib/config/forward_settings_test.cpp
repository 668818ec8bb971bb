#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "config/config.h"

namespace fs = std::filesystem;
using namespace preloop;

namespace {

Config load(const std::string& name, const std::string& text) {
  fs::path dir = fs::temp_directory_path() / ("preloop-forward-config-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path p = dir / name;
  std::ofstream(p) << text;
  return load_config_file(p);
}

std::string error_of(const std::string& text) {
  try {
    load("bad.yaml", text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("audit.forward: one sink of each kind with every setting") {
  setenv("HOME", "/home/tester", 1);
  const Config c = load("ok.yaml", R"(audit:
  forward:
    - name: otel
      kind: otlp
      endpoint: https://otel.example.com:4318/
      headers:
        x-api-key: {env: OTEL_API_KEY}
        authorization: {file: ~/.config/preloop-hook/otel-auth}
      gzip: true
      batch_size: 50
      max_backlog: 1000
      timeout_ms: 2000
    - name: siem
      kind: syslog
      endpoint: tls://syslog.example.com:6514
      ca_bundle: /etc/ssl/ca.pem
      client_cert: ~/c.pem
      client_key: ~/c.key
      facility: local3
      format: ocsf
    - name: splunk
      kind: hec
      endpoint: http://127.0.0.1:8088
      token: {env: SPLUNK_HEC_TOKEN}
      index: security
      sourcetype: agent:audit
)");
  REQUIRE(c.forward_sinks.size() == 3);
  CHECK(c.audit_forward);
  const ForwardSink& o = c.forward_sinks[0];
  CHECK(o.kind == SinkKind::Otlp);
  CHECK(o.endpoint == "https://otel.example.com:4318");
  REQUIRE(o.headers.size() == 2);
  CHECK(o.headers[0].first == "x-api-key");
  CHECK(o.headers[0].second.env == "OTEL_API_KEY");
  CHECK(o.headers[1].second.file == fs::path("/home/tester/.config/preloop-hook/otel-auth"));
  CHECK(o.gzip);
  CHECK(o.batch_size == 50);
  CHECK(o.max_backlog == 1000);
  CHECK(o.timeout == std::chrono::milliseconds(2000));
  const ForwardSink& s = c.forward_sinks[1];
  CHECK(s.kind == SinkKind::Syslog);
  CHECK(s.format == SinkFormat::Ocsf);
  CHECK(s.client_cert == "/home/tester/c.pem");
  CHECK(syslog_facility(s.facility) == 19);
  const ForwardSink& h = c.forward_sinks[2];
  CHECK(h.kind == SinkKind::Hec);
  CHECK(h.token.env == "SPLUNK_HEC_TOKEN");
  CHECK(h.index == "security");
  CHECK(h.sourcetype == "agent:audit");
  // The hook only needs to know that a sink exists: that survives the snapshot.
  const auto back = deserialize_config(serialize_config(c));
  REQUIRE(back);
  CHECK(back->audit_forward);
  CHECK_FALSE(deserialize_config(serialize_config(Config{}))->audit_forward);
}

TEST_CASE("audit.forward: no list, an empty list") {
  CHECK_FALSE(load("none.yaml", "audit:\n  mode: journal\n").audit_forward);
  CHECK_FALSE(load("empty.yaml", "audit:\n  forward: []\n").audit_forward);
}

TEST_CASE("audit.forward errors: file:line:col, what is wrong, a did-you-mean") {
  const std::string head = "audit:\n  forward:\n    - name: a\n";
  CHECK(error_of(head + "      kind: otlp\n      endpoint: https://x\n      gzipp: true\n")
            .find("bad.yaml:6:7: unknown setting 'audit.forward[].gzipp' (did you mean 'gzip'?)") != std::string::npos);
  CHECK(error_of(head + "      kind: otel\n      endpoint: https://x\n")
            .find("bad.yaml:4:13: 'kind' must be otlp, syslog or hec, got 'otel'") != std::string::npos);
  CHECK(error_of(head + "      endpoint: https://x\n").find("needs 'kind'") != std::string::npos);
  CHECK(error_of(head + "      kind: otlp\n").find("needs 'endpoint'") != std::string::npos);
  CHECK(error_of("audit:\n  forward:\n    - kind: otlp\n      endpoint: https://x\n").find("needs 'name'") !=
        std::string::npos);
  CHECK(error_of(head + "      kind: hec\n      endpoint: https://x\n").find("needs 'token'") != std::string::npos);
  CHECK(error_of(head + "      kind: hec\n      endpoint: https://x\n      token: abc123\n")
            .find("bad.yaml:6:14: 'token' must be {env: VARIABLE} or {file: PATH}: credentials are never written") !=
        std::string::npos);
  CHECK(error_of(head + "      kind: otlp\n      endpoint: https://x\n      headers:\n        x-key: {enviro: K}\n")
            .find("unknown credential source 'enviro'") != std::string::npos);
  CHECK(error_of(head + "      kind: otlp\n      endpoint: https://x\n      headers:\n        x-key: {file: rel/p}\n")
            .find("must be an absolute path") != std::string::npos);
  CHECK(error_of(head + "      kind: otlp\n      endpoint: https://x\n      facility: auth\n")
            .find("'facility' does not apply to a otlp sink") != std::string::npos);
  CHECK(error_of(head + "      kind: otlp\n      endpoint: https://x\n      format: ocsf\n")
            .find("applies to syslog and hec") != std::string::npos);
  CHECK(error_of(head + "      kind: syslog\n      endpoint: https://x:514\n")
            .find("tcp://HOST:PORT or tls://HOST:PORT") != std::string::npos);
  CHECK(error_of(head + "      kind: syslog\n      endpoint: tcp://x\n").find("tcp://HOST:PORT") != std::string::npos);
  CHECK(error_of(head + "      kind: otlp\n      endpoint: ftp://x\n").find("http(s) URL") != std::string::npos);
  CHECK(error_of(head + "      kind: syslog\n      endpoint: tcp://x:1\n      facility: locl0\n")
            .find("unknown syslog facility 'locl0' (did you mean 'local0'?)") != std::string::npos);
  CHECK(error_of(head + "      kind: otlp\n      endpoint: https://x\n      batch_size: 0\n")
            .find("'batch_size' must be between 1 and 10000, got 0") != std::string::npos);
  CHECK(error_of(head + "      kind: syslog\n      endpoint: tls://x:1\n      client_cert: /c\n")
            .find("give both or neither") != std::string::npos);
  CHECK(error_of(head + "      kind: otlp\n      endpoint: https://x\n    - name: a\n      kind: otlp\n      endpoint: https://y\n")
            .find("bad.yaml:6:13: sink name 'a' is used twice") != std::string::npos);
  CHECK(error_of("audit:\n  forward:\n    - name: ../x\n      kind: otlp\n      endpoint: https://x\n")
            .find("'name' must be 1 to 64 of") != std::string::npos);
  CHECK(error_of("audit:\n  forward: {name: a}\n").find("bad.yaml:2:12: 'audit.forward' must be a list") !=
        std::string::npos);
}
