// CEL lexer: source text -> tokens with byte offsets. Literal tokens carry
// their decoded value (escapes applied, numbers parsed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cel {

enum class Tok : std::uint8_t {
  End,
  Ident,        // includes reserved words; the parser decides
  QuotedIdent,  // `field-name`
  Int,
  Uint,
  Double,
  String,
  Bytes,
  True,
  False,
  Null,
  In,
  LParen, RParen, LBracket, RBracket, LBrace, RBrace,
  Dot, Comma, Colon, Question,
  Plus, Minus, Star, Slash, Percent,
  Not, Eq, Ne, Lt, Le, Gt, Ge, And, Or,
};

struct Token {
  Tok kind = Tok::End;
  std::size_t offset = 0;  // byte offset in the source
  std::size_t length = 0;
  std::string text;        // identifier name or decoded string/bytes literal
  std::uint64_t int_bits = 0;  // Int: magnitude (may be 2^63, negated by the parser); Uint: value
  double dbl = 0;
};

struct LexError {
  std::string message;
  std::size_t offset = 0;
};

// Tokenizes the whole expression; on error returns the first problem.
struct LexResult {
  std::vector<Token> tokens;  // ends with Tok::End
  std::optional<LexError> error;
};
LexResult lex(std::string_view source);

const char* token_name(Tok t);

}  // namespace cel
