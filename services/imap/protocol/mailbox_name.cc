#include "services/imap/protocol/mailbox_name.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "services/imap/protocol/mutf7.h"
#include "services/shared/text/utf8.h"

namespace mailroom::imap {

absl::StatusOr<std::string> MailboxFromWire(absl::string_view wire, bool utf8) {
  if (wire.size() > kMaxMailboxNameBytes) {
    return absl::InvalidArgumentError("Mailbox name too long");
  }
  std::string name;
  if (utf8) {
    if (!mailroom::text::IsValidUtf8(std::string_view(wire.data(), wire.size()))) {
      return absl::InvalidArgumentError("Mailbox name is not UTF-8");
    }
    name = std::string(wire);
  } else {
    absl::StatusOr<std::string> decoded = DecodeMutf7(wire);
    if (!decoded.ok()) return decoded.status();
    name = *std::move(decoded);
  }
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return absl::InvalidArgumentError("Control character in mailbox name");
    }
  }
  if (absl::EqualsIgnoreCase(name, kInbox)) return std::string(kInbox);
  return name;
}

absl::StatusOr<std::string> ParseMailbox(const Token& token, bool utf8) {
  if (!token.IsAstring() || token.streamed) {
    return absl::InvalidArgumentError("Invalid mailbox name");
  }
  return MailboxFromWire(token.value, utf8);
}

std::string MailboxToWire(absl::string_view name, bool utf8) {
  return utf8 ? std::string(name) : EncodeMutf7(name);
}

}  // namespace mailroom::imap
