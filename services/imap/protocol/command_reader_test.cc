#include "services/imap/protocol/command_reader.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mailroom::imap {
namespace {

using ::testing::ElementsAreArray;

// Renders every event but kNeedMore as one line; consecutive literal chunks are joined, so
// the rendering does not depend on how the input was split.
std::vector<std::string> Run(const std::string& input, size_t chunk,
                             const CommandReaderOptions& options) {
  CommandReader reader(options);
  std::vector<std::string> out;
  bool in_data = false;
  for (size_t pos = 0; pos < input.size(); pos += chunk) {
    reader.Feed(absl::string_view(input).substr(pos, chunk));
    while (true) {
      ReadEvent e = reader.Next();
      if (e.kind == ReadEvent::Kind::kNeedMore) break;
      if (e.kind == ReadEvent::Kind::kLiteralChunk) {
        if (!in_data) out.push_back("DATA ");
        out.back() += std::string(e.chunk);
        in_data = true;
        continue;
      }
      in_data = false;
      switch (e.kind) {
        case ReadEvent::Kind::kCommand:
          out.push_back(absl::StrCat("CMD ", e.command.tag, " [", e.command.name, "] ",
                                     DebugString(e.command.args)));
          break;
        case ReadEvent::Kind::kNeedContinuation:
          out.push_back(absl::StrCat("CONT ", e.tag, " ", e.name, " ", e.size));
          break;
        case ReadEvent::Kind::kLiteralStart:
          out.push_back(absl::StrCat("START ", e.tag, " ", e.size, e.synchronizing ? "" : "+",
                                     " ", DebugString(e.command.args)));
          break;
        case ReadEvent::Kind::kLiteralTooLarge:
          out.push_back(absl::StrCat("TOOBIG ", e.tag, " ", e.name, " ", e.size,
                                     e.synchronizing ? "" : "+"));
          break;
        case ReadEvent::Kind::kError:
          out.push_back(absl::StrCat("BAD ", e.tag, " ", e.message));
          break;
        default:
          break;
      }
    }
  }
  return out;
}

struct Case {
  std::string name;
  std::string input;
  std::vector<std::string> events;
};

CommandReaderOptions SmallLimits() {
  CommandReaderOptions options;
  options.limits.max_line_length = 40;
  options.limits.max_literal_size = 10;
  options.limits.max_append_literal_size = 20;
  options.limits.max_command_size = 100;
  options.limits.max_depth = 3;
  options.limits.max_tokens = 12;
  return options;
}

void RunCases(const std::vector<Case>& cases, const CommandReaderOptions& options) {
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_THAT(Run(c.input, c.input.size() + 1, options), ElementsAreArray(c.events));
    EXPECT_THAT(Run(c.input, 1, options), ElementsAreArray(c.events));
    EXPECT_THAT(Run(c.input, 7, options), ElementsAreArray(c.events));
  }
}

