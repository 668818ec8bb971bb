#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include "audit/store.h"
#include "forward/backoff.h"
#include "forward/deliver.h"
#include "forward/forwarder.h"
#include "forward/state.h"

namespace fs = std::filesystem;
using namespace preloop;
using namespace preloop::forward;
using nlohmann::json;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "forward-test-XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~TempDir() { fs::remove_all(path); }
};

void append(const fs::path& db, int n) {
  audit::Store store = audit::Store::open(db);
  for (int i = 0; i < n; ++i) {
    audit::Record r;
    r.ts = audit::now_rfc3339();
    r.hook_event = "PreToolUse";
    r.session_id = "s1";
    r.tool_use_id = "toolu_" + std::to_string(i);
    r.tool = "Bash";
    r.arguments = R"({"command":"ls"})";
    r.decision = "allow";
    store.append(r);
  }
}

std::string gunzip(const std::string& in) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  std::string out(in.size() * 20 + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = uInt(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  REQUIRE(inflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

// An OTLP/HTTP receiver on loopback: answers `fail_first` requests with `fail_status`, then 200;
// keeps the seqs of every accepted log record.
struct Receiver {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::mutex mu;
  std::vector<std::int64_t> seqs;
  std::vector<std::string> api_keys;
  std::vector<std::string> encodings;
  std::atomic<int> requests{0};
  int fail_first = 0;
  int fail_status = 503;

  Receiver() {
    server.Post("/v1/logs", [this](const httplib::Request& req, httplib::Response& res) {
      const int n = ++requests;
      if (n <= fail_first) {
        res.status = fail_status;
        return;
      }
      // This cpp-httplib may inflate gzip bodies itself.
      const bool gz = req.body.size() > 2 && req.body[0] == '\x1f' && req.body[1] == '\x8b';
      const std::string body = gz ? gunzip(req.body) : req.body;
      std::lock_guard<std::mutex> lock(mu);
      encodings.push_back(req.get_header_value("Content-Encoding"));
      const json j = json::parse(body);
      api_keys.push_back(req.get_header_value("x-api-key"));
      for (const auto& lr : j["resourceLogs"][0]["scopeLogs"][0]["logRecords"])
        for (const auto& kv : lr["attributes"])
          if (kv["key"] == "preloop.chain.seq") seqs.push_back(std::stoll(kv["value"]["intValue"].get<std::string>()));
      res.set_content("{}", "application/json");
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~Receiver() {
    server.stop();
    thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

ForwardSink otlp_sink(const std::string& endpoint) {
  ForwardSink s;
  s.name = "otel";
  s.kind = SinkKind::Otlp;
  s.endpoint = endpoint;
  s.batch_size = 2;
  s.gzip = true;
  s.timeout = std::chrono::milliseconds(3000);
  s.headers.push_back({"x-api-key", SecretRef{"FORWARD_TEST_KEY", {}}});
  return s;
}

// A port nothing listens on: bound, then closed.
std::string closed_url() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
}

}  // namespace

TEST_CASE("backoff: grows from the initial delay to the cap, jittered within [cap/2, cap], at least Retry-After") {
  using std::chrono::milliseconds;
  CHECK(backoff_delay(1, 0.0) == milliseconds(500));
  CHECK(backoff_delay(1, 0.999).count() <= 1000);
  CHECK(backoff_delay(3, 0.0) == milliseconds(2000));
  CHECK(backoff_delay(3, 0.999).count() <= 4000);
  CHECK(backoff_delay(3, 0.999).count() > 3900);
  CHECK(backoff_delay(30, 0.999).count() <= kBackoffMax.count());
  CHECK(backoff_delay(1000, 0.0) == kBackoffMax / 2);
  CHECK(backoff_delay(1, 0.0, 30) == milliseconds(30000));
  CHECK(backoff_delay(10, 0.0, 1) == kBackoffMax / 2);  // a shorter Retry-After does not shorten it
  double lo = 1, hi = 0;
  for (int i = 0; i < 200; ++i) {
    const double u = random_unit();
    lo = std::min(lo, u), hi = std::max(hi, u);
  }
  CHECK(lo >= 0.0);
  CHECK(hi < 1.0);
  CHECK(hi - lo > 0.5);  // a real draw, not a constant
}

TEST_CASE("state: saved atomically and owner-only, read back, a damaged file is an error") {
  TempDir t;
  const fs::path db = t.path / "audit.db";
  CHECK_FALSE(read_state(db, "otel"));
  SinkState s;
  s.cursor_seq = 41;
  s.cursor_hash = "abc";
  s.last_error = "HTTP 503";
  s.failures = 2;
  save_state(db, "otel", s);
  const auto back = read_state(db, "otel");
  REQUIRE(back);
  CHECK(back->cursor_seq == 41);
  CHECK(back->cursor_hash == "abc");
  CHECK(back->failures == 2);
  struct stat st {};
  REQUIRE(::stat((state_dir(db) / "otel.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat(state_dir(db).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  for (const auto& e : fs::directory_iterator(state_dir(db))) CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
  std::ofstream(state_dir(db) / "otel.json") << "{\"cursor_seq\": ";
  CHECK_THROWS_WITH_AS(load_state(db, "otel"), doctest::Contains("damaged"), std::runtime_error);
}

TEST_CASE("lock: one forwarder at a time") {
  TempDir t;
  const fs::path db = t.path / "audit.db";
  Lock first = lock_forwarder(db, false);
  REQUIRE(first);
  // flock locks belong to the open file description: a second open conflicts even in one process.
  CHECK_FALSE(lock_forwarder(db, false));
}

TEST_CASE("credentials: from the environment or an owner-only file, never in messages") {
  TempDir t;
  ::setenv("FORWARD_TEST_SECRET", "s3cret-value", 1);
  CHECK(read_secret({"FORWARD_TEST_SECRET", {}}) == "s3cret-value");
  ::unsetenv("FORWARD_TEST_SECRET");
  CHECK_THROWS_WITH_AS(read_secret({"FORWARD_TEST_SECRET", {}}), doctest::Contains("FORWARD_TEST_SECRET is not set"),
                       std::runtime_error);
  const fs::path f = t.path / "token";
  std::ofstream(f) << "file-token\n";
  ::chmod(f.c_str(), 0600);
  CHECK(read_secret({"", f}) == "file-token");
  ::chmod(f.c_str(), 0644);
  try {
    read_secret({"", f});
    FAIL("a group-readable credential file was used");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("readable by group or others") != std::string::npos);
    CHECK(std::string(e.what()).find("file-token") == std::string::npos);
  }
  CHECK_THROWS_WITH_AS(read_secret({"", t.path / "missing"}), doctest::Contains("does not exist"), std::runtime_error);
}

TEST_CASE("requests: OTLP to /v1/logs with its headers and gzip, HEC with its Splunk token, syslog as a stream") {
  ::setenv("FORWARD_TEST_KEY", "k-1", 1);
  audit::Record r;
  r.seq = 1;
  r.ts = "2026-03-01T10:20:30.456Z";
  r.hash = std::string(64, 'a');
  const Origin o{"h", "host", "v", 1, std::string(64, 'a')};
  approval::HttpRequest req = build_request(otlp_sink("https://otel.example:4318"), {r}, o);
  CHECK(req.method == "POST");
  CHECK(req.url == "https://otel.example:4318/v1/logs");
  CHECK(std::count(req.headers.begin(), req.headers.end(), std::pair<std::string, std::string>("x-api-key", "k-1")) == 1);
  CHECK(std::count(req.headers.begin(), req.headers.end(), std::pair<std::string, std::string>("Content-Encoding", "gzip")) == 1);
  CHECK(json::parse(gunzip(req.body)).contains("resourceLogs"));

  ForwardSink hec;
  hec.name = "splunk";
  hec.kind = SinkKind::Hec;
  hec.endpoint = "https://splunk.example:8088";
  hec.token = {"FORWARD_TEST_KEY", {}};
  req = build_request(hec, {r}, o);
  CHECK(req.url == "https://splunk.example:8088/services/collector/event");
  CHECK(std::count(req.headers.begin(), req.headers.end(), std::pair<std::string, std::string>("Authorization", "Splunk k-1")) == 1);

  ForwardSink sys;
  sys.name = "siem";
  sys.kind = SinkKind::Syslog;
  sys.endpoint = "tls://siem.example:6514";
  sys.client_cert = "/c.pem";
  sys.client_key = "/c.key";
  req = build_request(sys, {r}, o);
  CHECK(req.method == "STREAM");
  CHECK(req.url == "tls://siem.example:6514");
  CHECK(req.client_cert == "/c.pem");
  const auto sp = req.body.find(' ');
  CHECK(req.body.substr(0, sp) == std::to_string(req.body.size() - sp - 1));  // one frame: "LEN <PRI>1 ..."
  CHECK(req.body.substr(sp + 1, 6) == "<86>1 ");

  ::unsetenv("FORWARD_TEST_KEY");
  const Delivery d = send(otlp_sink("https://otel.example:4318"), {r}, o);
  CHECK_FALSE(d.ok);
  CHECK(d.error.find("FORWARD_TEST_KEY is not set") != std::string::npos);
}

TEST_CASE("forwarding over loopback: batches, the cursor advances, a failure waits and resumes, nothing is lost") {
  TempDir t;
  const fs::path db = t.path / "audit.db";
  ::setenv("FORWARD_TEST_KEY", "k-2", 1);
  append(db, 5);
  Receiver rx;
  ForwardOptions o{db, "", true, "test", 2000};

  // Receiver down: nothing advances, the sink waits, the records stay.
  ForwardSink down = otlp_sink(closed_url());
  PassResult p = forward_pass({down}, o);
  REQUIRE(p.sinks.size() == 1);
  CHECK(p.sinks[0].sent == 0);
  CHECK(p.sinks[0].state.cursor_seq == 0);
  CHECK(p.sinks[0].state.backlog == 5);
  CHECK(p.sinks[0].state.failures == 1);
  INFO(p.sinks[0].state.last_error);
  CHECK(p.sinks[0].state.last_error.find("connect") != std::string::npos);
  CHECK(p.sinks[0].state.next_attempt_ms > 0);
  CHECK(p.left());
  // In backoff, a background pass does not try again.
  p = forward_pass({down}, o);
  CHECK(p.sinks[0].waiting);
  CHECK(p.sinks[0].state.failures == 1);

  // The receiver answers 503 twice: a pass by hand retries now, fails, then succeeds.
  rx.fail_first = 1;
  ForwardSink up = otlp_sink(rx.url());
  o.respect_backoff = false;
  p = forward_pass({up}, o);
  CHECK(p.sinks[0].sent == 0);
  CHECK(p.sinks[0].state.last_error == "HTTP 503");
  CHECK(p.sinks[0].state.failures == 2);
  p = forward_pass({up}, o);
  CHECK(p.sinks[0].sent == 5);
  CHECK(rx.requests == 4);  // one failed, then 2 + 2 + 1
  CHECK(p.sinks[0].state.cursor_seq == 5);
  CHECK(p.sinks[0].state.backlog == 0);
  CHECK(p.sinks[0].state.failures == 0);
  CHECK(p.sinks[0].state.last_error.empty());
  CHECK_FALSE(p.left());
  CHECK(rx.seqs == std::vector<std::int64_t>{1, 2, 3, 4, 5});
  CHECK(rx.api_keys.front() == "k-2");
  CHECK(rx.encodings.front() == "gzip");

  // A restart resumes after the saved cursor: only new records go.
  append(db, 3);
  p = forward_pass({up}, o);
  CHECK(p.sinks[0].sent == 3);
  CHECK(rx.seqs == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(load_state(db, "otel").cursor_seq == 8);
  CHECK(load_state(db, "otel").delivered == 8);
}

TEST_CASE("forwarding: more than max_backlog waiting marks the sink behind; the records stay") {
  TempDir t;
  const fs::path db = t.path / "audit.db";
  append(db, 4);
  ::setenv("FORWARD_TEST_KEY", "k", 1);
  ForwardSink s = otlp_sink(closed_url());
  s.max_backlog = 3;
  const PassResult p = forward_pass({s}, {db, "", true, "test", 2000});
  CHECK(p.sinks[0].state.behind);
  CHECK(p.sinks[0].state.backlog == 4);
  CHECK(load_state(db, "otel").behind);
}

TEST_CASE("forwarding: a cursor past the chain's end (a new store) starts over and says so") {
  TempDir t;
  const fs::path db = t.path / "audit.db";
  append(db, 2);
  ::setenv("FORWARD_TEST_KEY", "k", 1);
  SinkState old;
  old.cursor_seq = 10;
  old.cursor_hash = std::string(64, 'f');
  save_state(db, "otel", old);
  Receiver rx;
  const PassResult p = forward_pass({otlp_sink(rx.url())}, {db, "", true, "test", 2000});
  CHECK(p.sinks[0].sent == 2);
  CHECK(rx.seqs == std::vector<std::int64_t>{1, 2});
}

TEST_CASE("forwarding: --sink limits the pass to one sink") {
  TempDir t;
  const fs::path db = t.path / "audit.db";
  append(db, 1);
  ::setenv("FORWARD_TEST_KEY", "k", 1);
  Receiver rx;
  ForwardSink a = otlp_sink(rx.url()), b = otlp_sink(rx.url());
  b.name = "other";
  const PassResult p = forward_pass({a, b}, {db, "other", true, "test", 2000});
  REQUIRE(p.sinks.size() == 1);
  CHECK(p.sinks[0].name == "other");
  CHECK_FALSE(read_state(db, "otel"));
}
