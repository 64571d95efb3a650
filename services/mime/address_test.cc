// address.h: address lists to IMAP address structures.
#include "services/mime/address.h"

#include "gtest/gtest.h"
#include "services/mime/test_util.h"

namespace mailroom::mime {
namespace {

// Renders a list the way ImapEnvelope does, to compare against IMAP-shaped expectations.
std::string Render(std::string_view value) {
  Envelope env;
  env.to = ParseAddressList(value);
  std::string all = testing::ImapEnvelope(env);
  // (NIL NIL NIL NIL NIL <to> NIL NIL NIL NIL): cut out the To list.
  size_t begin = std::string_view("(NIL NIL NIL NIL NIL ").size();
  size_t end = all.size() - std::string_view(" NIL NIL NIL NIL)").size();
  return all.substr(begin, end - begin);
}

TEST(ParseAddressListTest, Table) {
  struct Case {
    std::string in;
    std::string out;
  };
  const Case cases[] = {
      {"", "NIL"},
      {"user@example.com", R"x(((NIL NIL "user" "example.com")))x"},
      {"User Name <user@example.com>", R"x((("User Name" NIL "user" "example.com")))x"},
      {"\"Last, First\" <a@b>", R"x((("Last, First" NIL "a" "b")))x"},
      {"a@b, , c@d,", R"x(((NIL NIL "a" "b")(NIL NIL "c" "d")))x"},
      {"a@b (Comment Name)", R"x((("Comment Name" NIL "a" "b")))x"},
      {"John (middle) Doe <jd@x>", R"x((("John Doe" NIL "jd" "x")))x"},
      {"John Q. Public <jqp@x>", R"x((("John Q. Public" NIL "jqp" "x")))x"},
      {"=?utf-8?q?J=C3=B6rg?= <j@x>", R"x((("=?utf-8?q?J=C3=B6rg?=" NIL "j" "x")))x"},
      {"<@r1,@r2:u@h>", R"x(((NIL "@r1,@r2" "u" "h")))x"},
      {"john . doe @ example . com", R"x(((NIL NIL "john.doe" "example.com")))x"},
      {"\"quoted local\"@x", R"x(((NIL NIL "quoted local" "x")))x"},
      {"undisclosed-recipients:;",
       R"x(((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)))x"},
      {"g: a@b, c@d",
       R"x(((NIL NIL "g" NIL)(NIL NIL "a" "b")(NIL NIL "c" "d")(NIL NIL NIL NIL)))x"},
      {": a@b;", R"x(((NIL NIL "MISSING_MAILBOX" NIL)(NIL NIL "a" "b")(NIL NIL NIL NIL)))x"},
      {"nodomain", R"x(((NIL NIL "nodomain" "MISSING_DOMAIN")))x"},
      {"Name <>", R"x((("Name" NIL "MISSING_MAILBOX" "MISSING_DOMAIN")))x"},
      {"<>", "NIL"},
      {"a@b@c", R"x(((NIL NIL "a" "b@c")))x"},
      {"a@b <c@d>", R"x((("a@b" NIL "c" "d")))x"},
      {"<a@b> trailing junk, c@d", R"x(((NIL NIL "a" "b")(NIL NIL "c" "d")))x"},
      {"Name <a@b, c@d", R"x((("Name" NIL "a" "b")(NIL NIL "c" "d")))x"},
      {"(only comment)", "NIL"},
      {";;;,,,", "NIL"},
  };
  for (const Case& c : cases) EXPECT_EQ(Render(c.in), c.out) << c.in;
}

TEST(BuildEnvelopeTest, SenderAndReplyToDefaultToFrom) {
  Envelope env = BuildEnvelope({{"From", "a@b"}, {"Sender", "s@b"}, {"Reply-To", ""}});
  ASSERT_EQ(env.sender.size(), 1u);
  EXPECT_EQ(env.sender[0].mailbox, "s");
  ASSERT_EQ(env.reply_to.size(), 1u);
  EXPECT_EQ(env.reply_to[0].mailbox, "a");
}

TEST(BuildEnvelopeTest, FieldNamesAreCaseInsensitiveAndFirstWins) {
  Envelope env = BuildEnvelope({{"SUBJECT", " one "}, {"subject", "two"}, {"message-id", "<m>"}});
  EXPECT_EQ(env.subject, "one");
  EXPECT_EQ(env.message_id, "<m>");
  EXPECT_EQ(env.date, std::nullopt);
}

}  // namespace
}  // namespace mailroom::mime
