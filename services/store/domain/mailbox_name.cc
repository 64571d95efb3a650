#include "services/store/domain/mailbox_name.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mailroom::store {
namespace {

// Length of the UTF-8 sequence at s[i] when it is valid (RFC 3629 §4), else 0.
size_t ValidSequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = byte(0);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if ((c >> 5) == 0x6) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c >> 4) == 0xE) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c >> 3) == 0x1E) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(k) >> 6) != 0x2) return 0;
    cp = (cp << 6) | (byte(k) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = ValidSequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = ValidSequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (!(n == 1 && s[i] == '\0')) out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

bool IsInbox(std::string_view name) {
  return absl::EqualsIgnoreCase(absl::string_view(name.data(), name.size()), "INBOX");
}

absl::StatusOr<std::string> CanonicalMailboxName(std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("empty mailbox name");
  if (name.size() > kMaxMailboxNameBytes) {
    return absl::InvalidArgumentError("mailbox name too long");
  }
  if (!IsValidUtf8(name)) return absl::InvalidArgumentError("mailbox name is not valid UTF-8");
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
