#include "services/imap/protocol/copy_args.h"

#include "services/imap/protocol/arg_reader.h"
#include "services/imap/protocol/mailbox_name.h"
#include "services/shared/status/status_macros.h"

namespace mailroom::imap {

absl::StatusOr<CopyArgs> ParseCopyArgs(absl::Span<const Token> args, bool utf8) {
  CopyArgs out;
  ArgReader reader(args);
  ASSIGN_OR_RETURN(out.set, reader.Sequence("sequence set"));
  ASSIGN_OR_RETURN(const Token* mailbox, reader.Any("mailbox name"));
  ASSIGN_OR_RETURN(out.mailbox, ParseMailbox(*mailbox, utf8));
  RETURN_IF_ERROR(reader.End());
  return out;
}

}  // namespace mailroom::imap
