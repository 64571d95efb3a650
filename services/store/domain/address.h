// E-mail addresses as the store resolves them: RFC 5321 §4.1.2 Mailbox = Local-part "@" Domain,
// case-folded, with plus-addressing ("user+tag@domain").
#ifndef MAILROOM_SERVICES_STORE_DOMAIN_ADDRESS_H_
#define MAILROOM_SERVICES_STORE_DOMAIN_ADDRESS_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mailroom::store {

struct ParsedAddress {
  std::string local;   // lower-case, quotes removed
  std::string domain;  // lower-case, trailing dot removed
  std::string base;    // local part before the first '+' ("bob" of "bob+lists")
  std::string tag;     // after the '+', case kept; empty without one

  std::string Canonical() const { return local + "@" + domain; }
  std::string BaseAddress() const { return base + "@" + domain; }
};

// Parses a bare address (no angle brackets). INVALID_ARGUMENT for anything that is not exactly
// one local part and one domain: no "@", several unquoted "@", source routes ("@a:b@c"), "%"
// or "!" relay tricks, an empty part, control characters, a bad domain label, or more than
// 254 octets (RFC 5321 §4.5.3.1). A quoted local part is accepted only when what it quotes
// is itself a plain dot-atom.
absl::StatusOr<ParsedAddress> ParseAddress(std::string_view address);

// Validates and lower-cases a domain name (LDH labels or UTF-8 labels, 1..253 octets).
absl::StatusOr<std::string> CanonicalDomain(std::string_view domain);

}  // namespace mailroom::store

#endif  // MAILROOM_SERVICES_STORE_DOMAIN_ADDRESS_H_
