#include "approval/repository.h"

#include <filesystem>
#include <optional>

#include "config/safe_file.h"

namespace preloop::approval {
namespace {

namespace fs = std::filesystem;

constexpr FileRule kGitFile{"git metadata files", 1u << 20, true};
constexpr int kMaxDepth = 64;

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

std::optional<std::string> read(const fs::path& p) {
  try {
    if (auto c = read_file_if_present(p, kGitFile)) return std::move(c->text);
  } catch (const FileError&) {
  }
  return std::nullopt;
}

// The git directory of a work tree root: `.git` itself, or the one a `.git`
// file points to (worktrees, submodules).
std::optional<fs::path> git_dir_of(const fs::path& root) {
  std::error_code ec;
  const fs::path dot = root / ".git";
  const auto st = fs::symlink_status(dot, ec);
  if (ec) return std::nullopt;
  if (fs::is_directory(st)) return dot;
  if (!fs::is_regular_file(st)) return std::nullopt;
  const auto text = read(dot);
  if (!text || text->rfind("gitdir:", 0) != 0) return std::nullopt;
  fs::path dir = trim(text->substr(7, text->find('\n') == std::string::npos ? std::string::npos : text->find('\n') - 7));
  if (dir.is_relative()) dir = root / dir;
  return dir.lexically_normal();
}

// The config shared by all work trees: <commondir>/config when there is one.
fs::path config_of(const fs::path& git_dir) {
  if (const auto common = read(git_dir / "commondir")) {
    fs::path c = trim(common->substr(0, common->find('\n')));
    if (c.is_relative()) c = git_dir / c;
    return (c / "config").lexically_normal();
  }
  return git_dir / "config";
}

// origin's url, else the first remote's.
std::string remote_url(const std::string& config) {
  std::string section, first, origin;
  std::size_t pos = 0;
  while (pos < config.size()) {
    std::size_t end = config.find('\n', pos);
    if (end == std::string::npos) end = config.size();
    const std::string line = trim(config.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      section = line;
      continue;
    }
    if (section.rfind("[remote \"", 0) != 0) continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos || trim(line.substr(0, eq)) != "url") continue;
    const std::string url = trim(line.substr(eq + 1));
    if (first.empty()) first = url;
    if (section == "[remote \"origin\"]" && origin.empty()) origin = url;
  }
  return origin.empty() ? first : origin;
}

}  // namespace

std::string strip_url_credentials(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto host = scheme + 3;
  const auto slash = url.find('/', host);
  const auto at = url.rfind('@', slash == std::string::npos ? std::string::npos : slash);
  if (at == std::string::npos || at < host) return url;
  return url.substr(0, host) + url.substr(at + 1);
}

nlohmann::json observe_repository(const std::string& cwd) {
  if (cwd.empty() || cwd.front() != '/') return nullptr;
  fs::path dir = fs::path(cwd).lexically_normal();
  for (int depth = 0; depth < kMaxDepth; ++depth) {
    if (const auto git_dir = git_dir_of(dir)) {
      const auto config = read(config_of(*git_dir));
      const std::string remote = config ? strip_url_credentials(remote_url(*config)) : "";
      std::string relative = fs::path(cwd).lexically_normal().lexically_relative(dir).string();
      if (relative.empty()) relative = ".";
      nlohmann::json repo = {{"toplevel", dir.string()},
                             {"relative_path", relative},
                             {"source", "git_metadata"},
                             {"no_remote", remote.empty()}};
      repo["remote"] = remote.empty() ? nlohmann::json(nullptr) : nlohmann::json(remote);
      return repo;
    }
    if (!dir.has_relative_path()) break;
    dir = dir.parent_path();
  }
  return nullptr;
}

}  // namespace preloop::approval
