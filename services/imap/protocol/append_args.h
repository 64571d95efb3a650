// APPEND arguments (RFC 9051 §6.3.12, RFC 3502 MULTIAPPEND, RFC 3516 BINARY literal8,
// RFC 6855 §4 `UTF8 (literal8)`).
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_APPEND_ARGS_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_APPEND_ARGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/imap/protocol/imap_date.h"
#include "services/imap/protocol/token.h"

namespace mailroom::imap {

struct AppendMessage {
  std::vector<std::string> flags;
  std::optional<DateTime> internal_date;
  bool utf8 = false;      // sent as `UTF8 (~{n})` (RFC 6855 §4)
  bool literal8 = false;  // sent as `~{n}`: may contain NUL (RFC 3516 §4.4)
  bool streamed = false;  // the bytes went to the session as kLiteralChunk events
  uint64_t size = 0;      // message size in bytes
  std::string data;       // the message when it was buffered (not streamed)
};

struct AppendArgs {
  std::string mailbox;  // UTF-8 store name
  std::vector<AppendMessage> messages;  // complete messages, in order (MULTIAPPEND: several)
};

// Parses a complete APPEND: `mailbox 1*([flags] [date-time] message)`. Returns
// INVALID_ARGUMENT for a bad mailbox, flag list, date-time, a message that is not a literal,
// NUL in a non-literal8 message, or CATENATE (not supported).
absl::StatusOr<AppendArgs> ParseAppendArgs(absl::Span<const Token> args, bool utf8);

// For ReadEvent::kLiteralStart: parses the arguments read so far (ReadEvent::command.args).
// `messages` holds the complete messages, `pending` the flags and date of the message whose
// literal is starting. Same errors as ParseAppendArgs.
struct AppendPrefix {
  std::string mailbox;
  std::vector<AppendMessage> messages;
  AppendMessage pending;
};
absl::StatusOr<AppendPrefix> ParseAppendPrefix(absl::Span<const Token> args_so_far, bool utf8);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_APPEND_ARGS_H_
