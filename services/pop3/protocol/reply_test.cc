#include "services/pop3/protocol/reply.h"

#include "gtest/gtest.h"

namespace mailroom::pop3 {
namespace {

TEST(Pop3ReplyTest, Formats) {
  EXPECT_EQ(OkReply(""), "+OK\r\n");
  EXPECT_EQ(OkReply("2 320"), "+OK 2 320\r\n");
  EXPECT_EQ(ErrReply(RespCode::kNone, "no such message"), "-ERR no such message\r\n");
  EXPECT_EQ(ErrReply(RespCode::kInUse, "locked"), "-ERR [IN-USE] locked\r\n");
  EXPECT_EQ(ErrReply(RespCode::kSysTemp, "x"), "-ERR [SYS/TEMP] x\r\n");
  EXPECT_EQ(ErrReply(RespCode::kAuth, "x"), "-ERR [AUTH] x\r\n");
}

TEST(Pop3ReplyTest, StatusMapping) {
  EXPECT_EQ(StatusToReply(absl::FailedPreconditionError("held")),
            "-ERR [IN-USE] maildrop is locked by another session\r\n");
  EXPECT_EQ(StatusToReply(absl::PermissionDeniedError("bad")),
            "-ERR [AUTH] authentication failed\r\n");
  EXPECT_EQ(StatusToReply(absl::UnavailableError("db down")),
            "-ERR [SYS/TEMP] temporary failure, try again later\r\n");
  EXPECT_EQ(StatusToReply(absl::DeadlineExceededError("slow")),
            "-ERR [SYS/TEMP] temporary failure, try again later\r\n");
  // Internal details never reach the client.
  EXPECT_EQ(StatusToReply(absl::InternalError("secret detail")),
            "-ERR [SYS/PERM] internal error\r\n");
}

TEST(Pop3ReplyTest, UniqueIdIsStableAndPrintable) {
  EXPECT_EQ(UniqueId(0x5f00aa01, 7), "5f00aa0100000007");
  EXPECT_EQ(UniqueId(1, 0xffffffff), "00000001ffffffff");
  EXPECT_NE(UniqueId(1, 2), UniqueId(2, 1));
}

}  // namespace
}  // namespace mailroom::pop3
