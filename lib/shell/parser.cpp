// Hand-written because the hook starts per tool call: a bash grammar library
// (tree-sitter, a Go/JS parser) would cost start-up time and fail open on errors.
#include "shell/parser.h"

#include <ctime>

#include <initializer_list>
#include <optional>
#include <utility>

namespace preloop::shell {

namespace {
std::chrono::nanoseconds thread_cpu_time() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}
}  // namespace

void Budget::start(std::chrono::microseconds budget) {
  deadline = budget.count() > 0 ? thread_cpu_time() + budget : std::chrono::nanoseconds(0);
}

void Budget::charge(std::size_t n) {
  std::size_t before = nodes;
  nodes += n;
  if (nodes > max_nodes) throw LimitExceeded("command has too many words");
  if (deadline.count() > 0 && (before >> 8) != (nodes >> 8) && thread_cpu_time() > deadline)
    throw LimitExceeded("analysis time limit exceeded");
}

namespace {

using namespace ast;

bool is_meta(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' ||
         c == '>' || c == '(' || c == ')' || c == '\r';
}
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

ListPtr single(CommandPtr cmd) {
  auto list = std::make_unique<List>();
  AndOr ao;
  Pipeline p;
  p.commands.push_back(std::move(cmd));
  ao.pipelines.push_back(std::move(p));
  list->items.push_back(std::move(ao));
  return list;
}

void merge_into(ListPtr& dst, ListPtr src) {
  if (!src) return;
  if (!dst) {
    dst = std::move(src);
    return;
  }
  for (auto& item : src->items) dst->items.push_back(std::move(item));
}

// Decodes the body of $'...' (ANSI-C quoting).
std::string decode_ansi_c(std::string_view s) {
  std::string out;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  auto put_utf8 = [&](unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x110000) {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\' || i + 1 >= s.size()) {
      out += c;
      continue;
    }
    char e = s[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'e': case 'E': out += '\x1b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case '?': out += '?'; break;
      case 'c':
        if (i + 1 < s.size()) out += static_cast<char>(s[++i] & 0x1F);
        break;
      case 'x': {
        int v = 0, n = 0;
        while (n < 2 && i + 1 < s.size() && hex(s[i + 1]) >= 0) v = v * 16 + hex(s[++i]), ++n;
        if (n == 0) out += "\\x"; else out += static_cast<char>(v);
        break;
      }
      case 'u': case 'U': {
        int max = e == 'u' ? 4 : 8;
        unsigned v = 0;
        int n = 0;
        while (n < max && i + 1 < s.size() && hex(s[i + 1]) >= 0) v = v * 16 + hex(s[++i]), ++n;
        if (n == 0) { out += '\\'; out += e; } else put_utf8(v);
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          int v = e - '0', n = 1;
          while (n < 3 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7') v = v * 8 + (s[++i] - '0'), ++n;
          out += static_cast<char>(v & 0xFF);
        } else {
          out += '\\';
          out += e;
        }
    }
  }
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, Budget& budget, std::size_t depth)
      : s_(text), b_(budget), depth_(depth) {
    if (depth_ > b_.max_depth) throw LimitExceeded("command nesting too deep");
  }

  ParseResult run() {
    ParseResult r;
    r.list = parse_list(Stop{});
    while (!eof()) {  // stray closers at top level
      fail("unexpected '" + std::string(1, peek()) + "'");
      ++i_;
      merge_into(r.list, parse_list(Stop{}));
    }
    finish_heredocs();
    r.error = error_;
    return r;
  }

  // Reads `text` as the inside of double quotes (or a heredoc body when
  // `heredoc`), until the end.
  Word read_quoted_text(bool heredoc) {
    Word w;
    read_dq_parts(w, '\0', heredoc);
    return w;
  }
  const std::string& error() const { return error_; }

 private:
  struct Stop {
    bool paren = false;      // ')' closes
    bool case_item = false;  // ';;' ';&' ';;&' close
    std::initializer_list<std::string_view> keywords = {};
  };

  std::string_view s_;
  Budget& b_;
  std::size_t depth_;
  std::size_t i_ = 0;
  std::string error_;
  std::vector<std::shared_ptr<Heredoc>> pending_;
  std::vector<Word> words_;  // words of the simple commands being read, innermost last

