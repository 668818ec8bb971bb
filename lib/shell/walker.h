// Walks the syntax tree: expands words (known variables, ~, literal command
// substitutions), tracks cd, strips carriers (sudo, env, nice, ...) and
// records every command with its effects into an Analysis.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shell/analyze.h"
#include "shell/ast.h"
#include "shell/dynamic.h"
#include "shell/parser.h"

namespace preloop::shell {

// Text standing for the output of a command substitution that is not known.
inline constexpr std::string_view kSubstitution = "$_SUBST_";

// One expanded argument.
struct Field {
  Field() = default;
  explicit Field(std::string t, bool dyn = false) : text(std::move(t)), dynamic(dyn) {}
  std::string text;                  // unknown pieces appear as $NAME or $(...)
  bool dynamic = false;              // contains something not statically known
  bool glob = false;                 // unquoted glob characters
  bool procsub = false;              // <( ) / >( ): a path to a pipe
  std::vector<std::string> sources;  // commands whose output forms (part of) it
};

// What flows into a command's standard input.
struct Stdin {
  std::vector<std::string> from;     // upstream command names, each once
  std::optional<std::string> text;   // literal content when known
  std::vector<std::string> paths;    // files whose content flows in
  std::string via;                   // pipe | heredoc | here-string | file
};

// A command about to be recorded, after expansion.
struct Exec {
  std::vector<Field> argv;
  std::vector<std::string> assignments;
  std::vector<Redirect> redirects;
  std::vector<std::string> wrappers;
  std::string via;
  std::string cwd;                   // "" = unknown
  int depth = 0;
  Stdin stdin;
  bool dynamic_args = false;
};

// Shell state of one (sub)shell. A subshell starts as a child of the scope
// it was started from: it sees the parent's variables without copying them
// (a copy per pipeline stage or substitution would make the walk quadratic)
// and keeps its own assignments to itself.
struct Scope {
  std::string cwd;  // "" = unknown

  Scope() = default;
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  // A subshell of `parent`, which must outlive it.
  Scope child() const;

  // nullptr: not set; a nullopt value: set but unknown.
  const std::optional<std::string>* find(const std::string& name) const;
  void set(const std::string& name, std::optional<std::string> value) { vars_[name] = std::move(value); }

 private:
  Scope(Scope&&) = default;
  const Scope* parent_ = nullptr;
  std::map<std::string, std::optional<std::string>> vars_;  // set in this scope
};

class Walker {
 public:
  Walker(const Context& ctx, const Limits& limits, Budget& budget, Analysis& out);

  void run_top(std::string_view text);
  // Parses and walks nested shell code (bash -c, eval, piped text, ...).
  void run_script(std::string_view text, const Exec& parent, std::string via);
  // Records a command (stripping carriers first) and applies its effects.
  void run_exec(Exec e);

  // Absolute, normalised path for a field, relative to `cwd`.
  PathEffect path_effect(const Field& f, const std::string& cwd, std::string_view command) const;
  void add_write(const Field& f, const std::string& cwd, std::string_view command, bool recursive = false);
  void add_delete(const Field& f, const std::string& cwd, std::string_view command, bool recursive);
  void add_read(const Field& f, const std::string& cwd, std::string_view command);

  const Context& ctx() const { return ctx_; }
  Analysis& out() { return out_; }
  // Files written earlier in this command line, with their text when it is literal.
  const WrittenFiles& written() const { return written_; }
  void note_error(const std::string& e);

 private:
  struct StageOut {
    std::optional<std::string> output;  // literal stdout when known (echo/printf/cat heredoc)
    bool piped = false;                 // output is read by the next stage of a pipeline
  };

  void walk_list(const ast::List& list, Scope& scope, int depth, const std::string& via,
                 const std::vector<std::string>& wrappers);
  void walk_pipeline(const ast::Pipeline& p, Scope& scope, int depth, const std::string& via,
                     const std::vector<std::string>& wrappers);
  void walk_command(const ast::Command& c, Scope& scope, int depth, const std::string& via,
                    const std::vector<std::string>& wrappers, const Stdin& stdin, StageOut& so);
  void walk_simple(const ast::Command& c, Scope& scope, int depth, const std::string& via,
                   const std::vector<std::string>& wrappers, const Stdin& stdin, StageOut& so);

  // Appends the fields of `w` to `fields`.
  void expand(const ast::Word& w, Scope& scope, int depth, std::vector<Field>& fields, bool split = true);
  Field expand_one(const ast::Word& w, Scope& scope, int depth);
  std::optional<std::string> param_value(const ast::Part& p, Scope& scope) const;
  // Walks a substitution body; returns the command names it ran and its literal output when known.
  std::vector<std::string> walk_sub(const ast::List& body, Scope& scope, int depth, const std::string& via,
                                    std::optional<std::string>* output);
  bool strip_carrier(Exec& e);
  void record(Exec& e);

  const Context& ctx_;
  const Limits& limits_;
  Budget& budget_;
  Analysis& out_;
  std::size_t expanded_bytes_ = 0;
  std::vector<std::string> defining_;  // functions whose bodies are being walked
  WrittenFiles written_;
  Scope top_;
};

// Literal stdout of simple echo/printf/pwd/which invocations, when knowable.
std::optional<std::string> literal_output(const std::vector<Field>& argv, const std::string& cwd);

}  // namespace preloop::shell
