// Well-known dummy credentials of local development and tests: the values of
// fixtures (`password123`, `postgres:postgres`), hosts that only exist on the
// developer's machine or network, and the files that hold test fixtures.
#pragma once

#include <string_view>

namespace preloop::secrets {

// A default or demo password: `password`, `password123`, `postgres`, `root`,
// `admin1!`, `secret`, `changeme`, `test123`, short digit runs (a well-known
// word followed by at most four digits and one `!`).
bool well_known_dummy(std::string_view value);

// The host of a URL (`user:pass@HOST:port/...`) reaches only the local machine
// or a local network name: localhost, *.localhost, 127.x, 0.0.0.0, ::1,
// host.docker.internal, *.local, *.test, *.internal, or a single label such
// as a compose service (`db`, `postgres`).
bool local_host(std::string_view host);

// The host of the first `scheme://[user[:pass]@]host[:port]` URL in `text`
// (`[::1]` with its brackets); empty when there is none.
std::string_view first_url_host(std::string_view text);

// The host at the start of `authority_rest` (what follows `user:pass@`).
std::string_view host_prefix(std::string_view authority_rest);

// A path that holds tests or fixtures: a `test`, `tests`, `spec`, `__tests__`,
// `fixtures`, `testdata`, `e2e` directory, or a `*_test.*`, `*.test.*`,
// `*.spec.*`, `test_*`, `conftest.py`, `*Test.java`-style name, a fixtures,
// seeds or factories file, or a compose
// file of local services (`docker-compose*.yml`, `compose*.yaml`).
bool fixture_path(std::string_view path);

}  // namespace preloop::secrets
