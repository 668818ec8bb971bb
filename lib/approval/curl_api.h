// libcurl, loaded with dlopen("libcurl.so.4") on the first request only: the
// hook's no-network path never maps it (start-up cost, attack surface).
#pragma once

#include <string>

#include <curl/curl.h>

namespace preloop::approval {

// The libcurl entry points the client uses.
struct CurlApi {
  CURLcode (*global_init)(long flags);
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  void (*easy_cleanup)(CURL*);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
  CURLcode (*easy_send)(CURL*, const void*, size_t, size_t*);
  CURLcode (*easy_recv)(CURL*, void*, size_t, size_t*);
};

// Loads libcurl once per process. Returns nullptr and sets *error when the
// library or one of its symbols is missing.
const CurlApi* load_curl(std::string* error);

}  // namespace preloop::approval
