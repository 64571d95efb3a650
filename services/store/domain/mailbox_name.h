// Mailbox names as the store keeps them: UTF-8, "/" as the hierarchy separator, INBOX
// case-insensitive (RFC 9051 §5.1).
#ifndef MAILROOM_SERVICES_STORE_DOMAIN_MAILBOX_NAME_H_
#define MAILROOM_SERVICES_STORE_DOMAIN_MAILBOX_NAME_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mailroom::store {

inline constexpr char kHierarchySeparator = '/';
inline constexpr std::string_view kInbox = "INBOX";
inline constexpr size_t kMaxMailboxNameBytes = 1000;
inline constexpr int kMaxMailboxDepth = 32;

// Validates `name` and returns its canonical form ("inbox/x" -> "INBOX/x").
// INVALID_ARGUMENT: empty, invalid UTF-8, control characters, the LIST wildcards "*" and "%",
// an empty hierarchy level ("a//b", "/a", "a/"), more than kMaxMailboxDepth levels or more
// than kMaxMailboxNameBytes bytes.
absl::StatusOr<std::string> CanonicalMailboxName(std::string_view name);

// True when `name` is INBOX in any letter case.
bool IsInbox(std::string_view name);

// True when `name` (canonical) is `parent` or one of its descendants.
bool IsSameOrDescendant(std::string_view name, std::string_view parent);

}  // namespace mailroom::store

#endif  // MAILROOM_SERVICES_STORE_DOMAIN_MAILBOX_NAME_H_
