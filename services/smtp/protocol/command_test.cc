#include "services/smtp/protocol/command.h"

#include "gtest/gtest.h"

namespace mailroom::smtp {
namespace {

TEST(ParseCommand, VerbsAreCaseInsensitive) {
  struct Case {
    std::string line;
    Verb verb;
    std::string args;
  } cases[] = {
      {"EHLO client.test", Verb::kEhlo, "client.test"},
      {"ehlo client.test", Verb::kEhlo, "client.test"},
      {"MAIL FROM:<a@b>", Verb::kMail, "FROM:<a@b>"},
      {"rcpt TO:<a@b> NOTIFY=NEVER", Verb::kRcpt, "TO:<a@b> NOTIFY=NEVER"},
      {"DATA", Verb::kData, ""},
      {"BDAT 100 LAST", Verb::kBdat, "100 LAST"},
      {"StartTLS", Verb::kStartTls, ""},
      {"AUTH PLAIN AGFiAGM=", Verb::kAuth, "PLAIN AGFiAGM="},
      {"QUIT", Verb::kQuit, ""},
      {"XYZZY now", Verb::kUnknown, "now"},
      {"", Verb::kUnknown, ""},
      {"MAILFROM:<a@b>", Verb::kUnknown, ""},
  };
  for (const Case& c : cases) {
    Command cmd = ParseCommand(c.line);
    EXPECT_EQ(cmd.verb, c.verb) << c.line;
    EXPECT_EQ(cmd.args, c.args) << c.line;
  }
  EXPECT_EQ(VerbName(Verb::kStartTls), "STARTTLS");
}

}  // namespace
}  // namespace mailroom::smtp
