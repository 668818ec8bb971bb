// How an HTTP exchange is made: in this process with the system libcurl, or,
// from a statically linked preloop-hook (which must not load a shared library
// into its built-in libc), by the dynamically linked helper preloop-hook-http
// installed beside it. The request, bearer token included, goes to the helper
// over a socket, never in its arguments or environment.
#pragma once

#include <string>
#include <string_view>

#include "approval/http.h"

namespace preloop::approval {

// The checks every exchange passes first (URL allowed, time left). False,
// with the error in *resp, when the request must not be sent.
bool http_precheck(const HttpRequest& req, HttpResponse* resp);

// The exchange with libcurl loaded into this process.
HttpResponse curl_exchange(const HttpRequest& req);

// The exchange made by the helper: started, fed the request, killed when it
// outlives the request's timeout.
HttpResponse helper_exchange(const HttpRequest& req);

// The helper's path: preloop-hook-http beside the running binary, else where
// the build installs it (process/helper.h); empty when neither is an
// executable file.
std::string helper_path();

// The helper's side: one request read from `in` until end of file, the
// response written to `out`. Returns the process exit code (0 once a
// response, error or not, was written).
int serve_helper(int in, int out);

// The wire format between the two (length-prefixed fields). decode_* return
// false on anything malformed.
std::string encode_request(const HttpRequest& req);
bool decode_request(std::string_view in, HttpRequest* req);
std::string encode_response(const HttpResponse& resp);
bool decode_response(std::string_view in, HttpResponse* resp);

}  // namespace preloop::approval
