#include "services/imap/protocol/arg_reader.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mailroom::imap {
namespace {

absl::Status Missing(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("Missing ", what));
}

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("Invalid ", what));
}

// RFC 9051 §9 ATOM-CHAR, minus `\` (only leading, for system flags).
bool IsFlagAtomChar(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case ']':
      return false;
    default:
      return true;
  }
}

}  // namespace

absl::StatusOr<uint64_t> ParseNumber(absl::string_view text, uint64_t max,
                                     absl::string_view what) {
  if (text.empty() || text.size() > 20) return Invalid(what);
  uint64_t value = 0;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return Invalid(what);
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (max - digit) / 10) return Invalid(what);
    value = value * 10 + digit;
  }
  return value;
}

absl::StatusOr<std::string> ParseFlag(const Token& token) {
  static constexpr absl::string_view kSystemFlags[] = {"\\Answered", "\\Flagged", "\\Deleted",
                                                       "\\Seen", "\\Draft"};
  if (!token.IsAtom() || token.value.empty()) return Invalid("flag");
  absl::string_view text = token.value;
  if (text[0] == '\\') {
    for (absl::string_view flag : kSystemFlags) {
      if (absl::EqualsIgnoreCase(flag, text)) return std::string(flag);
    }
    return absl::InvalidArgumentError(absl::StrCat("Invalid system flag ", text));
  }
  for (char c : text) {
    if (!IsFlagAtomChar(static_cast<unsigned char>(c))) return Invalid("flag");
  }
  return std::string(text);
}

absl::StatusOr<std::vector<std::string>> ParseFlagList(const Token& token, bool allow_single,
                                                       size_t max_flags) {
  std::vector<std::string> flags;
  if (!token.IsList()) {
    if (!allow_single) return Invalid("flag list");
    absl::StatusOr<std::string> flag = ParseFlag(token);
    if (!flag.ok()) return flag.status();
    flags.push_back(*std::move(flag));
    return flags;
  }
  if (token.children.size() > max_flags) return absl::InvalidArgumentError("Too many flags");
  for (const Token& child : token.children) {
    absl::StatusOr<std::string> flag = ParseFlag(child);
    if (!flag.ok()) return flag.status();
    flags.push_back(*std::move(flag));
  }
  return flags;
}

absl::StatusOr<std::string> AstringValue(const Token& token, absl::string_view what) {
  if (!token.IsAstring() || token.streamed) return Invalid(what);
  return token.value;
}

bool ArgReader::ConsumeAtom(absl::string_view word) {
  if (AtEnd() || !args_[pos_].IsAtom(word)) return false;
  ++pos_;
  return true;
}

absl::StatusOr<const Token*> ArgReader::Any(absl::string_view what) {
  if (AtEnd()) return Missing(what);
  return &args_[pos_++];
}

absl::StatusOr<std::string> ArgReader::Atom(absl::string_view what) {
  if (AtEnd()) return Missing(what);
  const Token& token = args_[pos_++];
  if (!token.IsAtom()) return Invalid(what);
  return token.value;
}

absl::StatusOr<std::string> ArgReader::Astring(absl::string_view what) {
  if (AtEnd()) return Missing(what);
  return AstringValue(args_[pos_++], what);
}

absl::StatusOr<std::string> ArgReader::String(absl::string_view what) {
  if (AtEnd()) return Missing(what);
  const Token& token = args_[pos_++];
  if (!token.IsString() || token.streamed) return Invalid(what);
  return token.value;
}

absl::StatusOr<const Token*> ArgReader::List(absl::string_view what) {
  if (AtEnd()) return Missing(what);
  const Token& token = args_[pos_++];
  if (!token.IsList()) return Invalid(what);
  return &token;
}

absl::StatusOr<uint64_t> ArgReader::Number(absl::string_view what, uint64_t max) {
  if (AtEnd()) return Missing(what);
  const Token& token = args_[pos_++];
  if (!token.IsAtom()) return Invalid(what);
  return ParseNumber(token.value, max, what);
}

absl::StatusOr<uint64_t> ArgReader::NzNumber(absl::string_view what, uint64_t max) {
  absl::StatusOr<uint64_t> n = Number(what, max);
  if (n.ok() && *n == 0) return Invalid(what);
  return n;
}

absl::StatusOr<SequenceSet> ArgReader::Sequence(absl::string_view what) {
  if (AtEnd()) return Missing(what);
  const Token& token = args_[pos_++];
  if (!token.IsAtom()) return Invalid(what);
  return SequenceSet::Parse(token.value);
}

absl::Status ArgReader::End() const {
  if (!AtEnd()) return absl::InvalidArgumentError("Unexpected arguments");
  return absl::OkStatus();
}

}  // namespace mailroom::imap
