// The `approval:` and `sync:` sections of preloop-hook's config.
//
//   approval:
//     url: https://preloop.example.com   # else PRELOOP_URL / credentials
//     on_timeout: deny         # deny only: Preloop's timed_out answer is a denial that
//                              # must not become a local prompt ('ask' is refused)
//     on_unreachable: ask      # ask | deny   network, TLS, 5xx, bad answer, our deadline
//     on_auth_error: ask       # ask | deny   401/403, unusable credentials
//     ca_bundle: /path/ca.pem  # extra trust anchors (verification is always on)
//     proxy: http://proxy:3128 # else libcurl's https_proxy/no_proxy handling
//     max_body_bytes: 65536    # request body cap (tool input is truncated to fit)
//     max_response_bytes: 1048576
//     connect_timeout_ms: 5000
//     retry_initial_ms: 250    # backoff base; full jitter, doubled per attempt
//     retry_max_ms: 5000       # backoff cap
//     retry_window_seconds: 20 # stop retrying a failing service after this long (a dead
//                              # service must not hold every gated call for the whole budget)
//     outage_window_seconds: 60  # after the service was found down, later calls answer
//                              # on_unreachable at once for this long (0: ask every time)
//     headroom_seconds: 5      # waited past the rule's timeout for the service's own expiry answer
//     reuse: {manual-approval: once, deploy: 10m}  # approval reuse per workflow (approval/reuse.h)
//     credentials_file: ~/.config/preloop-hook/credentials
//     preloop_cli_credentials: true   # also read ~/.preloop/agents/*/permission_hook.json
//     enabled: true
//   sync:
//     interval: 1h             # seconds or 30s/15m/1h/1d; 0 or "off" disables background refresh
//     max_bytes: 4194304       # policy export size cap
#pragma once

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>

#include <yaml-cpp/yaml.h>

namespace preloop::approval {

enum class Fallback { Ask, Deny };

// Approval reuse for one workflow (see approval/reuse.h).
struct ReusePolicy {
  int uses = 0;                   // 0: off; 1: once; -1: any number within the window
  std::chrono::seconds window{0};
  bool enabled() const { return uses != 0 && window.count() > 0; }
  std::string describe() const;   // "once" | "10m" | "off"
};

inline constexpr std::chrono::seconds kOnceWindow{300};

// A `reuse:` mapping (workflow name or "*" -> off | once | duration). Throws SettingsError.
std::map<std::string, ReusePolicy> parse_reuse(const YAML::Node& n);

// The policy for a workflow: its own entry, else "*", else off.
ReusePolicy reuse_for(const std::map<std::string, ReusePolicy>& table, const std::string& workflow);


struct ApprovalSettings {
  bool enabled = true;
  std::string url;
  Fallback on_unreachable = Fallback::Ask;
  Fallback on_auth_error = Fallback::Ask;
  std::string ca_bundle;
  std::string proxy;
  std::size_t max_body_bytes = 64u << 10;
  std::size_t max_response_bytes = 1u << 20;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds retry_initial{250};
  std::chrono::milliseconds retry_max{5000};
  std::chrono::seconds retry_window{20};
  std::chrono::seconds headroom{5};
  std::chrono::seconds outage_window{60};
  std::string credentials_file;      // empty = the default location
  bool preloop_cli_credentials = true;
  std::map<std::string, ReusePolicy> reuse;  // workflow name or "*" -> policy; empty: no reuse
};

struct SyncSettings {
  std::chrono::seconds interval{3600};  // 0 = no background refresh
  std::size_t max_bytes = 4u << 20;
};

// A bad value: "approval.on_unreachable: expected ask or deny, got 'maybe'".
struct SettingsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parse a section (an undefined or null node gives the defaults). Unknown
// keys are rejected so that a typo does not silently keep a default.
ApprovalSettings parse_approval_settings(const YAML::Node& section);
SyncSettings parse_sync_settings(const YAML::Node& section);

// "90" "90s" "15m" "1h" "2d" -> seconds; "off" -> 0. Throws SettingsError.
std::chrono::seconds parse_duration(const std::string& text, const std::string& key);

const char* to_string(Fallback f);

}  // namespace preloop::approval
