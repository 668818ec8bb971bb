// preloop-hook-http: one HTTP exchange for a statically linked preloop-hook,
// which cannot load the system libcurl itself. The request comes on stdin,
// the response goes to stdout (see approval/http_transport.h).
#include <unistd.h>

#include "approval/http_transport.h"

int main(int argc, char**) {
  if (argc != 1 || ::isatty(0)) {
    static const char usage[] = "preloop-hook-http: run by preloop-hook, not by hand\n";
    (void)!::write(2, usage, sizeof usage - 1);
    return 2;
  }
  return preloop::approval::serve_helper(0, 1);
}
