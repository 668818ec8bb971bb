#include "tamper/facts.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/sha256.h"
#include "install/hook_entries.h"
#include "install/settings_file.h"
#include "policy/loader.h"

namespace preloop::tamper {
namespace fs = std::filesystem;

std::optional<std::string> read_regular_file(const fs::path& path, std::size_t max_bytes, std::string* error,
                                             bool* missing) {
  auto failed = [&](const std::string& why, bool absent = false) -> std::optional<std::string> {
    if (error) *error = path.string() + ": " + why;
    if (missing) *missing = absent;
    return std::nullopt;
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return failed(std::strerror(errno), errno == ENOENT || errno == ENOTDIR);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return failed("not a regular file");
  }
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return failed("larger than " + std::to_string(max_bytes) + " bytes");
  }
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return failed(std::strerror(errno));
    }
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > max_bytes) {
      ::close(fd);
      return failed("larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  ::close(fd);
  if (missing) *missing = false;
  return text;
}

std::string digest_of(const std::string& text) { return audit::to_hex(audit::sha256(text)); }

namespace {

// An empty expression is a catch-all; so is the literal `true`.
bool matches_everything(const std::string& expr) {
  auto first = expr.find_first_not_of(" \t\r\n(");
  if (first == std::string::npos) return true;
  auto last = expr.find_last_not_of(" \t\r\n)");
  return expr.substr(first, last - first + 1) == "true";
}

}  // namespace

PolicyFacts policy_facts(const std::string& text, const std::string& file) {
  std::vector<policy::Diagnostic> diags;
  policy::Document doc = policy::load_document_text(text, file, diags);
  PolicyFacts f;
  for (const auto& d : diags)
    if (d.severity == policy::Diagnostic::Severity::Error) f.valid = false;
  for (const auto& t : doc.tools) {
    if (!t.enabled || t.conditions.empty()) {
      ++f.rules;  // denies, or requires approval for, every call of the tool
      continue;
    }
    for (const auto& c : t.conditions) {
      if (!c.enabled) continue;
      ++f.rules;
      if (c.action == Action::Allow && matches_everything(c.expression)) f.allow_all = true;
    }
  }
  return f;
}

SettingsFacts settings_facts(const std::string& text, const fs::path& file) {
  SettingsFacts f;
  try {
    install::Json json = install::parse_settings(text, file);
    for (const auto& h : install::find_own_handlers(json))
      if (h.event == "PreToolUse") f.runs_hook = true;
    auto it = json.find("disableAllHooks");
    f.disables_hooks = it != json.end() && *it == true;
  } catch (const install::SettingsError&) {
    f.valid = false;
  }
  return f;
}

}  // namespace preloop::tamper
