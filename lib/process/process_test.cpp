#include <doctest/doctest.h>

#include "process/helper.h"
#include "process/linkage.h"

using namespace preloop::process;

TEST_CASE("the network helper is looked for beside the binary, then where the build installs it") {
  const auto c = network_helper_candidates("/opt/x/bin/preloop-hook");
  REQUIRE(c.size() == 2);
  CHECK(c[0] == "/opt/x/bin/preloop-hook-http");
  CHECK(c[1].size() > std::string("/preloop-hook/preloop-hook-http").size());
  CHECK(c[1].substr(c[1].size() - 31) == "/preloop-hook/preloop-hook-http");
  CHECK(network_helper_candidates("").empty());
}

TEST_CASE("a test program is dynamically linked, and limiting NSS does nothing to it") {
  CHECK_FALSE(statically_linked());
  nss_files_only_if_static();  // a no-op here; twice is fine
  nss_files_only_if_static();
}
