// The syntax tree of a bash command line, as far as analysis needs it:
// lists, pipelines, simple and compound commands, words made of parts.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace preloop::shell::ast {

struct List;
using ListPtr = std::unique_ptr<List>;

// The operator of a braced parameter expansion, apart from the part so that
// the common parts (literal text, $name) stay small.
struct ParamOp {
  std::string op;          // after the name (":-", "-", ":", "#", ...)
  std::string arg;         // its argument text (e.g. default value, offset)
};

// One piece of a word. Literal text keeps quoting information so that
// expansion knows which parts undergo field splitting and globbing.
struct Part {
  enum class Kind {
    Literal,     // text (quoted or not)
    Param,       // $name, ${name...}
    CommandSub,  // $(...) or `...`
    Arith,       // $((...)): numeric, unknown
    ProcessSub,  // <(...) or >(...)
    Tilde,       // leading ~ or ~user
  };
  Kind kind = Kind::Literal;
  bool quoted = false;     // inside quotes: no field splitting or globbing
  std::string text;        // Literal: the text; Param: name; Tilde: user; ProcessSub: "<" or ">"
  std::unique_ptr<ParamOp> param;  // Param: ${name OP arg}, null for $name and ${name}
  ListPtr body;            // CommandSub / ProcessSub / commands found in Arith
};

struct Word {
  std::vector<Part> parts;
  bool any_quoted = false;
};

// Body of a heredoc, filled when the line that introduced it ends.
struct Heredoc {
  std::string delimiter;
  bool quoted = false;     // quoted delimiter: body is literal
  bool strip_tabs = false; // <<-
  bool complete = false;
  Word body;               // unquoted delimiter: parts with expansions
};

struct Redirect {
  int fd = -1;             // explicit fd number, -1 when absent
  std::string op;          // < > >> >| <> &> &>> >& <& << <<- <<<
  Word target;             // file, fd number, or here-string
  std::shared_ptr<Heredoc> heredoc;
};

struct Assignment {
  std::string name;
  Word value;
  bool append = false;     // +=
  bool array = false;      // name=( ... )
};

struct Command;
using CommandPtr = std::unique_ptr<Command>;

struct Command {
  enum class Kind {
    Simple,
    Subshell,    // ( list )
    Group,       // { list; } and bodies of if/while/for/case/select
    Function,    // name() body
    Conditional, // [[ ... ]] and (( ... )): words only
  };
  Kind kind = Kind::Simple;
  std::vector<Assignment> assignments;
  std::vector<Word> words;           // Simple: argv; Conditional / loops: inspected words
  std::vector<Redirect> redirects;
  std::vector<ListPtr> bodies;       // compound: the lists it runs
  std::string name;                  // Function: its name
};

struct Pipeline {
  std::vector<CommandPtr> commands;  // joined by | or |&
  bool negated = false;
};

struct AndOr {
  std::vector<Pipeline> pipelines;   // joined by && or ||
  bool background = false;
};

struct List {
  std::vector<AndOr> items;
};

}  // namespace preloop::shell::ast
