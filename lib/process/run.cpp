#include "process/run.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

extern char** environ;

namespace preloop::process {

RunResult run(const std::vector<std::string>& argv, const std::string& input, const std::string& dir,
              std::chrono::milliseconds timeout, std::size_t max_output) {
  RunResult r;
  if (argv.empty()) return r;
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return r;
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]);
    return r;
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
    return r;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  if (!dir.empty()) posix_spawn_file_actions_addchdir_np(&fa, dir.c_str());
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(in[0]), ::close(out[1]), ::close(err[1]);
  if (rc != 0) {
    ::close(in[1]), ::close(out[0]), ::close(err[0]);
    return r;
  }
  r.started = true;
  ::signal(SIGPIPE, SIG_IGN);
  ::fcntl(in[1], F_SETFL, O_NONBLOCK);
  std::size_t written = 0;
  int in_fd = in[1];
  if (input.empty()) ::close(in_fd), in_fd = -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int open_outputs = 2;
  int fds_out[2] = {out[0], err[0]};
  std::string* sinks[2] = {&r.out, &r.err};
  while (open_outputs > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      break;
    }
    pollfd p[3];
    int n = 0;
    for (int i = 0; i < 2; ++i)
      if (fds_out[i] >= 0) p[n++] = {fds_out[i], POLLIN, 0};
    if (in_fd >= 0) p[n++] = {in_fd, POLLOUT, 0};
    if (::poll(p, nfds_t(n), int(left.count())) < 0 && errno != EINTR) break;
    for (int k = 0; k < n; ++k) {
      if (!p[k].revents) continue;
      if (p[k].fd == in_fd) {
        const ssize_t w = ::write(in_fd, input.data() + written, input.size() - written);
        if (w > 0) written += std::size_t(w);
        if (w < 0 && errno != EAGAIN) written = input.size();
        if (written >= input.size()) ::close(in_fd), in_fd = -1;
        continue;
      }
      const int i = p[k].fd == fds_out[0] ? 0 : 1;
      char buf[8192];
      const ssize_t got = ::read(fds_out[i], buf, sizeof buf);
      if (got <= 0) {
        ::close(fds_out[i]);
        fds_out[i] = -1;
        --open_outputs;
      } else if (sinks[i]->size() < max_output) {
        sinks[i]->append(buf, std::min<std::size_t>(std::size_t(got), max_output - sinks[i]->size()));
      }
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  for (int fd : fds_out)
    if (fd >= 0) ::close(fd);
  if (r.timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

}  // namespace preloop::process
