// Flag arithmetic of STORE (RFC 9051 §6.4.6) on the store's Flags: system flags as bits,
// keywords as case-insensitively unique atoms.
#ifndef MAILROOM_SERVICES_STORE_DOMAIN_FLAGS_H_
#define MAILROOM_SERVICES_STORE_DOMAIN_FLAGS_H_

#include "absl/status/status.h"
#include "mailroom/store/v1/store.pb.h"

namespace mailroom::store {

namespace v1 = ::mailroom::store::v1;

inline constexpr uint32_t kAllSystemFlags = 0x1F;
inline constexpr int kMaxKeywordsPerMessage = 64;
inline constexpr size_t kMaxKeywordBytes = 128;

// INVALID_ARGUMENT for unknown system bits, empty or over-long keywords, keywords that are not
// IMAP atoms (RFC 9051 §9 flag-keyword) or begin with "\\", or too many keywords.
absl::Status ValidateFlags(const v1::Flags& flags);

// The flags after applying `change` with `mode` to `current`. Keyword comparison ignores
// ASCII case; the case first seen is kept.
v1::Flags ApplyFlags(const v1::Flags& current, v1::StoreFlagsRequest::Mode mode,
                     const v1::Flags& change);

// True when both hold the same system bits and the same keywords (case-insensitive, any order).
bool SameFlags(const v1::Flags& a, const v1::Flags& b);

}  // namespace mailroom::store

#endif  // MAILROOM_SERVICES_STORE_DOMAIN_FLAGS_H_
