#include "audit/sha256.h"

namespace preloop::audit {

Sha256::Sha256() { sha256_init(&ctx_); }

Sha256& Sha256::update(const void* data, std::size_t len) {
  sha256_update(&ctx_, len, static_cast<const std::uint8_t*>(data));
  return *this;
}

Digest Sha256::finish() {
  Digest d;
  sha256_digest(&ctx_, d.size(), d.data());
  return d;
}

HmacSha256::HmacSha256(std::string_view key) {
  hmac_sha256_set_key(&ctx_, key.size(), reinterpret_cast<const std::uint8_t*>(key.data()));
}

HmacSha256& HmacSha256::update(const void* data, std::size_t len) {
  hmac_sha256_update(&ctx_, len, static_cast<const std::uint8_t*>(data));
  return *this;
}

Digest HmacSha256::finish() {
  Digest d;
  hmac_sha256_digest(&ctx_, d.size(), d.data());
  return d;
}

Digest sha256(std::string_view data) { return Sha256().update(data).finish(); }

Digest hmac_sha256(std::string_view key, std::string_view data) { return HmacSha256(key).update(data).finish(); }

std::string to_hex(const Digest& d) {
  static const char* hex = "0123456789abcdef";
  std::string s(64, '0');
  for (std::size_t i = 0; i < d.size(); ++i) {
    s[2 * i] = hex[d[i] >> 4];
    s[2 * i + 1] = hex[d[i] & 15];
  }
  return s;
}

}  // namespace preloop::audit
