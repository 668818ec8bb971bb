// The exchange through preloop-hook-http: both sides of the socket.
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "approval/http_transport.h"
#include "process/detached.h"
#include "process/executable.h"
#include "process/helper.h"

namespace preloop::approval {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kMaxRequestBytes = 64u << 20;
// Beyond the request's own timeout, which the helper enforces: its start-up
// and libcurl's teardown.
constexpr std::chrono::seconds kHelperGrace{3};

int ms_left(SteadyClock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
  return left > 0 ? static_cast<int>(std::min<long long>(left, 1 << 30)) : 0;
}

HttpResponse failed(HttpError e, std::string detail) {
  HttpResponse r;
  r.error = e;
  r.error_detail = std::move(detail);
  return r;
}

// Sends all of data before the deadline. False when the helper stopped reading.
bool send_all(int fd, const std::string& data, SteadyClock::time_point deadline) {
  std::size_t off = 0;
  while (off < data.size()) {
    pollfd p{fd, POLLOUT, 0};
    const int rc = ::poll(&p, 1, ms_left(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return false;
    const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

enum class Read { Complete, Timeout, TooLarge };

Read read_all(int fd, std::string* out, std::size_t cap, SteadyClock::time_point deadline) {
  char buf[16384];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const int rc = ::poll(&p, 1, ms_left(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) return Read::Timeout;
    if (rc < 0) return Read::Complete;
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return Read::Complete;
    if (out->size() + static_cast<std::size_t>(n) > cap) return Read::TooLarge;
    out->append(buf, static_cast<std::size_t>(n));
  }
}

pid_t spawn_helper(const std::string& helper, int fd) { return process::spawn_clean(helper, {}, fd, false); }

int wait_exit(pid_t pid) {
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

}  // namespace

std::string helper_path() {
  for (const std::string& p : process::network_helper_candidates(process::self_exe()))
    if (process::executable_file(p)) return p;
  return "";
}

HttpResponse helper_exchange(const HttpRequest& req) {
  const std::string helper = helper_path();
  if (helper.empty())
    return failed(HttpError::Unavailable, "the network helper preloop-hook-http is not installed beside " +
                                              process::self_exe() + " nor where it is installed");
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return failed(HttpError::Unavailable, std::string("cannot start the network helper: ") + std::strerror(errno));
  const pid_t pid = spawn_helper(helper, sv[1]);
  ::close(sv[1]);
  if (pid < 0) {
    ::close(sv[0]);
    return failed(HttpError::Unavailable, "cannot start the network helper " + helper);
  }
  ::fcntl(sv[0], F_SETFL, ::fcntl(sv[0], F_GETFL) | O_NONBLOCK);
  const auto deadline = SteadyClock::now() + req.timeout + kHelperGrace;
  std::string answer;
  Read read = Read::Complete;
  if (send_all(sv[0], encode_request(req), deadline)) {
    ::shutdown(sv[0], SHUT_WR);
    read = read_all(sv[0], &answer, req.max_response_bytes + (64u << 10), deadline);
  }
  if (read != Read::Complete) ::kill(pid, SIGKILL);
  ::close(sv[0]);
  const int status = wait_exit(pid);
  if (read == Read::Timeout)
    return failed(HttpError::Timeout, "the network helper did not answer before the deadline");
  HttpResponse resp;
  if (read == Read::TooLarge || !decode_response(answer, &resp))
    return failed(HttpError::Unavailable,
                  "the network helper " + helper + " failed (exit status " + std::to_string(status) + ")");
  return resp;
}

int serve_helper(int in, int out) {
  std::string request;
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return 2;
    if (n == 0) break;
    if (request.size() + static_cast<std::size_t>(n) > kMaxRequestBytes) return 2;
    request.append(buf, static_cast<std::size_t>(n));
  }
  HttpRequest req;
  if (!decode_request(request, &req)) return 2;
  HttpResponse resp;
  if (http_precheck(req, &resp)) resp = curl_exchange(req);
  const std::string answer = encode_response(resp);
  std::size_t off = 0;
  while (off < answer.size()) {
    const ssize_t n = ::write(out, answer.data() + off, answer.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 2;
    off += static_cast<std::size_t>(n);
  }
  return 0;
}

}  // namespace preloop::approval
