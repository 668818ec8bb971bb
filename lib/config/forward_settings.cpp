#include "config/forward_settings.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "config/config.h"
#include "config/paths.h"
#include "config/suggest.h"

namespace preloop {
namespace fs = std::filesystem;
namespace {

// The keys of a sink: common ones and each kind's own. Built on first use: a
// global set would be constructed at every start of the hook.
const std::set<std::string>& common_keys() {
  static const std::set<std::string> keys = {"name", "kind", "format", "endpoint", "ca_bundle", "client_cert",
                                             "client_key", "batch_size", "max_backlog", "timeout_ms",
                                             "connect_timeout_ms"};
  return keys;
}

const std::set<std::string>& kind_keys(SinkKind kind) {
  static const std::set<std::string> otlp = {"headers", "gzip"};
  static const std::set<std::string> syslog = {"facility"};
  static const std::set<std::string> hec = {"token", "gzip", "index", "source", "sourcetype"};
  return kind == SinkKind::Otlp ? otlp : kind == SinkKind::Syslog ? syslog : hec;
}

const char* const kFacilities[] = {"kern",   "user",   "mail",   "daemon", "auth",   "syslog", "lpr",
                                   "news",   "uucp",   "cron",   "authpriv", "ftp",  "ntp",    "audit",
                                   "alert",  "clock",  "local0", "local1", "local2", "local3", "local4",
                                   "local5", "local6", "local7"};

[[noreturn]] void fail(const fs::path& file, const YAML::Node& n, const std::string& msg) {
  const YAML::Mark m = n.Mark();
  throw ConfigError(file.string() + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": " +
                    msg);
}

std::string text(const fs::path& file, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) fail(file, n, "'" + key + "' must be a string");
  return n.Scalar();
}

bool boolean(const fs::path& file, const YAML::Node& n, const std::string& key) {
  const std::string v = n.IsScalar() ? n.Scalar() : "";
  if (v == "true" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "no" || v == "off") return false;
  fail(file, n, "'" + key + "' must be true or false" + (v.empty() ? "" : ", got '" + v + "'"));
}

long long integer(const fs::path& file, const YAML::Node& n, const std::string& key, long long lo, long long hi) {
  const std::string v = n.IsScalar() ? n.Scalar() : "";
  long long out = 0;
  std::size_t used = 0;
  try {
    out = std::stoll(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (v.empty() || used != v.size()) fail(file, n, "'" + key + "' must be an integer" + (v.empty() ? "" : ", got '" + v + "'"));
  if (out < lo || out > hi)
    fail(file, n, "'" + key + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + v);
  return out;
}

std::string path_text(const fs::path& file, const YAML::Node& n, const std::string& key) {
  return paths::expand_user(text(file, n, key)).string();
}

SecretRef secret(const fs::path& file, const YAML::Node& n, const std::string& key) {
  static const std::set<std::string> known = {"env", "file"};
  if (!n.IsMap() || n.size() != 1)
    fail(file, n, "'" + key + "' must be {env: VARIABLE} or {file: PATH}: credentials are never written in the config");
  const auto kv = *n.begin();
  const std::string k = kv.first.Scalar();
  if (!known.count(k)) fail(file, kv.first, "unknown credential source '" + k + "'" + did_you_mean(k, known) + " (env or file)");
  SecretRef s;
  if (k == "env") {
    s.env = text(file, kv.second, key + ".env");
    if (s.env.empty() || !std::all_of(s.env.begin(), s.env.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; }))
      fail(file, kv.second, "'" + key + ".env' must be an environment variable name, got '" + s.env + "'");
  } else {
    s.file = paths::expand_user(text(file, kv.second, key + ".file"));
    if (!s.file.is_absolute()) fail(file, kv.second, "'" + key + ".file' must be an absolute path (or start with ~/)");
  }
  return s;
}

bool header_name_ok(const std::string& h) {
  return !h.empty() && std::all_of(h.begin(), h.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_';
  });
}

// scheme://host[:port][/path] with the scheme this kind needs.
void check_endpoint(const fs::path& file, const YAML::Node& n, const ForwardSink& s) {
  const std::string& e = s.endpoint;
  const auto sep = e.find("://");
  const std::string scheme = sep == std::string::npos ? "" : e.substr(0, sep);
  const bool host = sep != std::string::npos && sep + 3 < e.size() && e[sep + 3] != '/' && e[sep + 3] != ':';
  const bool blank = std::any_of(e.begin(), e.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; });
  if (s.kind == SinkKind::Syslog) {
    const std::string rest = host ? e.substr(sep + 3) : "";
    const auto colon = rest.rfind(':');
    const bool port = colon != std::string::npos && colon + 1 < rest.size() &&
                      rest.find_first_not_of("0123456789", colon + 1) == std::string::npos;
    if ((scheme != "tcp" && scheme != "tls") || !host || blank || !port || rest.find('/') != std::string::npos)
      fail(file, n, "'endpoint' of a syslog sink must be tcp://HOST:PORT or tls://HOST:PORT, got '" + e + "'");
    return;
  }
  if ((scheme != "http" && scheme != "https") || !host || blank || e.find('?') != std::string::npos)
    fail(file, n, "'endpoint' of an " + std::string(to_string(s.kind)) +
                      " sink must be an http(s) URL without a query, got '" + e + "'");
}

