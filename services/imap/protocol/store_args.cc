#include "services/imap/protocol/store_args.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "services/imap/protocol/arg_reader.h"
#include "services/shared/status/status_macros.h"

namespace mailroom::imap {
namespace {

absl::Status ParseStoreModifiers(const Token& list, StoreArgs* out) {
  ArgReader reader(list.children);
  if (reader.AtEnd()) return absl::InvalidArgumentError("Empty STORE modifier list");
  while (!reader.AtEnd()) {
    if (!reader.ConsumeAtom("UNCHANGEDSINCE") || out->unchanged_since) {
      return absl::InvalidArgumentError("Invalid STORE modifier");
    }
    ASSIGN_OR_RETURN(out->unchanged_since, reader.Number("UNCHANGEDSINCE value", kMaxNumber64));
  }
  return absl::OkStatus();
}

absl::Status ParseDataItem(absl::string_view text, StoreArgs* out) {
  std::string item = absl::AsciiStrToUpper(text);
  absl::string_view rest = item;
  if (absl::ConsumePrefix(&rest, "+")) {
    out->mode = StoreArgs::Mode::kAdd;
  } else if (absl::ConsumePrefix(&rest, "-")) {
    out->mode = StoreArgs::Mode::kRemove;
  }
  if (!absl::ConsumePrefix(&rest, "FLAGS")) {
    return absl::InvalidArgumentError("Invalid STORE data item");
  }
  out->silent = absl::ConsumePrefix(&rest, ".SILENT");
  if (!rest.empty()) return absl::InvalidArgumentError("Invalid STORE data item");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StoreArgs> ParseStoreArgs(absl::Span<const Token> args) {
  StoreArgs out;
  ArgReader reader(args);
  ASSIGN_OR_RETURN(out.set, reader.Sequence("sequence set"));
  if (reader.Peek() != nullptr && reader.Peek()->IsList()) {
    ASSIGN_OR_RETURN(const Token* modifiers, reader.List("STORE modifiers"));
    RETURN_IF_ERROR(ParseStoreModifiers(*modifiers, &out));
  }
  ASSIGN_OR_RETURN(std::string item, reader.Atom("STORE data item"));
  RETURN_IF_ERROR(ParseDataItem(item, &out));
  ASSIGN_OR_RETURN(const Token* first, reader.Any("flags"));
  if (first->IsList()) {
    ASSIGN_OR_RETURN(out.flags, ParseFlagList(*first, /*allow_single=*/false));
    RETURN_IF_ERROR(reader.End());
    return out;
  }
  ASSIGN_OR_RETURN(std::string flag, ParseFlag(*first));
  out.flags.push_back(std::move(flag));
  while (!reader.AtEnd()) {
    ASSIGN_OR_RETURN(const Token* next, reader.Any("flag"));
    ASSIGN_OR_RETURN(flag, ParseFlag(*next));
    out.flags.push_back(std::move(flag));
  }
  return out;
}

}  // namespace mailroom::imap
