#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "policy/layers.h"
#include "policy/prefilter.h"
#include "policy/variables.h"
#include "shell/analyze.h"

using namespace preloop::policy;
using State = Prefilter::State;

namespace {

// The atoms of a derived prefilter as "field op text" strings; "always" when none.
std::vector<std::string> atoms(const std::string& expr) {
  Prefilter p = derive_prefilter(expr);
  if (p.state != State::AnyOf) return {"always"};
  std::vector<std::string> out;
  const char* fields[] = {"name", "namesub", "operand", "alias", "flag", "arg"};
  const char* ops[] = {"==", "prefix", "suffix", "contains"};
  for (const auto& a : p.any_of) {
    std::string t = a.text;
    for (auto& ch : t)
      if (ch == '\0') ch = ' ';
    out.push_back(std::string(fields[static_cast<int>(a.field)]) + " " + ops[static_cast<int>(a.op)] + " " + t);
  }
  return out;
}

using V = std::vector<std::string>;
const V kAlways{"always"};

bool admitted(const std::string& expr, const std::string& command) {
  preloop::shell::Context ctx{"/home/user/project", "/home/user", "/home/user/project"};
  CallFacts facts;
  add_shell_facts(facts, preloop::shell::analyze(command, ctx));
  add_arg_facts(facts, {{"command", command}, {"timeout", 5}});
  return admits(derive_prefilter(expr), facts);
}

}  // namespace

TEST_CASE("command names from c.is, c.name and c.sub") {
  CHECK(atoms("shell.commands.exists(c, c.is('rm'))") == V{"name == rm"});
  CHECK(atoms("shell.commands.exists(c, c.is('git', 'push') && !c.hasFlag('-n'))") == V{"namesub == git push"});
  CHECK(atoms("shell.commands.exists(c, c.is(['docker', 'podman'], 'push'))") ==
        V{"namesub == docker push", "namesub == podman push"});
  CHECK(atoms("shell.commands.exists(c, c.name == 'yarn' || 'npm' == c.name)") == V{"name == yarn", "name == npm"});
  CHECK(atoms("shell.commands.exists(c, c.name in ['apt', 'dnf'] && c.sub == 'install')") ==
        V{"namesub == apt install", "namesub == dnf install"});
  CHECK(atoms("shell.commands.exists(c, c.is('npm') && size(c.operands) > 1 && c.sub in ['i', 'add'])") ==
        V{"namesub == npm i", "namesub == npm add"});
  CHECK(atoms("shell.commands.exists(c, c.name.startsWith('x') && c.sub == 'install')") == V{"operand == install"});
  // Different command variables do not pair up.
  CHECK(atoms("shell.commands.exists(c, shell.commands.exists(d, c.name == 'npm' && d.sub == 'i'))") ==
        V{"name == npm"});
  CHECK(atoms("shell.commands.exists(c, c.name.startsWith('mkfs'))") == V{"name prefix mkfs"});
  CHECK(atoms("shell.commands.exists(c, c.name.matches('^pip[0-9.]*$'))") == V{"name prefix pip"});
  CHECK(atoms("shell.commands.exists(c, c.name.matches('^pipx?$'))") == V{"name prefix pip"});
  CHECK(atoms("shell.commands.exists(c, c.operands.exists(o, o.endsWith(':deploy')))") ==
        V{"operand suffix :deploy"});
  CHECK(atoms("shell.commands.exists(c, 'migrate' in c.operands)") == V{"operand == migrate"});
}

TEST_CASE("shell lists and flags") {
  CHECK(atoms("shell.deletes.exists(d, d.recursive) || shell.commands.exists(c, c.is('rm'))") ==
        V{"flag == deletes", "name == rm"});
  CHECK(atoms("shell.unparseable") == V{"flag == unparseable"});
  CHECK(atoms("shell.commands.exists(c, c.dynamic_name)") == V{"flag == dynamic_name"});
  CHECK(atoms("shell.names.exists(n, n in ['sudo', 'su'])") == V{"alias == sudo", "alias == su"});
  CHECK(atoms("'sudo' in shell.names") == V{"alias == sudo"});
}

