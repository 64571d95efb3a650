// STAT, LIST and UIDL (RFC 1939 §5, §7): sizes and unique-ids of the messages not marked
// deleted, numbered as at the start of the session.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/pop3/protocol/reply.h"
#include "services/pop3/session/session.h"

namespace mailroom::pop3 {
namespace {

std::string NoSuchMessage(const absl::Status& status) {
  return ErrReply(RespCode::kNone, absl::IsFailedPrecondition(status) ? status.message()
                                                                       : "no such message");
}

}  // namespace

asio::awaitable<void> Session::CmdStat(const Command&) {
  Reply(OkReply(absl::StrFormat("%u %u", maildrop_.live_count(), maildrop_.live_size())));
  co_return;
}

asio::awaitable<void> Session::CmdList(const Command& command) {
  if (command.message.has_value()) {
    absl::StatusOr<InboxMessage> m = maildrop_.Get(*command.message);
    if (!m.ok()) {
      Reply(NoSuchMessage(m.status()));
      co_return;
    }
    Reply(OkReply(absl::StrFormat("%u %u", *command.message, m->size)));
    co_return;
  }
  std::string out = OkReply(absl::StrFormat("%u messages (%u octets)", maildrop_.live_count(),
                                            maildrop_.live_size()));
  for (uint32_t n = 1; n <= maildrop_.count(); ++n) {
    absl::StatusOr<InboxMessage> m = maildrop_.Get(n);
    if (m.ok()) absl::StrAppend(&out, n, " ", m->size, "\r\n");
  }
  out.append(".\r\n");
  Reply(out);
}

asio::awaitable<void> Session::CmdUidl(const Command& command) {
  const uint32_t uidvalidity = maildrop_.uidvalidity();
  if (command.message.has_value()) {
    absl::StatusOr<InboxMessage> m = maildrop_.Get(*command.message);
    if (!m.ok()) {
      Reply(NoSuchMessage(m.status()));
      co_return;
    }
    Reply(OkReply(absl::StrCat(*command.message, " ", UniqueId(uidvalidity, m->uid))));
    co_return;
  }
  std::string out = OkReply("unique-id listing follows");
  for (uint32_t n = 1; n <= maildrop_.count(); ++n) {
    absl::StatusOr<InboxMessage> m = maildrop_.Get(n);
    if (m.ok()) absl::StrAppend(&out, n, " ", UniqueId(uidvalidity, m->uid), "\r\n");
  }
  out.append(".\r\n");
  Reply(out);
}

}  // namespace mailroom::pop3
