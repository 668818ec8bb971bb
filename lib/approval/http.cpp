#include "approval/http.h"

#include <algorithm>
#include <cctype>

#include "approval/http_transport.h"
#include "process/linkage.h"

namespace preloop::approval {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The scheme and host of url (lower case), without userinfo or port.
bool split_url(const std::string& url, std::string* scheme, std::string* host) {
  const auto sep = url.find("://");
  if (sep == std::string::npos) return false;
  *scheme = lower(url.substr(0, sep));
  std::string rest = url.substr(sep + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest[0] == '[') {
    const auto close = rest.find(']');
    if (close == std::string::npos) return false;
    *host = lower(rest.substr(1, close - 1));
  } else {
    *host = lower(rest.substr(0, rest.find(':')));
  }
  return !host->empty();
}

}  // namespace

const char* to_string(HttpError e) {
  switch (e) {
    case HttpError::None: return "none";
    case HttpError::Unavailable: return "curl_unavailable";
    case HttpError::BadUrl: return "bad_url";
    case HttpError::Connect: return "connect";
    case HttpError::Tls: return "tls";
    case HttpError::Timeout: return "timeout";
    case HttpError::TooLarge: return "too_large";
  }
  return "unknown";
}

bool url_allowed(const std::string& url, std::string* why, bool stream) {
  std::string scheme, host;
  if (!split_url(url, &scheme, &host)) {
    *why = stream ? "not a tcp:// or tls:// address" : "not an absolute http(s) URL";
    return false;
  }
  // A stream carries no credential of ours: plain tcp may go anywhere.
  if (stream) {
    if (scheme == "tcp" || scheme == "tls") return true;
    *why = "scheme '" + scheme + "' is not tcp or tls";
    return false;
  }
  if (scheme == "https") return true;
  if (scheme != "http") {
    *why = "scheme '" + scheme + "' is not http or https";
    return false;
  }
  if (host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0) return true;
  *why = "plain http to a non-loopback host would expose the API token; use https";
  return false;
}

bool http_precheck(const HttpRequest& req, HttpResponse* resp) {
  std::string why;
  if (!url_allowed(req.url, &why, req.method == "STREAM")) {
    resp->error = HttpError::BadUrl;
    resp->error_detail = why;
    return false;
  }
  if (req.timeout.count() <= 0) {
    resp->error = HttpError::Timeout;
    resp->error_detail = "no time left before the deadline";
    return false;
  }
  return true;
}

HttpResponse http_perform(const HttpRequest& req) {
  HttpResponse resp;
  if (!http_precheck(req, &resp)) return resp;
  // A statically linked program cannot load the system libcurl: the
  // dynamically linked helper makes the exchange.
  return process::statically_linked() ? helper_exchange(req) : curl_exchange(req);
}

}  // namespace preloop::approval
