#include "process/linkage.h"

#include <initializer_list>
#include <nss.h>
#include <sys/auxv.h>

namespace preloop::process {

// The kernel passes the loader's base address; a static program has none.
bool statically_linked() { return ::getauxval(AT_BASE) == 0; }

void nss_files_only_if_static() {
  static const bool configured = [] {
    if (statically_linked())
      for (const char* db : {"passwd", "group", "initgroups", "shadow"}) ::__nss_configure_lookup(db, "files");
    return true;
  }();
  (void)configured;
}

}  // namespace preloop::process
