#include "protocol/json_fast.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "protocol/json_depth.h"

namespace preloop::protocol {
namespace {

using json = nlohmann::json;

constexpr int kMaxDepth = kMaxJsonDepth;
constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;

std::uint64_t has_zero(std::uint64_t v) { return (v - kOnes) & ~v & kHigh; }

// Any byte of w that ends a plain run of string content: '"', '\\', a
// control character or a non-ASCII byte.
bool special(std::uint64_t w) {
  return (has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\')) | ((w - kOnes * 0x20) & ~w & kHigh) |
          (w & kHigh)) != 0;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void put_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool document(json& out) {
    ws();
    if (!value(out, 0)) return false;
    ws();
    return p_ == end_;
  }

 private:
  const char* p_;
  const char* end_;

  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool literal(const char* word, std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return true;
  }

  bool value(json& out, int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return object(out, depth + 1);
      case '[':
        return array(out, depth + 1);
      case '"': {
        ++p_;
        std::string s;
        if (!string(s)) return false;
        out = std::move(s);
        return true;
      }
      case 't':
        out = true;
        return literal("true", 4);
      case 'f':
        out = false;
        return literal("false", 5);
      case 'n':
        out = nullptr;
        return literal("null", 4);
      default:
        return number(out);
    }
  }

  bool object(json& out, int depth) {
    if (depth > kMaxDepth) return false;
    ++p_;
    out = json::object();
    auto& members = out.get_ref<json::object_t&>();
    ws();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    for (;;) {
      if (p_ == end_ || *p_ != '"') return false;
      ++p_;
      std::string key;
      if (!string(key)) return false;
      ws();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      ws();
      json v;
      if (!value(v, depth)) return false;
      members.insert_or_assign(std::move(key), std::move(v));  // the last of duplicate keys wins, as in nlohmann
      ws();
      if (p_ == end_) return false;
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
      ws();
    }
  }

  bool array(json& out, int depth) {
    if (depth > kMaxDepth) return false;
    ++p_;
    out = json::array();
    auto& items = out.get_ref<json::array_t&>();
    ws();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      items.emplace_back();
      if (!value(items.back(), depth)) return false;
      ws();
      if (p_ == end_) return false;
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
      ws();
    }
  }

  // After the opening quote; stops after the closing one.
  bool string(std::string& out) {
    // A long string (a tool's output) is sized once, up to the next quote,
    // rather than grown by doubling as its runs are appended.
    if (const void* q = std::memchr(p_, '"', static_cast<std::size_t>(end_ - p_))) {
      const auto len = static_cast<std::size_t>(static_cast<const char*>(q) - p_);
      if (len > 256) out.reserve(out.size() + len);
    }
    for (;;) {
      const char* run = p_;
#if defined(__SSE2__)
      // Sixteen bytes at a time to the first special byte (SSE2, every
      // x86-64 CPU): signed, a byte below 0x20 is a control or a non-ASCII one.
      for (; end_ - p_ >= 16; p_ += 16) {
        const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_));
        const __m128i hit = _mm_or_si128(_mm_cmplt_epi8(w, _mm_set1_epi8(0x20)),
                                         _mm_or_si128(_mm_cmpeq_epi8(w, _mm_set1_epi8('"')),
                                                      _mm_cmpeq_epi8(w, _mm_set1_epi8('\\'))));
        if (const auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit))) {
          p_ += std::countr_zero(mask);
          break;
        }
      }
#endif
      for (std::uint64_t w; end_ - p_ >= 8; p_ += 8) {
        std::memcpy(&w, p_, 8);
        if (special(w)) break;
      }
      while (p_ < end_) {
        const auto c = static_cast<unsigned char>(*p_);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++p_;
      }
      out.append(run, static_cast<std::size_t>(p_ - run));
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (!(c == '\\' ? escape(out) : utf8(out))) return false;
    }
  }

  bool hex4(std::uint32_t& cp) {
    if (end_ - p_ < 4) return false;
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      int h = hex(p_[i]);
      if (h < 0) return false;
      cp = (cp << 4) | static_cast<std::uint32_t>(h);
    }
    p_ += 4;
    return true;
  }

  bool escape(std::string& out) {
    if (end_ - p_ < 2) return false;
    const char e = p_[1];
    p_ += 2;
    switch (e) {
      case '"': out.push_back('"'); return true;
      case '\\': out.push_back('\\'); return true;
      case '/': out.push_back('/'); return true;
      case 'b': out.push_back('\b'); return true;
      case 'f': out.push_back('\f'); return true;
      case 'n': out.push_back('\n'); return true;
      case 'r': out.push_back('\r'); return true;
      case 't': out.push_back('\t'); return true;
      case 'u': break;
      default: return false;
    }
    std::uint32_t cp;
    if (!hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a lone low surrogate
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      std::uint32_t low;
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
      p_ += 2;
      if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    put_utf8(out, cp);
    return true;
  }

  // One well-formed UTF-8 sequence (Unicode table 3-7), copied as is.
  bool utf8(std::string& out) {
    const auto* s = reinterpret_cast<const unsigned char*>(p_);
    const std::size_t room = static_cast<std::size_t>(end_ - p_);
    const unsigned char c = s[0];
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c == 0xE0) n = 3, lo = 0xA0;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) n = 3;
    else if (c == 0xED) n = 3, hi = 0x9F;
    else if (c == 0xF0) n = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) n = 4;
    else if (c == 0xF4) n = 4, hi = 0x8F;
    else return false;
    if (room < n || s[1] < lo || s[1] > hi) return false;
    for (std::size_t i = 2; i < n; ++i)
      if (s[i] < 0x80 || s[i] > 0xBF) return false;
    out.append(p_, n);
    p_ += n;
    return true;
  }

  bool digits() {
    const char* start = p_;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ > start;
  }

  bool number(json& out) {
    const char* start = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') ++p_;
    else if (*p_ < '1' || *p_ > '9' || !digits()) return false;
    bool integer = true;
    if (p_ < end_ && *p_ == '.') {
      integer = false;
      ++p_;
      if (!digits()) return false;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      integer = false;
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digits()) return false;
    }
    if (integer) {
      std::uint64_t v = 0;
      bool overflow = false;
      for (const char* d = start + negative; d < p_ && !overflow; ++d) {
        const auto digit = static_cast<std::uint64_t>(*d - '0');
        overflow = v > (UINT64_MAX - digit) / 10;
        v = v * 10 + digit;
      }
      if (!overflow && !negative) {
        out = static_cast<json::number_unsigned_t>(v);
        return true;
      }
      if (!overflow && v <= std::uint64_t{1} << 63) {
        out = v == std::uint64_t{1} << 63 ? INT64_MIN : -static_cast<std::int64_t>(v);
        return true;
      }
    }
    // Fractions, exponents and integers past 64 bits: nlohmann's own
    // conversion of the same token, so the value is the same to the bit (and
    // an overflow is left to it too).
    try {
      out = json::parse(start, p_);
    } catch (const json::exception&) {
      return false;
    }
    return true;
  }
};

}  // namespace

std::optional<nlohmann::json> parse_json_fast(std::string_view text) {
  nlohmann::json out;
  Parser parser(text);
  if (!parser.document(out)) return std::nullopt;
  return out;
}

}  // namespace preloop::protocol
