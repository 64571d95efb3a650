// Tests of the parsers taking mailbox names: LIST/LSUB, STATUS, SELECT/EXAMINE, CREATE,
// RENAME, DELETE/SUBSCRIBE, COPY/MOVE.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imap/protocol/args_test_util.h"
#include "services/imap/protocol/copy_args.h"
#include "services/imap/protocol/list_args.h"
#include "services/imap/protocol/mailbox_args.h"
#include "services/imap/protocol/select_args.h"
#include "services/imap/protocol/status_args.h"
#include "services/shared/status/status_matchers.h"

namespace mailroom::imap {
namespace {

using ::mailroom::imap::testing::Args;
using ::mailroom::testing::StatusIs;
using ::testing::ElementsAre;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

TEST(ListArgsTest, Basic) {
  absl::StatusOr<ListArgs> parsed = ParseListArgs(Args("\"\" \"%\""), false);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->reference, "");
  EXPECT_THAT(parsed->patterns, ElementsAre("%"));
  EXPECT_FALSE(parsed->extended);

  parsed = ParseListArgs(Args("Archive/ &ZeVnLIqe-/*"), false);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->reference, "Archive/");
  EXPECT_THAT(parsed->patterns, ElementsAre("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e/*"));
}

TEST(ListArgsTest, Extended) {
  absl::StatusOr<ListArgs> parsed = ParseListArgs(
      Args("(SUBSCRIBED RECURSIVEMATCH remote) \"\" (INBOX \"Sent*\") "
           "RETURN (CHILDREN SPECIAL-USE SUBSCRIBED STATUS (MESSAGES UNSEEN))"),
      false);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->extended);
  EXPECT_TRUE(parsed->select.subscribed && parsed->select.recursive_match &&
              parsed->select.remote);
  EXPECT_FALSE(parsed->select.special_use);
  EXPECT_THAT(parsed->patterns, ElementsAre("INBOX", "Sent*"));
  EXPECT_TRUE(parsed->ret.children && parsed->ret.special_use && parsed->ret.subscribed);
  ASSERT_TRUE(parsed->ret.status.has_value());
  EXPECT_TRUE(parsed->ret.status->messages && parsed->ret.status->unseen);
  EXPECT_FALSE(parsed->ret.status->uidnext);

  parsed = ParseListArgs(Args("(SPECIAL-USE) \"\" *"), false);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->select.special_use);

  parsed = ParseListArgs(Args("() \"\" * RETURN ()"), false);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->extended);
}

TEST(ListArgsTest, Invalid) {
  for (const char* args :
       {"", "\"\"", "(FOO) \"\" *", "(RECURSIVEMATCH) \"\" *", "(RECURSIVEMATCH REMOTE) \"\" *",
        "\"\" ()", "\"\" * RETURN (FOO)", "\"\" * RETURN", "\"\" * RETURN (STATUS ())",
        "\"\" * RETURN (STATUS (FOO))", "\"\" &Jjo", "\"\" * extra"}) {
    SCOPED_TRACE(args);
    EXPECT_THAT(ParseListArgs(Args(args), false), StatusIs(kInvalid));
  }
  EXPECT_THAT(ParseListArgs(Args("(SUBSCRIBED) \"\" *"), false, /*lsub=*/true),
              StatusIs(kInvalid));
  EXPECT_TRUE(ParseListArgs(Args("\"\" *"), false, /*lsub=*/true).ok());
}

TEST(StatusArgsTest, ValidAndInvalid) {
  absl::StatusOr<StatusArgs> parsed = ParseStatusArgs(
      Args("inbox (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ "
           "APPENDLIMIT)"),
      false);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->mailbox, "INBOX");
  const StatusItems& i = parsed->items;
  EXPECT_TRUE(i.messages && i.uidnext && i.uidvalidity && i.unseen && i.deleted && i.size &&
              i.recent && i.highestmodseq && i.appendlimit);
  for (const char* args : {"", "INBOX", "INBOX ()", "INBOX (FOO)", "INBOX MESSAGES",
                           "INBOX (MESSAGES) x", "(MESSAGES) INBOX"}) {
    SCOPED_TRACE(args);
    EXPECT_THAT(ParseStatusArgs(Args(args), false), StatusIs(kInvalid));
  }
}

