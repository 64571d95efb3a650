#include "services/imap/protocol/select_args.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/imap/protocol/arg_reader.h"
#include "services/imap/protocol/mailbox_name.h"
#include "services/shared/status/status_macros.h"

namespace mailroom::imap {
namespace {

absl::StatusOr<SequenceSet> KnownSet(ArgReader& reader, absl::string_view what) {
  ASSIGN_OR_RETURN(SequenceSet set, reader.Sequence(what));
  // RFC 7162 §3.2.5: "*" is not allowed in known-uids or seq-match-data.
  if (set.HasStar() || set.is_saved_result()) {
    return absl::InvalidArgumentError(absl::StrCat("Invalid ", what));
  }
  return set;
}

// QRESYNC (uidvalidity mod-sequence-value [SP known-uids] [SP seq-match-data])
absl::StatusOr<QresyncParams> ParseQresync(const Token& list) {
  QresyncParams params;
  ArgReader reader(list.children);
  ASSIGN_OR_RETURN(uint64_t uidvalidity, reader.NzNumber("QRESYNC UIDVALIDITY"));
  params.uidvalidity = static_cast<uint32_t>(uidvalidity);
  ASSIGN_OR_RETURN(params.modseq, reader.NzNumber("QRESYNC modseq", kMaxNumber64));
  if (reader.Peek() != nullptr && reader.Peek()->IsAtom()) {
    ASSIGN_OR_RETURN(params.known_uids, KnownSet(reader, "known UIDs"));
  }
  if (!reader.AtEnd()) {
    ASSIGN_OR_RETURN(const Token* match, reader.List("sequence match data"));
    ArgReader inner(match->children);
    ASSIGN_OR_RETURN(params.known_sequences, KnownSet(inner, "known sequence set"));
    ASSIGN_OR_RETURN(params.known_sequence_uids, KnownSet(inner, "known UID set"));
    RETURN_IF_ERROR(inner.End());
  }
  RETURN_IF_ERROR(reader.End());
  return params;
}

}  // namespace

absl::StatusOr<SelectArgs> ParseSelectArgs(absl::Span<const Token> args, bool utf8) {
  SelectArgs out;
  ArgReader reader(args);
  ASSIGN_OR_RETURN(const Token* mailbox, reader.Any("mailbox name"));
  ASSIGN_OR_RETURN(out.mailbox, ParseMailbox(*mailbox, utf8));
  if (!reader.AtEnd()) {
    ASSIGN_OR_RETURN(const Token* params, reader.List("SELECT parameters"));
    ArgReader inner(params->children);
    if (inner.AtEnd()) return absl::InvalidArgumentError("Empty SELECT parameters");
    while (!inner.AtEnd()) {
      if (inner.ConsumeAtom("CONDSTORE")) {
        out.condstore = true;
      } else if (inner.ConsumeAtom("QRESYNC") && !out.qresync) {
        ASSIGN_OR_RETURN(const Token* list, inner.List("QRESYNC parameters"));
        ASSIGN_OR_RETURN(out.qresync, ParseQresync(*list));
      } else {
        return absl::InvalidArgumentError("Unknown SELECT parameter");
      }
    }
  }
  RETURN_IF_ERROR(reader.End());
  return out;
}

}  // namespace mailroom::imap
