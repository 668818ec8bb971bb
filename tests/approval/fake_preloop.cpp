#include "approval/fake_preloop.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

namespace preloop::testing {

Step Step::approve(int delay_ms, const std::string& approver) {
  nlohmann::json j = {{"decision", "allow"}, {"reason", "ok"}, {"request_id", "req-approved"}, {"timed_out", false}};
  if (!approver.empty()) j["approver"] = approver;
  return {Kind::Respond, 200, j.dump(), delay_ms, ""};
}
Step Step::decline(const std::string& reason, int delay_ms) {
  nlohmann::json j = {{"decision", "deny"}, {"reason", reason}, {"request_id", "req-declined"}, {"timed_out", false}};
  return {Kind::Respond, 200, j.dump(), delay_ms, ""};
}
Step Step::timed_out(int delay_ms) {
  nlohmann::json j = {
      {"decision", "deny"}, {"reason", "Approval request timed out"}, {"request_id", "req-expired"}, {"timed_out", true}};
  return {Kind::Respond, 200, j.dump(), delay_ms, ""};
}
Step Step::http(int status, const std::string& body) { return {Kind::Respond, status, body, 0, ""}; }
Step Step::garbage() { return {Kind::Respond, 200, "<html>502 Bad Gateway</html>{\"decision\":", 0, ""}; }
Step Step::huge(std::size_t bytes) {
  std::string body = "{\"decision\":\"allow\",\"pad\":\"" + std::string(bytes, 'x') + "\"}";
  return {Kind::Respond, 200, std::move(body), 0, ""};
}
Step Step::hang() { return {Kind::Hang, 0, "", 0, ""}; }
Step Step::reset_mid_body() { return {Kind::ResetMidBody, 200, Step::approve().body, 0, ""}; }
Step Step::policy(const std::string& body, const std::string& etag) { return {Kind::Respond, 200, body, 0, etag}; }

struct FakePreloop::Impl {
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;
  bool tls = false;
  mutable std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::map<std::string, std::vector<Step>> scripts;
  std::map<std::string, std::size_t> played;
  std::vector<SeenRequest> seen;

  Step next(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = scripts.find(path);
    if (it == scripts.end() || it->second.empty()) return Step::http(404, "{\"detail\":\"Not Found\"}");
    std::size_t& i = played[path];
    const Step s = it->second[std::min(i, it->second.size() - 1)];
    ++i;
    return s;
  }

  // Sleeps, returning early (false) when the server stops.
  bool wait(int ms) {
    std::unique_lock<std::mutex> lock(mu);
    return !cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping; });
  }

  void handle(const httplib::Request& req, httplib::Response& res) {
    {
      SeenRequest r{req.method, req.target, req.body, {}};
      for (const auto& [k, v] : req.headers) {
        std::string name = k;
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        r.headers[name] = v;
      }
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(std::move(r));
    }
    const Step s = next(req.path);
    if (s.kind == Step::Kind::Hang) {
      wait(120000);
      res.status = 503;
      return;
    }
    if (s.delay_ms > 0 && !wait(s.delay_ms)) {
      res.status = 503;
      return;
    }
    res.status = s.status;
    if (!s.etag.empty()) {
      res.set_header("ETag", s.etag);
      if (req.get_header_value("If-None-Match") == s.etag) {
        res.status = 304;
        return;
      }
    }
    if (s.kind == Step::Kind::ResetMidBody) {
      const std::string body = s.body;
      res.set_content_provider(body.size(), "application/json",
                               [body](size_t offset, size_t, httplib::DataSink& sink) {
                                 if (offset == 0) sink.write(body.data(), body.size() / 2);
                                 return offset == 0 ? true : false;
                               });
      return;
    }
    res.set_content(s.body, "application/json");
  }

  void start() {
    auto& svr = *server;
    if (!svr.is_valid()) throw std::runtime_error("test server: invalid TLS certificate or key");
    svr.new_task_queue = [] { return new httplib::ThreadPool(16); };
    svr.set_keep_alive_max_count(1);
    auto h = [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); };
    svr.Post(".*", h);
    svr.Get(".*", h);
    port = svr.bind_to_any_port("127.0.0.1");
    if (port <= 0) throw std::runtime_error("test server: cannot bind a loopback port");
    thread = std::thread([&svr] { svr.listen_after_bind(); });
    while (!svr.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
};

FakePreloop::FakePreloop() : impl_(std::make_unique<Impl>()) {
  impl_->server = std::make_unique<httplib::Server>();
  impl_->start();
}

FakePreloop::FakePreloop(const Tls& tls) : impl_(std::make_unique<Impl>()) {
  impl_->server = std::make_unique<httplib::SSLServer>(tls.cert_file.c_str(), tls.key_file.c_str());
  impl_->tls = true;
  impl_->start();
}

FakePreloop::~FakePreloop() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->server->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string FakePreloop::url() const {
  return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(impl_->port);
}
int FakePreloop::port() const { return impl_->port; }

void FakePreloop::script(const std::string& path, std::vector<Step> steps) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->scripts[path] = std::move(steps);
  impl_->played[path] = 0;
}

std::vector<SeenRequest> FakePreloop::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->seen;
}

// --- ResettingServer -------------------------------------------------------

struct ResettingServer::Impl {
  int fd = -1;
  int port = 0;
  std::atomic<int> connections{0};
  std::atomic<bool> stop{false};
  std::thread thread;
};

ResettingServer::ResettingServer() : impl_(std::make_unique<Impl>()) {
  impl_->fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(impl_->fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(impl_->fd, 16) != 0 ||
      ::getsockname(impl_->fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("resetting server: cannot listen");
  impl_->port = ntohs(a.sin_port);
  impl_->thread = std::thread([impl = impl_.get()] {
    while (!impl->stop) {
      const int c = ::accept4(impl->fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      if (impl->stop) {
        ::close(c);
        break;
      }
      ++impl->connections;
      char buf[4096];
      (void)::recv(c, buf, sizeof buf, 0);  // the request line and headers
      linger l{1, 0};                       // close with RST
      ::setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
      ::close(c);
    }
  });
}

ResettingServer::~ResettingServer() {
  impl_->stop = true;
  ::shutdown(impl_->fd, SHUT_RDWR);
  // Wake accept() with a connection of our own.
  const int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(impl_->port);
  (void)::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::close(c);
  impl_->thread.join();
  ::close(impl_->fd);
}

std::string ResettingServer::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }
int ResettingServer::connections() const { return impl_->connections; }

int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

TestCerts make_test_certs() {
  namespace fs = std::filesystem;
  char tmpl[] = "/tmp/preloop-certs-XXXXXX";
  if (!::mkdtemp(tmpl)) return {};
  TestCerts c{tmpl, std::string(tmpl) + "/ca.pem", std::string(tmpl) + "/server.pem", std::string(tmpl) + "/server.key"};
  const std::string d = c.dir;
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  const std::string cmd =
      "cd " + d + " && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ext.cnf && " +
      "openssl req -x509 " + ec + " -keyout ca.key -out ca.pem -days 2 -subj /CN=preloop-test-ca && " +
      "openssl req " + ec + " -keyout server.key -out server.csr -subj /CN=127.0.0.1 && " +
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 "
      "-extfile ext.cnf >/dev/null 2>&1";
  if (std::system(("(" + cmd + ") >/dev/null 2>&1").c_str()) != 0 || !fs::exists(c.cert_file)) return {};
  return c;
}

}  // namespace preloop::testing
