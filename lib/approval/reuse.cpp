#include "approval/reuse.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "approval/settings.h"
#include "config/paths.h"
#include "config/safe_file.h"

namespace preloop::approval {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::size_t kMaxGrants = 256;
constexpr std::size_t kMaxBytes = 256u << 10;

long long epoch(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The grants file opened and locked for one read-modify-write; closed (and
// unlocked) by the destructor.
struct LockedFile {
  int fd = -1;
  explicit LockedFile(const fs::path& file) {
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (fd >= 0 && ::flock(fd, LOCK_EX) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ~LockedFile() {
    if (fd >= 0) ::close(fd);
  }
  json read(const fs::path& file) const {
    try {
      const auto c = read_fd_safely(fd, file, FileRule{"approval state files", kMaxBytes, false, true});
      const auto j = json::parse(c.text, nullptr, false);
      return j.is_object() ? j : json::object();
    } catch (const FileError&) {
      return json::object();
    }
  }
  void write(const json& j) const {
    const std::string text = j.dump() + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
      ::ftruncate(fd, 0);  // a torn file would only lose grants
  }
};

void drop_expired(json& grants, long long now) {
  for (auto it = grants.begin(); it != grants.end();) {
    const json& g = it.value();
    const bool live = g.is_object() && g.value("expires", 0LL) > now && g.value("uses_left", 0) != 0;
    it = live ? std::next(it) : grants.erase(it);
  }
}

std::string fields_of(const std::string& key, const json& g) {
  return json::array({key, g.value("request_id", ""), g.value("approver", ""), g.value("approved_at", 0LL),
                      g.value("expires", 0LL), g.value("uses_left", 0)})
      .dump();
}

void seal(json& g, const std::string& key, const GrantSigner& sign) { g["mac"] = sign(fields_of(key, g)); }

bool sealed(const json& g, const std::string& key, const GrantSigner& sign) {
  return g.is_object() && g.value("mac", "") == sign(fields_of(key, g));
}

}  // namespace

std::string ReusePolicy::describe() const {
  if (!enabled()) return "off";
  if (uses == 1) return "once";
  const long long s = window.count();
  return s % 3600 == 0 ? std::to_string(s / 3600) + "h" : s % 60 == 0 ? std::to_string(s / 60) + "m" : std::to_string(s) + "s";
}

std::map<std::string, ReusePolicy> parse_reuse(const YAML::Node& n) {
  std::map<std::string, ReusePolicy> out;
  if (!n.IsMap()) throw SettingsError("approval.reuse: expected a mapping of workflow names to off, once or a duration");
  for (const auto& kv : n) {
    const std::string name = kv.first.Scalar();
    const std::string key = "approval.reuse." + name;
    if (!kv.second.IsScalar()) throw SettingsError(key + ": expected off, once or a duration like 10m");
    const std::string v = kv.second.Scalar();
    ReusePolicy p;
    if (v == "once") {
      p.uses = 1;
      p.window = kOnceWindow;
    } else if (v != "off") {
      p.window = parse_duration(v, key);
      if (p.window > std::chrono::hours(8)) throw SettingsError(key + ": at most 8h");
      p.uses = p.window.count() > 0 ? -1 : 0;
    }
    out[name] = p;
  }
  return out;
}

ReusePolicy reuse_for(const std::map<std::string, ReusePolicy>& table, const std::string& workflow) {
  if (auto it = table.find(workflow); it != table.end()) return it->second;
  if (auto it = table.find("*"); it != table.end()) return it->second;
  return {};
}

fs::path grants_file() { return paths::state_home() / "preloop-hook" / "approval-grants"; }

std::optional<Grant> take_grant(const fs::path& file, const std::string& key, std::chrono::system_clock::time_point now,
                                const GrantSigner& sign) {
  struct stat st {};
  if (::lstat(file.c_str(), &st) != 0) return std::nullopt;  // no grants yet: nothing to lock
  LockedFile f(file);
  if (f.fd < 0) return std::nullopt;
  json grants = f.read(file);
  const long long t = epoch(now);
  drop_expired(grants, t);
  std::optional<Grant> out;
  if (auto it = grants.find(key); it != grants.end()) {
    json& g = it.value();
    if (!sealed(g, key, sign)) {
      grants.erase(it);  // edited outside preloop-hook: not honoured
    } else {
      out = Grant{g.value("request_id", ""), g.value("approver", ""), g.value("approved_at", 0LL)};
      const int left = g.value("uses_left", 0);
      if (left > 0) g["uses_left"] = left - 1;
      seal(g, key, sign);
      drop_expired(grants, t);
    }
  }
  f.write(grants);
  return out;
}

void add_grant(const fs::path& file, const std::string& key, const ApprovalOutcome& approved, const ReusePolicy& policy,
               std::chrono::system_clock::time_point now, const GrantSigner& sign) {
  if (!policy.enabled() || approved.status != Status::Approved) return;
  LockedFile f(file);
  if (f.fd < 0) return;
  json grants = f.read(file);
  const long long t = epoch(now);
  drop_expired(grants, t);
  while (grants.size() >= kMaxGrants) grants.erase(grants.begin());
  grants[key] = {{"request_id", approved.request_id},
                 {"approver", approved.approver},
                 {"approved_at", t},
                 {"expires", t + policy.window.count()},
                 {"uses_left", policy.uses}};
  seal(grants[key], key, sign);
  f.write(grants);
}

}  // namespace preloop::approval
