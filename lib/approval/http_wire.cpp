// The helper's wire format: a tag, then each field as <decimal length>:<bytes>.
#include <charconv>
#include <cstdint>

#include "approval/http_transport.h"

namespace preloop::approval {
namespace {

constexpr std::string_view kRequestTag = "preloop-http-request-2\n";
constexpr std::string_view kResponseTag = "preloop-http-response-1\n";
constexpr std::size_t kMaxHeaders = 256;

void put(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}

void put_int(std::string& out, long long v) { put(out, std::to_string(v)); }

bool get(std::string_view& in, std::string* s) {
  const auto colon = in.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 10) return false;
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(in.data(), in.data() + colon, n);
  if (ec != std::errc() || end != in.data() + colon || n > in.size() - colon - 1) return false;
  s->assign(in.substr(colon + 1, n));
  in.remove_prefix(colon + 1 + n);
  return true;
}

bool get_int(std::string_view& in, long long* v) {
  std::string s;
  if (!get(in, &s) || s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && end == s.data() + s.size();
}

bool tagged(std::string_view& in, std::string_view tag) {
  if (in.substr(0, tag.size()) != tag) return false;
  in.remove_prefix(tag.size());
  return true;
}

}  // namespace

std::string encode_request(const HttpRequest& req) {
  std::string out(kRequestTag);
  put(out, req.method);
  put(out, req.url);
  put_int(out, static_cast<long long>(req.headers.size()));
  for (const auto& [name, value] : req.headers) {
    put(out, name);
    put(out, value);
  }
  put(out, req.body);
  put_int(out, req.timeout.count());
  put_int(out, req.connect_timeout.count());
  put(out, req.ca_bundle);
  put(out, req.proxy);
  put(out, req.client_cert);
  put(out, req.client_key);
  put_int(out, static_cast<long long>(req.max_response_bytes));
  return out;
}

bool decode_request(std::string_view in, HttpRequest* req) {
  long long headers = 0, timeout = 0, connect = 0, max = 0;
  if (!tagged(in, kRequestTag) || !get(in, &req->method) || !get(in, &req->url) || !get_int(in, &headers) ||
      headers < 0 || headers > static_cast<long long>(kMaxHeaders))
    return false;
  req->headers.assign(static_cast<std::size_t>(headers), {});
  for (auto& [name, value] : req->headers)
    if (!get(in, &name) || !get(in, &value)) return false;
  if (!get(in, &req->body) || !get_int(in, &timeout) || !get_int(in, &connect) || !get(in, &req->ca_bundle) ||
      !get(in, &req->proxy) || !get(in, &req->client_cert) || !get(in, &req->client_key) || !get_int(in, &max) || max < 0 || !in.empty())
    return false;
  req->timeout = std::chrono::milliseconds(timeout);
  req->connect_timeout = std::chrono::milliseconds(connect);
  req->max_response_bytes = static_cast<std::size_t>(max);
  return true;
}

std::string encode_response(const HttpResponse& resp) {
  std::string out(kResponseTag);
  put_int(out, static_cast<long long>(resp.error));
  put(out, resp.error_detail);
  put_int(out, resp.status);
  put(out, resp.body);
  put(out, resp.etag);
  put_int(out, resp.retry_after_seconds);
  return out;
}

bool decode_response(std::string_view in, HttpResponse* resp) {
  long long error = 0, status = 0, retry = 0;
  if (!tagged(in, kResponseTag) || !get_int(in, &error) || error < 0 ||
      error > static_cast<long long>(HttpError::TooLarge) || !get(in, &resp->error_detail) ||
      !get_int(in, &status) || !get(in, &resp->body) || !get(in, &resp->etag) || !get_int(in, &retry) || !in.empty())
    return false;
  resp->error = static_cast<HttpError>(error);
  resp->status = static_cast<long>(status);
  resp->retry_after_seconds = static_cast<long>(retry);
  return true;
}

}  // namespace preloop::approval
