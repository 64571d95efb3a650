// QUIT (RFC 1939 §6): in TRANSACTION it enters UPDATE, where every message marked deleted is
// expunged in one store transaction; "+OK" is sent only after that committed (DESIGN.md
// invariant 1). Any other way out of the session (a dropped connection, the idle timeout, a
// drain) deletes nothing.
#include "absl/strings/str_format.h"
#include "services/pop3/protocol/reply.h"
#include "services/pop3/session/session.h"
#include "services/shared/log/log.h"

namespace mailroom::pop3 {

asio::awaitable<void> Session::CmdQuit(const Command&) {
  if (state_ == SessionState::kAuthorization) {
    Reply(OkReply("bye"));
    state_ = SessionState::kClosed;
    co_return;
  }
  state_ = SessionState::kUpdate;
  const std::vector<uint32_t> uids = maildrop_.DeletedUids();
  if (uids.empty()) {
    Reply(OkReply("bye"));
  } else if (lease_ != nullptr && lease_->lost()) {
    // Another session may own the maildrop now: deleting on a stale view is not ours to do.
    context_.metrics.updates_failed.Increment();
    Reply(ErrReply(RespCode::kInUse, "maildrop lock lost; no messages deleted"));
  } else {
    absl::Status s = co_await context_.store.Expunge(account_.user_id, maildrop_.mailbox_id(), uids);
    if (s.ok()) {
      context_.metrics.messages_deleted.Increment(static_cast<double>(uids.size()));
      Reply(OkReply(absl::StrFormat("bye, %u messages deleted", uids.size())));
    } else {
      context_.metrics.updates_failed.Increment();
      log::Warning("pop3 UPDATE failed", {{"session", connection_.session_id()},
                                          {"error", std::string(s.message())}});
      // RFC 1939 §6: -ERR when some deleted messages were not removed.
      Reply(ErrReply(absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s) ? RespCode::kSysTemp
                                                                              : RespCode::kSysPerm,
                     "some deleted messages were not removed"));
    }
  }
  // RFC 1939 §6: the lock is released before the reply, so a client may reconnect at once.
  co_await ReleaseMaildrop();
  state_ = SessionState::kClosed;
}

asio::awaitable<void> Session::ReleaseMaildrop() {
  if (lease_ == nullptr) co_return;
  lease_->Stop();
  const std::string lease_id = lease_->lease_id();
  lease_.reset();
  if (state_ != SessionState::kAuthorization) context_.metrics.sessions_in_transaction.Decrement();
  absl::Status s = co_await context_.store.ReleaseLease(account_.user_id, lease_id);
  if (!s.ok()) {
    // The lease then expires by itself after its TTL.
    log::Warning("pop3 lease release failed", {{"session", connection_.session_id()},
                                               {"error", std::string(s.message())}});
  }
}

}  // namespace mailroom::pop3
