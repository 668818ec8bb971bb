#include "cel/lexer.h"

#include <charconv>
#include <cstdlib>

#include "cel/unicode.h"

namespace cel {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }
int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  LexResult run() {
    LexResult out;
    while (true) {
      skip_space();
      if (error_) break;
      Token t;
      t.offset = pos_;
      if (pos_ >= src_.size()) {
        t.kind = Tok::End;
        out.tokens.push_back(std::move(t));
        break;
      }
      if (!next(t)) break;
      t.length = pos_ - t.offset;
      out.tokens.push_back(std::move(t));
    }
    out.error = std::move(error_);
    return out;
  }

 private:
  std::string_view src_;
  std::size_t pos_ = 0;
  std::optional<LexError> error_;

  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
  }

  bool fail(std::string message, std::size_t offset) {
    if (!error_) error_ = LexError{std::move(message), offset};
    return false;
  }

  void skip_space() {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        ++pos_;
      } else if (c == '/' && peek(1) == '/') {
        while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
      } else {
        return;
      }
    }
  }

  bool next(Token& t) {
    char c = src_[pos_];
    if (is_digit(c) || (c == '.' && is_digit(peek(1)))) return number(t);
    if (c == '"' || c == '\'') return string_lit(t, false, false);
    if (is_ident_start(c)) {
      // String prefixes: r, b, rb, br in any case.
      char c1 = peek(1), c2 = peek(2);
      bool r0 = c == 'r' || c == 'R', b0 = c == 'b' || c == 'B';
      if ((r0 || b0) && (c1 == '"' || c1 == '\'')) {
        ++pos_;
        return string_lit(t, r0, b0);
      }
      bool r1 = c1 == 'r' || c1 == 'R', b1 = c1 == 'b' || c1 == 'B';
      if (((r0 && b1) || (b0 && r1)) && (c2 == '"' || c2 == '\'')) {
        pos_ += 2;
        return string_lit(t, true, true);
      }
      std::size_t start = pos_;
      while (pos_ < src_.size() && is_ident_char(src_[pos_])) ++pos_;
      t.text.assign(src_.substr(start, pos_ - start));
      if (t.text == "true") t.kind = Tok::True;
      else if (t.text == "false") t.kind = Tok::False;
      else if (t.text == "null") t.kind = Tok::Null;
      else if (t.text == "in") t.kind = Tok::In;
      else t.kind = Tok::Ident;
      return true;
    }
    if (c == '`') {
      std::size_t start = ++pos_;
      while (pos_ < src_.size() && src_[pos_] != '`') {
        char q = src_[pos_];
        if (!(is_ident_char(q) || q == '.' || q == '-' || q == '/' || q == ' ')) {
          return fail("invalid character in quoted identifier", pos_);
        }
        ++pos_;
      }
      if (pos_ >= src_.size()) return fail("unterminated quoted identifier", start - 1);
      if (pos_ == start) return fail("empty quoted identifier", start - 1);
      t.text.assign(src_.substr(start, pos_ - start));
      ++pos_;
      t.kind = Tok::QuotedIdent;
      return true;
    }
    ++pos_;
    switch (c) {
      case '(': t.kind = Tok::LParen; return true;
      case ')': t.kind = Tok::RParen; return true;
      case '[': t.kind = Tok::LBracket; return true;
      case ']': t.kind = Tok::RBracket; return true;
      case '{': t.kind = Tok::LBrace; return true;
      case '}': t.kind = Tok::RBrace; return true;
      case '.': t.kind = Tok::Dot; return true;
      case ',': t.kind = Tok::Comma; return true;
      case ':': t.kind = Tok::Colon; return true;
      case '?': t.kind = Tok::Question; return true;
      case '+': t.kind = Tok::Plus; return true;
      case '-': t.kind = Tok::Minus; return true;
      case '*': t.kind = Tok::Star; return true;
      case '/': t.kind = Tok::Slash; return true;
      case '%': t.kind = Tok::Percent; return true;
      case '!':
        if (peek() == '=') { ++pos_; t.kind = Tok::Ne; } else { t.kind = Tok::Not; }
        return true;
      case '=':
        if (peek() == '=') { ++pos_; t.kind = Tok::Eq; return true; }
        return fail("unexpected '=' (use '==' to compare)", pos_ - 1);
      case '<':
        if (peek() == '=') { ++pos_; t.kind = Tok::Le; } else { t.kind = Tok::Lt; }
        return true;
      case '>':
        if (peek() == '=') { ++pos_; t.kind = Tok::Ge; } else { t.kind = Tok::Gt; }
        return true;
      case '&':
        if (peek() == '&') { ++pos_; t.kind = Tok::And; return true; }
        return fail("unexpected '&' (use '&&')", pos_ - 1);
      case '|':
        if (peek() == '|') { ++pos_; t.kind = Tok::Or; return true; }
        return fail("unexpected '|' (use '||')", pos_ - 1);
      default:
        break;
    }
    if (static_cast<unsigned char>(c) >= 0x80) return fail("unexpected non-ASCII character", pos_ - 1);
    return fail(std::string("unexpected character '") + c + "'", pos_ - 1);
  }

  bool number(Token& t) {
    std::size_t start = pos_;
    if (src_[pos_] == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
      pos_ += 2;
      std::size_t digits = pos_;
      while (pos_ < src_.size() && is_hex(src_[pos_])) ++pos_;
      if (pos_ == digits) return fail("hexadecimal literal needs digits", start);
      return integer(t, start, src_.substr(digits, pos_ - digits), 16);
    }
    while (pos_ < src_.size() && is_digit(src_[pos_])) ++pos_;
    bool is_float = false;
    if (peek() == '.' && is_digit(peek(1))) {
      is_float = true;
      ++pos_;
      while (pos_ < src_.size() && is_digit(src_[pos_])) ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      std::size_t save = pos_;
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (is_digit(peek())) {
        is_float = true;
        while (pos_ < src_.size() && is_digit(src_[pos_])) ++pos_;
      } else {
        pos_ = save;
      }
    }
    if (!is_float) return integer(t, start, src_.substr(start, pos_ - start), 10);
    std::string text(src_.substr(start, pos_ - start));
    char* end = nullptr;
    t.dbl = std::strtod(text.c_str(), &end);
    t.kind = Tok::Double;
    if (is_ident_char(peek())) return fail("invalid number literal", start);
    return true;
  }

  bool integer(Token& t, std::size_t start, std::string_view digits, int base) {
    std::uint64_t v = 0;
    auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
    bool overflow = r.ec == std::errc::result_out_of_range;
    if (peek() == 'u' || peek() == 'U') {
      ++pos_;
      if (overflow) return fail("uint literal out of range", start);
      t.kind = Tok::Uint;
      t.int_bits = v;
    } else {
      if (overflow || v > (std::uint64_t{1} << 63)) return fail("int literal out of range", start);
      t.kind = Tok::Int;
      t.int_bits = v;
    }
    if (is_ident_char(peek())) {
      return fail("invalid number literal", start);
    }
    return true;
  }

  bool string_lit(Token& t, bool raw, bool bytes) {
    std::size_t start = t.offset;
    char q = src_[pos_];
    bool triple = peek(1) == q && peek(2) == q;
    pos_ += triple ? 3 : 1;
    std::string out;
    while (true) {
      if (pos_ >= src_.size()) return fail("unterminated string literal", start);
      char c = src_[pos_];
      if (c == q) {
        if (!triple) {
          ++pos_;
          break;
        }
        if (peek(1) == q && peek(2) == q) {
          pos_ += 3;
          break;
        }
      }
      if (!triple && (c == '\n' || c == '\r')) return fail("newline in string literal", start);
      if (c == '\\' && !raw) {
        if (!escape(out, bytes)) return false;
        continue;
      }
      if (c == '\\' && raw && pos_ + 1 < src_.size() && src_[pos_ + 1] == q && !triple) {
        // A raw string keeps the backslash; the escaped quote does not end it.
        out.push_back(c);
        out.push_back(q);
        pos_ += 2;
        continue;
      }
      out.push_back(c);
      ++pos_;
    }
    if (!bytes && !utf8::valid(out)) return fail("string literal is not valid UTF-8", start);
    t.kind = bytes ? Tok::Bytes : Tok::String;
    t.text = std::move(out);
    return true;
  }

  bool escape(std::string& out, bool bytes) {
    std::size_t at = pos_;
    ++pos_;  // backslash
    if (pos_ >= src_.size()) return fail("unterminated escape sequence", at);
    char c = src_[pos_++];
    switch (c) {
      case 'a': out.push_back('\a'); return true;
      case 'b': out.push_back('\b'); return true;
      case 'f': out.push_back('\f'); return true;
      case 'n': out.push_back('\n'); return true;
      case 'r': out.push_back('\r'); return true;
      case 't': out.push_back('\t'); return true;
      case 'v': out.push_back('\v'); return true;
      case '\\': case '?': case '"': case '\'': case '`': out.push_back(c); return true;
      case 'x': case 'X': case 'u': case 'U': {
        int n = (c == 'x' || c == 'X') ? 2 : c == 'u' ? 4 : 8;
        if (bytes && (c == 'u' || c == 'U')) return fail("\\u escapes are not allowed in bytes literals", at);
        std::uint32_t v = 0;
        for (int i = 0; i < n; ++i) {
          if (pos_ >= src_.size() || !is_hex(src_[pos_])) return fail("invalid escape sequence", at);
          v = v * 16 + static_cast<std::uint32_t>(hex_value(src_[pos_++]));
        }
        return code(out, v, bytes && n == 2, at);
      }
      default:
        if (c >= '0' && c <= '3') {
          std::uint32_t v = static_cast<std::uint32_t>(c - '0');
          for (int i = 0; i < 2; ++i) {
            if (pos_ >= src_.size() || src_[pos_] < '0' || src_[pos_] > '7') {
              return fail("invalid octal escape sequence", at);
            }
            v = v * 8 + static_cast<std::uint32_t>(src_[pos_++] - '0');
          }
          return code(out, v, bytes, at);
        }
        return fail(std::string("invalid escape sequence '\\") + c + "'", at);
    }
  }

  // Appends an escaped value: an octet in bytes literals, a code point in strings.
  bool code(std::string& out, std::uint32_t v, bool octet, std::size_t at) {
    if (octet) {
      out.push_back(static_cast<char>(v));
      return true;
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return fail("invalid code point in escape sequence", at);
    utf8::append(out, v);
    return true;
  }
};

}  // namespace

