// Snapshot files: keyed by the binary and the inputs, shared directories, the bound.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "config/snapshot.h"

namespace fs = std::filesystem;
using namespace preloop;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("preloop-snapshot-test-" + std::to_string(getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

// A key as another build of the binary would make it.
snapshot::Key as_binary(const snapshot::Key& k, const std::string& binary) {
  snapshot::Key other = k;
  const std::string self = "binary\t" + snapshot::binary_identity() + "\n";
  for (std::string* s : {&other.slot, &other.signature}) s->replace(s->find(self), self.size(), "binary\t" + binary + "\n");
  return other;
}

std::size_t files_of(const fs::path& dir, const std::string& kind) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string().starts_with(kind + "-");
  return n;
}

}  // namespace

TEST_CASE("the binary is identified by its build id") {
  const std::string id = snapshot::binary_identity();
  REQUIRE(!id.empty());
  CHECK(id.starts_with("build-id "));  // gcc and clang link with --build-id on Debian
  CHECK(id.size() >= std::string("build-id ").size() + 16);  // 8 bytes at least (lld's fast hash)
}

TEST_CASE("a snapshot is read back only while its inputs are unchanged") {
  TempDir t;
  const fs::path in = t.path / "config.yaml";
  std::ofstream(in) << "profile: strict\n";
  auto key = snapshot::make_key("config", {{"user", in}}, "v1");
  REQUIRE(key);
  CHECK(!snapshot::read(t.path / "c", *key));
  snapshot::write(t.path / "c", *key, std::string("pay\0load", 8));
  auto back = snapshot::read(t.path / "c", *key);
  REQUIRE(back);
  CHECK(back->view() == std::string_view("pay\0load", 8));

  std::ofstream(in, std::ios::app) << "# edited\n";
  auto edited = snapshot::make_key("config", {{"user", in}}, "v1");
  REQUIRE(edited);
  CHECK(edited->slot == key->slot);  // the same file, replaced when written
  CHECK(!snapshot::read(t.path / "c", *edited));
  snapshot::write(t.path / "c", *edited, "new");
  CHECK(snapshot::read(t.path / "c", *edited)->view() == "new");
  CHECK(!snapshot::read(t.path / "c", *key));
  CHECK(files_of(t.path / "c", "config") == 1);
}

TEST_CASE("two binaries share a directory without replacing each other's snapshot") {
  TempDir t;
  const fs::path in = t.path / "p.yaml";
  std::ofstream(in) << "tools: []\n";
  auto mine = snapshot::make_key("policy", {{"user", in}}, "profile=recommended");
  REQUIRE(mine);
  const snapshot::Key other = as_binary(*mine, "build-id 00112233445566778899aabbccddeeff00112233");
  CHECK(snapshot::file_name(other) != snapshot::file_name(*mine));
  for (int round = 0; round < 3; ++round) {  // alternating calls, as two installs make them
    snapshot::write(t.path, *mine, "mine");
    snapshot::write(t.path, other, "other");
    CHECK(snapshot::read(t.path, *mine)->view() == "mine");
    CHECK(snapshot::read(t.path, other)->view() == "other");
  }
  CHECK(files_of(t.path, "policy") == 2);
}

TEST_CASE("a directory keeps at most kMaxSnapshots of a kind, the newest") {
  TempDir t;
  auto base = snapshot::make_key("policy", {}, "x");
  REQUIRE(base);
  std::vector<snapshot::Key> keys;
  for (std::size_t i = 0; i < snapshot::kMaxSnapshots + 5; ++i) {
    keys.push_back(as_binary(*base, "build-id " + std::to_string(i)));
    snapshot::write(t.path, keys.back(), "p" + std::to_string(i));
    // Distinct modification times, oldest first.
    fs::last_write_time(t.path / snapshot::file_name(keys.back()),
                        fs::file_time_type::clock::now() - std::chrono::hours(100 - i));
  }
  snapshot::write(t.path, *base, "self");
  CHECK(files_of(t.path, "policy") == snapshot::kMaxSnapshots);
  CHECK(snapshot::read(t.path, *base));
  CHECK(snapshot::read(t.path, keys.back()));
  CHECK(!snapshot::read(t.path, keys.front()));
  snapshot::write(t.path, snapshot::Key{"config", "c", "c"}, "other kind");
  CHECK(files_of(t.path, "policy") == snapshot::kMaxSnapshots);
  CHECK(files_of(t.path, "config") == 1);
}
