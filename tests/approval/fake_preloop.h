// A Preloop-compatible approval and policy server for tests: real HTTP (or
// HTTPS with a test CA) over loopback, scripted per test.
//   POST /api/v1/agents/permission-check   answers from the script of that path
//   GET  /api/v1/policies/export           answers from its script; 304 when
//                                          If-None-Match equals the step's ETag
// Each path plays its steps in order; the last one repeats.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace preloop::testing {

struct Step {
  enum class Kind {
    Respond,       // status + body after delay_ms
    Hang,          // never answers (until the server stops)
    ResetMidBody,  // headers and half the body, then the connection is dropped
  };
  Kind kind = Kind::Respond;
  int status = 200;
  std::string body;
  int delay_ms = 0;
  std::string etag;  // sent as ETag; If-None-Match equal to it gets 304

  static Step approve(int delay_ms = 0, const std::string& approver = "");
  static Step decline(const std::string& reason, int delay_ms = 0);
  static Step timed_out(int delay_ms = 0);
  static Step http(int status, const std::string& body = "{}");
  static Step garbage();
  static Step huge(std::size_t bytes);
  static Step hang();
  static Step reset_mid_body();
  static Step policy(const std::string& body, const std::string& etag);
};

struct SeenRequest {
  std::string method;
  std::string path;    // with the query string
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
};

class FakePreloop {
 public:
  struct Tls {
    std::string cert_file;
    std::string key_file;
  };
  FakePreloop();                     // plain HTTP on 127.0.0.1
  explicit FakePreloop(const Tls&);  // HTTPS
  ~FakePreloop();
  FakePreloop(const FakePreloop&) = delete;
  FakePreloop& operator=(const FakePreloop&) = delete;

  std::string url() const;  // http(s)://127.0.0.1:<port>
  int port() const;
  void script(const std::string& path, std::vector<Step> steps);
  std::vector<SeenRequest> requests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A listener that accepts, reads the request and resets the connection (RST).
class ResettingServer {
 public:
  ResettingServer();
  ~ResettingServer();
  std::string url() const;
  int connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A loopback port with nothing listening.
int closed_port();

// A throw-away CA and a server certificate for 127.0.0.1/localhost, made with
// the openssl command. Empty paths when openssl is missing.
struct TestCerts {
  std::string dir, ca_file, cert_file, key_file;
};
TestCerts make_test_certs();

}  // namespace preloop::testing
