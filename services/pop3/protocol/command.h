// POP3 command lines (RFC 1939 §3, RFC 2449, RFC 5034, RFC 2595, RFC 6856) parsed into typed
// commands. Pure code: no sockets, no store. The network core frames lines; CommandParser also
// frames them itself, incrementally, so the parser can be fed (and fuzzed) byte by byte.
#ifndef MAILROOM_SERVICES_POP3_PROTOCOL_COMMAND_H_
#define MAILROOM_SERVICES_POP3_PROTOCOL_COMMAND_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mailroom::pop3 {

enum class Verb {
  kUser,  // USER name                  RFC 1939 §7
  kPass,  // PASS string (may hold spaces)
  kApop,  // APOP name digest           RFC 1939 §7
  kAuth,  // AUTH [mechanism [initial-response]]   RFC 5034 §4
  kStls,  // STLS                       RFC 2595 §4
  kCapa,  // CAPA                       RFC 2449 §5
  kUtf8,  // UTF8                       RFC 6856 §2
  kStat,  // STAT                       RFC 1939 §5
  kList,  // LIST [msg]
  kRetr,  // RETR msg
  kTop,   // TOP msg n                  RFC 1939 §7
  kDele,  // DELE msg
  kNoop,  // NOOP
  kRset,  // RSET
  kUidl,  // UIDL [msg]                 RFC 1939 §7
  kQuit,  // QUIT
};

// The keyword of `verb` in upper case ("RETR"), for replies, logs and metric labels.
absl::string_view VerbName(Verb verb);

struct Command {
  Verb verb = Verb::kNoop;
  // USER/APOP name, PASS password, AUTH mechanism (upper-cased), as given otherwise.
  std::string text;
  // APOP digest (lower-cased hex) or AUTH initial response (base64 or "="), if given.
  std::optional<std::string> extra;
  // LIST/UIDL/RETR/TOP/DELE message number; 0 is syntactically valid and answered by the
  // session as "no such message".
  std::optional<uint32_t> message;
  // TOP line count.
  std::optional<uint32_t> lines;

  bool operator==(const Command&) const = default;
};

struct Limits {
  // Longest command line without its CRLF. RFC 2449 §4 caps commands at 255 octets, but AUTH
  // initial responses (RFC 5034 §4) and some clients' passwords need more.
  size_t max_line_length = 8192;
  // Longest USER/APOP name or PASS password.
  size_t max_argument_length = 1024;
};

// Parses one command line (without its line ending).
// Errors: kResourceExhausted for a line or argument over the limits; kUnimplemented for an
// unknown keyword; kInvalidArgument for a missing, extra or malformed argument or control
// characters in the line.
absl::StatusOr<Command> ParseCommandLine(absl::string_view line, const Limits& limits = {});

// An incremental parser: Feed() bytes as they arrive; each complete line (ended by CRLF or a
// bare LF) yields one result. Memory is bounded by Limits::max_line_length: the rest of an
// over-long line is skipped, and that line yields kResourceExhausted once its end arrives.
class CommandParser {
 public:
  explicit CommandParser(const Limits& limits = {}) : limits_(limits) {}

  // Consumes bytes from the front of `*input` up to and including the end of the first
  // complete line and returns that line's parse result; returns std::nullopt once all of
  // `*input` is consumed without completing a line (need more).
  std::optional<absl::StatusOr<Command>> Feed(absl::string_view* input);

  // Bytes of an incomplete line buffered so far.
  size_t buffered() const { return line_.size(); }

 private:
  const Limits limits_;
  std::string line_;
  bool overflow_ = false;
};

// A message number or count: 1 to 10 decimal digits, at most 2^32-1. kInvalidArgument else.
absl::StatusOr<uint32_t> ParseNumber(absl::string_view text);

}  // namespace mailroom::pop3

#endif  // MAILROOM_SERVICES_POP3_PROTOCOL_COMMAND_H_
