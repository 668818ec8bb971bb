#include "install/settings_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "config/safe_file.h"
#include "protocol/json_depth.h"

namespace preloop::install {

namespace fs = std::filesystem;

namespace {

// 1-based line and column of a byte offset.
std::pair<std::size_t, std::size_t> line_col(const std::string& text, std::size_t offset) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

std::string errno_text() { return std::strerror(errno); }

std::string utc_stamp() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

void write_all(int fd, const std::string& text, const fs::path& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SettingsError(path.string() + ": write failed: " + errno_text());
    }
    done += static_cast<std::size_t>(n);
  }
}

// A path beside `target` that does not exist yet.
fs::path fresh_sibling(const fs::path& target, const std::string& suffix) {
  fs::path candidate = target;
  candidate += suffix;
  for (int i = 1; fs::exists(fs::symlink_status(candidate)); ++i) {
    candidate = target;
    candidate += suffix + "." + std::to_string(i);
  }
  return candidate;
}

}  // namespace

Json parse_settings(const std::string& text, const fs::path& name) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return Json::object();
  if (protocol::json_too_deep(text))
    throw SettingsError(name.string() + ":1:1: settings nest JSON deeper than " +
                        std::to_string(protocol::kMaxJsonDepth) + " levels");
  Json json;
  try {
    json = Json::parse(text);
  } catch (const Json::parse_error& e) {
    // e.byte is the 1-based offset of the character after the error.
    auto [line, col] = line_col(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    auto pos = what.find("syntax error while parsing value - ");
    if (pos != std::string::npos) what = what.substr(pos + 35);
    else if ((pos = what.find("] ")) != std::string::npos) what = what.substr(pos + 2);
    throw SettingsError(name.string() + ":" + std::to_string(line) + ":" + std::to_string(col) +
                        ": invalid JSON: " + what);
  }
  if (!json.is_object())
    throw SettingsError(name.string() + ":1:1: settings must be a JSON object, found " +
                        std::string(json.type_name()));
  return json;
}

SettingsFile read_settings(const fs::path& path) {
  SettingsFile file;
  file.path = path;
  std::optional<FileContent> content;
  try {
    content = read_file_if_present(path, file_rules::kSettings);
  } catch (const FileError& e) {
    throw SettingsError(std::string("cannot read settings: ") + e.what());
  }
  if (!content) return file;
  file.exists = true;
  file.text = std::move(content->text);
  file.json = parse_settings(file.text, path);
  return file;
}

std::string render_settings(const Json& json) { return json.dump(2) + "\n"; }

fs::path write_settings(const fs::path& path, const std::string& text, const fs::path& backup_dir) {
  std::error_code ec;
  fs::path target = fs::is_symlink(path, ec) ? fs::canonical(path) : path;
  fs::create_directories(target.parent_path().empty() ? fs::path(".") : target.parent_path());

  mode_t mode = 0644;
  fs::path backup;
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) {
    mode = st.st_mode & 07777;
    const std::string suffix = ".preloop-backup-" + utc_stamp();
    if (backup_dir.empty()) {
      backup = fresh_sibling(target, suffix);
    } else {
      // Outside the repository: the path flattened into one name.
      std::string flat = target.string();
      for (char& c : flat) c = c == '/' ? '%' : c;
      fs::create_directories(backup_dir, ec);
      ::chmod(backup_dir.c_str(), 0700);
      backup = fresh_sibling(backup_dir / flat, suffix);
    }
    fs::copy_file(target, backup, ec);
    if (ec) throw SettingsError(target.string() + ": cannot back up to " + backup.string() + ": " + ec.message());
  }

  fs::path tmp = fresh_sibling(target, ".preloop-tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw SettingsError(tmp.string() + ": cannot create: " + errno_text());
  try {
    write_all(fd, text, tmp);
    if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0)
      throw SettingsError(tmp.string() + ": cannot finish writing: " + errno_text());
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    std::string err = errno_text();
    ::unlink(tmp.c_str());
    throw SettingsError(target.string() + ": cannot replace: " + err);
  }
  return backup;
}

}  // namespace preloop::install
