#include "shell/credentials.h"

#include <string>

#include "shell/paths.h"

namespace preloop::shell {

namespace {

constexpr std::string_view kFiles[] = {
    "**/.ssh/id_*", "**/*.pem",        "**/*.key",          "**/.env",     "**/.env.*",
    "**/.aws/credentials", "**/.config/gcloud/**", "**/.azure/**", "**/.kube/config", "**/*.p12",
    "**/*.pfx",     "**/*.jks",        "**/*.keystore",     "**/.netrc",   "**/.git-credentials",
    "**/.pgpass",   "**/.docker/config.json", "**/.gnupg/**"};
constexpr std::string_view kNotSecret[] = {
    "**/*.pub", "**/.env*.example", "**/.env*.sample", "**/.env*.template", "**/.env*.dist",
    "**/.ssh/known_hosts*", "**/.ssh/config", "**/.ssh/authorized_keys", "**/.aws/config"};
constexpr std::string_view kHomeDirs[] = {"/.ssh", "/.aws", "/.gnupg", "/.config/gcloud", "/.azure"};
constexpr std::string_view kHomeFiles[] = {
    "/.ssh/id_rsa", "/.ssh/id_ed25519", "/.ssh/id_ecdsa", "/.aws/credentials", "/.kube/config", "/.netrc",
    "/.git-credentials", "/.pgpass", "/.docker/config.json", "/.config/gcloud/credentials.db",
    "/.gnupg/private-keys-v1.d"};

template <std::size_t N>
bool any_glob(std::string_view path, const std::string_view (&patterns)[N]) {
  for (std::string_view p : patterns)
    if (glob_match(path, p)) return true;
  return false;
}

// The last component could match the last component of a pattern of
// kFiles whose last component is not `**` (the others name a dot directory).
bool may_be_credential_name(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  std::string_view name = path.substr(path.find_last_of('/') + 1);
  auto ends = [name](std::string_view s) { return name.size() >= s.size() && name.substr(name.size() - s.size()) == s; };
  return name.rfind("id_", 0) == 0 || name.rfind(".env", 0) == 0 || ends(".pem") || ends(".key") || ends(".p12") ||
         ends(".pfx") || ends(".jks") || ends(".keystore") || name == "credentials" || name == "config" ||
         name == "config.json" || name == ".netrc" || name == ".git-credentials" || name == ".pgpass";
}

// A path without glob characters covers what lies below it: one that covers
// home covers each of its files; one that does not covers one only when it
// descends from home into a dot directory (each file lies in one).
bool covers_no_home_file(std::string_view path, std::string_view home) {
  if (has_glob(path)) return false;
  return !path_covers(path, home) && path.find("/.") == std::string_view::npos;
}

}  // namespace

bool credential_path(std::string_view path, std::string_view home) {
  // every pattern and home directory above names a component with a dot
  if (path.empty() || path[0] != '/' || path.find('.') == std::string_view::npos) return false;
  // no dot directory (kHomeDirs, the patterns ending in `**`) and no credential's name: no pattern
  // can match (a long word of code is looked at once, not once per pattern)
  if (path.find("/.") == std::string_view::npos && !may_be_credential_name(path)) return false;
  bool hit = any_glob(path, kFiles);
  if (!hit && !home.empty())
    for (std::string_view d : kHomeDirs)
      if (path_under(path, std::string(home) + std::string(d))) {
        hit = true;
        break;
      }
  return hit && !any_glob(path, kNotSecret);
}

bool reaches_credential(std::string_view path, std::string_view home, bool glob, bool recursive) {
  if (credential_path(path, home)) return true;
  if (!glob && !recursive) return false;
  if (!home.empty() && !covers_no_home_file(path, home)) {
    std::string target(home);
    for (std::string_view f : kHomeFiles) {
      target.resize(home.size());
      target += f;
      if (path_covers(path, target)) return true;
    }
  }
  if (!glob) return false;
  std::size_t slash = path.find_last_of('/');
  if (slash == std::string_view::npos) return false;
  std::string dir(path.substr(0, slash));
  return path_covers(path, dir + "/.env") || path_covers(path, dir + "/.env.local");
}

}  // namespace preloop::shell
