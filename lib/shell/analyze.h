// Static analysis of a bash command line: every command it runs (through
// wrappers, nested shells, substitutions, eval, pipes into shells), with
// normalised names and flags, and the paths it writes, deletes, reads and
// sends to the network.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace preloop::shell {

struct Context {
  std::string cwd;          // absolute working directory ("" = unknown)
  std::string home;         // for ~ and $HOME
  std::string project_dir;  // informational; defaults to cwd
  std::string tmpdir = "/tmp";
};

struct Limits {
  std::size_t max_bytes = 1 << 20;     // longer commands are not analysed (unparseable)
  std::size_t max_depth = 32;          // nesting of substitutions, -c strings, eval, ...
  std::size_t max_words = 50000;       // words and commands across all nested parses
  std::size_t max_commands = 2000;     // commands recorded
  std::chrono::microseconds time_budget{30000};  // CPU time for parse + walk; over it: unparseable
};

struct Redirect {
  int fd = -1;              // -1: the default for the operator
  std::string op;           // > >> >| &> &>> < <> <<< << <<- >& <&
  std::string target;       // as written, unquoted ("" for heredocs)
  std::string path;         // resolved for file targets, "" for fd duplications and heredocs
};

struct Command {
  std::string name;                      // normalised: basename, lower case, no .exe
  std::string word;                      // the command word as written, unquoted ("/usr/bin/rm")
  std::vector<std::string> args;         // the words after it, unquoted and expanded
  std::vector<std::string> flags;        // options, short bundles split; long aliases added ("--force" -> also "-f")
  std::vector<std::string> operands;     // non-option arguments in order (after global options of git etc.)
  std::map<std::string, std::string> options;  // option -> value for options taking one (last wins)
  std::vector<std::string> wrappers;     // carriers it was found under, outermost first ("sudo", "env", "xargs")
  std::vector<std::string> assignments;  // leading NAME=VALUE
  std::vector<Redirect> redirects;
  std::string via;                       // how it is reached: "" (top level), "bash -c", "eval", "$()",
                                         // "<()", "pipe", "heredoc", "here-string", "find -exec", "xargs", ...
  std::string cwd;                       // effective working directory ("" = unknown)
  std::vector<std::string> stdin_from;   // names of the commands piped into it (all earlier stages, each once)
  std::string input;                     // its standard input when known literally (heredoc,
                                         // here-string, `echo ... |`), at most 64 KiB
  int depth = 0;                         // nesting depth (0 = top level)
  bool dynamic_name = false;             // the command word is not statically known
  bool dynamic_args = false;             // some argument is not statically known
};

// A path the command line writes, deletes or reads.
struct PathEffect {
  std::string path;       // absolute and normalised when resolvable; keeps glob characters;
                          // starts with '$' or is relative when it depends on an unknown variable
  std::string raw;        // as written
  std::string cwd;        // the directory `raw` is relative to ("" = unknown)
  std::string command;    // name of the command (or "redirect")
  bool recursive = false; // deletes: a whole tree (rm -r, find -delete, mv of a directory);
                          // writes: chmod/chown -R, recursive copies
  bool force = false;     // deletes: rm -f / --no-preserve-root
  bool glob = false;      // contains unquoted * ? [
  bool dynamic = false;   // depends on something not statically known
};

// File contents sent to the network.
struct Send {
  std::string path;       // resolved path of the file sent
  std::string command;    // curl, wget, scp, rsync, nc, ...
  std::string destination;
};

// Inline interpreter code: python -c, node -e, perl -e, ruby -e, php -r,
// or an interpreter fed a heredoc / here-string.
struct Script {
  std::string interpreter;          // normalised name ("python", "node", "perl", "ruby", "php", ...)
  std::string code;
  std::vector<std::string> effects; // subset of "delete", "exec", "network", "write"
};

// Code run by a shell or interpreter whose text is not in the command line:
// `curl … | sh`, `bash <(curl …)`, `eval "$(…)"`, `base64 -d | bash`.
struct DynamicCode {
  std::string runner;               // sh, bash, python, eval, source, ...
  std::vector<std::string> sources; // names of the commands producing the code
  std::string via;                  // "pipe", "<()", "$()", "file"
  std::string path;                 // via "file": the file read, resolved; not absolute when its
                                    // location is not known ("$DIR/x.sh", or relative with no cwd)
};

// Something the analysis could not know that changes what the command does:
// kind "ifs" (word splitting changed), "cdpath" (cd searches other directories).
struct Unknown {
  std::string kind;
  std::string detail;               // the assignment or word concerned
};

struct Analysis {
  std::vector<Command> commands;
  std::vector<PathEffect> writes;   // created, overwritten, modified (incl. chmod/chown, mv sources)
  std::vector<PathEffect> deletes;
  std::vector<PathEffect> reads;
  std::vector<Send> sends;
  std::vector<Script> scripts;
  std::vector<DynamicCode> dynamic_code;
  std::vector<Unknown> unknowns;
  bool fork_bomb = false;           // a function that starts itself in a pipeline or in the background
  bool unparseable = false;         // syntax error or limit: facts above are incomplete
  std::string error;
};

Analysis analyze(std::string_view command, const Context& ctx, const Limits& limits = {});

}  // namespace preloop::shell
