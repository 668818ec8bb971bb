#include <doctest/doctest.h>

#include "approval/settings.h"

using namespace preloop::approval;

TEST_CASE("approval settings: defaults, values and clear errors") {
  const ApprovalSettings d = parse_approval_settings(YAML::Node());
  CHECK(d.enabled);
  CHECK(d.on_unreachable == Fallback::Ask);
  CHECK(d.on_auth_error == Fallback::Ask);
  CHECK(d.max_body_bytes == 64u << 10);

  const auto s = parse_approval_settings(YAML::Load(
      "url: https://p.example\non_timeout: deny\non_unreachable: deny\non_auth_error: deny\n"
      "ca_bundle: /etc/ca.pem\nproxy: http://proxy:3128\nmax_body_bytes: 2048\nretry_initial_ms: 100\n"
      "retry_max_ms: 1000\nheadroom_seconds: 3\npreloop_cli_credentials: false\n"));
  CHECK(s.url == "https://p.example");
  CHECK(s.on_unreachable == Fallback::Deny);
  CHECK(s.on_auth_error == Fallback::Deny);
  CHECK(s.ca_bundle == "/etc/ca.pem");
  CHECK(s.proxy == "http://proxy:3128");
  CHECK(s.max_body_bytes == 2048);
  CHECK(s.retry_initial.count() == 100);
  CHECK(s.headroom.count() == 3);
  CHECK_FALSE(s.preloop_cli_credentials);

  CHECK_THROWS_WITH_AS(parse_approval_settings(YAML::Load("on_timeout: allow")),
                       "approval.on_timeout: expected deny, got 'allow'", SettingsError);
  CHECK_THROWS_WITH_AS(parse_approval_settings(YAML::Load("on_timeout: ask")),
                       "approval.on_timeout: 'ask' is not allowed: an approval request that expired unanswered is a "
                       "denial, not a local prompt (remove the setting or write deny)",
                       SettingsError);
  CHECK_THROWS_WITH_AS(parse_approval_settings(YAML::Load("on_unreachable: allow")),
                       "approval.on_unreachable: expected ask or deny, got 'allow'", SettingsError);
  CHECK_THROWS_WITH_AS(parse_approval_settings(YAML::Load("on_timout: deny")), "approval.on_timout: unknown setting",
                       SettingsError);
  CHECK_THROWS_WITH_AS(parse_approval_settings(YAML::Load("max_body_bytes: lots")),
                       "approval.max_body_bytes: expected an integer, got 'lots'", SettingsError);
  CHECK_THROWS_WITH_AS(parse_approval_settings(YAML::Load("max_body_bytes: 10")),
                       "approval.max_body_bytes: 10 is outside 1024..16777216", SettingsError);
  CHECK_THROWS_AS(parse_approval_settings(YAML::Load("retry_initial_ms: 500\nretry_max_ms: 100")), SettingsError);
  CHECK_THROWS_AS(parse_approval_settings(YAML::Load("- a\n- b")), SettingsError);
}

TEST_CASE("sync settings and durations") {
  CHECK(parse_sync_settings(YAML::Node()).interval.count() == 3600);
  CHECK(parse_sync_settings(YAML::Load("interval: 15m")).interval.count() == 900);
  CHECK(parse_sync_settings(YAML::Load("interval: off")).interval.count() == 0);
  CHECK(parse_duration("90", "k").count() == 90);
  CHECK(parse_duration("30s", "k").count() == 30);
  CHECK(parse_duration("2h", "k").count() == 7200);
  CHECK(parse_duration("1d", "k").count() == 86400);
  CHECK_THROWS_WITH_AS(parse_duration("1w", "sync.interval"), "sync.interval: unknown duration unit 'w' (use s, m, h or d)",
                       SettingsError);
  CHECK_THROWS_AS(parse_duration("soon", "sync.interval"), SettingsError);
  CHECK_THROWS_AS(parse_sync_settings(YAML::Load("intervall: 1h")), SettingsError);
}

TEST_CASE("retry window") {
  CHECK(parse_approval_settings(YAML::Node()).retry_window.count() == 20);
  CHECK(parse_approval_settings(YAML::Load("retry_window_seconds: 3")).retry_window.count() == 3);
  CHECK_THROWS_AS(parse_approval_settings(YAML::Load("retry_window_seconds: -1")), SettingsError);
}

TEST_CASE("approval reuse settings: once, durations, the default entry and clear errors") {
  const auto s = parse_approval_settings(YAML::Load("reuse: {manual-approval: once, deploy: 10m, \"*\": off}"));
  CHECK(reuse_for(s.reuse, "manual-approval").uses == 1);
  CHECK(reuse_for(s.reuse, "manual-approval").window == kOnceWindow);
  CHECK(reuse_for(s.reuse, "deploy").uses == -1);
  CHECK(reuse_for(s.reuse, "deploy").window.count() == 600);
  CHECK(reuse_for(s.reuse, "deploy").describe() == "10m");
  CHECK_FALSE(reuse_for(s.reuse, "other").enabled());
  CHECK_FALSE(reuse_for(parse_approval_settings(YAML::Node()).reuse, "deploy").enabled());
  CHECK_THROWS_WITH_AS(parse_approval_settings(YAML::Load("reuse: {deploy: 9h}")), "approval.reuse.deploy: at most 8h",
                       SettingsError);
  CHECK_THROWS_WITH_AS(parse_approval_settings(YAML::Load("reuse: [once]")),
                       "approval.reuse: expected a mapping of workflow names to off, once or a duration", SettingsError);
}
