#include "audit_harness.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdexcept>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

extern char** environ;

namespace preloop::audit_test {
namespace fs = std::filesystem;

Sandbox::Sandbox(const std::string& config_yaml) {
  std::string t = (fs::temp_directory_path() / "audit-proc-XXXXXX").string();
  if (!::mkdtemp(t.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = t;
  ::chmod(dir_.c_str(), 0755);
  for (const char* d : {"/home", "/cfg", "/data", "/managed", "/store"}) fs::create_directories(dir_ + d);
  set_config(config_yaml);
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    std::string k = kv.substr(0, kv.find('='));
    if (k == "HOME" || k.rfind("XDG_", 0) == 0 || k.rfind("PRELOOP_", 0) == 0 || k == "CLAUDE_PROJECT_DIR") continue;
    env_.push_back(kv);
  }
  env_.push_back("HOME=" + dir_ + "/home");
  env_.push_back("XDG_CONFIG_HOME=" + dir_ + "/cfg");
  env_.push_back("XDG_DATA_HOME=" + dir_ + "/data");
  env_.push_back("PRELOOP_HOOK_MANAGED_DIR=" + dir_ + "/managed");
  env_.push_back("PRELOOP_HOOK_CONFIG=" + dir_ + "/config.yaml");
  env_.push_back("PRELOOP_HOOK_AUDIT_DB=" + db());
  // The hooks and this process (which calls verify() itself) share one state
  // directory, where the head witnesses live: ctest's, else one made here.
  if (!std::getenv("XDG_STATE_HOME")) {
    std::string state = (fs::temp_directory_path() / "audit-state-XXXXXX").string();
    if (!::mkdtemp(state.data())) throw std::runtime_error("mkdtemp failed");
    ::setenv("XDG_STATE_HOME", state.c_str(), 1);
  }
  env_.push_back(std::string("XDG_STATE_HOME=") + std::getenv("XDG_STATE_HOME"));
  if (running_as_root()) {
    // Hooks that run as another user (as_nobody) keep their witness there too.
    fs::path witness = fs::path(std::getenv("XDG_STATE_HOME")) / "preloop-hook" / "witness";
    fs::create_directories(witness);
    for (fs::path p = witness; p != witness.parent_path().parent_path(); p = p.parent_path())
      ::chmod(p.c_str(), p == witness ? 01777 : 0755);
  }
}

Sandbox::~Sandbox() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void Sandbox::set_config(const std::string& yaml) const {
  std::ofstream(dir_ + "/config.yaml") << yaml;
  ::chmod((dir_ + "/config.yaml").c_str(), 0644);
}

void Sandbox::chown_store(unsigned uid, unsigned gid) const {
  for (const auto& e : fs::recursive_directory_iterator(dir_ + "/store")) REQUIRE(::chown(e.path().c_str(), uid, gid) == 0);
  REQUIRE(::chown((dir_ + "/store").c_str(), uid, gid) == 0);
}

std::string Sandbox::pre(const std::string& id, const nlohmann::json& input, const std::string& tool) const {
  return nlohmann::json{{"session_id", "sess-audit"}, {"transcript_path", "/dev/null"}, {"cwd", dir_ + "/home"},
                        {"permission_mode", "default"}, {"hook_event_name", "PreToolUse"}, {"tool_name", tool},
                        {"tool_input", input}, {"tool_use_id", id}}
      .dump();
}

std::string Sandbox::post(const std::string& id, const nlohmann::json& input, const nlohmann::json& response) const {
  return nlohmann::json{{"session_id", "sess-audit"}, {"transcript_path", "/dev/null"}, {"cwd", dir_ + "/home"},
                        {"permission_mode", "default"}, {"hook_event_name", "PostToolUse"}, {"tool_name", "Bash"},
                        {"tool_input", input}, {"tool_response", response}, {"tool_use_id", id},
                        {"duration_ms", 42}}
      .dump();
}

Run Sandbox::hook(const std::string& event, const std::function<void()>& setup) const {
  return exec({"hook"}, event, setup);
}

Run Sandbox::audit(const std::vector<std::string>& args, const std::function<void()>& setup) const {
  std::vector<std::string> argv = {"audit", "--db", db()};
  argv.insert(argv.end(), args.begin(), args.end());
  return exec(argv, "", setup);
}

Run Sandbox::exec(const std::vector<std::string>& args, const std::string& in, const std::function<void()>& setup) const {
  const char* bin = std::getenv("PRELOOP_HOOK_BIN");
  REQUIRE_MESSAGE(bin, "PRELOOP_HOOK_BIN is not set (run under ctest)");
  std::vector<std::string> argv_s = {bin};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv, envp;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_copy = env_;
  for (auto& e : env_copy) envp.push_back(e.data());
  envp.push_back(nullptr);

  int pin[2], pout[2], perr[2];
  REQUIRE(::pipe2(pin, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(pout, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(perr, O_CLOEXEC) == 0);
  auto started = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(pin[0], 0);
    ::dup2(pout[1], 1);
    ::dup2(perr[1], 2);
    if (setup) setup();
    ::execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  ::close(pin[0]);
  ::close(pout[1]);
  ::close(perr[1]);
  Run r;
  std::size_t written = 0;
  int in_fd = pin[1];
  if (in.empty()) {
    ::close(in_fd);
    in_fd = -1;
  }
  ::signal(SIGPIPE, SIG_IGN);
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    pollfd fds[3] = {{pout[0], POLLIN, 0}, {perr[0], POLLIN, 0}, {in_fd, POLLOUT, 0}};
    if (::poll(fds, in_fd >= 0 ? 3 : 2, 120000) <= 0) break;
    char buf[65536];
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) (i ? r.err : r.out).append(buf, std::size_t(n));
      else (i ? err_open : out_open) = false;
    }
    if (in_fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = ::write(in_fd, in.data() + written, in.size() - written);
      if (n > 0) written += std::size_t(n);
      if (n < 0 || written == in.size()) {
        ::close(in_fd);
        in_fd = -1;
      }
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  ::close(pout[0]);
  ::close(perr[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool running_as_root() { return ::geteuid() == 0; }

std::function<void()> as_nobody() {
  if (!running_as_root()) return {};
  return [] {
    ::setgroups(0, nullptr);
    if (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) _exit(126);
  };
}

}  // namespace preloop::audit_test
