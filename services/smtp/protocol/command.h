// SMTP command lines (RFC 5321 §4.1): the verb and its argument text. Pure: no sockets.
#ifndef MAILROOM_SERVICES_SMTP_PROTOCOL_COMMAND_H_
#define MAILROOM_SERVICES_SMTP_PROTOCOL_COMMAND_H_

#include <string>
#include <string_view>

namespace mailroom::smtp {

enum class Verb {
  kUnknown, kEhlo, kHelo, kMail, kRcpt, kData, kBdat, kRset, kNoop, kQuit, kVrfy, kExpn,
  kHelp, kStartTls, kAuth,
};

struct Command {
  Verb verb = Verb::kUnknown;
  std::string name;  // the verb as sent, upper-cased ("MAIL")
  std::string args;  // the rest of the line after one space, as sent
};

// Splits a command line (without CRLF). Verbs are case-insensitive (RFC 5321 §2.4). "MAIL" and
// "RCPT" keep "FROM:..." / "TO:..." in `args`. Never fails: anything else is kUnknown.
Command ParseCommand(std::string_view line);

// The verb's canonical name ("MAIL"), for logs and metrics.
std::string_view VerbName(Verb verb);

}  // namespace mailroom::smtp

#endif  // MAILROOM_SERVICES_SMTP_PROTOCOL_COMMAND_H_
