#include "cel/parser.h"

#include <algorithm>
#include <array>

#include "cel/lexer.h"
#include "cel/unicode.h"

namespace cel {

namespace {

constexpr std::array<std::string_view, 17> kReserved = {
    "as", "break", "const", "continue", "else", "for", "function", "if", "import",
    "let", "loop", "package", "namespace", "return", "var", "void", "while"};

bool is_reserved(std::string_view name) {
  return std::find(kReserved.begin(), kReserved.end(), name) != kReserved.end();
}

struct ParseFailure {
  std::string message;
  std::size_t offset;
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, const ParseLimits& limits) : toks_(std::move(tokens)), limits_(limits) {}

  ExprPtr parse_all() {
    ExprPtr e = expr();
    if (peek().kind != Tok::End) fail_unexpected("end of expression");
    return e;
  }

 private:
  std::vector<Token> toks_;
  std::size_t pos_ = 0;
  ParseLimits limits_;
  int nesting_ = 0;

  const Token& peek(std::size_t ahead = 0) const {
    return toks_[std::min(pos_ + ahead, toks_.size() - 1)];
  }
  const Token& take() {
    const Token& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  bool accept(Tok k) {
    if (peek().kind != k) return false;
    take();
    return true;
  }
  [[noreturn]] void fail(std::string message, std::size_t offset) {
    throw ParseFailure{std::move(message), offset};
  }
  [[noreturn]] void fail_unexpected(const char* wanted) {
    const Token& t = peek();
    std::string got = token_name(t.kind);
    if (t.kind == Tok::Ident) got = "'" + t.text + "'";
    fail(std::string("Syntax error: expected ") + wanted + ", found " + got, t.offset);
  }
  void expect(Tok k) {
    if (!accept(k)) fail_unexpected(token_name(k));
  }

  // Every node goes through here: the tree height is bounded.
  ExprPtr node(ExprKind kind, std::size_t offset) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->offset = offset;
    return e;
  }
  ExprPtr finish(ExprPtr e) {
    int d = 0;
    auto see = [&](const ExprPtr& c) {
      if (c) d = std::max(d, c->depth);
    };
    see(e->target);
    see(e->range);
    see(e->predicate);
    see(e->transform);
    for (const auto& a : e->args) see(a);
    e->depth = d + 1;
    if (e->depth > limits_.max_depth) {
      fail("expression nests too deeply (limit " + std::to_string(limits_.max_depth) + ")", e->offset);
    }
    return e;
  }
  ExprPtr call(std::string fn, std::size_t offset, std::vector<ExprPtr> args, ExprPtr target = nullptr) {
    auto e = node(ExprKind::Call, offset);
    e->name = std::move(fn);
    e->args = std::move(args);
    e->target = std::move(target);
    return finish(std::move(e));
  }
  ExprPtr binary(const char* fn, std::size_t offset, ExprPtr a, ExprPtr b) {
    std::vector<ExprPtr> args;
    args.push_back(std::move(a));
    args.push_back(std::move(b));
    return call(fn, offset, std::move(args));
  }

  struct Nest {
    Parser& p;
    explicit Nest(Parser& parser, std::size_t offset) : p(parser) {
      if (++p.nesting_ > p.limits_.max_depth) {
        p.fail("expression nests too deeply (limit " + std::to_string(p.limits_.max_depth) + ")", offset);
      }
    }
    ~Nest() { --p.nesting_; }
  };

  ExprPtr expr() {
    Nest guard(*this, peek().offset);
    ExprPtr cond = logical(Tok::Or);
    if (peek().kind != Tok::Question) return cond;
    std::size_t at = take().offset;
    ExprPtr yes = logical(Tok::Or);
    expect(Tok::Colon);
    ExprPtr no = expr();
    std::vector<ExprPtr> args;
    args.push_back(std::move(cond));
    args.push_back(std::move(yes));
    args.push_back(std::move(no));
    return call("_?_:_", at, std::move(args));
  }

