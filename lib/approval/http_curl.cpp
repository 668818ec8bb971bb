// The exchange in this process, with the system libcurl loaded on first use.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <memory>
#include <poll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "approval/curl_api.h"
#include "approval/http_transport.h"

namespace preloop::approval {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

struct Sink {
  std::string* body;
  std::size_t cap;
  bool overflow = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* s = static_cast<Sink*>(user);
  const size_t len = size * n;
  if (s->body->size() + len > s->cap) {
    s->overflow = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  s->body->append(data, len);
  return len;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* resp = static_cast<HttpResponse*>(user);
  const size_t len = size * n;
  std::string line(data, len);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    const std::string name = lower(line.substr(0, colon));
    const std::string value = trim(line.substr(colon + 1));
    if (name == "etag") resp->etag = value;
    if (name == "retry-after" && !value.empty() &&
        std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); }))
      resp->retry_after_seconds = std::min(std::stol(value.substr(0, 9)), 86400L);
  }
  return len;
}

HttpError classify(CURLcode rc) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return HttpError::Timeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return HttpError::Tls;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return HttpError::BadUrl;
    default:
      return HttpError::Connect;
  }
}

void set_tls(const CurlApi* c, CURL* e, const HttpRequest& req) {
  c->easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  c->easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!req.ca_bundle.empty()) c->easy_setopt(e, CURLOPT_CAINFO, req.ca_bundle.c_str());
  if (!req.client_cert.empty()) c->easy_setopt(e, CURLOPT_SSLCERT, req.client_cert.c_str());
  if (!req.client_key.empty()) c->easy_setopt(e, CURLOPT_SSLKEY, req.client_key.c_str());
}

HttpResponse failed(HttpError e, std::string detail) {
  HttpResponse r;
  r.error = e;
  r.error_detail = std::move(detail);
  return r;
}

// Waits, until deadline, for what readable/writable asks on sock.
void wait_socket(curl_socket_t sock, short events, std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  pollfd p{int(sock), events, 0};
  ::poll(&p, 1, int(std::clamp<long long>(left.count(), 0, 1 << 30)));
}

