// redact_text / redact_json: what the audit store and approval requests keep.
#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "secrets/marker.h"
#include "secrets/redact.h"
#include "secrets/tool_io.h"

using namespace preloop::secrets;
using nlohmann::json;

namespace {
std::string gh() { return "gh" + std::string("o_") + "Zr7Kq1WmX9bT3vLp5nYc8dHs2FgJ4aEu6RtN"; }
std::string slack() { return "xox" + std::string("p-") + "7301954628-8291047365-9102837465-4f8a2c9e1b7d3a6f5e0c8b2d4a9f1e7c"; }
}  // namespace

TEST_CASE("redact_text masks every secret and nothing else") {
  std::string t = "token " + gh() + " and\nSLACK=" + slack() + "\nplain words 42";
  CHECK(redact_text(t, {.session_id = "s"}) == 2);
  CHECK(t.find(gh()) == std::string::npos);
  CHECK(t.find(slack()) == std::string::npos);
  CHECK(t.find("[REDACTED:github-oauth:") != std::string::npos);
  CHECK(t.find("plain words 42") != std::string::npos);
  std::string again = t;
  CHECK(redact_text(again) == 0);  // markers are not masked again
  CHECK(again == t);
}

TEST_CASE("redact_json: strings everywhere, secret-named keys whole, types kept") {
  json j = {{"tool_input", {{"command", "echo " + gh()}, {"timeout", 5}}},
            {"headers", {{"Authorization", "Bearer abc"}, {"Accept", "*/*"}}},
            {"db", {{"Password", "hunter2!"}, {"port", 5432}, {"passwordFile", "/run/pw"}}},
            {"apiKey", "short"},
            {"credentials", {{"user", "bob"}, {"list", json::array({"a1", "b2"})}}},
            {"client_secret", nullptr},
            {"token", 12345},
            {"max_tokens", 4096},
            {"key", "users/42"},
            {"secret_name", "prod-db"},
            {"note", "no secret here"}};
  std::size_t n = redact_json(j, {.session_id = "s"});
  std::string dump = j.dump();
  CHECK(dump.find(gh()) == std::string::npos);
  CHECK(j["tool_input"]["timeout"] == 5);
  CHECK(j["headers"]["Authorization"].get<std::string>().starts_with("[REDACTED:authorization:"));
  CHECK(j["headers"]["Accept"] == "*/*");
  CHECK(j["db"]["Password"].get<std::string>().starts_with("[REDACTED:password:"));
  CHECK(j["db"]["port"] == 5432);
  CHECK(j["db"]["passwordFile"] == "/run/pw");
  CHECK(j["apiKey"].get<std::string>().starts_with("[REDACTED:apikey:"));
  CHECK(j["credentials"]["user"].get<std::string>().starts_with("[REDACTED:credentials:"));
  CHECK(j["credentials"]["list"][1].get<std::string>().starts_with("[REDACTED:credentials:"));
  CHECK(j["client_secret"].is_null());
  CHECK(j["token"] == 12345);
  CHECK(j["max_tokens"] == 4096);
  CHECK(j["key"] == "users/42");
  CHECK(j["secret_name"] == "prod-db");
  CHECK(j["note"] == "no secret here");
  CHECK(n == 7);
  json again = j;
  CHECK(redact_json(again) == 0);
  CHECK(again == j);
}

TEST_CASE("redact uses the config's patterns and the session's tags") {
  preloop::Config c;
  c.root = YAML::Load("secrets: {patterns: [{id: corp-token, regex: 'corp_[a-z0-9]{12}'}]}");
  std::string t = "x corp_a1b2c3d4e5f6 y";
  std::string u = t;
  CHECK(redact_text(t, {.session_id = "s1", .config = &c}) == 1);
  CHECK(t == "x " + marker("corp-token", "corp_a1b2c3d4e5f6", "s1") + " y");
  CHECK(redact_text(u) == 0);  // built-ins only
}

TEST_CASE("secret key names") {
  for (const char* k : {"password", "PASSWORD", "db_password", "passwd", "api_key", "apiKey", "X-Api-Key", "secret",
                        "client_secret", "access_token", "refreshToken", "Authorization", "private_key",
                        "AWS_SECRET_ACCESS_KEY", "credentials", "cookie", "session_token", "passphrase"})
    CHECK_MESSAGE(is_secret_key_name(k), k);
  for (const char* k : {"key", "max_tokens", "token_count", "public_key", "secret_name", "password_file",
                        "tokenizer", "keyboard", "monkey", "command", "content", "file_path", "keys", "sort_key"})
    CHECK_MESSAGE(!is_secret_key_name(k), k);
}

TEST_CASE("siphash-2-4 reference vector and marker shape") {
  // Test vector from the SipHash paper: key 00..0f, message 00..0e -> a129ca6149be45e5.
  std::string msg;
  for (int i = 0; i < 15; ++i) msg.push_back(static_cast<char>(i));
  CHECK(siphash24(0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL, msg) == 0xa129ca6149be45e5ULL);
  std::string m = marker("github-pat", "value", "session");
  CHECK(m.size() == std::string("[REDACTED:github-pat:0000]").size());
  CHECK(m == marker("github-pat", "value", "session"));
  CHECK(m != marker("github-pat", "other", "session"));
}

TEST_CASE("withheld output keeps the shape and drops every string") {
  json out = {{"stdout", "secret stuff"}, {"stderr", ""}, {"interrupted", false}, {"n", 3},
              {"blocks", json::array({{{"type", "text"}, {"text", "more"}}})}};
  json w = withhold_tool_output(out, "[withheld]");
  CHECK(w["stdout"] == "[withheld]");
  CHECK(w["stderr"] == "");
  CHECK(w["interrupted"] == false);
  CHECK(w["n"] == 3);
  CHECK(w["blocks"][0]["text"] == "[withheld]");
  CHECK(w["blocks"][0]["type"] == "text");
}

TEST_CASE("withheld output of an event that did not parse takes the tool's shape") {
  json bash = withhold_tool_output(nullptr, "[withheld]", "Bash");
  CHECK(bash == json{{"stdout", "[withheld]"}, {"stderr", ""}, {"interrupted", false}, {"isImage", false}});
  CHECK(withhold_tool_output(nullptr, "[withheld]", "mcp__github__get_file") == "[withheld]");
  CHECK(withhold_tool_output(nullptr, "[withheld]") == "[withheld]");
}
