// SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104).
// Self-contained rather than libcrypto: the hook hashes a few hundred bytes per
// call, and linking OpenSSL (shared: loader cost; static: provider set-up and
// ~4 MB) would cost more start-up time than the hashing itself.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace preloop::audit {

using Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  Sha256& update(const void* data, std::size_t len);
  Sha256& update(std::string_view s) { return update(s.data(), s.size()); }
  Digest finish();

 private:
  std::uint32_t h_[8];
  std::uint8_t buf_[64];
  std::size_t buf_len_ = 0;
  std::uint64_t total_ = 0;
};

// HMAC-SHA256 over data given in pieces.
class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key);
  HmacSha256& update(const void* data, std::size_t len) { inner_.update(data, len); return *this; }
  HmacSha256& update(std::string_view s) { return update(s.data(), s.size()); }
  Digest finish();

 private:
  Sha256 inner_;
  std::uint8_t opad_[64];
};

Digest sha256(std::string_view data);
Digest hmac_sha256(std::string_view key, std::string_view data);
std::string to_hex(const Digest& d);

namespace detail {
// The block functions behind Sha256, for tests that compare them. The
// hardware one returns false (and does nothing) without the SHA extensions.
void sha256_compress_portable(std::uint32_t* state, const std::uint8_t* p, std::size_t blocks);
bool sha256_compress_hardware(std::uint32_t* state, const std::uint8_t* p, std::size_t blocks);
}  // namespace detail

}  // namespace preloop::audit