TEST(CommandReaderTest, Tokens) {
  RunCases(
      {
          {"noop", "a1 noop\r\n", {"CMD a1 [NOOP] "}},
          {"bare lf", "a1 NOOP\n", {"CMD a1 [NOOP] "}},
          {"blank lines skipped", "\r\n\r\na1 NOOP\r\n", {"CMD a1 [NOOP] "}},
          {"two commands", "a NOOP\r\nb CAPABILITY\r\n", {"CMD a [NOOP] ", "CMD b [CAPABILITY] "}},
          {"uid folded", "a uid fetch 1:* FLAGS\r\n", {"CMD a [UID FETCH] 1:* FLAGS"}},
          {"quoted escapes", "a LOGIN \"fr\\\"ed\" \"p\\\\w\"\r\n",
           {"CMD a [LOGIN] \"fr\\\"ed\" \"p\\\\w\""}},
          {"empty quoted", "a LOGIN \"\" x\r\n", {"CMD a [LOGIN] \"\" x"}},
          {"nested lists", "a X (1 (2 (3)) ()) NIL\r\n", {"CMD a [X] (1 (2 (3)) ()) NIL"}},
          {"section is one atom",
           "a FETCH 1 (BODY.PEEK[HEADER.FIELDS (From To)]<0.100> UID)\r\n",
           {"CMD a [FETCH] 1 (BODY.PEEK[HEADER.FIELDS (From To)]<0.100> UID)"}},
          {"section with quoted field", "a FETCH 1 BODY[HEADER.FIELDS (\"X]\")]\r\n",
           {"CMD a [FETCH] 1 BODY[HEADER.FIELDS (\"X]\")]"}},
          {"flags and wildcards", "a LIST \"\" %/*\r\nb STORE 1 +FLAGS (\\Seen $Junk)\r\n",
           {"CMD a [LIST] \"\" %/*", "CMD b [STORE] 1 +FLAGS (\\Seen $Junk)"}},
          {"unbalanced bracket atom", "a SELECT foo[bar\r\n", {"CMD a [SELECT] foo[bar"}},
          {"nonsync literal", "a LOGIN {4+}\r\nfred {3+}\r\npwd\r\n",
           {"CMD a [LOGIN] {4}\r\nfred {3}\r\npwd"}},
          {"sync literal", "a LOGIN {4}\r\nfred x\r\n",
           {"CONT a LOGIN 4", "CMD a [LOGIN] {4}\r\nfred x"}},
          {"literal in list", "a X ({2+}\r\nab)\r\n", {"CMD a [X] ({2}\r\nab)"}},
          {"literal with crlf inside", "a X {4+}\r\n\r\n\r\n\r\n", {"CMD a [X] {4}\r\n\r\n\r\n"}},
          {"literal8", "a X ~{3+}\r\na\0b\r\n", {}},
          {"empty literal", "a X {0+}\r\n\r\n", {"CMD a [X] {0}\r\n"}},
      },
      {});
}

TEST(CommandReaderTest, SyntaxErrors) {
  RunCases(
      {
          {"no name", "a\r\n", {"BAD a Missing command name"}},
          {"bad tag", "a+b NOOP\r\n", {"BAD  Invalid tag"}},
          {"tag is string", "\"a\" NOOP\r\nb NOOP\r\n",
           {"BAD  Invalid tag", "CMD b [NOOP] "}},
          {"unterminated quote", "a LOGIN \"x\r\nb NOOP\r\n",
           {"BAD a Unterminated quoted string", "CMD b [NOOP] "}},
          {"bad escape", "a LOGIN \"\\n\" x\r\n", {"BAD a Invalid escape in quoted string"}},
          {"8-bit quoted", "a LOGIN \"\xc3\xa9\" x\r\n", {"BAD a 8-bit character in quoted string"}},
          {"unclosed list", "a X (1 2\r\n", {"BAD a Unclosed list"}},
          {"stray paren", "a X 1)\r\n", {"BAD a Unexpected ')'"}},
          {"missing space", "a X \"a\"\"b\"\r\n", {"BAD a Missing space between arguments"}},
          {"literal not at end", "a X {3} y\r\n", {"BAD a Literal must end the line"}},
          {"bad literal", "a X {x}\r\n", {"BAD a Invalid literal"}},
          {"literal as name", "a {3+}\r\nabc\r\nb NOOP\r\n",
           {"BAD a Invalid command name", "CMD b [NOOP] "}},
          {"error then nonsync literal skipped", "a X \"oops {5+}\r\nab\r\nc NOOP\r\nd NOOP\r\n",
           {"BAD a Unterminated quoted string", "CMD d [NOOP] "}},
          {"control char", "a X \x01\r\n", {"BAD a Control character in command"}},
      },
      {});
}

TEST(CommandReaderTest, Limits) {
  RunCases(
      {
          {"line too long", std::string("a X ") + std::string(60, 'x') + "\r\nb NOOP\r\n",
           {"BAD a Line too long", "CMD b [NOOP] "}},
          {"long line ending in nonsync literal",
           std::string("a X ") + std::string(60, 'x') + " {5+}\r\nab\r\nc\r\nb NOOP\r\n",
           {"BAD a Line too long", "CMD b [NOOP] "}},
          {"sync literal too large", "a LOGIN {11}\r\nb NOOP\r\n",
           {"TOOBIG a LOGIN 11", "CMD b [NOOP] "}},
          {"nonsync literal too large skipped exactly",
           "a LOGIN {11+}\r\n0123456789X more {2+}\r\nzz\r\nb NOOP\r\n",
           {"TOOBIG a LOGIN 11+", "CMD b [NOOP] "}},
          {"depth", "a X ((((1))))\r\nb NOOP\r\n",
           {"BAD a Lists nested too deeply", "CMD b [NOOP] "}},
          {"tokens", "a X 1 2 3 4 5 6 7 8 9 10 11\r\n", {"BAD a Too many tokens in command"}},
          {"command size", "a X {10+}\r\n0123456789 {10+}\r\n0123456789 {10+}\r\n"
                           "0123456789 {10+}\r\n0123456789 {10+}\r\n0123456789 {10+}\r\n"
                           "0123456789\r\nb NOOP\r\n",
           {"BAD a Command too long", "CMD b [NOOP] "}},
          {"huge literal digits", "a X {99999999999999999999}\r\n", {"BAD a Invalid literal"}},
      },
      SmallLimits());
}

