#include "services/store/domain/address.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "services/shared/text/utf8.h"

namespace mailroom::store {
namespace {

constexpr size_t kMaxAddressOctets = 254;
constexpr size_t kMaxLocalOctets = 64;

// RFC 5322 §3.2.3 atext, plus 8-bit bytes for SMTPUTF8 (RFC 6531 §3.3).
bool IsAtext(unsigned char c) {
  if (c >= 0x80) return true;
  if (absl::ascii_isalnum(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|':
    case '}': case '~':
      return true;
    default:
      return false;
  }
}

bool IsDotAtom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!IsAtext(static_cast<unsigned char>(c)) || c == '%' || c == '!') {
      return false;  // '%' and '!' are the classic relay tricks (RFC 5321 §3.6.1 / B).
    }
    prev = c;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::string> CanonicalDomain(std::string_view domain) {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (domain.empty() || domain.size() > 253) return absl::InvalidArgumentError("bad domain");
  if (!text::IsValidUtf8(domain)) return absl::InvalidArgumentError("domain is not valid UTF-8");
  size_t label = 0;
  for (size_t i = 0; i <= domain.size(); ++i) {
    if (i == domain.size() || domain[i] == '.') {
      if (label == 0 || label > 63) return absl::InvalidArgumentError("bad domain label");
      if (domain[i - 1] == '-' || domain[i - label] == '-') {
        return absl::InvalidArgumentError("domain label starts or ends with '-'");
      }
      label = 0;
      continue;
    }
    unsigned char c = domain[i];
    if (!(absl::ascii_isalnum(c) || c == '-' || c >= 0x80)) {
      return absl::InvalidArgumentError("bad character in domain");
    }
    ++label;
  }
  return absl::AsciiStrToLower(absl::string_view(domain.data(), domain.size()));
}

absl::StatusOr<ParsedAddress> ParseAddress(std::string_view address) {
  if (address.size() > kMaxAddressOctets) return absl::InvalidArgumentError("address too long");
  if (address.empty() || address.front() == '@') {
    return absl::InvalidArgumentError("address has no local part or is a source route");
  }
  std::string local;
  size_t at;
  if (address.front() == '"') {
    size_t close = address.find('"', 1);
    if (close == std::string_view::npos || close + 1 >= address.size() ||
        address[close + 1] != '@') {
      return absl::InvalidArgumentError("bad quoted local part");
    }
    local = std::string(address.substr(1, close - 1));
    at = close + 1;
  } else {
    at = address.find('@');
    if (at == std::string_view::npos) return absl::InvalidArgumentError("address has no '@'");
    local = std::string(address.substr(0, at));
  }
  // Whatever was quoted must still be a plain dot-atom: "user@remote"@local is refused.
  if (!IsDotAtom(local) || local.size() > kMaxLocalOctets) {
    return absl::InvalidArgumentError("bad local part");
  }
  std::string_view domain = address.substr(at + 1);
  if (domain.find('@') != std::string_view::npos) {
    return absl::InvalidArgumentError("address has more than one '@'");
  }
  absl::StatusOr<std::string> canonical_domain = CanonicalDomain(domain);
  if (!canonical_domain.ok()) return canonical_domain.status();

  ParsedAddress out;
  out.domain = *std::move(canonical_domain);
  size_t plus = local.find('+');
  out.local = absl::AsciiStrToLower(local);
  out.base = plus == std::string::npos ? out.local : out.local.substr(0, plus);
  if (plus != std::string::npos) out.tag = local.substr(plus + 1);
  if (out.base.empty()) return absl::InvalidArgumentError("bad local part");
  return out;
}

}  // namespace mailroom::store
