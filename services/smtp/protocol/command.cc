#include "services/smtp/protocol/command.h"

#include "absl/strings/ascii.h"

namespace mailroom::smtp {
namespace {

struct VerbEntry {
  std::string_view name;
  Verb verb;
};
constexpr VerbEntry kVerbs[] = {
    {"EHLO", Verb::kEhlo}, {"HELO", Verb::kHelo}, {"MAIL", Verb::kMail},
    {"RCPT", Verb::kRcpt}, {"DATA", Verb::kData}, {"BDAT", Verb::kBdat},
    {"RSET", Verb::kRset}, {"NOOP", Verb::kNoop}, {"QUIT", Verb::kQuit},
    {"VRFY", Verb::kVrfy}, {"EXPN", Verb::kExpn}, {"HELP", Verb::kHelp},
    {"STARTTLS", Verb::kStartTls}, {"AUTH", Verb::kAuth},
};

}  // namespace

Command ParseCommand(std::string_view line) {
  Command c;
  const size_t space = line.find(' ');
  std::string_view verb = line.substr(0, space);
  c.name = absl::AsciiStrToUpper(absl::string_view(verb.data(), verb.size()));
  if (space != std::string_view::npos) c.args = std::string(line.substr(space + 1));
  for (const VerbEntry& e : kVerbs) {
    if (c.name == e.name) c.verb = e.verb;
  }
  return c;
}

std::string_view VerbName(Verb verb) {
  for (const VerbEntry& e : kVerbs) {
    if (e.verb == verb) return e.name;
  }
  return "UNKNOWN";
}

}  // namespace mailroom::smtp
