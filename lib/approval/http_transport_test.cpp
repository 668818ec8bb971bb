#include <doctest/doctest.h>

#include <string>

#include "approval/http_transport.h"

using namespace preloop::approval;

namespace {

HttpRequest sample_request() {
  HttpRequest r;
  r.method = "POST";
  r.url = "https://p.example/api/v1/agents/permission-check";
  r.headers = {{"Authorization", "Bearer t:o\nk"}, {"Content-Type", "application/json"}};
  r.body = std::string("{\"a\":1}\0tail:12:", 16);
  r.timeout = std::chrono::milliseconds(1234);
  r.connect_timeout = std::chrono::milliseconds(56);
  r.ca_bundle = "/etc/ca.pem";
  r.proxy = "http://proxy:3128";
  r.client_cert = "/home/u/client.pem";
  r.client_key = "/home/u/client.key";
  r.max_response_bytes = 4096;
  return r;
}

}  // namespace

TEST_CASE("helper wire format: a request and a response cross unchanged") {
  const HttpRequest in = sample_request();
  HttpRequest out;
  REQUIRE(decode_request(encode_request(in), &out));
  CHECK(out.method == in.method);
  CHECK(out.url == in.url);
  CHECK(out.headers == in.headers);
  CHECK(out.body == in.body);
  CHECK(out.timeout == in.timeout);
  CHECK(out.connect_timeout == in.connect_timeout);
  CHECK(out.ca_bundle == in.ca_bundle);
  CHECK(out.proxy == in.proxy);
  CHECK(out.client_cert == in.client_cert);
  CHECK(out.client_key == in.client_key);
  CHECK(out.max_response_bytes == in.max_response_bytes);

  HttpResponse r;
  r.error = HttpError::Tls;
  r.error_detail = "certificate: unknown issuer";
  r.status = 503;
  r.body = std::string("x\0y", 3);
  r.etag = "\"v1\"";
  r.retry_after_seconds = 7;
  HttpResponse back;
  REQUIRE(decode_response(encode_response(r), &back));
  CHECK(back.error == r.error);
  CHECK(back.error_detail == r.error_detail);
  CHECK(back.status == 503);
  CHECK(back.body == r.body);
  CHECK(back.etag == r.etag);
  CHECK(back.retry_after_seconds == 7);
}

TEST_CASE("helper wire format: truncated, padded or malformed input is refused") {
  const std::string req = encode_request(sample_request());
  HttpRequest out;
  for (std::size_t cut = 0; cut < req.size(); ++cut) CHECK_FALSE(decode_request(req.substr(0, cut), &out));
  CHECK_FALSE(decode_request(req + "1:x", &out));
  CHECK_FALSE(decode_request("preloop-http-request-2\n4:POST99999999999:x", &out));
  CHECK_FALSE(decode_request("preloop-http-request-2\n3:GET1:u4:9999", &out));  // too many headers

  HttpResponse r;
  r.status = 200;
  const std::string resp = encode_response(r);
  HttpResponse back;
  for (std::size_t cut = 0; cut < resp.size(); ++cut) CHECK_FALSE(decode_response(resp.substr(0, cut), &back));
  CHECK_FALSE(decode_response("preloop-http-response-1\n2:99" + resp.substr(resp.find(":0:") + 1), &back));
}

TEST_CASE("without preloop-hook-http beside the program, a helper exchange fails as unavailable, naming it") {
  // This test program's directory holds no helper.
  REQUIRE(helper_path().empty());
  HttpRequest req = sample_request();
  req.url = "http://127.0.0.1:9/";
  const HttpResponse r = helper_exchange(req);
  CHECK(r.error == HttpError::Unavailable);
  CHECK(r.error_detail.find("preloop-hook-http") != std::string::npos);
  CHECK(r.error_detail.find("Bearer") == std::string::npos);
}
