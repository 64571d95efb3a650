// Maildrop: the session's fixed view of the INBOX during TRANSACTION (RFC 1939 §5): message
// numbers 1..N assigned when the session opened it and never changed, sizes, UIDs and the
// deletion marks that only the UPDATE state turns into an expunge. Pure data, no I/O.
#ifndef MAILROOM_SERVICES_POP3_SESSION_MAILDROP_H_
#define MAILROOM_SERVICES_POP3_SESSION_MAILDROP_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "services/pop3/session/store.h"

namespace mailroom::pop3 {

class Maildrop {
 public:
  Maildrop() = default;
  explicit Maildrop(Inbox inbox);

  uint64_t mailbox_id() const { return mailbox_id_; }
  uint32_t uidvalidity() const { return uidvalidity_; }
  // Messages numbered in this session, deleted ones included.
  uint32_t count() const { return static_cast<uint32_t>(messages_.size()); }
  // Messages not marked deleted, and their total size (STAT, RFC 1939 §5).
  uint32_t live_count() const { return count() - deleted_count_; }
  uint64_t live_size() const { return live_size_; }

  // The message numbered `number`. NOT_FOUND when there is no such number, FAILED_PRECONDITION
  // when it is marked deleted (RFC 1939 §5: such messages may not be referred to).
  absl::StatusOr<InboxMessage> Get(uint32_t number) const;
  bool IsDeleted(uint32_t number) const;

  // DELE. Errors as Get().
  absl::Status MarkDeleted(uint32_t number);
  // RSET: unmarks every message.
  void ResetMarks();
  // UIDs marked deleted, ascending (what UPDATE expunges).
  std::vector<uint32_t> DeletedUids() const;

  // UIDs of the undeleted messages after `number`, starting at `number` itself, while they fit
  // in `max_bytes` and `max_messages` and each is at most `max_message_bytes` (RETR prefetch).
  std::vector<uint32_t> UidsFrom(uint32_t number, uint64_t max_message_bytes, uint64_t max_bytes,
                                 int max_messages) const;

 private:
  uint64_t mailbox_id_ = 0;
  uint32_t uidvalidity_ = 0;
  std::vector<InboxMessage> messages_;
  std::vector<bool> deleted_;
  uint32_t deleted_count_ = 0;
  uint64_t live_size_ = 0;
};

}  // namespace mailroom::pop3

#endif  // MAILROOM_SERVICES_POP3_SESSION_MAILDROP_H_