#ifdef __linux__
int tcp_state(curl_socket_t sock) {
  tcp_info ti{};
  socklen_t len = sizeof ti;
  return ::getsockopt(int(sock), IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 ? ti.tcpi_state : -1;
}
#endif

// The receiver's close answers the end of the stream: its FIN acknowledged ours
// (not CLOSING or LAST_ACK, where a receiver that closed on its own before our
// end reached it leaves the connection) and no reset came (the batch reaching a
// receiver that had closed).
HttpResponse closed_after_end(curl_socket_t sock) {
#ifdef __linux__
  if (const int st = tcp_state(sock); st == TCP_CLOSING || st == TCP_LAST_ACK)
    return failed(HttpError::Connect, "the receiver closed the stream before its end reached it");
#endif
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(int(sock), SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0)
    return failed(HttpError::Connect, std::string("the receiver did not confirm the batch: ") + std::strerror(err));
  return {};
}

enum class Peer { Quiet, Data, Closed, Failed };

// What the receiver did, seen on the socket itself: libcurl's TLS layer may
// report a reset as a plain end of stream.
Peer peek(curl_socket_t sock, int* err) {
  char b;
  const ssize_t n = ::recv(int(sock), &b, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return Peer::Data;
  if (n == 0) return Peer::Closed;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Peer::Quiet;
  *err = errno;
  return Peer::Failed;
}

// The delivery confirmation of a STREAM: the write side is shut down (the
// receiver reads EOF after the last byte; over TLS without close_notify, which
// libcurl offers no call for on a CONNECT_ONLY handle) and the receiver must
// then close the connection cleanly, which a receiver does once it has read
// everything. A close before the end, a reset, a TLS alert (a refused session)
// or any other error, or no close before the deadline: not confirmed. What the
// receiver sends is read through libcurl (TLS records) and otherwise ignored.
HttpResponse await_close(const CurlApi* c, CURL* e, curl_socket_t sock, std::chrono::steady_clock::time_point deadline) {
  bool ended = false;
  for (;;) {
    int err = 0;
    const Peer p = peek(sock, &err);
    if (p == Peer::Failed)
      return failed(HttpError::Connect, std::string("the receiver did not confirm the batch: ") + std::strerror(err));
    if (p == Peer::Closed) {
      if (!ended) return failed(HttpError::Connect, "the receiver closed the stream before its end");
      return closed_after_end(sock);
    }
    if (p == Peer::Data) {
      char buf[4096];
      std::size_t n = 0;
      const CURLcode rc = c->easy_recv(e, buf, sizeof buf, &n);
      if (rc != CURLE_OK && rc != CURLE_AGAIN)
        return failed(classify(rc) == HttpError::Tls ? HttpError::Tls : HttpError::Connect,
                      std::string("the receiver did not confirm the batch: ") + c->easy_strerror(rc));
    } else if (!ended) {
      if (::shutdown(int(sock), SHUT_WR) != 0)
        return failed(HttpError::Connect, std::string("cannot end the stream: ") + std::strerror(errno));
      ended = true;
#ifdef __linux__
      // The receiver's close came before our end.
      if (tcp_state(sock) == TCP_LAST_ACK)
        return failed(HttpError::Connect, "the receiver closed the stream before its end");
#endif
      continue;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return failed(HttpError::Timeout, "the receiver did not close the stream in time (batch not confirmed)");
    if (p == Peer::Quiet) wait_socket(sock, POLLIN, deadline);
  }
}

// A STREAM: connect (tcp://, or tls:// with the TLS handshake libcurl makes for
// an https:// URL with ALPN off), send the body, then await_close(): delivered
// only when the receiver closed after reading it all.
HttpResponse curl_stream(const CurlApi* c, const HttpRequest& req) {
  const auto sep = req.url.find("://");
  const std::string scheme = req.url.substr(0, sep);
  const std::string url = (scheme == "tls" ? "https" : "http") + req.url.substr(sep);
  std::unique_ptr<CURL, void (*)(CURL*)> h(c->easy_init(), c->easy_cleanup);
  if (!h) return failed(HttpError::Unavailable, "curl_easy_init failed");
  CURL* e = h.get();
  char errbuf[CURL_ERROR_SIZE] = {0};
  const auto deadline = std::chrono::steady_clock::now() + req.timeout;
  c->easy_setopt(e, CURLOPT_URL, url.c_str());
  c->easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
  c->easy_setopt(e, CURLOPT_SSL_ENABLE_ALPN, 0L);
  c->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  c->easy_setopt(e, CURLOPT_NOPROXY, "*");
  c->easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  c->easy_setopt(e, CURLOPT_TIMEOUT_MS, long(std::max<long long>(1, req.timeout.count())));
  c->easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                 long(std::max<long long>(1, std::min(req.connect_timeout, req.timeout).count())));
  set_tls(c, e, req);
  CURLcode rc = c->easy_perform(e);
  if (rc != CURLE_OK) return failed(classify(rc), errbuf[0] ? std::string(errbuf) : c->easy_strerror(rc));
  curl_socket_t sock = CURL_SOCKET_BAD;
  c->easy_getinfo(e, CURLINFO_ACTIVESOCKET, &sock);
  if (sock == CURL_SOCKET_BAD) return failed(HttpError::Connect, "no socket for the stream");
  std::size_t off = 0;
  while (off < req.body.size()) {
    std::size_t n = 0;
    rc = c->easy_send(e, req.body.data() + off, req.body.size() - off, &n);
    if (rc == CURLE_OK) {
      off += n;
      continue;
    }
    if (rc != CURLE_AGAIN || std::chrono::steady_clock::now() >= deadline)
      return failed(rc == CURLE_AGAIN ? HttpError::Timeout : HttpError::Connect,
                    "sent " + std::to_string(off) + " of " + std::to_string(req.body.size()) + " bytes: " +
                        (rc == CURLE_AGAIN ? "the receiver stopped reading" : c->easy_strerror(rc)));
    wait_socket(sock, POLLOUT, deadline);
  }
  return await_close(c, e, sock, deadline);
}

}  // namespace

HttpResponse curl_exchange(const HttpRequest& req) {
  HttpResponse resp;
  const CurlApi* c = load_curl(&resp.error_detail);
  if (!c) {
    resp.error = HttpError::Unavailable;
    return resp;
  }
  if (req.method == "STREAM") return curl_stream(c, req);
  std::unique_ptr<CURL, void (*)(CURL*)> h(c->easy_init(), c->easy_cleanup);
  if (!h) {
    resp.error = HttpError::Unavailable;
    resp.error_detail = "curl_easy_init failed";
    return resp;
  }
  curl_slist* list = nullptr;
  for (const auto& [name, value] : req.headers) list = c->slist_append(list, (name + ": " + value).c_str());
  list = c->slist_append(list, "Expect:");  // no 100-continue round trip
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(list, c->slist_free_all);

  char errbuf[CURL_ERROR_SIZE] = {0};
  Sink sink{&resp.body, req.max_response_bytes};
  CURL* e = h.get();
  c->easy_setopt(e, CURLOPT_URL, req.url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
  c->easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  c->easy_setopt(e, CURLOPT_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  c->easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  c->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  set_tls(c, e, req);
  if (!req.proxy.empty()) c->easy_setopt(e, CURLOPT_PROXY, req.proxy.c_str());
  c->easy_setopt(e, CURLOPT_TIMEOUT_MS, long(std::max<long long>(1, req.timeout.count())));
  c->easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                 long(std::max<long long>(1, std::min(req.connect_timeout, req.timeout).count())));
  c->easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
  c->easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_body);
  c->easy_setopt(e, CURLOPT_WRITEDATA, &sink);
  c->easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
  c->easy_setopt(e, CURLOPT_HEADERDATA, &resp);
  c->easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  c->easy_setopt(e, CURLOPT_USERAGENT, "preloop-hook");
  c->easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // whatever this libcurl decodes
  if (req.method == "POST") {
    c->easy_setopt(e, CURLOPT_POST, 1L);
    c->easy_setopt(e, CURLOPT_POSTFIELDSIZE, long(req.body.size()));
    c->easy_setopt(e, CURLOPT_POSTFIELDS, req.body.c_str());
  }
  const CURLcode rc = c->easy_perform(e);
  c->easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp.status);
  if (rc != CURLE_OK) {
    resp.error = sink.overflow ? HttpError::TooLarge : classify(rc);
    resp.error_detail = sink.overflow ? "response larger than " + std::to_string(req.max_response_bytes) + " bytes"
                                      : (errbuf[0] ? std::string(errbuf) : std::string(c->easy_strerror(rc)));
  }
  return resp;
}

}  // namespace preloop::approval
