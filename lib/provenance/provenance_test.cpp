#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>

#include "provenance/git_calls.h"
#include "provenance/git_head.h"
#include "provenance/session_state.h"
#include "provenance/settings.h"

using namespace preloop::provenance;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "provenance-test-XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    path = fs::canonical(t);
  }
  ~TempDir() { fs::remove_all(path); }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path / rel).parent_path());
    std::ofstream(path / rel) << text;
  }
};

const std::string kA(40, 'a'), kB(40, 'b');

}  // namespace

TEST_CASE("read_head: loose ref, packed ref, detached, unborn, from a subdirectory") {
  TempDir t;
  t.write("repo/.git/HEAD", "ref: refs/heads/main\n");
  t.write("repo/.git/refs/heads/main", kA + "\n");
  fs::create_directories(t.path / "repo/src/deep");
  auto h = read_head((t.path / "repo/src/deep").string());
  REQUIRE(h);
  CHECK(h->top == (t.path / "repo").string());
  CHECK(h->commit == kA);
  CHECK(h->branch == "main");

  fs::remove(t.path / "repo/.git/refs/heads/main");
  t.write("repo/.git/packed-refs", "# pack-refs with: peeled fully-peeled sorted\n" + kB +
                                       " refs/heads/main\n^" + kA + "\n");
  h = read_head((t.path / "repo").string());
  REQUIRE(h);
  CHECK(h->commit == kB);

  fs::remove(t.path / "repo/.git/packed-refs");
  h = read_head((t.path / "repo").string());
  REQUIRE(h);
  CHECK(h->commit.empty());  // unborn branch
  CHECK(h->branch == "main");

  t.write("repo/.git/HEAD", kA + "\n");
  h = read_head((t.path / "repo").string());
  REQUIRE(h);
  CHECK(h->commit == kA);
  CHECK(h->branch.empty());

  t.write("repo/.git/HEAD", "garbage\n");
  CHECK_FALSE(read_head((t.path / "repo").string()));
  // A FIFO planted as HEAD is refused at once, not waited on.
  fs::remove(t.path / "repo/.git/HEAD");
  REQUIRE(::mkfifo((t.path / "repo/.git/HEAD").c_str(), 0600) == 0);
  CHECK_FALSE(read_head((t.path / "repo").string()));
  CHECK_FALSE(read_head("relative/path"));
}

TEST_CASE("read_head: a linked work tree reads its own HEAD and the common refs") {
  TempDir t;
  t.write("main/.git/HEAD", "ref: refs/heads/main\n");
  t.write("main/.git/refs/heads/main", kA + "\n");
  t.write("main/.git/refs/heads/topic", kB + "\n");
  t.write("main/.git/worktrees/wt/HEAD", "ref: refs/heads/topic\n");
  t.write("main/.git/worktrees/wt/commondir", "../..\n");
  t.write("wt/.git", "gitdir: " + (t.path / "main/.git/worktrees/wt").string() + "\n");
  auto h = read_head((t.path / "wt").string());
  REQUIRE(h);
  CHECK(h->top == (t.path / "wt").string());
  CHECK(h->branch == "topic");
  CHECK(h->commit == kB);
}

TEST_CASE("commit_calls: the git commands that can commit, where they run, through wrappers") {
  preloop::shell::Context ctx{.cwd = "/w", .home = "/home/u", .project_dir = "/w"};
  auto calls = commit_calls(preloop::shell::analyze(
      "git status && git -C sub commit -m x; sudo git merge topic | cat; bash -c 'cd /r && git cherry-pick abc'; "
      "echo git commit",
      ctx));
  REQUIRE(calls.size() == 3);
  CHECK(calls[0].subcommand == "commit");
  CHECK(calls[0].dir == "/w/sub");
  CHECK(calls[1].subcommand == "merge");
  CHECK(calls[1].dir == "/w");
  CHECK(calls[2].subcommand == "cherry-pick");
  CHECK(calls[2].dir == "/r");
  CHECK(commit_calls(preloop::shell::analyze("git log --oneline; git diff", ctx)).empty());
  CHECK(mentions_git("cd x && git commit"));
  CHECK_FALSE(mentions_git("npm test"));
}

TEST_CASE("session state: the current prompt and pending text per call, all removed by clear") {
  TempDir t;
  SessionState s("session/../../x", (t.path / "sessions").string());
  CHECK(s.current_prompt().empty());
  s.set_current_prompt("p-1");
  CHECK(s.current_prompt() == "p-1");
  CHECK(SessionState("other", (t.path / "sessions").string()).current_prompt().empty());
  s.put_pending("toolu_1", "[1]");
  CHECK(s.take_pending("toolu_2") == std::nullopt);
  CHECK(s.take_pending("toolu_1") == "[1]");
  CHECK(s.take_pending("toolu_1") == std::nullopt);  // taken once
  for (const auto& e : fs::directory_iterator((t.path / "sessions").string()))
    CHECK(e.path().filename().string().find("session") == std::string::npos);  // names never carry the id
  SessionState("other", (t.path / "sessions").string()).set_current_prompt("p-2");
  s.put_pending("toolu_3", "x");
  s.clear();
  CHECK(s.current_prompt().empty());
  CHECK(s.take_pending("toolu_3") == std::nullopt);
  CHECK(SessionState("other", (t.path / "sessions").string()).current_prompt() == "p-2");

  // Sessions that never ended are forgotten after a while; recent ones stay.
  SessionState stale("stale", (t.path / "sessions").string());
  stale.set_current_prompt("p-old");
  for (const auto& e : fs::directory_iterator(t.path / "sessions"))  // every file eight days old
    fs::last_write_time(e.path(), fs::file_time_type::clock::now() - std::chrono::hours(24 * 8));
  SessionState("other", (t.path / "sessions").string()).set_current_prompt("p-3");  // written now
  CHECK(SessionState::prune(7, (t.path / "sessions").string()) == 1);
  CHECK(stale.current_prompt().empty());
  CHECK(SessionState("other", (t.path / "sessions").string()).current_prompt() == "p-3");
}

TEST_CASE("settings: defaults, each value, and clear errors") {
  Settings d = parse_settings(YAML::Node());
  CHECK(d.prompts == PromptRecord::Hash);
  CHECK_FALSE(d.block_prompt_secrets);
  CHECK_FALSE(d.git_notes);
  Settings s = parse_settings(YAML::Load("{prompts: text, prompt_secrets: block, git_notes: true, path: /x}"));
  CHECK(s.prompts == PromptRecord::Text);
  CHECK(s.block_prompt_secrets);
  CHECK(s.git_notes);
  CHECK(parse_settings(YAML::Load("{prompts: 'off'}")).prompts == PromptRecord::Off);
  CHECK_THROWS_WITH_AS(parse_settings(YAML::Load("{prompts: all}")), "'audit.prompts' must be text, hash or off, got 'all'",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_settings(YAML::Load("{prompt_secrets: warn}")),
                       "'audit.prompt_secrets' must be mask or block, got 'warn'", std::invalid_argument);
  CHECK_THROWS_AS(parse_settings(YAML::Load("{git_notes: [1]}")), std::invalid_argument);
}
