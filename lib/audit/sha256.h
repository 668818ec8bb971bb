// SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104), from nettle, linked
// statically: no shared object to load on each hook call, and nettle picks
// the CPU's SHA extensions when it has them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nettle/hmac.h>
#include <nettle/sha2.h>

namespace preloop::audit {

using Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  Sha256& update(const void* data, std::size_t len);
  Sha256& update(std::string_view s) { return update(s.data(), s.size()); }
  Digest finish();

 private:
  sha256_ctx ctx_;
};

// HMAC-SHA256 over data given in pieces.
class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key);
  HmacSha256& update(const void* data, std::size_t len);
  HmacSha256& update(std::string_view s) { return update(s.data(), s.size()); }
  Digest finish();

 private:
  hmac_sha256_ctx ctx_;
};

Digest sha256(std::string_view data);
Digest hmac_sha256(std::string_view key, std::string_view data);
std::string to_hex(const Digest& d);

}  // namespace preloop::audit
