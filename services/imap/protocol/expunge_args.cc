#include "services/imap/protocol/expunge_args.h"

#include "services/imap/protocol/arg_reader.h"
#include "services/shared/status/status_macros.h"

namespace mailroom::imap {

absl::StatusOr<SequenceSet> ParseUidExpungeArgs(absl::Span<const Token> args) {
  ArgReader reader(args);
  ASSIGN_OR_RETURN(SequenceSet set, reader.Sequence("UID set"));
  RETURN_IF_ERROR(reader.End());
  return set;
}

absl::Status ParseNoArgs(absl::Span<const Token> args) { return ArgReader(args).End(); }

}  // namespace mailroom::imap
