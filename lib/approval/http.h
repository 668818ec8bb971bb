// One HTTP exchange over libcurl with hard limits: a total deadline, a
// response size cap, TLS verification always on, no redirects, http(s) only.
// Header values (the bearer token) never appear in any error text.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace preloop::approval {

enum class HttpError {
  None,
  Unavailable,   // libcurl could not be loaded
  BadUrl,        // malformed URL or a plain-http URL to a non-loopback host
  Connect,       // DNS, refused, reset, closed early, proxy
  Tls,           // handshake, certificate verification
  Timeout,       // the deadline passed before a complete answer
  TooLarge,      // the response body exceeded the cap
};

struct HttpRequest {
  std::string method = "GET";  // GET | POST | STREAM (tcp:// or tls://: body sent, receiver's close awaited)
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};          // whole exchange
  std::chrono::milliseconds connect_timeout{5000};
  std::string ca_bundle;                             // PEM file; empty = system store
  std::string proxy;                                 // empty = libcurl's environment handling
  std::string client_cert, client_key;               // PEM files for TLS client authentication; empty = none
  std::size_t max_response_bytes = 1u << 20;
};

struct HttpResponse {
  HttpError error = HttpError::None;
  std::string error_detail;  // libcurl's message; never contains header values
  long status = 0;
  std::string body;
  std::string etag;
  long retry_after_seconds = -1;  // Retry-After in seconds, -1 when absent
};

HttpResponse http_perform(const HttpRequest& req);

// "connect" "tls" ... for audit failure_class.
const char* to_string(HttpError e);

// True when url is http(s) and a plain-http URL points at a loopback host
// (tcp:// or tls:// for a STREAM). Otherwise sets *why.
bool url_allowed(const std::string& url, std::string* why, bool stream = false);

}  // namespace preloop::approval