TEST_CASE("anything not understood is always evaluated") {
  CHECK(atoms("!shell.commands.exists(c, c.is('rm'))") == kAlways);
  CHECK(atoms("shell.commands.exists(c, !c.is('rm'))") == kAlways);
  CHECK(atoms("shell.commands.all(c, c.is('rm'))") == kAlways);
  CHECK(atoms("shell.commands.exists(c, c.is('rm')) || args.command.lowerAscii().contains('rm')") == kAlways);
  CHECK(atoms("shell.commands.exists(c, c.is('rm')) ? true : false") == kAlways);
  CHECK(atoms("shell.commands.exists(i, c, c.is('rm'))") == kAlways);
  CHECK(atoms("[shell.commands[0]].exists(c, c.is('rm'))") == kAlways);
  CHECK(atoms("shell.commands.exists(c, c.is(args.name))") == kAlways);
  CHECK(atoms("shell.commands.exists(c, c.is(['rm', 1]))") == kAlways);
  CHECK(atoms("shell.commands.exists(c, c.hasFlag('-f'))") == kAlways);
  // c.sub is '' without operands: an empty literal is not an operand fact.
  CHECK(atoms("shell.commands.exists(c, c.sub == '')") == kAlways);
  CHECK(atoms("shell.commands.exists(c, c.sub in ['', 'x'])") == kAlways);
  // Regular expressions: only a literal prefix after '^', and no alternation.
  CHECK(atoms("shell.commands.exists(c, c.name.matches('pip'))") == kAlways);
  CHECK(atoms("shell.commands.exists(c, c.name.matches('^pip|npm'))") == kAlways);
  // A shadowed `shell` or command variable is not the analysis.
  CHECK(atoms("shell.commands.exists(shell, shell.commands.exists(c, c.is('rm')))") == kAlways);
  CHECK(atoms("shell.commands.exists(c, c.operands.exists(c, c.is('rm')))") == kAlways);
  CHECK(atoms("cel.bind(shell, args, shell.commands.exists(c, c.is('rm')))") == kAlways);
  CHECK(atoms("size(args.command) > 3") == kAlways);
  CHECK(atoms("shell.commands.exists(c,") == kAlways);
}

TEST_CASE("string fields of args") {
  CHECK(atoms("args.command.contains('rm -rf') || args.command.startsWith('sudo')") ==
        V{"arg contains command rm -rf", "arg prefix command sudo"});
  CHECK(atoms("args.command == 'x' || args.command in ['y']") == V{"arg == command x", "arg == command y"});
  CHECK(atoms("args['command'].contains('x')") == kAlways);
  CHECK(atoms("args.command.lowerAscii().contains('x')") == kAlways);
  // Inside the macro `args` is a command, not the variable.
  CHECK(atoms("shell.commands.exists(args, args.command == 'x')") == kAlways);
  CHECK(admitted("args.command.contains('rm -rf')", "sudo rm -rf /"));
  CHECK_FALSE(admitted("args.command.contains('rm -rf')", "ls -la"));
  // A field that is absent or not a string is evaluated (it fails closed).
  CHECK(admitted("args.path.endsWith('.env')", "ls"));
  CHECK(admitted("args.timeout == 'x'", "ls"));
}

