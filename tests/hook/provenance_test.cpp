// Sessions and provenance through the real binary: prompts and their ids,
// session events, skill shell lines, commits found in real git repositories,
// `audit session`, `audit blame` and the HTML report (rendered in headless
// Chromium when it is installed).
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hook/hook_env.h"

using preloop::testing::HookEnv;
using preloop::testing::ProcessResult;
using preloop::testing::run_process;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json records(const HookEnv& env) {
  auto r = env.cli({"audit", "list", "--json", "-n", "1000"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return json::parse(r.out);
}

std::vector<json> records_of(const HookEnv& env, const std::string& event) {
  std::vector<json> out;
  for (const auto& r : records(env))
    if (r["hook_event"] == event) out.push_back(r);
  return out;
}

const char* kSecret = "AKIAIOSFODNN7EXAMPLF";  // an AWS access key id shape

json base(const std::string& event, const std::string& cwd, const std::string& session = "sess-1") {
  return {{"hook_event_name", event}, {"session_id", session}, {"cwd", cwd}, {"transcript_path", "/dev/null"}};
}

std::string prompt_event(const std::string& cwd, const std::string& text, const std::string& prompt_id = "") {
  json e = base("UserPromptSubmit", cwd);
  e["prompt"] = text;
  e["source"] = "user";
  if (!prompt_id.empty()) e["prompt_id"] = prompt_id;
  return e.dump();
}

std::string bash_event(const std::string& event, const std::string& cwd, const std::string& command,
                       const std::string& tool_use_id, const std::string& prompt_id = "") {
  json e = base(event, cwd);
  e["tool_name"] = "Bash";
  e["tool_use_id"] = tool_use_id;
  e["tool_input"] = {{"command", command}};
  if (event == "PostToolUse") e["tool_response"] = {{"stdout", "[main 0123456] done"}, {"stderr", ""}};
  if (!prompt_id.empty()) e["prompt_id"] = prompt_id;
  return e.dump();
}

// git with a fixed identity, in dir.
ProcessResult git(const std::string& dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {"/usr/bin/git", "-C", dir, "-c", "user.name=Dev", "-c", "user.email=dev@example.org",
                                   "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_process(argv, "", {{"GIT_CONFIG_GLOBAL", "/dev/null"}, {"GIT_CONFIG_NOSYSTEM", "1"}});
  INFO("git " << args[0] << ": " << r.err);
  REQUIRE(r.exit_code == 0);
  return r;
}

std::string head_of(const std::string& dir) {
  std::string id = git(dir, {"rev-parse", "HEAD"}).out;
  return id.substr(0, id.find('\n'));
}

// A tool call that runs `command` for real between its PreToolUse and PostToolUse, as Claude Code would.
void run_call(const HookEnv& env, const std::string& cwd, const std::string& command, const std::string& tool_use_id,
              const std::string& prompt_id = "") {
  auto pre = env.hook(bash_event("PreToolUse", cwd, command, tool_use_id, prompt_id));
  REQUIRE_MESSAGE(pre.exit_code == 0, pre.err);
  auto sh = run_process({"/bin/sh", "-c", "cd \"$0\" && " + command, cwd}, "",
                        {{"GIT_CONFIG_GLOBAL", "/dev/null"}, {"GIT_CONFIG_NOSYSTEM", "1"},
                         {"GIT_AUTHOR_NAME", "Dev"}, {"GIT_AUTHOR_EMAIL", "dev@example.org"},
                         {"GIT_COMMITTER_NAME", "Dev"}, {"GIT_COMMITTER_EMAIL", "dev@example.org"}});
  INFO(command << ": " << sh.out << sh.err);
  REQUIRE(sh.exit_code == 0);
  auto post = env.hook(bash_event("PostToolUse", cwd, command, tool_use_id, prompt_id));
  REQUIRE_MESSAGE(post.exit_code == 0, post.err);
}

std::vector<std::string> commits_recorded(const HookEnv& env) {
  std::vector<std::string> ids;
  for (const auto& r : records_of(env, "GitCommit"))
    for (const auto& id : r["arguments"]["commits"]) ids.push_back(id);
  return ids;
}

std::string new_repo(const HookEnv& env, const std::string& name) {
  const std::string dir = env.project() + "/" + name;
  fs::create_directories(dir);
  git(dir, {"init", "-q"});
  git(dir, {"commit", "-q", "--allow-empty", "-m", "initial"});
  return dir;
}

}  // namespace

TEST_CASE("a prompt is recorded as a keyed hash by default, and its id joins every later record") {
  HookEnv env;
  const std::string text = "please fix the build";
  auto r = env.hook(prompt_event(env.project(), text, "prompt-1"));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.empty());
  // A tool event without prompt_id (an older client) belongs to the session's current prompt.
  REQUIRE(env.hook(bash_event("PreToolUse", env.project(), "ls", "t-1")).exit_code == 0);
  // One that carries it keeps its own.
  REQUIRE(env.hook(bash_event("PreToolUse", env.project(), "ls", "t-2", "prompt-2")).exit_code == 0);

  auto prompts = records_of(env, "UserPromptSubmit");
  REQUIRE(prompts.size() == 1);
  CHECK(prompts[0]["prompt_id"] == "prompt-1");
  CHECK(prompts[0]["arguments"]["prompt_hmac"].get<std::string>().size() == 64);
  CHECK_FALSE(prompts[0]["arguments"].contains("prompt"));
  CHECK(prompts[0]["arguments"]["source"] == "user");
  auto calls = records_of(env, "PreToolUse");
  REQUIRE(calls.size() == 2);
  CHECK(calls[0]["prompt_id"] == "prompt-1");
  CHECK(calls[1]["prompt_id"] == "prompt-2");
  // The text is nowhere in the store.
  const std::string db = env.dir().path() + "/data/preloop-hook/audit.db";
  env.cli({"audit", "fold"});
  CHECK(slurp(db).find(text) == std::string::npos);
  CHECK(env.cli({"audit", "verify"}).exit_code == 0);
}

TEST_CASE("audit.prompts: text keeps the prompt with secrets masked; off keeps none; a prompt without an id gets one") {
  HookEnv env("profile: off\naudit:\n  prompts: text\n");
  REQUIRE(env.hook(prompt_event(env.project(), std::string("deploy with key ") + kSecret)).exit_code == 0);
  auto prompts = records_of(env, "UserPromptSubmit");
  REQUIRE(prompts.size() == 1);
  const std::string kept = prompts[0]["arguments"]["prompt"];
  CHECK(kept.find("deploy with key ") == 0);
  CHECK(kept.find(kSecret) == std::string::npos);
  CHECK(prompts[0]["arguments"]["secrets_masked"] == 1);
  const std::string id = prompts[0]["prompt_id"];
  CHECK(id.rfind("preloop-", 0) == 0);
  REQUIRE(env.hook(bash_event("PreToolUse", env.project(), "ls", "t-1")).exit_code == 0);
  CHECK(records_of(env, "PreToolUse").at(0)["prompt_id"] == id);

  env.set_config("profile: off\naudit:\n  prompts: off\n");
  REQUIRE(env.hook(prompt_event(env.project(), "second prompt", "p-2")).exit_code == 0);
  auto second = records_of(env, "UserPromptSubmit").at(1);
  CHECK_FALSE(second["arguments"].contains("prompt"));
  CHECK_FALSE(second["arguments"].contains("prompt_hmac"));
  CHECK(second["arguments"]["length"] == 13);
}

TEST_CASE("a prompt holding a secret is blocked with audit.prompt_secrets: block, and only then") {
  HookEnv env("profile: off\naudit:\n  prompt_secrets: block\n");
  auto r = env.hook(prompt_event(env.project(), std::string("use ") + kSecret, "p-1"));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  json out = json::parse(r.out);
  CHECK(out["decision"] == "block");
  CHECK(out["reason"].get<std::string>().find("secret") != std::string::npos);
  CHECK(out["reason"].get<std::string>().find(kSecret) == std::string::npos);
  CHECK(out["hookSpecificOutput"]["suppressOriginalPrompt"] == true);
  auto rec = records_of(env, "UserPromptSubmit").at(0);
  CHECK(rec["decision"] == "deny");
  // A clean prompt passes.
  auto clean = env.hook(prompt_event(env.project(), "use the key from the vault", "p-2"));
  CHECK(clean.exit_code == 0);
  CHECK(clean.out.empty());
  // Default: masked in the record, let through.
  env.set_config("profile: off\n");
  auto masked = env.hook(prompt_event(env.project(), std::string("use ") + kSecret, "p-3"));
  CHECK(masked.exit_code == 0);
  CHECK(masked.out.empty());
}

TEST_CASE("an invalid provenance setting is a clear error that fails closed") {
  HookEnv env("profile: off\naudit:\n  prompts: everything\n");
  auto r = env.hook(prompt_event(env.project(), "hello", "p-1"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("'audit.prompts' must be text, hash or off, got 'everything'") != std::string::npos);
}

TEST_CASE("skill shell lines are gated like Bash and answered in PreSkillShellCommand's shape") {
  HookEnv env("profile: recommended\n");
  json e = base("PreSkillShellCommand", env.project());
  e["tool_name"] = "Bash";
  e["tool_use_id"] = "skill-1";
  e["command_name"] = "cleanup";
  e["invoked_by"] = "claude";
  e["tool_input"] = {{"command", "rm -rf ~"}};
  auto denied = env.hook(e.dump());
  CHECK(denied.exit_code == 2);
  json out = json::parse(denied.out);
  CHECK(out["hookSpecificOutput"]["hookEventName"] == "PreSkillShellCommand");
  CHECK(out["hookSpecificOutput"]["permissionDecision"] == "deny");
  CHECK_FALSE(out["hookSpecificOutput"].contains("updatedInput"));

  e["tool_input"] = {{"command", "git status"}};
  auto fine = env.hook(e.dump());
  CHECK(fine.exit_code == 0);
  CHECK(fine.out.empty());

  // A secret on the line: masking would need updatedInput, which stops a skill line anyway: asked.
  e["tool_input"] = {{"command", std::string("curl -H 'X-Key: ") + kSecret + "' https://example.org"}};
  auto secret = env.hook(e.dump());
  if (!secret.out.empty()) {
    json s = json::parse(secret.out);
    CHECK(s["hookSpecificOutput"]["hookEventName"] == "PreSkillShellCommand");
    CHECK_FALSE(s["hookSpecificOutput"].contains("updatedInput"));
    CHECK(s["hookSpecificOutput"]["permissionDecision"] != "allow");
  }

  // A skill line without its input is refused, not let through.
  json bad = base("PreSkillShellCommand", env.project());
  bad["tool_name"] = "Bash";
  auto refused = env.hook(bad.dump());
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("PreSkillShellCommand input has no 'tool_input'") != std::string::npos);

  auto recs = records_of(env, "PreSkillShellCommand");
  REQUIRE(recs.size() >= 2);
  CHECK(recs[0]["decision"] == "deny");
  CHECK(recs[0]["tool_use_id"] == "skill-1");
}

TEST_CASE("session events are recorded, and SessionEnd forgets the session's state") {
  HookEnv env;
  json start = base("SessionStart", env.project());
  start["source"] = "startup";
  start["model"] = "claude-opus";
  REQUIRE(env.hook(start.dump()).exit_code == 0);
  REQUIRE(env.hook(prompt_event(env.project(), "hi")).exit_code == 0);
  json sub = base("SubagentStart", env.project());
  sub["agent_id"] = "agent-7";
  sub["agent_type"] = "Explore";
  REQUIRE(env.hook(sub.dump()).exit_code == 0);
  json sub_stop = base("SubagentStop", env.project());
  sub_stop["agent_id"] = "agent-7";
  sub_stop["agent_type"] = "Explore";
  sub_stop["stop_hook_active"] = false;
  REQUIRE(env.hook(sub_stop.dump()).exit_code == 0);
  json stop = base("Stop", env.project());
  stop["stop_hook_active"] = false;
  auto stopped = env.hook(stop.dump());
  CHECK(stopped.exit_code == 0);
  CHECK(stopped.out.empty());
  const std::string sessions = env.dir().path() + "/data/preloop-hook/sessions";
  REQUIRE(fs::is_directory(sessions));
  CHECK_FALSE(fs::is_empty(sessions));
  json end = base("SessionEnd", env.project());
  end["reason"] = "logout";
  REQUIRE(env.hook(end.dump()).exit_code == 0);
  CHECK(fs::is_empty(sessions));

  auto rs = records(env);
  std::vector<std::string> events;
  for (const auto& r : rs) events.push_back(r["hook_event"]);
  CHECK(events == std::vector<std::string>{"SessionStart", "UserPromptSubmit", "SubagentStart", "SubagentStop", "Stop",
                                           "SessionEnd"});
  CHECK(rs[0]["arguments"]["source"] == "startup");
  CHECK(rs[0]["arguments"]["model"] == "claude-opus");
  CHECK(rs[2]["agent_id"] == "agent-7");
  CHECK(rs[3]["prompt_id"] == rs[1]["prompt_id"]);
  CHECK(rs[5]["arguments"]["reason"] == "logout");
}

TEST_CASE("commits made by a call are recorded from the repository, not from the agent's output") {
  HookEnv env;
  const std::string repo = new_repo(env, "app");
  REQUIRE(env.hook(prompt_event(env.project(), "commit the fix", "prompt-c")).exit_code == 0);

  SUBCASE("git -C dir commit, then --amend") {
    const std::string before = head_of(repo);
    run_call(env, env.project(), "git -C app commit -q --allow-empty -m fix", "t-commit", "prompt-c");
    const std::string made = head_of(repo);
    REQUIRE(made != before);
    auto recs = records_of(env, "GitCommit");
    REQUIRE(recs.size() == 1);
    CHECK(recs[0]["arguments"]["commits"] == json::array({made}));
    CHECK(recs[0]["arguments"]["repository"] == fs::canonical(repo).string());
    CHECK(recs[0]["arguments"]["branch"] == "main");
    CHECK(recs[0]["arguments"]["head_before"] == before);
    CHECK(recs[0]["session_id"] == "sess-1");
    CHECK(recs[0]["prompt_id"] == "prompt-c");
    CHECK(recs[0]["tool_use_id"] == "t-commit");

    run_call(env, repo, "git commit -q --amend --allow-empty -m 'fix, amended'", "t-amend", "prompt-c");
    const std::string amended = head_of(repo);
    CHECK(commits_recorded(env) == std::vector<std::string>{made, amended});

    // Blame by full and abbreviated id.
    auto blame = env.cli({"audit", "blame", amended.substr(0, 7)});
    REQUIRE_MESSAGE(blame.exit_code == 0, blame.err);
    CHECK(blame.out.find("commit " + amended) != std::string::npos);
    CHECK(blame.out.find("session     sess-1") != std::string::npos);
    CHECK(blame.out.find("prompt      prompt-c") != std::string::npos);
    CHECK(blame.out.find("tool call   t-amend") != std::string::npos);
    CHECK(blame.out.find("git commit -q --amend") != std::string::npos);
    auto full = env.cli({"audit", "blame", made, "--json"});
    REQUIRE(full.exit_code == 0);
    json j = json::parse(full.out);
    REQUIRE(j.size() == 1);
    CHECK(j[0]["tool_use_id"] == "t-commit");
    CHECK(j[0]["prompt"].size() == 1);
    CHECK(j[0]["call"].size() == 2);  // its PreToolUse and PostToolUse
    CHECK(env.cli({"audit", "blame", "0000000"}).exit_code == 1);
    CHECK(env.cli({"audit", "blame", "xyz"}).exit_code == 2);
  }

  SUBCASE("a merge commit is recorded; a fast-forward brings no commit of the call") {
    git(repo, {"checkout", "-q", "-b", "feature"});
    git(repo, {"commit", "-q", "--allow-empty", "-m", "feature work"});
    git(repo, {"checkout", "-q", "main"});
    git(repo, {"commit", "-q", "--allow-empty", "-m", "main work"});
    run_call(env, repo, "git merge -q --no-edit feature", "t-merge", "prompt-c");
    const std::string merge = head_of(repo);
    CHECK(commits_recorded(env) == std::vector<std::string>{merge});

    git(repo, {"checkout", "-q", "-b", "ahead"});
    git(repo, {"commit", "-q", "--allow-empty", "-m", "ahead"});
    git(repo, {"checkout", "-q", "main"});
    run_call(env, repo, "git merge -q --ff-only ahead", "t-ff", "prompt-c");
    CHECK(commits_recorded(env) == std::vector<std::string>{merge});
  }

  SUBCASE("a call that says it committed but did not leaves no commit record") {
    run_call(env, repo, "git commit -q --allow-empty -m x --dry-run || true", "t-dry", "prompt-c");
    CHECK(commits_recorded(env).empty());
    // A commit made outside the call (between its hooks) by something else is still HEAD's change:
    // only calls that ran a commit-capable git command are compared.
    run_call(env, repo, "echo git is great", "t-echo", "prompt-c");
    CHECK(commits_recorded(env).empty());
  }

  SUBCASE("commits in two repositories of one command line, wrapped") {
    const std::string other = new_repo(env, "lib");
    run_call(env, env.project(), "env GIT_EDITOR=true git -C app commit -q --allow-empty -m a && "
                                 "(cd lib && git commit -q --allow-empty -m b)",
             "t-two", "prompt-c");
    auto ids = commits_recorded(env);
    CHECK(ids.size() == 2);
    CHECK(std::find(ids.begin(), ids.end(), head_of(repo)) != ids.end());
    CHECK(std::find(ids.begin(), ids.end(), head_of(other)) != ids.end());
  }

  CHECK(env.cli({"audit", "verify"}).exit_code == 0);
}

TEST_CASE("audit.git_notes: true adds a note under refs/notes/preloop naming session, prompt and call") {
  HookEnv env("profile: off\naudit:\n  git_notes: true\n");
  const std::string repo = new_repo(env, "app");
  run_call(env, repo, "git commit -q --allow-empty -m noted", "t-note", "prompt-n");
  auto note = git(repo, {"notes", "--ref=preloop", "show", "HEAD"});
  CHECK(note.out.find("session sess-1") != std::string::npos);
  CHECK(note.out.find("prompt prompt-n") != std::string::npos);
  CHECK(note.out.find("tool_use_id t-note") != std::string::npos);

  HookEnv plain;
  const std::string repo2 = new_repo(plain, "app");
  run_call(plain, repo2, "git commit -q --allow-empty -m plain", "t-plain", "prompt-n");
  auto none = run_process({"/usr/bin/git", "-C", repo2, "notes", "--ref=preloop", "list"}, "");
  CHECK(none.out.empty());
}

TEST_CASE("audit session prints the session as a timeline") {
  HookEnv env("profile: recommended\n");
  const std::string repo = new_repo(env, "app");
  REQUIRE(env.hook(prompt_event(repo, "tidy up", "prompt-t")).exit_code == 0);
  run_call(env, repo, "git commit -q --allow-empty -m tidy", "t-1", "prompt-t");
  CHECK(env.hook(bash_event("PreToolUse", repo, "rm -rf ~", "t-2", "prompt-t")).exit_code == 2);
  auto other = env.hook(json(base("SessionStart", repo, "another-session")).dump());
  REQUIRE(other.exit_code == 0);

  auto r = env.cli({"audit", "session", "sess-1"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("session sess-1") != std::string::npos);
  CHECK(r.out.find("1 prompt(s), 2 call(s) (1 denied, 0 asked)") != std::string::npos);
  CHECK(r.out.find("1 commit(s)") != std::string::npos);
  const auto prompt = r.out.find("prompt   prompt prompt-t");
  const auto call = r.out.find("call     call Bash git commit");
  const auto commit = r.out.find("commit   commit " + head_of(repo).substr(0, 12) + " on main");
  const auto deny = r.out.find("-> deny");
  REQUIRE(prompt != std::string::npos);
  REQUIRE(call != std::string::npos);
  REQUIRE(commit != std::string::npos);
  REQUIRE(deny != std::string::npos);
  CHECK(prompt < call);
  CHECK(call < commit);
  CHECK(commit < deny);
  CHECK(r.out.find("another-session") == std::string::npos);
  auto j = env.cli({"audit", "session", "sess-1", "--json"});
  REQUIRE(j.exit_code == 0);
  CHECK(json::parse(j.out).size() == 5);  // prompt, call, result, commit, denied call

  // A secret masked in a tool's output shows as such.
  json post = json::parse(bash_event("PostToolUse", repo, "cat .env", "t-3", "prompt-t"));
  post["tool_response"] = {{"stdout", std::string("AWS_ACCESS_KEY_ID=") + kSecret + "\n"}, {"stderr", ""}};
  auto masked = env.hook(post.dump());
  REQUIRE(masked.exit_code == 0);
  CHECK(masked.out.find(kSecret) == std::string::npos);
  auto after = env.cli({"audit", "session", "sess-1"});
  CHECK(after.out.find("secret   result Bash success; secrets in the tool output were masked") != std::string::npos);
  CHECK(after.out.find("2 secret(s) masked") == std::string::npos);
  CHECK(after.out.find("1 secret(s) masked") != std::string::npos);
  CHECK(env.cli({"audit", "session", "no-such-session"}).exit_code == 1);
}

TEST_CASE("audit report --html writes one self-contained page that renders offline") {
  HookEnv env("profile: recommended\n");
  const std::string repo = new_repo(env, "app");
  REQUIRE(env.hook(prompt_event(repo, "ship <it> & \"go\"", "prompt-h")).exit_code == 0);
  run_call(env, repo, "git commit -q --allow-empty -m 'release <b>1</b>'", "t-1", "prompt-h");
  CHECK(env.hook(bash_event("PreToolUse", repo, "rm -rf ~ # <script>alert(1)</script>", "t-2", "prompt-h")).exit_code ==
        2);
  // A result whose call never passed the gate: a coverage gap.
  REQUIRE(env.hook(bash_event("PostToolUse", repo, "ls", "t-ungated", "prompt-h")).exit_code == 0);

  const std::string file = env.dir().path() + "/report.html";
  auto r = env.cli({"audit", "report", "--html", "-o", file});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string html = slurp(file);
  for (const char* id : {"id=\"chain\"", "id=\"sessions\"", "id=\"timeline\"", "id=\"decisions\"", "id=\"approvals\"",
                         "id=\"commits\"", "id=\"gaps\""})
    CHECK_MESSAGE(html.find(id) != std::string::npos, id);
  CHECK(html.find("<script") == std::string::npos);  // recorded text is escaped; the page has no script
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find(head_of(repo)) != std::string::npos);
  CHECK(html.find("1 tool call(s) ran without passing PreToolUse") != std::string::npos);
  CHECK(html.find("filesystem.") != std::string::npos);  // the deciding rule
  CHECK(env.cli({"audit", "report", "-o", file}).exit_code != 0);  // --html is required

  const char* chromium = nullptr;
  for (const char* c : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (::access(c, X_OK) == 0) chromium = c;
  if (!chromium) {
    MESSAGE("chromium is not installed: the rendering check is skipped");
    return;
  }
  const std::string shot = env.dir().path() + "/report.png";
  const std::vector<std::string> common = {chromium, "--headless", "--no-sandbox", "--disable-gpu",
                                           "--no-first-run", "--user-data-dir=" + env.dir().path() + "/chromium",
                                           "--window-size=1280,1024"};
  std::map<std::string, std::string> offline = {{"HOME", env.home()}, {"http_proxy", "http://127.0.0.1:9"},
                                                {"https_proxy", "http://127.0.0.1:9"}};
  auto args = common;
  args.push_back("--screenshot=" + shot);
  args.push_back("file://" + file);
  auto s = run_process(args, "", offline, 120000);
  REQUIRE_MESSAGE(fs::exists(shot), s.err);
  const std::string png = slurp(shot);
  REQUIRE(png.size() > 24);
  CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  auto be32 = [&](std::size_t at) {
    return (unsigned(std::uint8_t(png[at])) << 24) | (unsigned(std::uint8_t(png[at + 1])) << 16) |
           (unsigned(std::uint8_t(png[at + 2])) << 8) | unsigned(std::uint8_t(png[at + 3]));
  };
  CHECK(be32(16) == 1280);
  CHECK(be32(20) == 1024);
  CHECK(png.size() > 20000);  // a blank page compresses to a few KiB

  args = common;
  args.push_back("--dump-dom");
  args.push_back("file://" + file);
  auto dom = run_process(args, "", offline, 120000);
  REQUIRE_MESSAGE(dom.exit_code == 0, dom.err);
  for (const char* heading : {">Audit chain<", ">Sessions<", ">Timeline<", ">Decisions by rule<", ">Approvals<",
                              ">Commits<", ">Coverage gaps<"})
    CHECK_MESSAGE(dom.out.find(heading) != std::string::npos, heading);
  CHECK(dom.out.find("verified: ") != std::string::npos);
}

TEST_CASE("install adds the session and skill entries, uninstall removes every one") {
  HookEnv env;
  auto r = env.cli({"install"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  json doc = json::parse(slurp(env.user_settings()));
  for (const char* event : {"PreSkillShellCommand", "UserPromptSubmit", "SessionStart", "SessionEnd", "Stop",
                            "SubagentStart", "SubagentStop"}) {
    INFO(event);
    CHECK(doc["hooks"][event][0]["hooks"][0]["args"] == json::array({"hook"}));
  }
  auto doctor = env.cli({"doctor", "--json"});
  CHECK(doctor.out.find("hook.provenance") == std::string::npos);
  REQUIRE(env.cli({"uninstall"}).exit_code == 0);
  json after = json::parse(slurp(env.user_settings()));
  CHECK_FALSE(after.contains("hooks"));

  // An older install (tool calls only): doctor names the missing entries.
  json old = {{"hooks", {{"PreToolUse", json::array({{{"matcher", "*"},
                                                      {"hooks", json::array({{{"type", "command"},
                                                                              {"command", preloop::testing::hook_binary()},
                                                                              {"args", json::array({"hook"})}}})}}})}}}};
  env.write("home/.claude/settings.json", old.dump());
  auto warned = env.cli({"doctor", "--json"});
  CHECK(warned.out.find("hook.provenance") != std::string::npos);
  CHECK(warned.out.find("PreSkillShellCommand, UserPromptSubmit, SessionStart") != std::string::npos);
}

TEST_CASE("a commit made by a call that then fails is still recorded (PostToolUseFailure)") {
  HookEnv env;
  const std::string repo = new_repo(env, "app");
  const std::string command = "git commit -q --allow-empty -m partial && false";
  REQUIRE(env.hook(bash_event("PreToolUse", repo, command, "t-fail", "p-f")).exit_code == 0);
  git(repo, {"commit", "-q", "--allow-empty", "-m", "partial"});
  json failure = base("PostToolUseFailure", repo);
  failure["tool_name"] = "Bash";
  failure["tool_use_id"] = "t-fail";
  failure["prompt_id"] = "p-f";
  failure["tool_input"] = {{"command", command}};
  failure["error"] = "exit status 1";
  REQUIRE(env.hook(failure.dump()).exit_code == 0);
  CHECK(commits_recorded(env) == std::vector<std::string>{head_of(repo)});
  CHECK(records_of(env, "GitCommit").at(0)["tool_use_id"] == "t-fail");
  // Its state is gone: a second result of the same call finds nothing to compare.
  REQUIRE(env.hook(failure.dump()).exit_code == 0);
  CHECK(commits_recorded(env).size() == 1);
}