  bool eof() const { return i_ >= s_.size(); }
  char peek(std::size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  bool at(std::string_view t) const { return i_ <= s_.size() && s_.substr(i_, t.size()) == t; }
  void fail(std::string msg) {
    if (error_.empty()) error_ = std::move(msg) + " at offset " + std::to_string(i_);
  }

  // A reserved word at the current position, followed by a delimiter.
  bool at_word(std::string_view kw) const {
    if (!at(kw)) return false;
    std::size_t j = i_ + kw.size();
    return j >= s_.size() || is_meta(s_[j]);
  }

  void skip_blanks() {
    while (!eof()) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i_;
      } else if (c == '\\' && peek(1) == '\n') {
        i_ += 2;
      } else if (c == '#') {
        while (!eof() && peek() != '\n') ++i_;
      } else {
        break;
      }
    }
  }

  void consume_newline() {
    ++i_;
    read_heredocs();
  }

  void skip_blanks_newlines() {
    for (;;) {
      skip_blanks();
      if (peek() == '\n') consume_newline();
      else break;
    }
  }

  bool at_stop(const Stop& st) const {
    if (eof()) return true;
    if (st.paren && peek() == ')') return true;
    if (st.case_item && (at(";;") || at(";&"))) return true;
    for (auto kw : st.keywords)
      if (at_word(kw)) return true;
    return false;
  }

  ListPtr parse_list(const Stop& st) {
    auto list = std::make_unique<List>();
    for (;;) {
      for (;;) {
        skip_blanks();
        if (peek() == '\n') consume_newline();
        else if (peek() == ';' && !at(";;") && !at(";&")) ++i_;
        else break;
      }
      if (at_stop(st)) break;
      if (peek() == ')') {
        fail("unexpected ')'");
        ++i_;
        continue;
      }
      if (at(";;") || at(";&")) {
        fail("unexpected ';;'");
        i_ += 2;
        continue;
      }
      std::size_t before = i_;
      AndOr ao = parse_and_or(st);
      skip_blanks();
      if (peek() == '&' && peek(1) != '&') {
        ao.background = true;
        ++i_;
      } else if (peek() == ';' && !at(";;") && !at(";&")) {
        ++i_;
      }
      list->items.push_back(std::move(ao));
      if (i_ == before) {  // no progress: skip a character rather than loop
        fail("unexpected '" + std::string(1, peek()) + "'");
        ++i_;
      }
    }
    return list;
  }

  AndOr parse_and_or(const Stop& st) {
    AndOr ao;
    ao.pipelines.push_back(parse_pipeline(st));
    for (;;) {
      skip_blanks();
      if (at("&&") || at("||")) {
        i_ += 2;
        skip_blanks_newlines();
        if (at_stop(st)) {
          fail("missing command after && or ||");
          break;
        }
        ao.pipelines.push_back(parse_pipeline(st));
      } else {
        break;
      }
    }
    return ao;
  }

  Pipeline parse_pipeline(const Stop& st) {
    Pipeline p;
    skip_blanks();
    while (at_word("!")) {
      p.negated = !p.negated;
      ++i_;
      skip_blanks();
    }
    p.commands.push_back(parse_command(st));
    for (;;) {
      skip_blanks();
      if (peek() == '|' && peek(1) != '|') {
        i_ += peek(1) == '&' ? 2 : 1;
        skip_blanks_newlines();
        if (at_stop(st)) {
          fail("missing command after |");
          break;
        }
        p.commands.push_back(parse_command(st));
      } else {
        break;
      }
    }
    return p;
  }

  void expect_word(std::string_view kw) {
    skip_blanks_newlines();
    if (at_word(kw)) i_ += kw.size();
    else fail("expected '" + std::string(kw) + "'");
  }

  // One level of nesting for the life of the guard. Every recursion of the
  // parser goes through one, so deep input is a limit, never a stack overflow.
  struct Nest {
    Parser& p;
    explicit Nest(Parser& parser) : p(parser) {
      if (++p.depth_ > p.b_.max_depth) throw LimitExceeded("command nesting too deep");
    }
    ~Nest() { --p.depth_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;
  };

  ListPtr sub_list(const Stop& st) {
    Nest nest(*this);
    return parse_list(st);
  }

  // The body of a function definition: one compound command.
  ListPtr function_body(const Stop& st) {
    Nest nest(*this);
    return single(parse_command(st));
  }

  CommandPtr parse_command(const Stop& st) {
    b_.charge();
    skip_blanks();
    auto cmd = std::make_unique<Command>();
    if (peek() == '(' && peek(1) == '(') {
      cmd->kind = Command::Kind::Conditional;
      i_ += 2;
      cmd->words.push_back(read_arith_word());
    } else if (peek() == '(') {
      ++i_;
      cmd->kind = Command::Kind::Subshell;
      cmd->bodies.push_back(sub_list(Stop{.paren = true}));
      if (peek() == ')') ++i_;
      else fail("unterminated '('");
    } else if (at_word("{")) {
      ++i_;
      cmd->kind = Command::Kind::Group;
      cmd->bodies.push_back(sub_list(Stop{.keywords = {"}"}}));
      expect_word("}");
    } else if (at_word("if")) {
      i_ += 2;
      cmd->kind = Command::Kind::Group;
      cmd->bodies.push_back(sub_list(Stop{.keywords = {"then"}}));
      expect_word("then");
      cmd->bodies.push_back(sub_list(Stop{.keywords = {"elif", "else", "fi"}}));
      for (;;) {
        skip_blanks_newlines();
        if (at_word("elif")) {
          i_ += 4;
          cmd->bodies.push_back(sub_list(Stop{.keywords = {"then"}}));
          expect_word("then");
          cmd->bodies.push_back(sub_list(Stop{.keywords = {"elif", "else", "fi"}}));
        } else if (at_word("else")) {
          i_ += 4;
          cmd->bodies.push_back(sub_list(Stop{.keywords = {"fi"}}));
        } else {
          break;
        }
      }
      expect_word("fi");
    } else if (at_word("while") || at_word("until")) {
      i_ += 5;
      cmd->kind = Command::Kind::Group;
      cmd->bodies.push_back(sub_list(Stop{.keywords = {"do"}}));
      expect_word("do");
      cmd->bodies.push_back(sub_list(Stop{.keywords = {"done"}}));
      expect_word("done");
    } else if (at_word("for") || at_word("select")) {
      i_ += at_word("for") ? 3 : 6;
      cmd->kind = Command::Kind::Group;
      skip_blanks();
      if (at("((")) {
        i_ += 2;
        cmd->words.push_back(read_arith_word());
      } else {
        Word var = read_word();
        for (auto& p : var.parts) cmd->name += p.text;
        skip_blanks_newlines();
        if (at_word("in")) {
          i_ += 2;
          for (;;) {
            skip_blanks();
            if (eof() || peek() == '\n' || peek() == ';') break;
            if (is_meta(peek())) {
              fail("unexpected '" + std::string(1, peek()) + "' in for list");
              break;
            }
            cmd->words.push_back(read_word());
          }
        }
      }
      skip_blanks();
      if (peek() == ';') ++i_;
      skip_blanks_newlines();
      if (at_word("{")) {
        ++i_;
        cmd->bodies.push_back(sub_list(Stop{.keywords = {"}"}}));
        expect_word("}");
      } else {
        expect_word("do");
        cmd->bodies.push_back(sub_list(Stop{.keywords = {"done"}}));
        expect_word("done");
      }
    } else if (at_word("case")) {
      i_ += 4;
      cmd->kind = Command::Kind::Group;
      skip_blanks();
      cmd->words.push_back(read_word());
      expect_word("in");
      for (;;) {
        skip_blanks_newlines();
        if (eof()) {
          fail("unterminated case");
          break;
        }
        if (at_word("esac")) {
          i_ += 4;
          break;
        }
        if (peek() == '(') ++i_;
        for (;;) {  // patterns
          skip_blanks();
          if (eof() || peek() == ')') break;
          if (peek() == '|') {
            ++i_;
            continue;
          }
          std::size_t before = i_;
          cmd->words.push_back(read_word());
          if (i_ == before) {
            fail("bad case pattern");
            ++i_;
          }
        }
        if (peek() == ')') ++i_;
        cmd->bodies.push_back(sub_list(Stop{.case_item = true, .keywords = {"esac"}}));
        if (at(";;&")) i_ += 3;
        else if (at(";;") || at(";&")) i_ += 2;
      }
    } else if (at_word("function")) {
      i_ += 8;
      skip_blanks();
      Word name = read_word();
      for (auto& p : name.parts) cmd->name += p.text;
      skip_blanks();
      if (peek() == '(' && peek(1) == ')') i_ += 2;
      else if (peek() == '(') {
        ++i_;
        skip_blanks();
        if (peek() == ')') ++i_;
      }
      skip_blanks_newlines();
      cmd->kind = Command::Kind::Function;
      cmd->bodies.push_back(function_body(st));
      return cmd;
    } else if (at_word("[[")) {
      i_ += 2;
      cmd->kind = Command::Kind::Conditional;
      for (;;) {
        skip_blanks_newlines();
        if (eof()) {
          fail("unterminated [[");
          break;
        }
        if (at_word("]]")) {
          i_ += 2;
          break;
        }
        if (is_meta(peek())) {
          ++i_;  // ( ) < > && || ! are operators here
          continue;
        }
        cmd->words.push_back(read_word());
      }
    } else {
      parse_simple(*cmd, st);
      return cmd;
    }
    parse_trailing_redirects(*cmd);
    return cmd;
  }

  void parse_trailing_redirects(Command& cmd) {
    for (;;) {
      skip_blanks();
      if (!at_redirect()) break;
      cmd.redirects.push_back(parse_redirect());
    }
  }

  bool at_redirect() const {
    std::size_t j = i_;
    while (j < s_.size() && is_digit(s_[j])) ++j;
    if (j >= s_.size()) return false;
    char c = s_[j];
    if (c == '&') return j == i_ && j + 1 < s_.size() && s_[j + 1] == '>';
    if (c != '<' && c != '>') return false;
    return !(j + 1 < s_.size() && s_[j + 1] == '(');
  }

  Redirect parse_redirect() {
    Redirect r;
    if (is_digit(peek())) {
      int fd = 0;
      while (is_digit(peek())) {
        fd = fd * 10 + (peek() - '0');
        if (fd > 100000) fd = 100000;
        ++i_;
      }
      r.fd = fd;
    }
    static constexpr std::string_view ops[] = {"&>>", "&>", "<<<", "<<-", "<<", "<>", "<&",
                                              ">&", ">>", ">|", "<", ">"};
    for (auto op : ops) {
      if (at(op)) {
        r.op = op;
        i_ += op.size();
        break;
      }
    }
    skip_blanks();
    if (r.op == "<<" || r.op == "<<-") {
      Word delim = read_word();
      auto hd = std::make_shared<Heredoc>();
      for (auto& p : delim.parts) hd->delimiter += p.kind == Part::Kind::Literal ? p.text : "$" + p.text;
      hd->quoted = delim.any_quoted;
      hd->strip_tabs = r.op == "<<-";
      if (delim.parts.empty()) fail("missing heredoc delimiter");
      r.target = std::move(delim);
      r.heredoc = hd;
      pending_.push_back(std::move(hd));
      return r;
    }
    if (eof() || (is_meta(peek()) && !((peek() == '<' || peek() == '>') && peek(1) == '('))) {
      fail("missing redirection target");
      return r;
    }
    r.target = read_word();
    return r;
  }

  // The words are gathered on a stack shared by every nesting level and
  // moved into the command at its end, so its vector is no larger than needed.
  void parse_simple(Command& cmd, const Stop& st) {
    const std::size_t base = words_.size();
    parse_simple_words(cmd, st, base);
    cmd.words.reserve(words_.size() - base);
    for (std::size_t k = base; k < words_.size(); ++k) cmd.words.push_back(std::move(words_[k]));
    words_.erase(words_.begin() + static_cast<std::ptrdiff_t>(base), words_.end());
  }

  void parse_simple_words(Command& cmd, const Stop& st, std::size_t base) {
    cmd.kind = Command::Kind::Simple;
    for (;;) {
      skip_blanks();
      if (eof()) break;
      if (at_redirect()) {
        cmd.redirects.push_back(parse_redirect());
        continue;
      }
      char c = peek();
      if (c == '(' && words_.size() - base == 1 && cmd.assignments.empty()) {
        // name ( ) compound-command
        ++i_;
        skip_blanks();
        if (peek() == ')') ++i_;
        else fail("expected ')' in function definition");
        skip_blanks_newlines();
        cmd.kind = Command::Kind::Function;
        for (auto& p : words_[base].parts) cmd.name += p.text;
        words_.erase(words_.begin() + static_cast<std::ptrdiff_t>(base), words_.end());
        cmd.bodies.push_back(function_body(st));
        return;
      }
      if (is_meta(c) && !((c == '<' || c == '>') && peek(1) == '(')) break;
      if (words_.size() == base && st.keywords.size() != 0) {
        bool stop = false;
        for (auto kw : st.keywords) stop = stop || at_word(kw);
        if (stop) break;
      }
      std::size_t before = i_;
      Word w = read_word();
      if (i_ == before) {
        fail("unexpected '" + std::string(1, c) + "'");
        ++i_;
        continue;
      }
      if (words_.size() == base) {
        if (auto a = as_assignment(w)) {
          cmd.assignments.push_back(std::move(*a));
          continue;
        }
      }
      words_.push_back(std::move(w));
    }
  }

  // NAME=value, NAME+=value, NAME=( ... ) as the leading unquoted literal.
  static std::optional<Assignment> as_assignment(Word& w) {
    if (w.parts.empty() || w.parts[0].kind != Part::Kind::Literal || w.parts[0].quoted) return std::nullopt;
    const std::string& t = w.parts[0].text;
    std::size_t k = 0;
    if (t.empty() || !is_name_start(t[0])) return std::nullopt;
    while (k < t.size() && is_name_char(t[k])) ++k;
    if (k < t.size() && t[k] == '[') {  // a[i]=v
      std::size_t close = t.find(']', k);
      if (close == std::string::npos) return std::nullopt;
      k = close + 1;
    }
    Assignment a;
    if (k + 1 < t.size() + 1 && t.compare(k, 2, "+=") == 0) {
      a.append = true;
      a.name = t.substr(0, k);
      k += 2;
    } else if (k < t.size() && t[k] == '=') {
      a.name = t.substr(0, k);
      k += 1;
    } else {
      return std::nullopt;
    }
    a.value = std::move(w);
    a.value.parts[0].text.erase(0, k);
    if (!a.value.parts[0].text.empty() && a.value.parts[0].text[0] == '(') a.array = true;
    return a;
  }

  // ---- words -------------------------------------------------------------

  static void lit(Word& w, std::string_view t, bool quoted) {
    if (!w.parts.empty() && w.parts.back().kind == Part::Kind::Literal && w.parts.back().quoted == quoted) {
      w.parts.back().text += t;
      return;
    }
    Part p;
    p.kind = Part::Kind::Literal;
    p.quoted = quoted;
    p.text = std::string(t);
    w.parts.push_back(std::move(p));
  }

  // Reads balanced parentheses starting at '(' as literal text.
  void read_balanced_literal(Word& w) {
    int d = 0;
    std::size_t start = i_;
    while (!eof()) {
      char c = peek();
      if (c == '\\') {
        i_ = std::min(i_ + 2, s_.size());  // a backslash may end the input
        continue;
      }
      if (c == '\'') {
        std::size_t e = s_.find('\'', i_ + 1);
        i_ = e == std::string_view::npos ? s_.size() : e + 1;
        continue;
      }
      if (c == '(') ++d;
      if (c == ')' && --d == 0) {
        ++i_;
        break;
      }
      if (c == '\n') {
        ++i_;
        read_heredocs();
        continue;
      }
      ++i_;
    }
    if (d != 0) fail("unterminated '('");
    lit(w, s_.substr(start, std::min(i_, s_.size()) - start), false);
  }

  Word read_word() {
    b_.charge();
    Word w;
    std::size_t start = i_;
    while (!eof()) {
      char c = peek();
      if (is_meta(c)) {
        if ((c == '<' || c == '>') && peek(1) == '(') {
          i_ += 2;
          Part p;
          p.kind = Part::Kind::ProcessSub;
          p.text = std::string(1, c);
          p.body = sub_list(Stop{.paren = true});
          if (peek() == ')') ++i_;
          else fail("unterminated process substitution");
          w.parts.push_back(std::move(p));
          continue;
        }
        if (c == '(' && !w.parts.empty() && w.parts.back().kind == Part::Kind::Literal &&
            !w.parts.back().quoted && !w.parts.back().text.empty()) {
          char last = w.parts.back().text.back();
          if (last == '=' || last == '?' || last == '*' || last == '+' || last == '@' || last == '!') {
            read_balanced_literal(w);  // array assignment or extglob
            continue;
          }
        }
        break;
      }
      if (c == '\\') {
        if (peek(1) == '\n') {
          i_ += 2;
          continue;
        }
        if (i_ + 1 >= s_.size()) {
          lit(w, "\\", false);
          ++i_;
          continue;
        }
        lit(w, s_.substr(i_ + 1, 1), true);
        w.any_quoted = true;
        i_ += 2;
        continue;
      }
      if (c == '\'') {
        w.any_quoted = true;
        std::size_t e = s_.find('\'', i_ + 1);
        if (e == std::string_view::npos) {
          fail("unterminated single quote");
          e = s_.size();
        }
        lit(w, s_.substr(i_ + 1, e - i_ - 1), true);
        i_ = e == s_.size() ? e : e + 1;
        continue;
      }
      if (c == '"') {
        w.any_quoted = true;
        ++i_;
        lit(w, "", true);
        read_dq_parts(w, '"', false);
        continue;
      }
      if (c == '$') {
        if (peek(1) == '\'') {
          w.any_quoted = true;
          std::size_t j = i_ + 2;
          while (j < s_.size() && s_[j] != '\'') j += s_[j] == '\\' ? 2 : 1;
          if (j >= s_.size()) {
            fail("unterminated $'");
            j = s_.size();
          }
          lit(w, decode_ansi_c(s_.substr(i_ + 2, j - i_ - 2)), true);
          i_ = j >= s_.size() ? s_.size() : j + 1;
          continue;
        }
        if (peek(1) == '"') {
          ++i_;
          continue;
        }
        read_dollar(w, false);
        continue;
      }
      if (c == '`') {
        read_backtick(w, false);
        continue;
      }
      if (c == '~' && i_ == start) {
        std::size_t j = i_ + 1;
        while (j < s_.size() && (is_name_char(s_[j]) || s_[j] == '.' || s_[j] == '-')) ++j;
        if (j >= s_.size() || s_[j] == '/' || is_meta(s_[j]) || s_[j] == ':') {
          Part p;
          p.kind = Part::Kind::Tilde;
          p.text = std::string(s_.substr(i_ + 1, j - i_ - 1));
          w.parts.push_back(std::move(p));
          i_ = j;
          continue;
        }
      }
      std::size_t j = i_ + 1;  // a run of ordinary characters
      while (j < s_.size() && !is_meta(s_[j]) && s_[j] != '\\' && s_[j] != '\'' && s_[j] != '"' && s_[j] != '$' &&
             s_[j] != '`' && s_[j] != '(')
        ++j;
      lit(w, s_.substr(i_, j - i_), false);
      i_ = j;
    }
    return w;
  }

  // Inside "...": \ escapes only $ ` " \ newline. In a heredoc body the
  // double quote is ordinary and `term` is '\0' (read to the end).
  void read_dq_parts(Word& w, char term, bool heredoc) {
    while (!eof()) {
      char c = peek();
      if (term && c == term) {
        ++i_;
        return;
      }
      if (c == '\\') {
        char n = peek(1);
        if (n == '\n') {
          i_ += 2;
          continue;
        }
        if (n == '$' || n == '`' || n == '\\' || (n == '"' && !heredoc)) {
          lit(w, s_.substr(i_ + 1, 1), true);
          i_ += 2;
          continue;
        }
        lit(w, "\\", true);
        ++i_;
        continue;
      }
      if (c == '$') {
        read_dollar(w, true);
        continue;
      }
      if (c == '`') {
        read_backtick(w, true);
        continue;
      }
      std::size_t j = i_ + 1;
      while (j < s_.size() && s_[j] != '\\' && s_[j] != '$' && s_[j] != '`' && s_[j] != term) ++j;
      lit(w, s_.substr(i_, j - i_), true);
      i_ = j;
    }
    if (term) fail("unterminated double quote");
  }

  void read_dollar(Word& w, bool quoted) {
    char c1 = peek(1);
    if (c1 == '(' && peek(2) == '(') {
      i_ += 3;
      Word aw = read_arith_word();
      for (auto& p : aw.parts) {
        p.quoted = quoted;
        w.parts.push_back(std::move(p));
      }
      return;
    }
    if (c1 == '(') {
      i_ += 2;
      Part p;
      p.kind = Part::Kind::CommandSub;
      p.quoted = quoted;
      p.body = sub_list(Stop{.paren = true});
      if (peek() == ')') ++i_;
      else fail("unterminated $(");
      w.parts.push_back(std::move(p));
      return;
    }
    if (c1 == '{') {
      i_ += 2;
      read_braced_param(w, quoted);
      return;
    }
    if (is_name_start(c1)) {
      std::size_t j = i_ + 1;
      while (j < s_.size() && is_name_char(s_[j])) ++j;
      Part p;
      p.kind = Part::Kind::Param;
      p.quoted = quoted;
      p.text = std::string(s_.substr(i_ + 1, j - i_ - 1));
      w.parts.push_back(std::move(p));
      i_ = j;
      return;
    }
    if (is_digit(c1) || c1 == '@' || c1 == '*' || c1 == '#' || c1 == '?' || c1 == '$' || c1 == '!' ||
        c1 == '-') {
      Part p;
      p.kind = Part::Kind::Param;
      p.quoted = quoted;
      p.text = std::string(1, c1);
      w.parts.push_back(std::move(p));
      i_ += 2;
      return;
    }
    lit(w, "$", quoted);
    ++i_;
  }

  // After "${": name, operator, argument up to the matching '}'.
  void read_braced_param(Word& w, bool quoted) {
    Nest nest(*this);  // ${a:-${b:-...}} recurses
    Part p;
    p.kind = Part::Kind::Param;
    p.quoted = quoted;
    std::string prefix;  // length or indirection
    if (peek() == '#' || peek() == '!') {
      if (peek(1) != '}') {
        prefix = std::string(1, peek());
        ++i_;
      }
    }
    std::size_t j = i_;
    if (j < s_.size() && is_name_start(s_[j])) {
      while (j < s_.size() && is_name_char(s_[j])) ++j;
    } else if (j < s_.size() && (is_digit(s_[j]) || std::string_view("@*#?$!-").find(s_[j]) != std::string_view::npos)) {
      ++j;
      while (j < s_.size() && is_digit(s_[j]) && is_digit(s_[i_])) ++j;
    }
    p.text = std::string(s_.substr(i_, j - i_));
    i_ = j;
    std::string op;
    if (peek() == '[') {  // array subscript: keep in op
      std::size_t e = s_.find(']', i_);
      if (e == std::string_view::npos) e = s_.size() - 1;
      op += std::string(s_.substr(i_, e - i_ + 1));
      i_ = e + 1;
    }
    // operator
    static constexpr std::string_view ops[] = {":-", ":=", ":?", ":+", "##", "%%", "^^", ",,", "-", "=", "?",
                                              "+", "#", "%", "/", ":", "^", ",", "@"};
    for (auto o : ops) {
      if (at(o)) {
        op += o;
        i_ += o.size();
        break;
      }
    }
    if (!prefix.empty()) op = prefix + op;
    // argument: up to the matching '}', with nested expansions collected
    Word arg;
    int depth = 0;
    while (!eof()) {
      char c = peek();
      if (c == '}' && depth == 0) break;
      if (c == '{') ++depth;
      if (c == '}') --depth;
      if (c == '\\' && i_ + 1 < s_.size()) {
        lit(arg, s_.substr(i_ + 1, 1), true);
        i_ += 2;
        continue;
      }
      if (c == '\'' && !quoted) {
        std::size_t e = s_.find('\'', i_ + 1);
        if (e == std::string_view::npos) e = s_.size();
        lit(arg, s_.substr(i_ + 1, e - i_ - 1), true);
        i_ = std::min(e + 1, s_.size());
        continue;
      }
      if (c == '"') {
        ++i_;
        read_dq_parts(arg, '"', false);
        continue;
      }
      if (c == '$') {
        read_dollar(arg, quoted);
        continue;
      }
      if (c == '`') {
        read_backtick(arg, quoted);
        continue;
      }
      if (c == '\n') {
        ++i_;
        read_heredocs();
        lit(arg, "\n", quoted);
        continue;
      }
      lit(arg, s_.substr(i_, 1), quoted);
      ++i_;
    }
    if (peek() == '}') ++i_;
    else fail("unterminated ${");
    std::string arg_text;
    for (auto& ap : arg.parts) {
      if (ap.kind == Part::Kind::Literal) arg_text += ap.text;
      else if (ap.kind == Part::Kind::Param) arg_text += "${" + ap.text + "}";
      else arg_text += "\x01";  // an unknowable piece
      if (ap.body) merge_into(p.body, std::move(ap.body));
    }
    if (!op.empty() || !arg_text.empty())
      p.param = std::make_unique<ParamOp>(ParamOp{std::move(op), std::move(arg_text)});
    w.parts.push_back(std::move(p));
  }

  void read_backtick(Word& w, bool quoted) {
    ++i_;
    std::string inner;
    bool closed = false;
    while (!eof()) {
      char c = peek();
      if (c == '\\' && i_ + 1 < s_.size()) {
        char n = s_[i_ + 1];
        if (n == '$' || n == '`' || n == '\\' || (quoted && n == '"')) {
          inner += n;
        } else {
          inner += c;
          inner += n;
        }
        i_ += 2;
        continue;
      }
      if (c == '`') {
        ++i_;
        closed = true;
        break;
      }
      inner += c;
      ++i_;
    }
    if (!closed) fail("unterminated backquote");
    Parser nested(inner, b_, depth_ + 1);
    Part p;
    p.kind = Part::Kind::CommandSub;
    p.quoted = quoted;
    ParseResult r = nested.run();
    if (!r.error.empty()) fail("in backquotes: " + r.error);
    p.body = std::move(r.list);
    w.parts.push_back(std::move(p));
  }

  // After "$((" or "((": text up to the matching "))"; command substitutions
  // inside are kept as the body of an Arith part.
  Word read_arith_word() {
    std::size_t start = i_;
    int depth = 0;
    while (!eof()) {
      char c = peek();
      if (c == '(') ++depth;
      else if (c == ')') {
        if (depth == 0 && peek(1) == ')') break;
        if (depth == 0) break;
        --depth;
      }
      ++i_;
    }
    std::string text(s_.substr(start, i_ - start));
    if (at("))")) i_ += 2;
    else {
      fail("unterminated arithmetic expression");
      if (peek() == ')') ++i_;
    }
    Word w;
    Part p;
    p.kind = Part::Kind::Arith;
    p.text = text;
    if (text.find('$') != std::string::npos || text.find('`') != std::string::npos) {
      Parser nested(text, b_, depth_ + 1);
      Word inner = nested.read_quoted_text(true);
      for (auto& ip : inner.parts)
        if (ip.body) merge_into(p.body, std::move(ip.body));
    }
    w.parts.push_back(std::move(p));
    return w;
  }

  void read_heredocs() {
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& hd : pending) {
      std::string body;
      while (!eof()) {
        std::size_t e = s_.find('\n', i_);
        std::size_t end = e == std::string_view::npos ? s_.size() : e;
        std::string_view line = s_.substr(i_, end - i_);
        if (hd->strip_tabs)
          while (!line.empty() && line[0] == '\t') line.remove_prefix(1);
        i_ = e == std::string_view::npos ? s_.size() : e + 1;
        if (line == hd->delimiter || (line.size() == hd->delimiter.size() + 1 && line.back() == '\r' &&
                                      line.substr(0, hd->delimiter.size()) == hd->delimiter)) {
          hd->complete = true;
          break;
        }
        body += line;
        body += '\n';
        b_.charge();
      }
      if (hd->quoted) {
        Part p;
        p.quoted = true;
        p.text = std::move(body);
        hd->body.parts.push_back(std::move(p));
      } else {
        Parser nested(body, b_, depth_ + 1);
        hd->body = nested.read_quoted_text(true);
      }
    }
  }

  void finish_heredocs() {
    if (!pending_.empty()) read_heredocs();  // delimited by end of input
  }
};

}  // namespace

ParseResult parse(std::string_view text, Budget& budget, std::size_t depth) {
  Parser p(text, budget, depth);
  return p.run();
}

}  // namespace preloop::shell
