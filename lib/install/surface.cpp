#include "install/surface.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace preloop::install {
namespace fs = std::filesystem;
namespace {

std::vector<gid_t> groups_of(const char* name, gid_t primary) {
  int n = 64;
  std::vector<gid_t> groups(n);
  if (getgrouplist(name, primary, groups.data(), &n) < 0) {
    groups.resize(n);
    getgrouplist(name, primary, groups.data(), &n);
  }
  groups.resize(std::max(n, 0));
  return groups;
}

Principal from_passwd(const passwd* pw) {
  Principal p;
  p.uid = pw->pw_uid;
  p.name = pw->pw_name;
  p.groups = groups_of(pw->pw_name, pw->pw_gid);
  return p;
}

bool can_write(const struct stat& st, const Principal& who) {
  if (who.uid == 0) return true;
  if (st.st_uid == who.uid) return st.st_mode & S_IWUSR;
  if (std::find(who.groups.begin(), who.groups.end(), st.st_gid) != who.groups.end()) return st.st_mode & S_IWGRP;
  return st.st_mode & S_IWOTH;
}

bool can_search(const struct stat& st, const Principal& who) {
  if (who.uid == 0) return true;
  if (st.st_uid == who.uid) return st.st_mode & S_IXUSR;
  if (std::find(who.groups.begin(), who.groups.end(), st.st_gid) != who.groups.end()) return st.st_mode & S_IXGRP;
  return st.st_mode & S_IXOTH;
}

// Whether `who` can reach the entries of `dir`: it and every directory above it searchable.
bool reachable(const fs::path& dir, const Principal& who) {
  for (fs::path d = dir;; d = d.parent_path()) {
    struct stat st {};
    if (::stat(d.c_str(), &st) != 0 || !can_search(st, who)) return false;
    if (d == d.parent_path()) return true;
  }
}

// Whether `who` may remove or rename the entry `child` of directory `dir`.
bool can_replace_entry(const struct stat& dir, const struct stat* child, const Principal& who) {
  if (!can_write(dir, who)) return false;
  if (!(dir.st_mode & S_ISVTX) || who.uid == 0 || dir.st_uid == who.uid) return true;
  return !child || child->st_uid == who.uid;  // sticky: only one's own entries
}

}  // namespace

Principal Principal::current() {
  uid_t uid = ::getuid();
  if (const passwd* pw = getpwuid(uid)) return from_passwd(pw);
  Principal p;
  p.uid = uid;
  p.name = std::to_string(uid);
  int n = ::getgroups(0, nullptr);
  p.groups.resize(std::max(n, 0));
  if (n > 0) ::getgroups(n, p.groups.data());
  p.groups.push_back(::getgid());
  return p;
}

Principal Principal::named(const std::string& who) {
  const passwd* pw = getpwnam(who.c_str());
  if (!pw && !who.empty() && who.size() < 10 && who.find_first_not_of("0123456789") == std::string::npos)
    pw = getpwuid(static_cast<uid_t>(std::stoul(who)));
  if (!pw) throw std::invalid_argument("no such user: '" + who + "'");
  return from_passwd(pw);
}

std::optional<std::string> changeable_by(const fs::path& path, const Principal& who) {
  fs::path p = path.lexically_normal();
  if (!p.is_absolute()) p = fs::absolute(p);
  struct stat st {};
  bool exists = ::lstat(p.c_str(), &st) == 0;
  if (exists && !S_ISLNK(st.st_mode) && can_write(st, who) && reachable(p.parent_path(), who))
    return std::string("writable");
  // Each ancestor: an entry on the way that can be replaced replaces what is below it.
  struct stat child_st = st;
  bool child_exists = exists;
  for (fs::path child = p, dir = p.parent_path();; child = dir, dir = dir.parent_path()) {
    struct stat dst {};
    if (::lstat(dir.c_str(), &dst) == 0) {
      if (can_replace_entry(dst, child_exists ? &child_st : nullptr, who) && reachable(dir, who))
        return child == p && !exists ? "can be created: " + dir.string() + " is writable"
                                     : dir.string() + " is writable";
      child_st = dst;
      child_exists = true;
    } else {
      child_exists = false;
    }
    if (dir == dir.parent_path()) break;
  }
  if (exists && S_ISLNK(st.st_mode)) {
    std::error_code ec;
    fs::path target = fs::weakly_canonical(p, ec);
    if (!ec && target != p)
      if (auto why = changeable_by(target, who)) return "its symlink target " + target.string() + ": " + *why;
  }
  return std::nullopt;
}

}  // namespace preloop::install