void check_keys(const fs::path& file, const YAML::Node& item, SinkKind kind) {
  std::set<std::string> known = common_keys(), all = common_keys();
  known.insert(kind_keys(kind).begin(), kind_keys(kind).end());
  for (SinkKind k : {SinkKind::Otlp, SinkKind::Syslog, SinkKind::Hec}) all.insert(kind_keys(k).begin(), kind_keys(k).end());
  for (const auto& kv : item) {
    const std::string k = kv.first.Scalar();
    if (known.count(k)) continue;
    if (all.count(k))
      fail(file, kv.first, "'" + k + "' does not apply to a " + std::string(to_string(kind)) + " sink");
    fail(file, kv.first, "unknown setting 'audit.forward[]." + k + "'" + did_you_mean(k, known));
  }
}

ForwardSink parse_sink(const fs::path& file, const YAML::Node& item) {
  if (!item.IsMap()) fail(file, item, "each 'audit.forward' entry must be a mapping with name, kind and endpoint");
  ForwardSink s;
  static const std::set<std::string> kinds = {"otlp", "syslog", "hec"};
  const YAML::Node kind = item["kind"];
  if (!kind) fail(file, item, "a forward sink needs 'kind' (otlp, syslog or hec)");
  const std::string k = text(file, kind, "kind");
  if (!kinds.count(k)) fail(file, kind, "'kind' must be otlp, syslog or hec, got '" + k + "'" + did_you_mean(k, kinds));
  s.kind = k == "otlp" ? SinkKind::Otlp : k == "syslog" ? SinkKind::Syslog : SinkKind::Hec;
  check_keys(file, item, s.kind);
  for (const char* required : {"name", "endpoint"})
    if (!item[required]) fail(file, item, std::string("a forward sink needs '") + required + "'");
  if (s.kind == SinkKind::Hec && !item["token"])
    fail(file, item, "a hec sink needs 'token' ({env: VARIABLE} or {file: PATH})");
  for (const auto& kv : item) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "name") {
      s.name = text(file, v, key);
      if (s.name.empty() || s.name.size() > 64 || s.name[0] == '.' ||
          !std::all_of(s.name.begin(), s.name.end(),
                       [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '_' || c == '-'; }))
        fail(file, v, "'name' must be 1 to 64 of A-Z a-z 0-9 . _ - (not starting with a dot), got '" + s.name + "'");
    } else if (key == "format") {
      static const std::set<std::string> formats = {"otel", "ocsf"};
      const std::string f = text(file, v, key);
      if (!formats.count(f)) fail(file, v, "'format' must be otel or ocsf, got '" + f + "'" + did_you_mean(f, formats));
      s.format = f == "ocsf" ? SinkFormat::Ocsf : SinkFormat::Otel;
      if (s.kind == SinkKind::Otlp && s.format == SinkFormat::Ocsf)
        fail(file, v, "an otlp sink sends OpenTelemetry log records: 'format: ocsf' applies to syslog and hec sinks");
    } else if (key == "endpoint") {
      s.endpoint = text(file, v, key);
      while (!s.endpoint.empty() && s.endpoint.back() == '/') s.endpoint.pop_back();
      check_endpoint(file, v, s);
    } else if (key == "headers") {
      if (!v.IsMap()) fail(file, v, "'headers' must be a mapping of header name to {env: ...} or {file: ...}");
      for (const auto& h : v) {
        const std::string name = h.first.Scalar();
        if (!header_name_ok(name)) fail(file, h.first, "'" + name + "' is not a valid header name");
        s.headers.emplace_back(name, secret(file, h.second, "headers." + name));
      }
    } else if (key == "token") {
      s.token = secret(file, v, key);
    } else if (key == "gzip") {
      s.gzip = boolean(file, v, key);
    } else if (key == "ca_bundle") {
      s.ca_bundle = path_text(file, v, key);
    } else if (key == "client_cert") {
      s.client_cert = path_text(file, v, key);
    } else if (key == "client_key") {
      s.client_key = path_text(file, v, key);
    } else if (key == "facility") {
      s.facility = text(file, v, key);
      if (syslog_facility(s.facility) < 0) {
        const std::set<std::string> names(std::begin(kFacilities), std::end(kFacilities));
        fail(file, v, "unknown syslog facility '" + s.facility + "'" + did_you_mean(s.facility, names));
      }
    } else if (key == "index") {
      s.index = text(file, v, key);
    } else if (key == "source") {
      s.source = text(file, v, key);
    } else if (key == "sourcetype") {
      s.sourcetype = text(file, v, key);
    } else if (key == "batch_size") {
      s.batch_size = std::size_t(integer(file, v, key, 1, 10000));
    } else if (key == "max_backlog") {
      s.max_backlog = std::size_t(integer(file, v, key, 1, 1LL << 40));
    } else if (key == "timeout_ms") {
      s.timeout = std::chrono::milliseconds(integer(file, v, key, 100, 600000));
    } else if (key == "connect_timeout_ms") {
      s.connect_timeout = std::chrono::milliseconds(integer(file, v, key, 50, 120000));
    }
  }
  if (s.client_cert.empty() != s.client_key.empty())
    fail(file, item, "'client_cert' and 'client_key' go together: give both or neither");
  return s;
}

}  // namespace

const char* to_string(SinkKind k) {
  switch (k) {
    case SinkKind::Otlp: return "otlp";
    case SinkKind::Syslog: return "syslog";
    case SinkKind::Hec: return "hec";
  }
  return "otlp";
}

const char* to_string(SinkFormat f) { return f == SinkFormat::Ocsf ? "ocsf" : "otel"; }

std::string SecretRef::describe() const { return env.empty() ? "file " + file.string() : "env " + env; }

int syslog_facility(const std::string& name) {
  for (int i = 0; i < int(std::size(kFacilities)); ++i)
    if (name == kFacilities[i]) return i;
  return -1;
}

std::vector<ForwardSink> parse_forward(const fs::path& file, const YAML::Node& node) {
  std::vector<ForwardSink> sinks;
  if (node.IsNull()) return sinks;
  if (!node.IsSequence()) fail(file, node, "'audit.forward' must be a list of sinks (each with name, kind and endpoint)");
  std::set<std::string> names;
  for (const auto& item : node) {
    ForwardSink s = parse_sink(file, item);
    if (!names.insert(s.name).second) fail(file, item["name"], "sink name '" + s.name + "' is used twice");
    sinks.push_back(std::move(s));
  }
  return sinks;
}

}  // namespace preloop
