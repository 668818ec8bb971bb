#include "forward/deliver.h"

#include <cstdlib>
#include <stdexcept>

#include <zlib.h>

#include "approval/credentials.h"

namespace preloop::forward {
namespace {

constexpr std::size_t kMaxResponse = 64u << 10;

}  // namespace

std::string read_secret(const SecretRef& ref) {
  std::string value;
  if (!ref.env.empty()) {
    const char* v = std::getenv(ref.env.c_str());
    if (!v || !*v) throw std::runtime_error("the environment variable " + ref.env + " is not set");
    value = v;
  } else {
    std::optional<std::string> text;
    try {
      text = approval::read_private_file(ref.file);
    } catch (const std::exception& e) {
      throw std::runtime_error(e.what());
    }
    if (!text) throw std::runtime_error("the credential file " + ref.file.string() + " does not exist");
    value = std::move(*text);
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  }
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f) throw std::runtime_error("the credential from " + ref.describe() + " holds a control character");
  if (value.empty()) throw std::runtime_error("the credential from " + ref.describe() + " is empty");
  return value;
}

std::string gzip(const std::string& data) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("gzip: cannot initialise zlib");
  std::string out(deflateBound(&z, uLong(data.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = uInt(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("gzip: compression failed");
  return out;
}

approval::HttpRequest build_request(const ForwardSink& sink, const std::vector<audit::Record>& batch, const Origin& o) {
  approval::HttpRequest req;
  req.timeout = sink.timeout;
  req.connect_timeout = sink.connect_timeout;
  req.ca_bundle = sink.ca_bundle;
  req.client_cert = sink.client_cert;
  req.client_key = sink.client_key;
  req.max_response_bytes = kMaxResponse;
  if (sink.kind == SinkKind::Syslog) {
    req.method = "STREAM";
    req.url = sink.endpoint;
    req.body = syslog_frames(batch, o, sink);
    return req;
  }
  req.method = "POST";
  req.headers.emplace_back("Content-Type", "application/json");
  if (sink.kind == SinkKind::Otlp) {
    req.url = sink.endpoint + "/v1/logs";
    req.body = otlp_body(batch, o);
    for (const auto& [name, ref] : sink.headers) req.headers.emplace_back(name, read_secret(ref));
  } else {
    req.url = sink.endpoint + "/services/collector/event";
    req.body = hec_body(batch, o, sink);
    req.headers.emplace_back("Authorization", "Splunk " + read_secret(sink.token));
  }
  if (sink.gzip) {
    req.body = gzip(req.body);
    req.headers.emplace_back("Content-Encoding", "gzip");
  }
  return req;
}

Delivery send(const ForwardSink& sink, const std::vector<audit::Record>& batch, const Origin& o) {
  Delivery d;
  approval::HttpRequest req;
  try {
    req = build_request(sink, batch, o);
  } catch (const std::exception& e) {
    d.error = e.what();
    return d;
  }
  const approval::HttpResponse resp = approval::http_perform(req);
  d.retry_after_seconds = resp.retry_after_seconds;
  if (resp.error != approval::HttpError::None) {
    d.error = std::string(approval::to_string(resp.error)) + ": " + resp.error_detail;
    return d;
  }
  if (sink.kind != SinkKind::Syslog && (resp.status < 200 || resp.status > 299)) {
    std::string body = resp.body.substr(0, 200);
    for (char& c : body)
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    d.error = "HTTP " + std::to_string(resp.status) + (body.empty() ? "" : ": " + body);
    return d;
  }
  d.ok = true;
  return d;
}

}  // namespace preloop::forward
