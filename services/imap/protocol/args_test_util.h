// Test helper: tokenizes argument text with the real CommandReader.
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_ARGS_TEST_UTIL_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_ARGS_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/imap/protocol/command_reader.h"

namespace mailroom::imap::testing {

// Returns the argument tokens of `t X <text>` (literals written as `{n+}\r\n...`).
inline std::vector<Token> Args(absl::string_view text, bool utf8 = false) {
  CommandReaderOptions options;
  options.utf8 = utf8;
  options.stream_append_literals = false;
  CommandReader reader(options);
  reader.Feed(absl::StrCat("t X ", text, "\r\n"));
  ReadEvent event = reader.Next();
  EXPECT_EQ(event.kind, ReadEvent::Kind::kCommand) << text << ": " << event.message;
  return event.command.args;
}

}  // namespace mailroom::imap::testing

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_ARGS_TEST_UTIL_H_
