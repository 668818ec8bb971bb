#include "approval/settings.h"

#include <cctype>
#include <set>

namespace preloop::approval {
namespace {

[[noreturn]] void fail(const std::string& key, const std::string& what) {
  throw SettingsError(key + ": " + what);
}

std::string scalar(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) fail(key, "expected a scalar value");
  return n.Scalar();
}

Fallback fallback(const YAML::Node& n, const std::string& key) {
  const std::string v = scalar(n, key);
  if (v == "ask") return Fallback::Ask;
  if (v == "deny") return Fallback::Deny;
  fail(key, "expected ask or deny, got '" + v + "'");
}

long long integer(const YAML::Node& n, const std::string& key, long long lo, long long hi) {
  const std::string v = scalar(n, key);
  long long out = 0;
  try {
    size_t used = 0;
    out = std::stoll(v, &used);
    if (used != v.size()) throw std::invalid_argument(v);
  } catch (const std::exception&) {
    fail(key, "expected an integer, got '" + v + "'");
  }
  if (out < lo || out > hi) fail(key, std::to_string(out) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
  return out;
}

// Preloop's timed_out answer "remains a denial; adapters must not replace
// required central approval with a local prompt": deny is the only value.
void timeout_is_deny(const YAML::Node& n, const std::string& key) {
  const std::string v = scalar(n, key);
  if (v == "deny") return;
  if (v == "ask")
    fail(key, "'ask' is not allowed: an approval request that expired unanswered is a denial, not a local "
              "prompt (remove the setting or write deny)");
  fail(key, "expected deny, got '" + v + "'");
}

bool boolean(const YAML::Node& n, const std::string& key) {
  const std::string v = scalar(n, key);
  if (v == "true" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "no" || v == "off") return false;
  fail(key, "expected true or false, got '" + v + "'");
}

void check_keys(const YAML::Node& section, const std::string& name, const std::set<std::string>& known) {
  if (!section.IsMap()) fail(name, "expected a mapping");
  for (const auto& kv : section) {
    const std::string k = kv.first.Scalar();
    if (!known.count(k)) fail(name + "." + k, "unknown setting");
  }
}

}  // namespace

const char* to_string(Fallback f) { return f == Fallback::Ask ? "ask" : "deny"; }

std::chrono::seconds parse_duration(const std::string& text, const std::string& key) {
  if (text == "off" || text == "0") return std::chrono::seconds(0);
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0 || i > 9) fail(key, "expected a duration like 90, 30s, 15m, 1h or 1d, got '" + text + "'");
  const long long n = std::stoll(text.substr(0, i));
  const std::string unit = text.substr(i);
  long long mult = 0;
  if (unit.empty() || unit == "s") mult = 1;
  else if (unit == "m") mult = 60;
  else if (unit == "h") mult = 3600;
  else if (unit == "d") mult = 86400;
  else fail(key, "unknown duration unit '" + unit + "' (use s, m, h or d)");
  return std::chrono::seconds(n * mult);
}

ApprovalSettings parse_approval_settings(const YAML::Node& section) {
  ApprovalSettings s;
  if (!section.IsDefined() || section.IsNull()) return s;
  check_keys(section, "approval",
             {"enabled", "url", "on_timeout", "on_unreachable", "on_auth_error", "ca_bundle", "proxy",
              "max_body_bytes", "max_response_bytes", "connect_timeout_ms", "retry_initial_ms", "retry_max_ms", "retry_window_seconds",
              "headroom_seconds", "outage_window_seconds", "credentials_file", "reuse", "preloop_cli_credentials"});
  for (const auto& kv : section) {
    const std::string k = kv.first.Scalar();
    const std::string key = "approval." + k;
    const YAML::Node& v = kv.second;
    if (k == "enabled") s.enabled = boolean(v, key);
    else if (k == "url") s.url = scalar(v, key);
    else if (k == "on_timeout") timeout_is_deny(v, key);
    else if (k == "on_unreachable") s.on_unreachable = fallback(v, key);
    else if (k == "on_auth_error") s.on_auth_error = fallback(v, key);
    else if (k == "ca_bundle") s.ca_bundle = scalar(v, key);
    else if (k == "proxy") s.proxy = scalar(v, key);
    else if (k == "max_body_bytes") s.max_body_bytes = integer(v, key, 1024, 16 << 20);
    else if (k == "max_response_bytes") s.max_response_bytes = integer(v, key, 1024, 64 << 20);
    else if (k == "connect_timeout_ms") s.connect_timeout = std::chrono::milliseconds(integer(v, key, 50, 120000));
    else if (k == "retry_initial_ms") s.retry_initial = std::chrono::milliseconds(integer(v, key, 10, 60000));
    else if (k == "retry_max_ms") s.retry_max = std::chrono::milliseconds(integer(v, key, 10, 600000));
    else if (k == "retry_window_seconds") s.retry_window = std::chrono::seconds(integer(v, key, 0, 3600));
    else if (k == "headroom_seconds") s.headroom = std::chrono::seconds(integer(v, key, 0, 120));
    else if (k == "outage_window_seconds") s.outage_window = std::chrono::seconds(integer(v, key, 0, 3600));
    else if (k == "reuse") s.reuse = parse_reuse(v);
    else if (k == "credentials_file") s.credentials_file = scalar(v, key);
    else if (k == "preloop_cli_credentials") s.preloop_cli_credentials = boolean(v, key);
  }
  if (s.retry_max < s.retry_initial) fail("approval.retry_max_ms", "must not be below retry_initial_ms");
  return s;
}

SyncSettings parse_sync_settings(const YAML::Node& section) {
  SyncSettings s;
  if (!section.IsDefined() || section.IsNull()) return s;
  check_keys(section, "sync", {"interval", "max_bytes"});
  if (const auto n = section["interval"]) s.interval = parse_duration(scalar(n, "sync.interval"), "sync.interval");
  if (const auto n = section["max_bytes"]) s.max_bytes = integer(n, "sync.max_bytes", 1024, 256 << 20);
  return s;
}

}  // namespace preloop::approval
