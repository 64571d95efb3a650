#include "services/store/domain/password.h"

#include <sodium.h>

#include <string>

#include "absl/status/status.h"

namespace mailroom::store {
namespace {
constexpr size_t kMaxPasswordBytes = 1024;

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}
}  // namespace

absl::StatusOr<std::string> HashPassword(std::string_view password, const PasswordCost& cost) {
  if (password.empty()) return absl::InvalidArgumentError("empty password");
  if (password.size() > kMaxPasswordBytes) return absl::InvalidArgumentError("password too long");
  if (!SodiumReady()) return absl::InternalError("libsodium failed to initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops, cost.mem_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::InternalError("argon2id hashing failed (out of memory?)");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view password, std::string_view hash) {
  if (password.size() > kMaxPasswordBytes || hash.size() >= crypto_pwhash_STRBYTES) return false;
  if (!SodiumReady()) return false;
  std::string h(hash);  // libsodium wants a NUL-terminated string
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

}  // namespace mailroom::store
