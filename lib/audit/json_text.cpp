#include "audit/json_text.h"

#include <cstdint>
#include <cstring>

namespace preloop::audit {
namespace {

class Checker {
 public:
  explicit Checker(std::string_view t) : p_(t.data()), end_(t.data() + t.size()) {}

  bool document() {
    space();
    if (!value(0)) return false;
    space();
    return p_ == end_;
  }

 private:
  static constexpr int kMaxDepth = 512;

  bool at(char c) const { return p_ < end_ && *p_ == c; }
  void space() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool digit() const { return p_ < end_ && *p_ >= '0' && *p_ <= '9'; }
  void digits() {
    while (digit()) ++p_;
  }

  bool value(int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{': return object(depth + 1);
      case '[': return array(depth + 1);
      case '"': return string();
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

  bool literal(std::string_view word) {
    if (std::string_view(p_, std::size_t(end_ - p_)).substr(0, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  bool number() {
    if (at('-')) ++p_;
    if (at('0')) {
      ++p_;
    } else if (digit()) {
      digits();
    } else {
      return false;
    }
    if (at('.')) {
      ++p_;
      if (!digit()) return false;
      digits();
    }
    if (at('e') || at('E')) {
      ++p_;
      if (at('+') || at('-')) ++p_;
      if (!digit()) return false;
      digits();
    }
    return true;
  }

  static bool hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

  // One UTF-8 sequence starting at a byte >= 0x80: no overlongs, surrogates or > U+10FFFF.
  bool utf8() {
    auto b = [&](std::ptrdiff_t i) { return static_cast<unsigned char>(p_[i]); };
    auto cont = [&](std::ptrdiff_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
      return p_ + i < end_ && b(i) >= lo && b(i) <= hi;
    };
    unsigned c = b(0);
    int n;
    if (c >= 0xC2 && c <= 0xDF) n = cont(1) ? 2 : 0;
    else if (c == 0xE0) n = cont(1, 0xA0) && cont(2) ? 3 : 0;
    else if (c == 0xED) n = cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
    else if (c >= 0xE1 && c <= 0xEF) n = cont(1) && cont(2) ? 3 : 0;
    else if (c == 0xF0) n = cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
    else if (c >= 0xF1 && c <= 0xF3) n = cont(1) && cont(2) && cont(3) ? 4 : 0;
    else if (c == 0xF4) n = cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
    else n = 0;
    p_ += n;
    return n > 0;
  }

  bool string() {
    ++p_;  // the opening quote
    while (p_ < end_) {
      unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        if (!utf8()) return false;
        continue;
      }
      ++p_;
      if (c != '\\') continue;
      if (p_ == end_) return false;
      char e = *p_++;
      if (e == 'u') {
        for (int i = 0; i < 4; ++i, ++p_)
          if (p_ == end_ || !hex(*p_)) return false;
      } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
        return false;
      }
    }
    return false;
  }

  bool array(int depth) {
    if (depth > kMaxDepth) return false;
    ++p_;
    space();
    if (at(']')) return ++p_, true;
    for (;;) {
      space();
      if (!value(depth)) return false;
      space();
      if (at(']')) return ++p_, true;
      if (!at(',')) return false;
      ++p_;
    }
  }

  bool object(int depth) {
    if (depth > kMaxDepth) return false;
    ++p_;
    space();
    if (at('}')) return ++p_, true;
    for (;;) {
      space();
      if (!at('"') || !string()) return false;
      space();
      if (!at(':')) return false;
      ++p_;
      space();
      if (!value(depth)) return false;
      space();
      if (at('}')) return ++p_, true;
      if (!at(',')) return false;
      ++p_;
    }
  }

  const char* p_;
  const char* end_;
};

}  // namespace

bool is_json(std::string_view text) { return Checker(text).document(); }

namespace {

// Eight bytes at a time (SWAR): true when any byte is < 0x20, '"' or '\\'.
bool needs_escape(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  auto zero_byte = [&](std::uint64_t x) { return (x - ones) & ~x & highs; };
  std::uint64_t control = (w - ones * 0x20) & ~w & highs;
  return (control | zero_byte(w ^ (ones * '"')) | zero_byte(w ^ (ones * '\\'))) != 0;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  std::size_t run = 0, i = 0;
  for (;;) {
    while (i + 8 <= s.size()) {  // skip clean words; a dirty one is walked byte by byte
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (needs_escape(w)) break;
      i += 8;
    }
    if (i >= s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i++]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - 1 - run);
    run = i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

}  // namespace preloop::audit
