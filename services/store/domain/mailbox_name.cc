#include "services/store/domain/mailbox_name.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/shared/text/utf8.h"

namespace mailroom::store {
bool IsInbox(std::string_view name) {
  return absl::EqualsIgnoreCase(absl::string_view(name.data(), name.size()), "INBOX");
}

absl::StatusOr<std::string> CanonicalMailboxName(std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("empty mailbox name");
  if (name.size() > kMaxMailboxNameBytes) {
    return absl::InvalidArgumentError("mailbox name too long");
  }
  if (!text::IsValidUtf8(name)) return absl::InvalidArgumentError("mailbox name is not valid UTF-8");
  int depth = 1;
  char prev = kHierarchySeparator;  // a leading separator is an empty level
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      return absl::InvalidArgumentError("mailbox name contains a control character");
    }
    if (c == '*' || c == '%') {
      return absl::InvalidArgumentError("mailbox name contains a wildcard");
    }
    if (c == kHierarchySeparator) {
      if (prev == kHierarchySeparator) {
        return absl::InvalidArgumentError("mailbox name has an empty hierarchy level");
      }
      ++depth;
    }
    prev = c;
  }
  if (prev == kHierarchySeparator) {
    return absl::InvalidArgumentError("mailbox name ends with the hierarchy separator");
  }
  if (depth > kMaxMailboxDepth) return absl::InvalidArgumentError("mailbox name too deep");
  // RFC 9051 §5.1: INBOX is case-insensitive, also as the first level of a hierarchy.
  size_t first_end = name.find(kHierarchySeparator);
  std::string_view first = name.substr(0, first_end);
  if (IsInbox(first)) {
    return absl::StrCat("INBOX", std::string(name.substr(first.size())));
  }
  return std::string(name);
}

bool IsSameOrDescendant(std::string_view name, std::string_view parent) {
  if (name.size() < parent.size() || name.substr(0, parent.size()) != parent) return false;
  return name.size() == parent.size() || name[parent.size()] == kHierarchySeparator;
}

}  // namespace mailroom::store
