#include <doctest/doctest.h>

#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <cstring>
#include <unistd.h>

#include "config/safe_file.h"
#include "support/process.h"

namespace fs = std::filesystem;
using namespace preloop;
using preloop::testing::TempDir;

namespace {

constexpr FileRule kSmall{"test files", 1024, true};
constexpr FileRule kNoLinks{"test files", 1024, false};
constexpr FileRule kOwn{"test files", 1024, false, true};

std::string error_of(const fs::path& p, const FileRule& rule, const fs::path& within = {}) {
  try {
    read_file_safely(p, rule, within);
  } catch (const FileError& e) {
    return e.what();
  }
  return "";
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("reads a regular file whole, up to the cap") {
  TempDir t;
  fs::path p = t.write("a.yaml", "tools: []\n");
  FileContent c = read_file_safely(p, kSmall);
  CHECK(c.text == "tools: []\n");
  CHECK(S_ISREG(c.st.st_mode));
  CHECK(read_file_safely(t.write("full", std::string(1024, 'x')), kSmall).text.size() == 1024);
  CHECK(read_file_safely(t.write("empty", ""), kSmall).text.empty());
}

TEST_CASE("a missing file is reported as missing") {
  TempDir t;
  try {
    read_file_safely(fs::path(t.path()) / "nope.yaml", kSmall);
    FAIL("no error");
  } catch (const FileError& e) {
    CHECK(e.missing);
    CHECK(std::string(e.what()).find("does not exist") != std::string::npos);
  }
  CHECK_FALSE(read_file_if_present(fs::path(t.path()) / "nope.yaml", kSmall));
  CHECK_FALSE(read_file_if_present(fs::path(t.path()) / "nope" / "deeper.yaml", kSmall));
}

TEST_CASE("a FIFO is refused at once, without waiting for a writer") {
  TempDir t;
  fs::path fifo = fs::path(t.path()) / "x.yaml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  ::alarm(20);  // a hang fails the test instead of stalling it
  auto start = std::chrono::steady_clock::now();
  std::string err = error_of(fifo, kSmall);
  ::alarm(0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK(err == fifo.string() + " is a FIFO, not a regular file");
  CHECK_THROWS_AS(read_file_if_present(fifo, kSmall), FileError);
}

TEST_CASE("a link to /dev/zero is refused without reading it") {
  TempDir t;
  fs::path link = fs::path(t.path()) / "zero.yaml";
  fs::create_symlink("/dev/zero", link);
  CHECK(error_of(link, kSmall) == link.string() + " is a character device, not a regular file");
  CHECK(error_of(link, kNoLinks).find("is a symbolic link") != std::string::npos);
  CHECK(error_of("/dev/zero", kSmall) == "/dev/zero is a character device, not a regular file");
}

TEST_CASE("directories and sockets are not regular files") {
  TempDir t;
  fs::create_directories(fs::path(t.path()) / "d.yaml");
  CHECK(error_of(fs::path(t.path()) / "d.yaml", kSmall).find("is a directory, not a regular file") !=
        std::string::npos);
  fs::path sock = fs::path(t.path()) / "s.yaml";
  int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  REQUIRE(sock.string().size() < sizeof addr.sun_path);
  std::strcpy(addr.sun_path, sock.c_str());
  REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  CHECK(error_of(sock, kSmall) == sock.string() + " is a socket, not a regular file");
  ::close(s);
}

TEST_CASE("a file over the cap is refused by its size, sparse or not") {
  TempDir t;
  fs::path big = fs::path(t.path()) / "big.yaml";
  { int fd = ::open(big.c_str(), O_WRONLY | O_CREAT, 0600); REQUIRE(fd >= 0); REQUIRE(::ftruncate(fd, off_t(2254857830)) == 0); ::close(fd); }
  CHECK(error_of(big, kSmall) == big.string() + " is 2.1 GiB, over the 1 KiB limit for test files");
  CHECK(error_of(t.write("over", std::string(1025, 'x')), kSmall).find("1 KiB limit for test files") !=
        std::string::npos);
  CHECK(error_of(big, file_rules::kPolicy).find("over the 4 MiB limit for policy files") != std::string::npos);
}

TEST_CASE("links: followed where allowed, refused where not") {
  TempDir t;
  fs::path target = t.write("real/rules.yaml", "x: 1\n");
  fs::path link = fs::path(t.path()) / "link.yaml";
  fs::create_symlink(target, link);
  CHECK(read_file_safely(link, kSmall).text == "x: 1\n");
  CHECK(error_of(link, kNoLinks) ==
        link.string() + " is a symbolic link; test files are never read through a link");
}

TEST_CASE("within: the file actually opened must lie under the directory") {
  TempDir t;
  fs::path project = fs::path(t.path()) / "project";
  fs::path outside = t.write("home/secret.yaml", "key: value\n");
  t.write("project/.preloop/inside.yaml", "a: 1\n");
  fs::create_symlink(outside, project / ".preloop" / "out.yaml");
  fs::create_symlink(project / ".preloop" / "inside.yaml", project / ".preloop" / "alias.yaml");
  fs::path real_project = fs::canonical(project);
  CHECK(read_file_safely(project / ".preloop" / "inside.yaml", kSmall, real_project).text == "a: 1\n");
  CHECK(read_file_safely(project / ".preloop" / "alias.yaml", kSmall, real_project).text == "a: 1\n");
  std::string err = error_of(project / ".preloop" / "out.yaml", kSmall, real_project);
  CHECK(err.find("resolves to " + fs::canonical(outside).string() + ", outside " + real_project.string()) !=
        std::string::npos);
  // The directory itself a link to elsewhere.
  fs::path p2 = fs::path(t.path()) / "p2";
  fs::create_directories(p2);
  fs::create_symlink(fs::path(t.path()) / "home", p2 / ".preloop");
  CHECK(error_of(p2 / ".preloop" / "secret.yaml", kSmall, fs::canonical(p2)).find("outside") != std::string::npos);
}

TEST_CASE("owner-only files are tightened to 0600 when found looser") {
  TempDir t;
  fs::path key = t.write("audit.db.key", std::string(32, 'k'));
  ::chmod(key.c_str(), 0644);
  FileContent c = read_file_safely(key, kOwn);
  CHECK((c.st.st_mode & 0777) == 0644);
  CHECK(mode_of(key) == 0600);
  fs::path policy = t.write("p.yaml", "x\n");
  ::chmod(policy.c_str(), 0644);
  read_file_safely(policy, kSmall);
  CHECK(mode_of(policy) == 0644);  // not the guard's own file: left alone
}

TEST_CASE("human sizes") {
  CHECK(human_size(0) == "0 bytes");
  CHECK(human_size(1) == "1 byte");
  CHECK(human_size(1023) == "1023 bytes");
  CHECK(human_size(4u << 20) == "4 MiB");
  CHECK(human_size(1536) == "1.5 KiB");
  CHECK(human_size(std::size_t(2254857830)) == "2.1 GiB");
}
