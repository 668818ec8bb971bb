#include "approval/curl_api.h"

#include <dlfcn.h>

#include <mutex>

#include "process/linkage.h"

namespace preloop::approval {
namespace {

template <typename F>
bool bind(void* lib, const char* name, F& out) {
  void* sym = dlsym(lib, name);
  if (!sym) return false;
  out = reinterpret_cast<F>(sym);
  return true;
}

struct Loaded {
  CurlApi api{};
  std::string error;
  bool ok = false;
};

Loaded load_once() {
  Loaded l;
  if (process::statically_linked()) {
    l.error = "a statically linked program cannot load libcurl.so.4 (its libc would be a second one)";
    return l;
  }
  void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* e = dlerror();
    l.error = std::string("cannot load libcurl.so.4 (install libcurl4): ") + (e ? e : "unknown error");
    return l;
  }
  CurlApi& a = l.api;
  const bool all = bind(lib, "curl_global_init", a.global_init) && bind(lib, "curl_easy_init", a.easy_init) &&
                   bind(lib, "curl_easy_setopt", a.easy_setopt) && bind(lib, "curl_easy_perform", a.easy_perform) &&
                   bind(lib, "curl_easy_getinfo", a.easy_getinfo) && bind(lib, "curl_easy_cleanup", a.easy_cleanup) &&
                   bind(lib, "curl_easy_strerror", a.easy_strerror) && bind(lib, "curl_slist_append", a.slist_append) &&
                   bind(lib, "curl_slist_free_all", a.slist_free_all) &&
                   bind(lib, "curl_easy_send", a.easy_send) && bind(lib, "curl_easy_recv", a.easy_recv);
  if (!all) {
    l.error = "libcurl.so.4 lacks an expected symbol (too old?)";
    return l;
  }
  if (a.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    l.error = "libcurl global initialisation failed";
    return l;
  }
  l.ok = true;
  return l;
}

}  // namespace

const CurlApi* load_curl(std::string* error) {
  static const Loaded loaded = load_once();  // thread-safe once
  if (!loaded.ok) {
    if (error) *error = loaded.error;
    return nullptr;
  }
  return &loaded.api;
}

}  // namespace preloop::approval
