#include "shell/named_reads.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "shell/analyze.h"

using namespace preloop::shell;

namespace {

Analysis run(const std::string& cmd, const std::string& cwd = "/home/u/p") {
  Context ctx;
  ctx.cwd = cwd;
  ctx.home = "/home/u";
  return analyze(cmd, ctx);
}

const PathEffect* read_of(const Analysis& a, const std::string& path) {
  auto it = std::find_if(a.reads.begin(), a.reads.end(), [&](const PathEffect& r) { return r.path == path; });
  return it == a.reads.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("a command whose effects are not modelled reads the paths it names") {
  CHECK(read_of(run("sed -n p ~/.ssh/id_rsa"), "/home/u/.ssh/id_rsa"));
  CHECK(read_of(run("cut -c1- .env"), "/home/u/p/.env"));
  CHECK(read_of(run("mytool --input=/etc/x.pem"), "/etc/x.pem"));
  CHECK(read_of(run("http POST https://x key@~/.ssh/id_rsa"), "/home/u/.ssh/id_rsa"));
  CHECK(read_of(run("http POST https://x key=@.env"), "/home/u/p/.env"));
  CHECK(read_of(run("python3 -c \"open('/home/u/.aws/credentials').read()\""), "/home/u/.aws/credentials"));
  CHECK(read_of(run("cd ~/.ssh && awk 1 id_rsa"), "/home/u/.ssh/id_rsa"));
  const Analysis g = run("cat ~/.ssh/*");
  REQUIRE(read_of(g, "/home/u/.ssh/*"));
  CHECK(read_of(g, "/home/u/.ssh/*")->glob);
}

TEST_CASE("git reads the paths it names only when it shows contents") {
  CHECK(read_of(run("git show HEAD:.env"), "/home/u/p/.env"));
  CHECK(read_of(run("git -C /srv/app show main:config/.env"), "/srv/app/config/.env"));
  CHECK(read_of(run("git log -p -- .env"), "/home/u/p/.env"));
  CHECK_FALSE(read_of(run("git add .env"), "/home/u/p/.env"));
  CHECK_FALSE(read_of(run("git check-ignore .env"), "/home/u/p/.env"));
}

TEST_CASE("naming a file without showing it is not a read") {
  for (const char* cmd : {"chmod 600 ~/.ssh/id_rsa", "ls ~/.ssh/id_rsa", "ssh -i ~/.ssh/id_rsa host",
                          "ssh-add ~/.ssh/id_rsa", "kubectl --kubeconfig ~/.kube/config get pods",
                          "docker compose --env-file .env up", "node --env-file=.env app.js",
                          "http --cert-key client.key https://x", "test -f ~/.ssh/id_rsa"}) {
    CAPTURE(cmd);
    const Analysis a = run(cmd);
    for (const auto& r : a.reads) CHECK(r.path.find("id_rsa") == std::string::npos);
    for (const auto& r : a.reads) CHECK(r.path.find(".env") == std::string::npos);
    for (const auto& r : a.reads) CHECK(r.path.find(".kube") == std::string::npos);
    for (const auto& r : a.reads) CHECK(r.path.find("client.key") == std::string::npos);
  }
  // plain words are not paths
  const Analysis a = run("npm test -- --watch=false");
  CHECK(a.reads.empty());
}

TEST_CASE("a recursive grep reads the environment files of the directories it searches") {
  namespace fs = std::filesystem;
  char tmpl[] = "/tmp/named_reads_XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  const fs::path dir = tmpl;
  fs::create_directories(dir / "src");
  std::ofstream(dir / ".env") << "A=1\n";
  const std::string d = dir.string();
  const Analysis r = run("grep -rn TOKEN .", d);
  REQUIRE(read_of(r, d));
  CHECK(read_of(r, d)->recursive);
  CHECK(read_of(r, d + "/.env"));
  CHECK(read_of(run("grep -r TOKEN", d), d + "/.env"));           // no operand: the working directory
  CHECK(read_of(run("rg --hidden TOKEN " + d, "/"), d + "/.env"));
  CHECK_FALSE(read_of(run("rg TOKEN .", d), d + "/.env"));        // rg skips hidden files
  CHECK_FALSE(read_of(run("grep -rn TOKEN src", d), d + "/.env"));
  CHECK_FALSE(read_of(run("grep -n TOKEN .", d), d + "/.env"));   // not recursive
  fs::remove_all(dir);
}

TEST_CASE("arbitrary words: named reads stay bounded and analysis does not throw") {
  const std::string alphabet = "ab./~*?[]'\"@=:|;& \n$(){}-_id_credentials.env";
  unsigned seed = 777;
  auto next = [&] { return seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff; };
  for (int round = 0; round < 1500; ++round) {
    std::string cmd = round % 2 ? "mytool " : "python3 -c '";
    std::size_t len = next() % 200;
    for (std::size_t i = 0; i < len; ++i) cmd += alphabet[next() % alphabet.size()];
    const Analysis a = run(cmd);  // syntax errors are reported in the analysis, not thrown
    std::size_t named = 0;
    for (const auto& r : a.reads) named += r.command == "mytool" || r.command == "python3";
    CHECK(named <= 32 * (a.commands.size() + 1));
  }
}
