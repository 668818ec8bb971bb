// One batch to one sink: the request built (credentials read from the
// environment or an owner-only file at send time, body gzipped when asked) and
// made through approval/http.h, so that a statically linked preloop-hook never
// loads libcurl itself: HTTP and the syslog TCP/TLS stream both go through the
// dynamically linked preloop-hook-http and the system libcurl's TLS.
#pragma once

#include <string>
#include <vector>

#include "approval/http.h"
#include "audit/record.h"
#include "config/forward_settings.h"
#include "forward/render.h"

namespace preloop::forward {

struct Delivery {
  bool ok = false;
  std::string error;              // what failed; never a credential
  long retry_after_seconds = -1;  // the receiver's Retry-After
};

// A credential's value. Throws std::runtime_error naming its source (never the value).
std::string read_secret(const SecretRef& ref);

// The request for a batch (tests inspect it; send() makes it).
approval::HttpRequest build_request(const ForwardSink& sink, const std::vector<audit::Record>& batch, const Origin& o);

// Renders and sends a batch; ok only when the receiver accepted it (2xx, or
// the whole stream written).
Delivery send(const ForwardSink& sink, const std::vector<audit::Record>& batch, const Origin& o);

// gzip (RFC 1952) of data. Throws std::runtime_error.
std::string gzip(const std::string& data);

}  // namespace preloop::forward