LexResult lex(std::string_view source) { return Lexer(source).run(); }

const char* token_name(Tok t) {
  switch (t) {
    case Tok::End: return "end of expression";
    case Tok::Ident: return "identifier";
    case Tok::QuotedIdent: return "quoted identifier";
    case Tok::Int: return "int literal";
    case Tok::Uint: return "uint literal";
    case Tok::Double: return "double literal";
    case Tok::String: return "string literal";
    case Tok::Bytes: return "bytes literal";
    case Tok::True: return "'true'";
    case Tok::False: return "'false'";
    case Tok::Null: return "'null'";
    case Tok::In: return "'in'";
    case Tok::LParen: return "'('";
    case Tok::RParen: return "')'";
    case Tok::LBracket: return "'['";
    case Tok::RBracket: return "']'";
    case Tok::LBrace: return "'{'";
    case Tok::RBrace: return "'}'";
    case Tok::Dot: return "'.'";
    case Tok::Comma: return "','";
    case Tok::Colon: return "':'";
    case Tok::Question: return "'?'";
    case Tok::Plus: return "'+'";
    case Tok::Minus: return "'-'";
    case Tok::Star: return "'*'";
    case Tok::Slash: return "'/'";
    case Tok::Percent: return "'%'";
    case Tok::Not: return "'!'";
    case Tok::Eq: return "'=='";
    case Tok::Ne: return "'!='";
    case Tok::Lt: return "'<'";
    case Tok::Le: return "'<='";
    case Tok::Gt: return "'>'";
    case Tok::Ge: return "'>='";
    case Tok::And: return "'&&'";
    case Tok::Or: return "'||'";
  }
  return "token";
}

}  // namespace cel