TEST(SelectArgsTest, Valid) {
  absl::StatusOr<SelectArgs> parsed = ParseSelectArgs(Args("INBOX"), false);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->mailbox, "INBOX");
  EXPECT_FALSE(parsed->condstore);

  parsed = ParseSelectArgs(Args("Drafts (CONDSTORE)"), false);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->condstore);

  parsed = ParseSelectArgs(
      Args("INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541 (1,3:5 41,43:45)))"),
      false);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_TRUE(parsed->qresync.has_value());
  EXPECT_EQ(parsed->qresync->uidvalidity, 67890007u);
  EXPECT_EQ(parsed->qresync->modseq, 20050715194045000u);
  EXPECT_EQ(parsed->qresync->known_uids->ToString(), "41,43:211,214:541");
  EXPECT_EQ(parsed->qresync->known_sequences->ToString(), "1,3:5");
  EXPECT_EQ(parsed->qresync->known_sequence_uids->ToString(), "41,43:45");

  parsed = ParseSelectArgs(Args("INBOX (QRESYNC (1 2))"), false);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->qresync->known_uids.has_value());
}

TEST(SelectArgsTest, Invalid) {
  for (const char* args :
       {"", "INBOX ()", "INBOX (FOO)", "INBOX CONDSTORE", "INBOX (QRESYNC)",
        "INBOX (QRESYNC ())", "INBOX (QRESYNC (0 5))", "INBOX (QRESYNC (1 0))",
        "INBOX (QRESYNC (1 2 1:*))", "INBOX (QRESYNC (1 2 1:5 (1:2)))",
        "INBOX (QRESYNC (1 2 1:5 (1:2 3:4) x))", "INBOX (CONDSTORE) x", "\"&\""}) {
    SCOPED_TRACE(args);
    EXPECT_THAT(ParseSelectArgs(Args(args), false), StatusIs(kInvalid));
  }
}

TEST(CreateArgsTest, ValidAndInvalid) {
  absl::StatusOr<CreateArgs> parsed = ParseCreateArgs(Args("Sent (USE (\\sent \\X-Custom))"), false);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->mailbox, "Sent");
  EXPECT_THAT(parsed->special_use, ElementsAre("\\Sent", "\\X-Custom"));
  for (const char* args : {"", "\"\"", "Sent (USE)", "Sent (USE (Sent))", "Sent (FOO (x))",
                           "Sent x"}) {
    SCOPED_TRACE(args);
    EXPECT_THAT(ParseCreateArgs(Args(args), false), StatusIs(kInvalid));
  }
}

TEST(MailboxArgsTest, RenameDeleteCopy) {
  absl::StatusOr<RenameArgs> rename = ParseRenameArgs(Args("a \"b c\""), false);
  ASSERT_TRUE(rename.ok()) << rename.status();
  EXPECT_EQ(rename->from, "a");
  EXPECT_EQ(rename->to, "b c");
  EXPECT_THAT(ParseRenameArgs(Args("a"), false), StatusIs(kInvalid));

  EXPECT_THAT(ParseMailboxArg(Args("{5+}\r\niNbOx"), false), mailroom::testing::IsOkAndHolds("INBOX"));
  EXPECT_THAT(ParseMailboxArg(Args("a b"), false), StatusIs(kInvalid));
  EXPECT_THAT(ParseMailboxArg(Args("(a)"), false), StatusIs(kInvalid));

  absl::StatusOr<CopyArgs> copy = ParseCopyArgs(Args("2:4 Trash"), false);
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_EQ(copy->set.ToString(), "2:4");
  EXPECT_EQ(copy->mailbox, "Trash");
  EXPECT_THAT(ParseCopyArgs(Args("Trash"), false), StatusIs(kInvalid));
  EXPECT_THAT(ParseCopyArgs(Args("1 Trash x"), false), StatusIs(kInvalid));
}

TEST(MailboxArgsTest, Utf8Names) {
  EXPECT_THAT(ParseMailboxArg(Args("\"Entw\xc3\xbcrfe\"", /*utf8=*/true), true),
              mailroom::testing::IsOkAndHolds("Entw\xc3\xbcrfe"));
  EXPECT_THAT(ParseMailboxArg(Args("Entw&APw-rfe"), false),
              mailroom::testing::IsOkAndHolds("Entw\xc3\xbcrfe"));
  // With UTF8=ACCEPT the name is taken as it is.
  EXPECT_THAT(ParseMailboxArg(Args("Entw&APw-rfe"), true),
              mailroom::testing::IsOkAndHolds("Entw&APw-rfe"));
}

}  // namespace
}  // namespace mailroom::imap