  // `a || b || c` and `a && b && c` become one n-ary call: logical chains do
  // not deepen the tree.
  ExprPtr logical(Tok op) {
    ExprPtr first = op == Tok::Or ? logical(Tok::And) : relation();
    if (peek().kind != op) return first;
    std::vector<ExprPtr> terms;
    std::size_t at = peek().offset;
    terms.push_back(std::move(first));
    while (accept(op)) {
      terms.push_back(op == Tok::Or ? logical(Tok::And) : relation());
    }
    return call(op == Tok::Or ? "_||_" : "_&&_", at, std::move(terms));
  }

  ExprPtr relation() {
    ExprPtr left = addition();
    while (true) {
      const char* fn = nullptr;
      switch (peek().kind) {
        case Tok::Eq: fn = "_==_"; break;
        case Tok::Ne: fn = "_!=_"; break;
        case Tok::Lt: fn = "_<_"; break;
        case Tok::Le: fn = "_<=_"; break;
        case Tok::Gt: fn = "_>_"; break;
        case Tok::Ge: fn = "_>=_"; break;
        case Tok::In: fn = "@in"; break;
        default: return left;
      }
      std::size_t at = take().offset;
      left = binary(fn, at, std::move(left), addition());
    }
  }

  ExprPtr addition() {
    ExprPtr left = multiplication();
    while (peek().kind == Tok::Plus || peek().kind == Tok::Minus) {
      const Token& t = take();
      const char* fn = t.kind == Tok::Plus ? "_+_" : "_-_";
      left = binary(fn, t.offset, std::move(left), multiplication());
    }
    return left;
  }

  ExprPtr multiplication() {
    ExprPtr left = unary();
    while (true) {
      const char* fn = nullptr;
      switch (peek().kind) {
        case Tok::Star: fn = "_*_"; break;
        case Tok::Slash: fn = "_/_"; break;
        case Tok::Percent: fn = "_%_"; break;
        default: return left;
      }
      std::size_t at = take().offset;
      left = binary(fn, at, std::move(left), unary());
    }
  }

  ExprPtr unary() {
    if (peek().kind == Tok::Not) {
      std::size_t at = peek().offset;
      int count = 0;
      while (accept(Tok::Not)) ++count;
      ExprPtr operand = member();
      if (count % 2 == 0) return operand;
      std::vector<ExprPtr> args;
      args.push_back(std::move(operand));
      return call("!_", at, std::move(args));
    }
    if (peek().kind == Tok::Minus) {
      std::size_t at = peek().offset;
      int count = 0;
      while (accept(Tok::Minus)) ++count;
      ExprPtr operand;
      Tok next = peek().kind;
      if (next == Tok::Int || next == Tok::Double) {
        // The last '-' belongs to the literal: -9223372036854775808 is valid.
        operand = member(/*negate_literal=*/true);
        --count;
      } else {
        operand = member();
      }
      if (count % 2 == 0) return operand;
      std::vector<ExprPtr> args;
      args.push_back(std::move(operand));
      return call("-_", at, std::move(args));
    }
    return member();
  }

  ExprPtr member(bool negate_literal = false) {
    ExprPtr e = primary(negate_literal);
    while (true) {
      if (peek().kind == Tok::Dot) {
        std::size_t at = take().offset;
        const Token& t = peek();
        std::string name;
        if (t.kind == Tok::Ident || t.kind == Tok::QuotedIdent) {
          name = t.text;
        } else if (t.kind == Tok::True || t.kind == Tok::False || t.kind == Tok::Null || t.kind == Tok::In) {
          fail("Syntax error: keyword '" + t.text + "' cannot be a field name", t.offset);
        } else {
          fail_unexpected("field name");
        }
        bool quoted = t.kind == Tok::QuotedIdent;
        take();
        if (!quoted && peek().kind == Tok::LParen) {
          take();
          std::vector<ExprPtr> args = arguments(Tok::RParen);
          e = member_call(std::move(name), at, std::move(e), std::move(args));
        } else {
          auto s = node(ExprKind::Select, at);
          s->name = std::move(name);
          s->target = std::move(e);
          e = finish(std::move(s));
        }
      } else if (peek().kind == Tok::LBracket) {
        std::size_t at = take().offset;
        ExprPtr index = expr();
        expect(Tok::RBracket);
        e = binary("_[_]", at, std::move(e), std::move(index));
      } else if (peek().kind == Tok::LBrace && is_qualified_name(*e)) {
        fail("message construction is not supported", peek().offset);
      } else {
        return e;
      }
    }
  }

