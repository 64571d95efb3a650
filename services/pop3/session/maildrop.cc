#include "services/pop3/session/maildrop.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace mailroom::pop3 {

Maildrop::Maildrop(Inbox inbox)
    : mailbox_id_(inbox.mailbox_id),
      uidvalidity_(inbox.uidvalidity),
      messages_(std::move(inbox.messages)),
      deleted_(messages_.size(), false) {
  for (const InboxMessage& m : messages_) live_size_ += m.size;
}

absl::StatusOr<InboxMessage> Maildrop::Get(uint32_t number) const {
  if (number == 0 || number > count()) return absl::NotFoundError("no such message");
  if (deleted_[number - 1]) {
    return absl::FailedPreconditionError(absl::StrCat("message ", number, " already deleted"));
  }
  return messages_[number - 1];
}

bool Maildrop::IsDeleted(uint32_t number) const {
  return number >= 1 && number <= count() && deleted_[number - 1];
}

absl::Status Maildrop::MarkDeleted(uint32_t number) {
  absl::StatusOr<InboxMessage> m = Get(number);
  if (!m.ok()) return m.status();
  deleted_[number - 1] = true;
  ++deleted_count_;
  live_size_ -= m->size;
  return absl::OkStatus();
}

void Maildrop::ResetMarks() {
  for (size_t i = 0; i < messages_.size(); ++i) {
    if (deleted_[i]) live_size_ += messages_[i].size;
    deleted_[i] = false;
  }
  deleted_count_ = 0;
}

std::vector<uint32_t> Maildrop::DeletedUids() const {
  std::vector<uint32_t> uids;
  for (size_t i = 0; i < messages_.size(); ++i) {
    if (deleted_[i]) uids.push_back(messages_[i].uid);
  }
  return uids;
}

std::vector<uint32_t> Maildrop::UidsFrom(uint32_t number, uint64_t max_message_bytes,
                                         uint64_t max_bytes, int max_messages) const {
  std::vector<uint32_t> uids;
  uint64_t total = 0;
  for (uint32_t n = number; n >= 1 && n <= count(); ++n) {
    if (static_cast<int>(uids.size()) >= max_messages) break;
    if (deleted_[n - 1]) continue;
    const InboxMessage& m = messages_[n - 1];
    if (m.size > max_message_bytes || total + m.size > max_bytes) break;
    total += m.size;
    uids.push_back(m.uid);
  }
  return uids;
}

}  // namespace mailroom::pop3