TEST(CommandReaderTest, AppendStreamed) {
  RunCases(
      {
          {"append streamed",
           "a APPEND INBOX (\\Seen) {5}\r\nHello\r\nb NOOP\r\n",
           {"START a 5 INBOX (\\Seen)", "DATA Hello", "CMD a [APPEND] INBOX (\\Seen) {5}\r\n<streamed>",
            "CMD b [NOOP] "}},
          {"mailbox literal buffered", "a APPEND {3+}\r\nbox {2+}\r\nhi\r\n",
           {"START a 2+ {3}\r\nbox", "DATA hi", "CMD a [APPEND] {3}\r\nbox {2}\r\n<streamed>"}},
          {"multiappend", "a APPEND x {1+}\r\nA {2+}\r\nBC\r\n",
           {"START a 1+ x", "DATA A", "START a 2+ x {1}\r\n<streamed>", "DATA BC",
            "CMD a [APPEND] x {1}\r\n<streamed> {2}\r\n<streamed>"}},
          {"utf8 literal8", "a APPEND x UTF8 (~{3+}\r\nabc)\r\n",
           {"START a 3+ x UTF8", "DATA abc", "CMD a [APPEND] x UTF8 (~{3}\r\n<streamed>)"}},
          {"append too large", "a APPEND x {21+}\r\n012345678901234567890\r\nb NOOP\r\n",
           {"TOOBIG a APPEND 21+", "CMD b [NOOP] "}},
          {"append at limit", "a APPEND x {20+}\r\n01234567890123456789\r\n",
           {"START a 20+ x", "DATA 01234567890123456789",
            "CMD a [APPEND] x {20}\r\n<streamed>"}},
      },
      SmallLimits());
}

TEST(CommandReaderTest, AppendBuffered) {
  CommandReaderOptions options = SmallLimits();
  options.stream_append_literals = false;
  RunCases({{"append buffered", "a APPEND x {12+}\r\nHello World!\r\n",
             {"CMD a [APPEND] x {12}\r\nHello World!"}},
            {"sync", "a APPEND x {2}\r\nhi\r\n", {"CONT a APPEND 2", "CMD a [APPEND] x {2}\r\nhi"}}},
           options);
}

TEST(CommandReaderTest, NonSyncLimitForLiteralMinus) {
  CommandReaderOptions options;
  options.limits.max_nonsync_literal_size = 4;
  RunCases({{"literal- over 4 bytes", "a LOGIN {5+}\r\nabcde x\r\nb NOOP\r\n",
             {"TOOBIG a LOGIN 5+", "CMD b [NOOP] "}},
            {"sync is fine", "a LOGIN {5}\r\nabcde x\r\n",
             {"CONT a LOGIN 5", "CMD a [LOGIN] {5}\r\nabcde x"}}},
           options);
}

TEST(CommandReaderTest, Utf8QuotedWhenEnabled) {
  CommandReaderOptions options;
  options.utf8 = true;
  RunCases({{"8-bit quoted", "a SELECT \"Entw\xc3\xbc rfe\"\r\n",
             {"CMD a [SELECT] \"Entw\xc3\xbc rfe\""}}},
           options);
}

TEST(CommandReaderTest, Literal8KeepsNul) {
  CommandReader reader;
  reader.Feed(absl::string_view("a X ~{3+}\r\na\0b\r\n", 17));
  ReadEvent e = reader.Next();
  ASSERT_EQ(e.kind, ReadEvent::Kind::kCommand);
  ASSERT_EQ(e.command.args.size(), 1u);
  EXPECT_TRUE(e.command.args[0].literal8);
  EXPECT_EQ(e.command.args[0].value, std::string("a\0b", 3));
}

