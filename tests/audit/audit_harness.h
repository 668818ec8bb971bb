// Running the real hook against a private audit store, with optional
// per-child set-up (resource limits, another user) before exec.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace preloop::audit_test {

struct Run {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out, err;
  double ms = 0;       // wall time
};

class Sandbox {
 public:
  explicit Sandbox(const std::string& config_yaml = "profile: off\n");
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  const std::string& dir() const { return dir_; }
  std::string db() const { return dir_ + "/store/audit.db"; }
  void set_config(const std::string& yaml) const;

  // `preloop-hook hook` with event on stdin. setup runs in the child before exec.
  Run hook(const std::string& event, const std::function<void()>& setup = {}) const;
  // `preloop-hook audit --db <db> args...`
  Run audit(const std::vector<std::string>& args, const std::function<void()>& setup = {}) const;
  // Gives the store directory to uid/gid (tests running as root drop to them).
  void chown_store(unsigned uid, unsigned gid) const;

  std::string pre(const std::string& tool_use_id, const nlohmann::json& input, const std::string& tool = "Bash") const;
  std::string post(const std::string& tool_use_id, const nlohmann::json& input, const nlohmann::json& response) const;

 private:
  Run exec(const std::vector<std::string>& argv, const std::string& in, const std::function<void()>& setup) const;
  std::string dir_;
  std::vector<std::string> env_;
};

// Runs setup-free children as this unprivileged user when the tests run as root,
// so that file modes are enforced. 65534 ("nobody") by convention.
inline constexpr unsigned kNobody = 65534;
bool running_as_root();
std::function<void()> as_nobody();

}  // namespace preloop::audit_test
