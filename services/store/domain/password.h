// Password hashing with argon2id (libsodium), DESIGN.md invariant 8.
#ifndef MAILROOM_SERVICES_STORE_DOMAIN_PASSWORD_H_
#define MAILROOM_SERVICES_STORE_DOMAIN_PASSWORD_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mailroom::store {

// Cost of a new hash. The defaults follow OWASP's argon2id guidance (19 MiB, 2 passes).
struct PasswordCost {
  unsigned long long ops = 2;
  size_t mem_bytes = 19u << 20;
};

// Returns an encoded "$argon2id$..." hash. INVALID_ARGUMENT for an empty or over-long
// (> 1024 bytes) password; INTERNAL when libsodium fails (out of memory).
absl::StatusOr<std::string> HashPassword(std::string_view password, const PasswordCost& cost = {});

// True when `password` matches `hash`; false for a mismatch or a malformed hash.
bool VerifyPassword(std::string_view password, std::string_view hash);

}  // namespace mailroom::store

#endif  // MAILROOM_SERVICES_STORE_DOMAIN_PASSWORD_H_
