#include "secrets/dummies.h"

#include <doctest/doctest.h>

#include "secrets/detector.h"

using namespace preloop::secrets;

TEST_CASE("well-known dummy values") {
  for (const char* v : {"password", "password123", "Password1!", "postgres", "root", "admin123", "changeme", "test1234",
                        "secret", "123456", "12345678", "guest", "minioadmin"})
    CHECK_MESSAGE(well_known_dummy(v), v);
  for (const char* v : {"Vx9qL2mT7wR4kZ3p", "password123456", "postgres-prod-7f3a", "hunter2x9", "", "admin12345"})
    CHECK_MESSAGE(!well_known_dummy(v), v);
}

TEST_CASE("local hosts") {
  for (const char* h : {"localhost", "LOCALHOST", "127.0.0.1", "0.0.0.0", "[::1]", "db", "postgres", "api.localhost",
                        "printer.local", "host.docker.internal", "svc.internal"})
    CHECK_MESSAGE(local_host(h), h);
  for (const char* h : {"example.com", "db.prod.example.org", "10.0.0.5.nip.io", "", "api.github.com"})
    CHECK_MESSAGE(!local_host(h), h);
  CHECK(first_url_host("curl -u a:b http://localhost:8080/x") == "localhost");
  CHECK(first_url_host("postgres://u:p@db:5432/app") == "db");
  CHECK(first_url_host("http://[::1]:9000/") == "[::1]");
  CHECK(first_url_host("no url here").empty());
}

TEST_CASE("fixture paths") {
  for (const char* p : {"/p/tests/conftest.py", "/p/src/db.spec.ts", "/p/app/models/user_test.go", "/p/test_api.py",
                        "/p/src/__tests__/a.js", "/p/testdata/x.json", "/p/docker-compose.yml", "/p/compose.yaml",
                        "/p/src/test/java/AppTest.java", "spec/models/user_spec.rb"})
    CHECK_MESSAGE(fixture_path(p), p);
  for (const char* p : {"/p/src/config.py", "/p/.env", "/p/contest/x.py", "/p/src/latest.ts", "/p/README.md"})
    CHECK_MESSAGE(!fixture_path(p), p);
}

TEST_CASE("the detector: local dummies pass, real-looking values on local hosts are found") {
  Detector d;
  CHECK(d.scan("psql postgres://postgres:postgres@localhost:5432/app").empty());
  CHECK(d.scan("curl -u admin:password123 http://localhost:8080/api").empty());
  CHECK(d.scan("DATABASE_URL=mysql://app:app@db:3306/app").empty());
  CHECK(d.scan("psql postgres://app:Vx9qL2mT7wR4kZ3p@localhost/app").size() == 1);
  CHECK(d.scan("curl -u admin:Vx9qL2mT7wR4kZ3pQ http://localhost:8080").size() == 1);
  CHECK(d.scan("curl https://admin:password123@api.example-shop.io/v1").size() == 1);
}