  static bool is_qualified_name(const Expr& e) {
    if (e.kind == ExprKind::Ident) return true;
    return e.kind == ExprKind::Select && !e.test_only && is_qualified_name(*e.target);
  }

  std::vector<ExprPtr> arguments(Tok close) {
    std::vector<ExprPtr> args;
    if (accept(close)) return args;
    while (true) {
      args.push_back(expr());
      if (accept(close)) return args;
      expect(Tok::Comma);
      if (close == Tok::RBracket && accept(close)) return args;  // trailing comma in lists
    }
  }

  ExprPtr primary(bool negate_literal) {
    const Token& t = peek();
    std::size_t at = t.offset;
    switch (t.kind) {
      case Tok::Int: {
        take();
        std::uint64_t m = t.int_bits;
        if (negate_literal) {
          return constant(Value::Int(m == (std::uint64_t{1} << 63) ? INT64_MIN : -static_cast<std::int64_t>(m)), at);
        }
        if (m > static_cast<std::uint64_t>(INT64_MAX)) fail("int literal out of range", at);
        return constant(Value::Int(static_cast<std::int64_t>(m)), at);
      }
      case Tok::Uint: take(); return constant(Value::Uint(t.int_bits), at);
      case Tok::Double: take(); return constant(Value::Double(negate_literal ? -t.dbl : t.dbl), at);
      case Tok::String: take(); return constant(Value::String(t.text), at);
      case Tok::Bytes: take(); return constant(Value::Bytes(t.text), at);
      case Tok::True: take(); return constant(Value::Bool(true), at);
      case Tok::False: take(); return constant(Value::Bool(false), at);
      case Tok::Null: take(); return constant(Value::Null(), at);
      case Tok::LParen: {
        take();
        ExprPtr e = expr();
        expect(Tok::RParen);
        return e;
      }
      case Tok::LBracket: {
        take();
        Nest guard(*this, at);
        auto e = node(ExprKind::List, at);
        e->args = arguments(Tok::RBracket);
        return finish(std::move(e));
      }
      case Tok::LBrace: {
        take();
        Nest guard(*this, at);
        auto e = node(ExprKind::Map, at);
        if (!accept(Tok::RBrace)) {
          while (true) {
            e->args.push_back(expr());
            expect(Tok::Colon);
            e->args.push_back(expr());
            if (accept(Tok::RBrace)) break;
            expect(Tok::Comma);
            if (accept(Tok::RBrace)) break;
          }
        }
        return finish(std::move(e));
      }
      case Tok::Dot:
      case Tok::Ident: {
        bool root = false;
        if (t.kind == Tok::Dot) {
          take();
          root = true;
          if (peek().kind != Tok::Ident) fail_unexpected("identifier");
        }
        const Token& id = take();
        if (is_reserved(id.text)) fail("Syntax error: reserved identifier '" + id.text + "'", id.offset);
        if (peek().kind == Tok::LParen) {
          take();
          std::vector<ExprPtr> args = arguments(Tok::RParen);
          return global_call(id.text, root ? at : id.offset, root, std::move(args));
        }
        auto e = node(ExprKind::Ident, root ? at : id.offset);
        e->name = id.text;
        e->root = root;
        return finish(std::move(e));
      }
      default:
        fail_unexpected("an expression");
    }
  }

  ExprPtr constant(Value v, std::size_t at) {
    auto e = node(ExprKind::Const, at);
    e->value = std::move(v);
    return finish(std::move(e));
  }

  // ---- macros ------------------------------------------------------------------

