#include "shell/credentials.h"

#include <doctest/doctest.h>

#include <string>

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

TEST_CASE("long words and directories below home are told apart without every pattern") {
  const char* home = "/home/u";
  // a word of code taken for a path: its last component decides
  std::string code = "/home/u/p/import json; d = {'k': 1}; print(json.dumps(d)); open('tls.key')";
  CHECK_FALSE(credential_path(code, home));
  CHECK(credential_path(code.substr(0, code.size() - 2), home));  // ends in tls.key
  CHECK(credential_path("/home/u/p/x.y/deploy.pem", home));
  CHECK(credential_path("/home/u/.kube/config", home));
  CHECK(credential_path("/home/u/.gnupg", home));
  CHECK(credential_path("/opt/a.b/.azure/token", home));
  CHECK_FALSE(credential_path("/opt/a.b/config", home));
  // recursive reads: a directory that holds home, or one inside a dot directory of home
  CHECK(reaches_credential("/home", home, false, true));
  CHECK(reaches_credential("/home/u/", home, false, true));
  CHECK(reaches_credential("/home/u/.ssh", home, false, true));
  CHECK(reaches_credential("/home/u/.docker", home, false, true));
  CHECK_FALSE(reaches_credential("/home/u/project", home, false, true));
  CHECK_FALSE(reaches_credential("/home/u/.cache", home, false, true));
  CHECK_FALSE(reaches_credential("/home/uv", home, false, true));
}
