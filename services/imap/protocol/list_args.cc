#include "services/imap/protocol/list_args.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "services/imap/protocol/arg_reader.h"
#include "services/imap/protocol/mailbox_name.h"
#include "services/shared/status/status_macros.h"

namespace mailroom::imap {
namespace {

constexpr size_t kMaxPatterns = 100;

absl::Status ParseSelection(const Token& list, ListArgs::Selection* select) {
  for (const Token& opt : list.children) {
    if (opt.IsAtom("SUBSCRIBED")) {
      select->subscribed = true;
    } else if (opt.IsAtom("REMOTE")) {
      select->remote = true;
    } else if (opt.IsAtom("RECURSIVEMATCH")) {
      select->recursive_match = true;
    } else if (opt.IsAtom("SPECIAL-USE")) {
      select->special_use = true;
    } else {
      return absl::InvalidArgumentError("Unknown LIST selection option");
    }
  }
  // RFC 5258 §3.1: RECURSIVEMATCH needs another selection option (REMOTE does not count).
  if (select->recursive_match && !select->subscribed && !select->special_use) {
    return absl::InvalidArgumentError("RECURSIVEMATCH needs another selection option");
  }
  return absl::OkStatus();
}

absl::Status ParseReturnOptions(const Token& list, ListArgs::Return* ret) {
  ArgReader reader(list.children);
  while (!reader.AtEnd()) {
    if (reader.ConsumeAtom("SUBSCRIBED")) {
      ret->subscribed = true;
    } else if (reader.ConsumeAtom("CHILDREN")) {
      ret->children = true;
    } else if (reader.ConsumeAtom("SPECIAL-USE")) {
      ret->special_use = true;
    } else if (reader.ConsumeAtom("STATUS")) {
      ASSIGN_OR_RETURN(const Token* items, reader.List("STATUS items"));
      ASSIGN_OR_RETURN(ret->status, ParseStatusItems(*items));
    } else {
      return absl::InvalidArgumentError("Unknown LIST return option");
    }
  }
  return absl::OkStatus();
}

absl::Status AddPattern(const Token& token, bool utf8, ListArgs* out) {
  if (out->patterns.size() >= kMaxPatterns) return absl::InvalidArgumentError("Too many patterns");
  ASSIGN_OR_RETURN(std::string pattern, ParseMailbox(token, utf8));
  out->patterns.push_back(std::move(pattern));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ListArgs> ParseListArgs(absl::Span<const Token> args, bool utf8, bool lsub) {
  ListArgs out;
  ArgReader reader(args);
  if (!lsub && reader.Peek() != nullptr && reader.Peek()->IsList()) {
    out.extended = true;
    ASSIGN_OR_RETURN(const Token* select, reader.List("selection options"));
    RETURN_IF_ERROR(ParseSelection(*select, &out.select));
  }
  ASSIGN_OR_RETURN(const Token* reference, reader.Any("reference"));
  ASSIGN_OR_RETURN(out.reference, ParseMailbox(*reference, utf8));
  ASSIGN_OR_RETURN(const Token* pattern, reader.Any("mailbox pattern"));
  if (pattern->IsList() && !lsub) {
    out.extended = true;
    if (pattern->children.empty()) return absl::InvalidArgumentError("Empty pattern list");
    for (const Token& p : pattern->children) RETURN_IF_ERROR(AddPattern(p, utf8, &out));
  } else {
    RETURN_IF_ERROR(AddPattern(*pattern, utf8, &out));
  }
  if (!lsub && reader.ConsumeAtom("RETURN")) {
    out.extended = true;
    ASSIGN_OR_RETURN(const Token* ret, reader.List("RETURN options"));
    RETURN_IF_ERROR(ParseReturnOptions(*ret, &out.ret));
  }
  RETURN_IF_ERROR(reader.End());
  return out;
}

}  // namespace mailroom::imap