  ExprPtr global_call(const std::string& name, std::size_t at, bool root, std::vector<ExprPtr> args) {
    if (name == "has" && !root && args.size() == 1) {
      ExprPtr& a = args[0];
      if (a->kind != ExprKind::Select || a->test_only) {
        fail("invalid argument to has() macro: expected a field selection such as has(x.f)", a->offset);
      }
      a->test_only = true;
      return std::move(a);
    }
    auto e = node(ExprKind::Call, at);
    e->name = name;
    e->root = root;
    e->args = std::move(args);
    return finish(std::move(e));
  }

  std::string var_name(const ExprPtr& e) {
    if (e->kind != ExprKind::Ident || e->root) fail("macro variable must be a simple name", e->offset);
    return e->name;
  }

  ExprPtr member_call(std::string name, std::size_t at, ExprPtr target, std::vector<ExprPtr> args) {
    std::size_t n = args.size();
    auto comp = [&](Macro m, int vars) {
      auto e = node(ExprKind::Comprehension, at);
      e->macro = m;
      e->var1 = var_name(args[0]);
      if (vars == 2) {
        e->var2 = var_name(args[1]);
        if (e->var2 == e->var1) fail("macro variables must have different names", args[1]->offset);
      }
      e->range = std::move(target);
      return e;
    };
    // One-variable macros.
    if ((name == "all" || name == "exists" || name == "exists_one" || name == "existsOne" || name == "filter") &&
        n == 2) {
      Macro m = name == "all" ? Macro::All : name == "exists" ? Macro::Exists : name == "filter" ? Macro::Filter
                                                                                                 : Macro::ExistsOne;
      auto e = comp(m, 1);
      e->predicate = std::move(args[1]);
      return finish(std::move(e));
    }
    if (name == "map" && (n == 2 || n == 3)) {
      auto e = comp(Macro::Map, 1);
      if (n == 3) e->predicate = std::move(args[1]);
      e->transform = std::move(args[n - 1]);
      return finish(std::move(e));
    }
    // Two-variable macros.
    if ((name == "all" || name == "exists" || name == "existsOne" || name == "exists_one") && n == 3) {
      Macro m = name == "all" ? Macro::All : name == "exists" ? Macro::Exists : Macro::ExistsOne;
      auto e = comp(m, 2);
      e->predicate = std::move(args[2]);
      return finish(std::move(e));
    }
    if ((name == "transformList" || name == "transformMap" || name == "transformMapEntry") && (n == 3 || n == 4)) {
      Macro m = name == "transformList" ? Macro::Map
                : name == "transformMap" ? Macro::TransformMap
                                         : Macro::TransformMapEntry;
      auto e = comp(m, 2);
      if (n == 4) e->predicate = std::move(args[2]);
      e->transform = std::move(args[n - 1]);
      return finish(std::move(e));
    }
    if (name == "bind" && n == 3 && target->kind == ExprKind::Ident && target->name == "cel" && !target->root) {
      auto e = node(ExprKind::Comprehension, at);
      e->macro = Macro::Bind;
      e->var1 = var_name(args[0]);
      e->range = std::move(args[1]);
      e->transform = std::move(args[2]);
      return finish(std::move(e));
    }
    return call(std::move(name), at, std::move(args), std::move(target));
  }
};

}  // namespace

ParseResult parse(std::string_view source, const ParseLimits& limits) {
  ParseResult out;
  if (source.size() > limits.max_length) {
    out.error = "expression is too long (" + std::to_string(source.size()) + " bytes, limit " +
                std::to_string(limits.max_length) + ")";
    out.error_offset = limits.max_length;
    return out;
  }
  if (!utf8::valid(source)) {
    out.error = "expression is not valid UTF-8";
    return out;
  }
  LexResult lexed = lex(source);
  if (lexed.error) {
    out.error = "Syntax error: " + lexed.error->message;
    out.error_offset = lexed.error->offset;
    return out;
  }
  try {
    Parser p(std::move(lexed.tokens), limits);
    out.expr = p.parse_all();
  } catch (const ParseFailure& f) {
    out.error = f.message;
    out.error_offset = f.offset;
    out.expr.reset();
  }
  return out;
}

}  // namespace cel
