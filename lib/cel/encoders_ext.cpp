// cel-go's encoders extension: base64.encode(bytes) and base64.decode(string)
// (standard alphabet; decoding accepts missing padding).
#include <array>

#include "cel/extensions.h"

namespace cel {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

Value encode(const Value* a, std::size_t) {
  if (!a[0].is_bytes()) return no_overload("base64.encode", a, 1);
  return Value::String(base64_encode(a[0].as_bytes()));
}

Value decode(const Value* a, std::size_t) {
  if (!a[0].is_string()) return no_overload("base64.decode", a, 1);
  std::array<int, 256> rev;
  rev.fill(-1);
  for (int k = 0; k < 64; ++k) rev[static_cast<unsigned char>(kAlphabet[k])] = k;
  std::string_view s = a[0].as_string();
  while (!s.empty() && s.back() == '=') s.remove_suffix(1);
  if (s.size() % 4 == 1) return Value::Error("base64.decode: invalid input length");
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : s) {
    int v = rev[static_cast<unsigned char>(c)];
    if (v < 0) return Value::Error("base64.decode: invalid character");
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return Value::Bytes(std::move(out));
}

constexpr Builtin kEncoders[] = {
    {"base64.encode", false, 1, encode},
    {"base64.decode", false, 1, decode},
};

}  // namespace

std::string base64_encode(std::string_view s) {
  std::string out;
  out.reserve((s.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8) |
                 static_cast<unsigned char>(s[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(n >> k) & 63];
  }
  if (i < s.size()) {
    unsigned n = static_cast<unsigned char>(s[i]) << 16;
    if (i + 1 < s.size()) n |= static_cast<unsigned char>(s[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < s.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::span<const Builtin> encoders_extension() { return kEncoders; }

}  // namespace cel
