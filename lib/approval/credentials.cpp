#include "approval/credentials.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <system_error>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "config/safe_file.h"
#include "protocol/json_depth.h"

namespace preloop::approval {
namespace fs = std::filesystem;
namespace {

std::string strip_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}


std::optional<Credentials> from_own_file(const fs::path& path) {
  const auto text = read_private_file(path);
  if (!text) return std::nullopt;
  YAML::Node doc;
  try {
    doc = YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    throw CredentialError("credentials file " + path.string() + ": not valid YAML (line " +
                          std::to_string(e.mark.line + 1) + ")");
  }
  if (!doc.IsMap()) throw CredentialError("credentials file " + path.string() + ": expected 'url:' and 'api_key:' keys");
  Credentials c;
  c.source = path.string();
  if (doc["url"] && doc["url"].IsScalar()) c.url = doc["url"].Scalar();
  for (const char* k : {"api_key", "token"})
    if (doc[k] && doc[k].IsScalar() && c.token.empty()) c.token = doc[k].Scalar();
  if (c.token.empty()) throw CredentialError("credentials file " + path.string() + " has no 'api_key:'");
  return c;
}

std::optional<Credentials> from_preloop_cli(const fs::path& dir) {
  std::error_code ec;
  fs::path newest;
  fs::file_time_type newest_time{};
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path f = entry.path() / "permission_hook.json";
    const auto t = fs::last_write_time(f, ec);
    if (ec) continue;
    if (newest.empty() || t > newest_time) newest = f, newest_time = t;
  }
  if (newest.empty()) return std::nullopt;
  const auto text = read_private_file(newest);
  if (!text) return std::nullopt;
  const auto j = protocol::json_too_deep(*text) ? nlohmann::json(nullptr) : nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("token") || !j["token"].is_string() || j["token"].get<std::string>().empty())
    throw CredentialError("Preloop CLI credentials " + newest.string() + ": no token (re-run `preloop agents onboard`)");
  Credentials c;
  c.source = newest.string();
  c.token = j["token"].get<std::string>();
  if (j.contains("base_url") && j["base_url"].is_string()) c.url = j["base_url"].get<std::string>();
  return c;
}

}  // namespace

std::optional<std::string> read_private_file(const fs::path& path) {
  std::optional<FileContent> file;
  try {
    file = read_file_if_present(path, file_rules::kCredentials);
  } catch (const FileError& e) {
    throw CredentialError(std::string("cannot use credentials file: ") + e.what());
  }
  if (!file) return std::nullopt;
  if (file->st.st_mode & 077) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", unsigned(file->st.st_mode & 07777));
    throw CredentialError("credentials file " + path.string() + " is readable by group or others (mode " + mode +
                          "); refusing to use it. Fix with: chmod 600 " + path.string());
  }
  if (file->st.st_uid != ::geteuid())
    throw CredentialError("credentials file " + path.string() + " is not owned by the current user; refusing to use it");
  return std::move(file->text);
}

std::optional<Credentials> resolve_credentials(const CredentialSources& s) {
  std::optional<Credentials> c;
  if (!s.env_token.empty()) c = Credentials{"", s.env_token, "environment (PRELOOP_API_KEY)"};
  if (!c && !s.file.empty()) c = from_own_file(s.file);
  if (!c && !s.preloop_cli_dir.empty()) c = from_preloop_cli(s.preloop_cli_dir);
  if (!c) return std::nullopt;
  if (!s.env_url.empty()) c->url = s.env_url;
  else if (!s.config_url.empty()) c->url = s.config_url;
  c->url = strip_slash(c->url);
  if (c->url.empty())
    throw CredentialError("an API key is configured (" + c->source +
                          ") but no service URL: set PRELOOP_URL or approval.url");
  return c;
}

bool service_maybe_configured(const CredentialSources& s) {
  if (!s.env_token.empty()) return true;
  std::error_code ec;
  if (!s.file.empty() && fs::exists(s.file, ec)) return true;
  return !s.preloop_cli_dir.empty() && fs::is_directory(s.preloop_cli_dir, ec);
}

}  // namespace preloop::approval
