#include "services/imap/protocol/append_args.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "services/imap/protocol/arg_reader.h"
#include "services/imap/protocol/mailbox_name.h"
#include "services/shared/status/status_macros.h"

namespace mailroom::imap {
namespace {

absl::Status SetMessage(const Token& literal, AppendMessage* message) {
  if (literal.type != Token::Type::kLiteral) {
    return absl::InvalidArgumentError("APPEND message must be a literal");
  }
  message->literal8 = literal.literal8;
  message->streamed = literal.streamed;
  message->size = literal.streamed ? literal.literal_size : literal.value.size();
  // RFC 3516 §4.4: NUL is only allowed in literal8.
  if (!literal.literal8 && literal.value.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("NUL in APPEND message without literal8");
  }
  message->data = literal.value;
  return absl::OkStatus();
}

// Parses all messages; with `prefix`, arguments may stop before a message's literal and
// `*pending` receives its flags and date.
absl::StatusOr<AppendPrefix> ParseMessages(absl::Span<const Token> args, bool utf8,
                                           bool prefix) {
  AppendPrefix out;
  ArgReader reader(args);
  ASSIGN_OR_RETURN(const Token* mailbox, reader.Any("mailbox name"));
  ASSIGN_OR_RETURN(out.mailbox, ParseMailbox(*mailbox, utf8));
  do {
    AppendMessage message;
    if (reader.Peek() != nullptr && reader.Peek()->IsList()) {
      ASSIGN_OR_RETURN(const Token* flags, reader.List("flag list"));
      ASSIGN_OR_RETURN(message.flags, ParseFlagList(*flags, /*allow_single=*/false));
    }
    if (reader.Peek() != nullptr && reader.Peek()->type == Token::Type::kQuoted) {
      ASSIGN_OR_RETURN(std::string date, reader.String("date-time"));
      ASSIGN_OR_RETURN(message.internal_date, ParseDateTime(date));
    }
    if (prefix && reader.AtEnd()) {
      out.pending = std::move(message);
      return out;
    }
    if (reader.ConsumeAtom("UTF8")) {
      message.utf8 = true;
      if (prefix && reader.AtEnd()) {
        out.pending = std::move(message);
        return out;
      }
      ASSIGN_OR_RETURN(const Token* list, reader.List("UTF8 message"));
      if (list->children.size() != 1 || !list->children[0].literal8) {
        return absl::InvalidArgumentError("UTF8 APPEND needs one literal8");
      }
      RETURN_IF_ERROR(SetMessage(list->children[0], &message));
    } else {
      ASSIGN_OR_RETURN(const Token* literal, reader.Any("APPEND message"));
      RETURN_IF_ERROR(SetMessage(*literal, &message));
    }
    out.messages.push_back(std::move(message));
  } while (!reader.AtEnd() || prefix);
  return out;
}

}  // namespace

absl::StatusOr<AppendArgs> ParseAppendArgs(absl::Span<const Token> args, bool utf8) {
  ASSIGN_OR_RETURN(AppendPrefix parsed, ParseMessages(args, utf8, /*prefix=*/false));
  AppendArgs out;
  out.mailbox = std::move(parsed.mailbox);
  out.messages = std::move(parsed.messages);
  return out;
}

absl::StatusOr<AppendPrefix> ParseAppendPrefix(absl::Span<const Token> args_so_far, bool utf8) {
  return ParseMessages(args_so_far, utf8, /*prefix=*/true);
}

}  // namespace mailroom::imap
