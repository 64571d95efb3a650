#include "services/imap/protocol/mailbox_args.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "services/imap/protocol/arg_reader.h"
#include "services/imap/protocol/mailbox_name.h"
#include "services/shared/status/status_macros.h"

namespace mailroom::imap {
namespace {

// RFC 6154 §2 special-use attributes and RFC 8457 \Important.
constexpr absl::string_view kSpecialUse[] = {"\\All",     "\\Archive", "\\Drafts",
                                             "\\Flagged", "\\Junk",    "\\Sent",
                                             "\\Trash",   "\\Important"};

absl::StatusOr<std::string> NonEmptyMailbox(ArgReader& reader, bool utf8) {
  ASSIGN_OR_RETURN(const Token* token, reader.Any("mailbox name"));
  ASSIGN_OR_RETURN(std::string name, ParseMailbox(*token, utf8));
  if (name.empty()) return absl::InvalidArgumentError("Empty mailbox name");
  return name;
}

absl::Status ParseUse(const Token& list, CreateArgs* out) {
  for (const Token& attr : list.children) {
    if (!attr.IsAtom() || attr.value.size() < 2 || attr.value[0] != '\\') {
      return absl::InvalidArgumentError("Invalid USE attribute");
    }
    std::string name = attr.value;
    for (absl::string_view known : kSpecialUse) {
      if (absl::EqualsIgnoreCase(known, name)) name = std::string(known);
    }
    out->special_use.push_back(std::move(name));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CreateArgs> ParseCreateArgs(absl::Span<const Token> args, bool utf8) {
  CreateArgs out;
  ArgReader reader(args);
  ASSIGN_OR_RETURN(out.mailbox, NonEmptyMailbox(reader, utf8));
  if (!reader.AtEnd()) {
    ASSIGN_OR_RETURN(const Token* params, reader.List("CREATE parameters"));
    ArgReader inner(params->children);
    while (!inner.AtEnd()) {
      if (!inner.ConsumeAtom("USE")) return absl::InvalidArgumentError("Unknown CREATE parameter");
      ASSIGN_OR_RETURN(const Token* use, inner.List("USE attributes"));
      RETURN_IF_ERROR(ParseUse(*use, &out));
    }
  }
  RETURN_IF_ERROR(reader.End());
  return out;
}

absl::StatusOr<RenameArgs> ParseRenameArgs(absl::Span<const Token> args, bool utf8) {
  RenameArgs out;
  ArgReader reader(args);
  ASSIGN_OR_RETURN(out.from, NonEmptyMailbox(reader, utf8));
  ASSIGN_OR_RETURN(out.to, NonEmptyMailbox(reader, utf8));
  RETURN_IF_ERROR(reader.End());
  return out;
}

absl::StatusOr<std::string> ParseMailboxArg(absl::Span<const Token> args, bool utf8) {
  ArgReader reader(args);
  ASSIGN_OR_RETURN(std::string name, NonEmptyMailbox(reader, utf8));
  RETURN_IF_ERROR(reader.End());
  return name;
}

}  // namespace mailroom::imap
