#include "services/store/domain/flags.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"

namespace mailroom::store {
namespace {

bool IsAtomChar(unsigned char c) {
  // RFC 9051 §9: ATOM-CHAR is any CHAR except atom-specials; flag keywords also exclude "]".
  if (c <= 0x20 || c >= 0x7F) return false;
  switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case ']':
      return false;
    default:
      return true;
  }
}

bool HasKeyword(const std::vector<std::string>& list, const std::string& k) {
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& x) { return absl::EqualsIgnoreCase(x, k); });
}

}  // namespace

absl::Status ValidateFlags(const v1::Flags& flags) {
  if ((flags.system() & ~kAllSystemFlags) != 0) {
    return absl::InvalidArgumentError("unknown system flag");
  }
  if (flags.keywords_size() > kMaxKeywordsPerMessage) {
    return absl::InvalidArgumentError("too many keywords");
  }
  for (const std::string& k : flags.keywords()) {
    if (k.empty() || k.size() > kMaxKeywordBytes) {
      return absl::InvalidArgumentError("bad keyword length");
    }
    for (char c : k) {
      if (!IsAtomChar(static_cast<unsigned char>(c))) {
        return absl::InvalidArgumentError("keyword is not an atom");
      }
    }
  }
  return absl::OkStatus();
}

v1::Flags ApplyFlags(const v1::Flags& current, v1::StoreFlagsRequest::Mode mode,
                     const v1::Flags& change) {
  std::vector<std::string> keywords;
  uint32_t system = current.system();
  const auto add_unique = [&](const std::string& k) {
    if (!HasKeyword(keywords, k)) keywords.push_back(k);
  };
  switch (mode) {
    case v1::StoreFlagsRequest::MODE_ADD:
      system |= change.system();
      for (const std::string& k : current.keywords()) add_unique(k);
      for (const std::string& k : change.keywords()) add_unique(k);
      break;
    case v1::StoreFlagsRequest::MODE_REMOVE: {
      system &= ~change.system();
      std::vector<std::string> remove(change.keywords().begin(), change.keywords().end());
      for (const std::string& k : current.keywords()) {
        if (!HasKeyword(remove, k)) add_unique(k);
      }
      break;
    }
    default:  // MODE_REPLACE
      system = change.system();
      for (const std::string& k : change.keywords()) add_unique(k);
      break;
  }
  v1::Flags out;
  out.set_system(system);
  for (std::string& k : keywords) out.add_keywords(std::move(k));
  return out;
}

bool SameFlags(const v1::Flags& a, const v1::Flags& b) {
  if (a.system() != b.system() || a.keywords_size() != b.keywords_size()) return false;
  std::vector<std::string> bk(b.keywords().begin(), b.keywords().end());
  for (const std::string& k : a.keywords()) {
    if (!HasKeyword(bk, k)) return false;
  }
  return true;
}

}  // namespace mailroom::store