TEST(CommandReaderTest, RejectSynchronizingLiteral) {
  CommandReader reader;
  reader.Feed("a LOGIN {5}\r\n");
  ReadEvent e = reader.Next();
  ASSERT_EQ(e.kind, ReadEvent::Kind::kNeedContinuation);
  reader.RejectLiteral();
  EXPECT_EQ(reader.Next().kind, ReadEvent::Kind::kNeedMore);
  reader.Feed("b NOOP\r\n");
  EXPECT_EQ(reader.Next().command.name, "NOOP");
}

TEST(CommandReaderTest, RejectStreamedNonSyncLiteral) {
  CommandReader reader;
  reader.Feed("a APPEND Nope {5+}\r\nabcde\r\nb NOOP\r\n");
  ReadEvent e = reader.Next();
  ASSERT_EQ(e.kind, ReadEvent::Kind::kLiteralStart);
  ASSERT_EQ(e.command.args.size(), 1u);
  EXPECT_EQ(e.command.args[0].value, "Nope");
  reader.RejectLiteral();
  e = reader.Next();
  EXPECT_EQ(e.kind, ReadEvent::Kind::kCommand);
  EXPECT_EQ(e.command.tag, "b");
}

TEST(CommandReaderTest, LargeStreamedLiteralIsNotBuffered) {
  CommandReaderOptions options;
  options.limits.max_append_literal_size = 10 << 20;
  CommandReader reader(options);
  reader.Feed("a APPEND INBOX {10000000+}\r\n");
  ASSERT_EQ(reader.Next().kind, ReadEvent::Kind::kLiteralStart);
  const std::string block(100000, 'x');
  size_t seen = 0;
  for (int i = 0; i < 100; ++i) {
    reader.Feed(block);
    for (ReadEvent e = reader.Next(); e.kind != ReadEvent::Kind::kNeedMore; e = reader.Next()) {
      ASSERT_EQ(e.kind, ReadEvent::Kind::kLiteralChunk);
      seen += e.chunk.size();
    }
    EXPECT_LE(reader.buffered(), block.size());
  }
  EXPECT_EQ(seen, 10000000u);
  reader.Feed("\r\n");
  EXPECT_EQ(reader.Next().kind, ReadEvent::Kind::kCommand);
}

}  // namespace
}  // namespace mailroom::imap

namespace mailroom::imap {
namespace {

TEST(CommandReaderTest, ExpectLineReturnsRawLines) {
  CommandReader reader;
  reader.Feed("a AUTHENTICATE PLAIN\r\nAGZyZWQAc2VjcmV0\r\nb NOOP\r\n");
  ASSERT_EQ(reader.Next().command.name, "AUTHENTICATE");
  reader.ExpectLine();
  ReadEvent e = reader.Next();
  ASSERT_EQ(e.kind, ReadEvent::Kind::kLine);
  EXPECT_EQ(e.line, "AGZyZWQAc2VjcmV0");
  EXPECT_EQ(reader.Next().command.name, "NOOP");
}

TEST(CommandReaderTest, ExpectLineTooLong) {
  // A raw line announces no literal, however the over-long line arrives.
  const std::string input = "0123456789abcdef {5+}\r\nb NOOP\r\n";
  for (size_t chunk : {input.size(), size_t{1}, size_t{5}}) {
    SCOPED_TRACE(chunk);
    CommandReaderOptions options;
    options.limits.max_line_length = 8;
    CommandReader reader(options);
    reader.ExpectLine();
    std::vector<ReadEvent> events;
    for (size_t pos = 0; pos < input.size(); pos += chunk) {
      reader.Feed(absl::string_view(input).substr(pos, chunk));
      for (ReadEvent e = reader.Next(); e.kind != ReadEvent::Kind::kNeedMore; e = reader.Next()) {
        events.push_back(e);
      }
    }
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].kind, ReadEvent::Kind::kError);
    EXPECT_EQ(events[0].tag, "");
    EXPECT_EQ(events[1].command.name, "NOOP");
  }
}

}  // namespace
}  // namespace mailroom::imap
