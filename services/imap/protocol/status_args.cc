#include "services/imap/protocol/status_args.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "services/imap/protocol/arg_reader.h"
#include "services/imap/protocol/mailbox_name.h"
#include "services/shared/status/status_macros.h"

namespace mailroom::imap {

absl::StatusOr<StatusItems> ParseStatusItems(const Token& list) {
  if (!list.IsList() || list.children.empty()) {
    return absl::InvalidArgumentError("Invalid STATUS items");
  }
  StatusItems items;
  for (const Token& token : list.children) {
    if (!token.IsAtom()) return absl::InvalidArgumentError("Invalid STATUS item");
    const std::string name = absl::AsciiStrToUpper(token.value);
    bool* flag = name == "MESSAGES"        ? &items.messages
                 : name == "UIDNEXT"       ? &items.uidnext
                 : name == "UIDVALIDITY"   ? &items.uidvalidity
                 : name == "UNSEEN"        ? &items.unseen
                 : name == "DELETED"       ? &items.deleted
                 : name == "SIZE"          ? &items.size
                 : name == "RECENT"        ? &items.recent
                 : name == "HIGHESTMODSEQ" ? &items.highestmodseq
                 : name == "APPENDLIMIT"   ? &items.appendlimit
                                           : nullptr;
    if (flag == nullptr) return absl::InvalidArgumentError("Unknown STATUS item");
    *flag = true;
  }
  return items;
}

absl::StatusOr<StatusArgs> ParseStatusArgs(absl::Span<const Token> args, bool utf8) {
  StatusArgs out;
  ArgReader reader(args);
  ASSIGN_OR_RETURN(const Token* mailbox, reader.Any("mailbox name"));
  ASSIGN_OR_RETURN(out.mailbox, ParseMailbox(*mailbox, utf8));
  ASSIGN_OR_RETURN(const Token* items, reader.List("STATUS items"));
  ASSIGN_OR_RETURN(out.items, ParseStatusItems(*items));
  RETURN_IF_ERROR(reader.End());
  return out;
}

}  // namespace mailroom::imap
