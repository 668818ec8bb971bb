#include "process/linkage.h"

#include <initializer_list>
#include <nss.h>
#include <sys/auxv.h>

namespace preloop::process {

// The kernel passes the loader's base address; a static program has none.
bool statically_linked() { return ::getauxval(AT_BASE) == 0; }

void nss_files_only_if_static() {
  if (!statically_linked()) return;
  for (const char* db : {"passwd", "group", "initgroups", "shadow"}) ::__nss_configure_lookup(db, "files");
}

}  // namespace preloop::process