TEST_CASE("path tests of args: under and matchesGlob") {
  CHECK(atoms("has(args.path) && args.path.under(['/etc', '/usr/', '/'])") ==
        V{"arg prefix path /etc", "arg prefix path /usr", "arg prefix path /"});
  CHECK(atoms("args.path.matchesGlob(['**/.env*', '**/*.pem', '/home/*/id_[re]*25519'])") ==
        V{"arg contains path .env", "arg contains path .pem", "arg contains path 25519"});
  CHECK(atoms("args.path.matchesGlob('**/*')") == kAlways);
  CHECK(atoms("args.path.under('')") == kAlways);
  CHECK(atoms("args.path.under(args.cwd)") == kAlways);
  // Wherever the prefilter turns a path away, the condition is false.
  const std::string exprs[] = {
      "has(args.path) && args.path.under(['/etc', '/usr/', '/opt'])",
      "args.path.matchesGlob(['**/.env*', '**/*.pem', '/home/*/id_[re]*25519', 'a?c/**/x*y'])",
  };
  const char* paths[] = {"/etc",        "/etc/",       "/etc/hosts",     "/etcetera",      "//etc/x",
                         "etc/x",       "/usr",        "/usr/bin/x",     "/opt/app",       "/home/u/.env",
                         "/p/.env.local", "/p/.envrc", "/p/x.pem",       "/p/x.pem/y",     "/home/u/id_ed25519",
                         "/home/u/id_rsa25519x", "abc/x/xzy", "abc/xy", "/p/src/app.ts", ""};
  for (const auto& e : exprs) {
    auto program = policy_env().compile(e);
    REQUIRE(program.ok());
    Prefilter p = derive_prefilter(e);
    REQUIRE(p.state == State::AnyOf);
    for (const char* path : paths) {
      INFO(e << " on '" << path << "'");
      nlohmann::json args = {{"path", path}};
      CallFacts facts;
      add_arg_facts(facts, args);
      cel::Activation act;
      act.bind_json("args", &args);
      auto v = program.program->evaluate(act);
      REQUIRE(v.is_bool());
      if (!admits(p, facts)) CHECK_FALSE(v.as_bool());
    }
  }
  auto admitted_path = [](const std::string& e, const std::string& path) {
    CallFacts facts;
    add_arg_facts(facts, {{"path", path}});
    return admits(derive_prefilter(e), facts);
  };
  CHECK_FALSE(admitted_path("args.path.under(['/etc', '/usr'])", "/home/u/project/src/app.ts"));
  CHECK(admitted_path("args.path.under(['/etc', '/usr'])", "/usr/local/x"));
  CHECK_FALSE(admitted_path("args.path.matchesGlob(['**/*.pem'])", "/home/u/project/src/app.ts"));
}

TEST_CASE("&& keeps the more selective side") {
  CHECK(atoms("shell.commands.exists(c, c.hasFlag('-f') && c.is('git', 'push'))") == V{"namesub == git push"});
  CHECK(atoms("shell.deletes.exists(d, d.force) && shell.commands.exists(c, c.is('rm'))") == V{"name == rm"});
}

TEST_CASE("a call admits the rules its commands could match") {
  CHECK(admitted("shell.commands.exists(c, c.is('git', 'push'))", "sudo git push origin main"));
  CHECK(admitted("shell.commands.exists(c, c.is('git', 'push'))", "bash -c 'cd x && /usr/bin/git push'"));
  CHECK(admitted("shell.commands.exists(c, c.is('rm'))", "echo . | xargs rm -rf"));
  CHECK(admitted("shell.commands.exists(c, c.is('rm'))", "find . -exec rm {} +"));
  CHECK(admitted("'sudo' in shell.names", "sudo ls"));
  CHECK(admitted("shell.deletes.exists(d, d.recursive)", "rm -rf build"));
  CHECK_FALSE(admitted("shell.commands.exists(c, c.is('git', 'push'))", "git status"));
  CHECK_FALSE(admitted("shell.commands.exists(c, c.is('rm'))", "ls -la"));
  CHECK_FALSE(admitted("shell.deletes.exists(d, d.recursive)", "git status"));
  CHECK(admitted("size(args.command) > 3", "ls"));
}

TEST_CASE("every Bash condition of the packs has a prefilter") {
  std::vector<Diagnostic> diags;
  for (const auto& d : load_packs("strict", diags))
    for (const auto& t : d.tools)
      if (t.names == std::vector<std::string>{"Bash"})
        for (const auto& c : t.conditions) {
          INFO(c.id);
          CHECK(derive_prefilter(c.expression).state == State::AnyOf);
        }
}
