#include "secrets/dummies.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "secrets/filters.h"

namespace preloop::secrets {
namespace {

bool one_of(std::string_view w, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), w) != set.end();
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

bool well_known_dummy(std::string_view value) {
  if (value.empty() || value.size() > 24) return false;
  std::string v = ascii_lower(value);
  if (v.back() == '!') v.pop_back();
  std::size_t end = v.size();
  while (end > 0 && std::isdigit(static_cast<unsigned char>(v[end - 1]))) --end;
  if (v.size() - end > 4) return end == 0 && v.size() <= 8;  // 12345678
  std::string_view word = std::string_view(v).substr(0, end);
  if (word.empty()) return true;  // 1234
  return one_of(word, {"password", "passw0rd", "p@ssw0rd", "p@ssword", "pass", "passwd", "pwd", "secret", "changeme",
                       "admin", "administrator", "root", "toor", "test", "testing", "tester", "testpass",
                       "testpassword", "postgres", "postgresql", "pgpass", "mysql", "mariadb", "redis", "mongo",
                       "mongodb", "rabbitmq", "guest", "letmein", "qwerty", "dev", "devpass", "development", "local",
                       "localdev", "demo", "foobar", "foo", "bar", "baz", "user", "username", "default", "sample",
                       "dummy", "fake", "app", "apppass", "welcome", "hunter", "hunter2", "example", "sa", "minio",
                       "minioadmin", "keycloak", "elastic", "changeit", "secretpassword", "mypassword", "supersecret",
                       "s3cr3t", "docker", "vagrant", "ubuntu", "pi", "raspberry", "abc", "abcd", "abc123", "xyz"});
}

bool local_host(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') host = host.substr(1, host.find(']') == std::string_view::npos ? host.size() - 1 : host.find(']') - 1);
  std::string h = ascii_lower(host);
  if (h == "localhost" || h == "0.0.0.0" || h == "::1" || h == "host.docker.internal" || h == "host.containers.internal")
    return true;
  if (h.rfind("127.", 0) == 0) return true;
  auto ends = [&](std::string_view s) { return h.size() > s.size() && h.compare(h.size() - s.size(), s.size(), s) == 0; };
  if (ends(".localhost") || ends(".local") || ends(".test") || ends(".internal") || ends(".localdomain")) return true;
  // A single label: a compose service or a machine on the local network.
  return h.find('.') == std::string::npos && h.find(':') == std::string::npos &&
         std::all_of(h.begin(), h.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
}

std::string_view host_prefix(std::string_view rest) {
  if (!rest.empty() && rest.front() == '[') {
    std::size_t close = rest.find(']');
    return close == std::string_view::npos ? rest : rest.substr(0, close + 1);
  }
  return rest.substr(0, rest.find_first_of(":/?#@ \t\r\n\"'<>;,)"));
}

std::string_view first_url_host(std::string_view text) {
  std::size_t scheme = text.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = text.substr(scheme + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?# \t\r\n\"'<>"));
  std::size_t at = authority.rfind('@');
  return host_prefix(at == std::string_view::npos ? rest : rest.substr(at + 1));
}

bool fixture_path(std::string_view path) {
  std::string p = ascii_lower(path);
  for (std::string_view dir : {"/test/", "/tests/", "/spec/", "/specs/", "/__tests__/", "/__mocks__/", "/fixtures/",
                               "/fixture/", "/testdata/", "/test_data/", "/e2e/", "/testing/", "/mocks/"})
    if (p.find(dir) != std::string::npos || p.rfind(dir.substr(1), 0) == 0) return true;
  std::size_t slash = p.find_last_of('/');
  std::string_view base = std::string_view(p).substr(slash == std::string::npos ? 0 : slash + 1);
  std::size_t dot = base.find('.');
  std::string_view stem = base.substr(0, dot);
  if (base.rfind("test_", 0) == 0 || base == "conftest.py" || base.find(".test.") != std::string_view::npos ||
      base.find(".spec.") != std::string_view::npos || base.find("_spec.") != std::string_view::npos)
    return true;
  if (stem.ends_with("_test") || stem.ends_with("-test") || stem.ends_with("_tests")) return true;
  if (one_of(stem, {"fixtures", "fixture", "seeds", "seed", "factories", "factory", "mocks", "mock", "testdata"}))
    return true;
  std::size_t oslash = path.find_last_of('/');
  std::string_view ostem = path.substr(oslash == std::string_view::npos ? 0 : oslash + 1);
  ostem = ostem.substr(0, ostem.find('.'));
  if (ostem.size() > 4 && (ostem.ends_with("Test") || ostem.ends_with("Tests"))) return true;  // AppTest.java
  return base.rfind("docker-compose", 0) == 0 || base.rfind("compose.", 0) == 0 || base.rfind("compose-", 0) == 0;
}

}  // namespace preloop::secrets
