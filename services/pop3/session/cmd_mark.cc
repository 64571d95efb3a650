// DELE, RSET and NOOP (RFC 1939 §5): deletion marks live only in the session until UPDATE.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/pop3/protocol/reply.h"
#include "services/pop3/session/session.h"

namespace mailroom::pop3 {

asio::awaitable<void> Session::CmdDele(const Command& command) {
  absl::Status s = maildrop_.MarkDeleted(*command.message);
  if (!s.ok()) {
    Reply(ErrReply(RespCode::kNone,
                   absl::IsFailedPrecondition(s) ? s.message() : "no such message"));
    co_return;
  }
  Reply(OkReply(absl::StrCat("message ", *command.message, " deleted")));
}

asio::awaitable<void> Session::CmdRset(const Command&) {
  maildrop_.ResetMarks();
  Reply(OkReply(absl::StrFormat("maildrop has %u messages (%u octets)", maildrop_.live_count(),
                                maildrop_.live_size())));
  co_return;
}

asio::awaitable<void> Session::CmdNoop(const Command&) {
  Reply(OkReply(""));
  co_return;
}

}  // namespace mailroom::pop3
