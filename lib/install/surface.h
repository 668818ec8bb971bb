// Which paths a given user could write or replace: the tamper surface.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace preloop::install {

// A user as far as file permissions go.
struct Principal {
  uid_t uid = 0;
  std::vector<gid_t> groups;   // primary group included
  std::string name;
  // The real user of this process; `who` (a name or a number) instead when given.
  // Throws std::invalid_argument for an unknown user.
  static Principal current();
  static Principal named(const std::string& who);
};

// Why `who` could change what is at `path`: "writable", "can be created in D",
// "D is writable" (an ancestor directory: the path can be replaced); nullopt
// when it cannot. Classic permission bits (root: everything), directories that
// cannot be searched and the sticky bit honoured; ACLs and capabilities are not
// looked at.
std::optional<std::string> changeable_by(const std::filesystem::path& path, const Principal& who);

}  // namespace preloop::install
