#include "scan/walk.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "config/safe_file.h"
#include "scan/gitignore.h"

namespace preloop::scan {
namespace {

namespace fs = std::filesystem;

constexpr FileRule kIgnoreFile{".gitignore files", 1u << 20, true};

void walk_dir(const fs::path& dir, const std::string& rel, IgnoreRules rules,
              const std::function<void(const std::string&)>& file,
              const std::function<void(const std::string&, const std::string&)>& error) {
  try {
    if (auto text = read_file_if_present(dir / ".gitignore", kIgnoreFile)) rules.add_file(rel, text->text);
  } catch (const FileError& e) {
    error((dir / ".gitignore").string(), e.what());
  }
  std::vector<fs::directory_entry> entries;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(*it);
  if (ec) {
    error(dir.string(), "cannot list the directory: " + ec.message());
    return;
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  for (const auto& e : entries) {
    const std::string name = e.path().filename().string();
    const std::string child = rel.empty() ? name : rel + "/" + name;
    const bool is_dir = e.is_directory(ec) && !e.is_symlink(ec);
    if (is_dir && name == ".git") continue;
    if (rules.ignored(child, is_dir)) continue;
    if (is_dir) walk_dir(e.path(), child, rules, file, error);
    else if (!(e.is_symlink(ec) && e.is_directory(ec))) file(e.path().string());
  }
}

}  // namespace

void walk(const std::string& root, const std::function<void(const std::string&)>& file,
          const std::function<void(const std::string&, const std::string&)>& error) {
  std::error_code ec;
  if (fs::is_directory(root, ec)) walk_dir(root, "", IgnoreRules{}, file, error);
  else file(root);
}

}  // namespace preloop::scan
