#include "services/imap/protocol/response_writer.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imap/protocol/message_writer.h"

namespace mailroom::imap {
namespace {

TEST(ResponseWriterTest, StatusResponses) {
  EXPECT_EQ(StatusResponse("a1", StatusKind::kOk, code::UidNext(5), "Ready"),
            "a1 OK [UIDNEXT 5] Ready\r\n");
  EXPECT_EQ(StatusResponse("*", StatusKind::kBye, "", "Logging out"), "* BYE Logging out\r\n");
  EXPECT_EQ(StatusResponse("a", StatusKind::kNo, code::kTryCreate, "No such\r\nmailbox"),
            "a NO [TRYCREATE] No such  mailbox\r\n");
  EXPECT_EQ(StatusResponse("a", StatusKind::kBad, "", ""), "a BAD Failed\r\n");
  EXPECT_EQ(StatusResponse("*", StatusKind::kPreauth, "", "hi"), "* PREAUTH hi\r\n");
  EXPECT_EQ(ContinuationRequest("go ahead"), "+ go ahead\r\n");
}

TEST(ResponseWriterTest, Codes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {code::AppendUid(38505, "3955"), "APPENDUID 38505 3955"},
      {code::CopyUid(38505, "304,319:320", "3956:3958"), "COPYUID 38505 304,319:320 3956:3958"},
      {code::Modified("7,9"), "MODIFIED 7,9"},
      {code::HighestModSeq(715194045007), "HIGHESTMODSEQ 715194045007"},
      {code::UidValidity(3857529045), "UIDVALIDITY 3857529045"},
      {code::PermanentFlags({"\\Deleted", "\\Seen", "\\*"}), "PERMANENTFLAGS (\\Deleted \\Seen \\*)"},
      {code::Capability({"IMAP4rev2", "IMAP4rev1"}), "CAPABILITY IMAP4rev2 IMAP4rev1"},
      {code::BadCharset({"UTF-8", "US-ASCII"}), "BADCHARSET (UTF-8 US-ASCII)"},
      {code::BadCharset({}), "BADCHARSET"},
      {std::string(code::kOverQuota), "OVERQUOTA"},
  };
  for (const auto& [got, want] : cases) EXPECT_EQ(got, want);
}

TEST(ResponseWriterTest, StringQuoting) {
  struct Case {
    std::string value;
    bool utf8;
    std::string written;
  };
  const std::vector<Case> cases = {
      {"hello world", false, "\"hello world\""},
      {"", false, "\"\""},
      {"say \"hi\" \\o/", false, "\"say \\\"hi\\\" \\\\o/\""},
      {"two\r\nlines", false, "{10}\r\ntwo\r\nlines"},
      {"caf\xc3\xa9", false, "{5}\r\ncaf\xc3\xa9"},
      {"caf\xc3\xa9", true, "\"caf\xc3\xa9\""},
      {"bad\xff", true, "{4}\r\nbad\xff"},
      {std::string(1025, 'x'), false, "{1025}\r\n" + std::string(1025, 'x')},
  };
  for (const Case& c : cases) {
    ResponseBuilder b(c.utf8);
    b.String(c.value);
    EXPECT_EQ(b.str(), c.written) << c.value;
  }
}

TEST(ResponseWriterTest, ValuesListsAndBinary) {
  ResponseBuilder b;
  b.Raw("* 3 FETCH ").Open().Atom("UID").Number(7).Atom("FLAGS").Open().Atom("\\Seen")
      .Atom("$Junk").Close().Atom("INTERNALDATE").DateTime(absl::FromUnixSeconds(0), 60)
      .Atom("X").NString(std::nullopt).Atom("Y").NStringOrNil("").Atom("BINARY[1]")
      .Binary(std::string("a\0b", 3)).Atom("BINARY[2]").Binary("ab").Open().Close().Close()
      .EndLine();
  static constexpr char kWant[] =
      "* 3 FETCH (UID 7 FLAGS (\\Seen $Junk) INTERNALDATE \"01-Jan-1970 01:00:00 +0100\" X NIL "
      "Y NIL BINARY[1] ~{3}\r\na\0b BINARY[2] {2}\r\nab ())\r\n";
  EXPECT_EQ(b.str(), std::string(kWant, sizeof(kWant) - 1));
}

TEST(MessageWriterTest, EnvelopeWithGroupsAndNils) {
  Envelope env;
  env.date = "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)";
  env.subject = "IMAP4rev2 WG mtg summary";
  env.from = {{"Terry Gray", "", "gray", "cac.washington.edu"}};
  env.to = {{"", "", "imap", "cac.washington.edu"}};
  Address group_start;
  group_start.mailbox = "undisclosed";
  group_start.group_start = true;
  Address group_end;
  group_end.group_end = true;
  env.cc = {group_start, {"", "", "minutes", "CNRI.Reston.VA.US"}, group_end};
  env.message_id = "<B27397-0100000@cac.washington.edu>";
  ResponseBuilder b;
  WriteEnvelope(env, b);
  EXPECT_EQ(b.str(),
            "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev2 WG mtg summary\" "
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
            "((NIL NIL \"imap\" \"cac.washington.edu\")) "
            "((NIL NIL \"undisclosed\" NIL)(NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")"
            "(NIL NIL NIL NIL)) NIL NIL \"<B27397-0100000@cac.washington.edu>\")");
  ResponseBuilder empty;
  WriteEnvelope(Envelope{}, empty);
  EXPECT_EQ(empty.str(), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

BodyPart TextPart(const std::string& subtype, uint64_t size, uint64_t lines) {
  BodyPart part;
  part.subtype = subtype;
  part.params = {{"CHARSET", "US-ASCII"}};
  part.size = size;
  part.lines = lines;
  return part;
}

TEST(MessageWriterTest, SinglePart) {
  BodyPart part = TextPart("PLAIN", 3028, 92);
  ResponseBuilder body;
  WriteBodyStructure(part, false, body);
  EXPECT_EQ(body.str(), "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)");
  part.md5 = "Q2hlY2sgSW50ZWdyaXR5IQ==";
  part.disposition = "inline";
  part.languages = {"en"};
  ResponseBuilder structure;
  WriteBodyStructure(part, true, structure);
  EXPECT_EQ(structure.str(),
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92 "
            "\"Q2hlY2sgSW50ZWdyaXR5IQ==\" (\"inline\" NIL) (\"en\") NIL)");
  BodyPart image;
  image.type = "IMAGE";
  image.subtype = "PNG";
  image.id = "<logo@x>";
  image.encoding = "BASE64";
  image.size = 4;
  ResponseBuilder b;
  WriteBodyStructure(image, false, b);
  EXPECT_EQ(b.str(), "(\"IMAGE\" \"PNG\" NIL \"<logo@x>\" NIL \"BASE64\" 4)");
}

TEST(MessageWriterTest, MultipartWithExtensionData) {
  BodyPart mixed;
  mixed.type = "MULTIPART";
  mixed.subtype = "MIXED";
  mixed.params = {{"BOUNDARY", "xyz"}};
  mixed.children = {TextPart("PLAIN", 10, 1), TextPart("HTML", 20, 2)};
  mixed.children[1].disposition = "attachment";
  mixed.children[1].disposition_params = {{"FILENAME", "a.html"}};
  mixed.location = "http://x/";
  ResponseBuilder body;
  WriteBodyStructure(mixed, false, body);
  EXPECT_EQ(body.str(),
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 10 1)"
            "(\"TEXT\" \"HTML\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 20 2) \"MIXED\")");
  ResponseBuilder structure;
  WriteBodyStructure(mixed, true, structure);
  EXPECT_EQ(structure.str(),
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL)"
            "(\"TEXT\" \"HTML\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 20 2 NIL "
            "(\"attachment\" (\"FILENAME\" \"a.html\")) NIL NIL) \"MIXED\" "
            "(\"BOUNDARY\" \"xyz\") NIL NIL \"http://x/\")");
}

TEST(MessageWriterTest, MessageRfc822Nesting) {
  BodyPart inner_mp;
  inner_mp.type = "MULTIPART";
  inner_mp.subtype = "ALTERNATIVE";
  inner_mp.children = {TextPart("PLAIN", 5, 1), TextPart("HTML", 6, 1)};
  BodyPart message;
  message.type = "MESSAGE";
  message.subtype = "RFC822";
  message.size = 500;
  message.lines = 20;
  message.message_envelope = Envelope{};
  message.message_envelope->subject = "inner";
  message.children = {inner_mp};
  ResponseBuilder b;
  WriteBodyStructure(message, false, b);
  EXPECT_EQ(b.str(),
            "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 500 "
            "(NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) "
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 5 1)"
            "(\"TEXT\" \"HTML\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 6 1) \"ALTERNATIVE\") "
            "20)");
}

}  // namespace
}  // namespace mailroom::imap
