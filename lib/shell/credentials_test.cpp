#include "shell/credentials.h"

#include <doctest/doctest.h>

using namespace preloop::shell;

TEST_CASE("credential paths") {
  const char* home = "/home/u";
  for (const char* p : {"/home/u/.ssh/id_rsa", "/srv/keys/tls.key", "/p/.env", "/p/.env.production", "/home/u/.aws",
                        "/home/u/.aws/credentials", "/home/u/.ssh", "/p/release.jks", "/home/u/.netrc",
                        "/home/u/.docker/config.json", "/home/u/.config/gcloud/application_default_credentials.json"})
    CHECK_MESSAGE(credential_path(p, home), p);
  for (const char* p : {"/home/u/.ssh/id_rsa.pub", "/home/u/.ssh/known_hosts", "/home/u/.ssh/config", "/p/.env.example",
                        "/p/.env.local.sample", "/home/u/.aws/config", "/p/src/env.ts", "/p/README.md", "relative/.env"})
    CHECK_MESSAGE(!credential_path(p, home), p);
}

TEST_CASE("globs and recursive reads that reach a credential") {
  const char* home = "/home/u";
  CHECK(reaches_credential("/home/u/.ssh/*", home, true, false));
  CHECK(reaches_credential("/home/u/.ssh/id_*", home, true, false));
  CHECK(reaches_credential("/p/.env*", home, true, false));
  CHECK(reaches_credential("/p/.e?v", home, true, false));
  CHECK(reaches_credential("/home/u", home, false, true));
  CHECK(reaches_credential("/", home, false, true));
  CHECK_FALSE(reaches_credential("/home/u/*", home, true, false));  // * does not match .ssh
  CHECK_FALSE(reaches_credential("/p/*", home, true, false));       // nor .env
  CHECK_FALSE(reaches_credential("/p/src", home, false, true));
  CHECK_FALSE(reaches_credential("/home/u", home, false, false));   // naming a directory is not reading it
}
