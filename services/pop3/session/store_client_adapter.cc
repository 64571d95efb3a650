#include "services/pop3/session/store_client_adapter.h"

#include <algorithm>
#include <utility>

namespace mailroom::pop3 {

namespace v1 = ::mailroom::store::v1;

namespace {

uint32_t TtlSeconds(absl::Duration ttl) {
  return static_cast<uint32_t>(std::max<int64_t>(1, absl::ToInt64Seconds(ttl)));
}

class StreamSource final : public MessageSource {
 public:
  explicit StreamSource(store_client::MessageReader reader) : reader_(std::move(reader)) {}
  asio::awaitable<absl::StatusOr<std::optional<std::string>>> Next() override {
    absl::StatusOr<std::optional<v1::ReadMessageResponse>> r = co_await reader_.Next();
    if (!r.ok()) co_return r.status();
    if (!r->has_value()) co_return std::optional<std::string>();
    co_return std::optional<std::string>(std::move(*(*r)->mutable_chunk()));
  }

 private:
  store_client::MessageReader reader_;
};

}  // namespace

v1::UidSet ToUidSet(const std::vector<uint32_t>& uids) {
  v1::UidSet set;
  for (size_t i = 0; i < uids.size();) {
    size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    v1::UidRange* r = set.add_ranges();
    r->set_first(uids[i]);
    r->set_last(uids[j]);
    i = j + 1;
  }
  return set;
}

asio::awaitable<absl::StatusOr<Account>> StoreClientPop3Store::Authenticate(
    std::string username, std::string password, std::string remote_ip) {
  v1::AuthenticateRequest request;
  request.set_username(std::move(username));
  request.set_password(std::move(password));
  request.set_remote_ip(std::move(remote_ip));
  request.set_protocol("pop3");
  absl::StatusOr<v1::AuthenticateResponse> r = co_await client_.Authenticate(std::move(request));
  if (!r.ok()) co_return r.status();
  co_return Account{r->principal().user_id(), r->principal().address()};
}

asio::awaitable<absl::StatusOr<Account>> StoreClientPop3Store::LookupAccount(
    std::string address) {
  v1::ResolveAddressRequest request;
  request.set_address(std::move(address));
  absl::StatusOr<v1::ResolveAddressResponse> r =
      co_await client_.ResolveAddress(std::move(request));
  if (!r.ok()) co_return r.status();
  if (!r->has_principal()) co_return absl::NotFoundError("no such user");
  co_return Account{r->principal().user_id(), r->principal().address()};
}

asio::awaitable<absl::StatusOr<std::string>> StoreClientPop3Store::AcquireLease(
    uint64_t user_id, std::string holder, absl::Duration ttl) {
  v1::AcquireLeaseRequest request;
  request.set_user_id(user_id);
  request.set_holder(std::move(holder));
  request.set_ttl_seconds(TtlSeconds(ttl));
  absl::StatusOr<v1::AcquireLeaseResponse> r = co_await client_.AcquireLease(std::move(request));
  if (!r.ok()) co_return r.status();
  co_return r->lease_id();
}

asio::awaitable<absl::Status> StoreClientPop3Store::RenewLease(uint64_t user_id,
                                                               std::string lease_id,
                                                               absl::Duration ttl) {
  v1::RenewLeaseRequest request;
  request.set_user_id(user_id);
  request.set_lease_id(std::move(lease_id));
  request.set_ttl_seconds(TtlSeconds(ttl));
  co_return co_await client_.RenewLease(std::move(request));
}

asio::awaitable<absl::Status> StoreClientPop3Store::ReleaseLease(uint64_t user_id,
                                                                 std::string lease_id) {
  v1::ReleaseLeaseRequest request;
  request.set_user_id(user_id);
  request.set_lease_id(std::move(lease_id));
  co_return co_await client_.ReleaseLease(std::move(request));
}

asio::awaitable<absl::StatusOr<Inbox>> StoreClientPop3Store::OpenInbox(uint64_t user_id) {
  v1::GetMailboxStatusRequest status_request;
  status_request.set_user_id(user_id);
  status_request.set_name("INBOX");
  absl::StatusOr<v1::GetMailboxStatusResponse> status =
      co_await client_.GetMailboxStatus(std::move(status_request));
  if (!status.ok()) co_return status.status();
  Inbox inbox;
  inbox.mailbox_id = status->status().mailbox_id();
  inbox.uidvalidity = status->status().uidvalidity();
  v1::FetchMessagesRequest fetch;
  fetch.set_user_id(user_id);
  fetch.set_mailbox_id(inbox.mailbox_id);
  fetch.mutable_uids()->add_ranges()->set_first(1);  // last 0 = to the highest UID
  fetch.mutable_attributes()->set_size(true);
  absl::StatusOr<std::vector<v1::FetchedMessage>> messages =
      co_await client_.FetchMessages(std::move(fetch));
  if (!messages.ok()) co_return messages.status();
  inbox.messages.reserve(messages->size());
  for (const v1::FetchedMessage& m : *messages) inbox.messages.push_back({m.uid(), m.size()});
  std::sort(inbox.messages.begin(), inbox.messages.end(),
            [](const InboxMessage& a, const InboxMessage& b) { return a.uid < b.uid; });
  co_return inbox;
}

asio::awaitable<absl::StatusOr<std::vector<std::pair<uint32_t, std::string>>>>
StoreClientPop3Store::FetchBodies(uint64_t user_id, uint64_t mailbox_id,
                                  std::vector<uint32_t> uids) {
  std::sort(uids.begin(), uids.end());
  v1::FetchMessagesRequest fetch;
  fetch.set_user_id(user_id);
  fetch.set_mailbox_id(mailbox_id);
  *fetch.mutable_uids() = ToUidSet(uids);
  fetch.mutable_attributes()->set_body(true);
  absl::StatusOr<std::vector<v1::FetchedMessage>> messages =
      co_await client_.FetchMessages(std::move(fetch));
  if (!messages.ok()) co_return messages.status();
  std::vector<std::pair<uint32_t, std::string>> out;
  out.reserve(messages->size());
  for (v1::FetchedMessage& m : *messages) out.emplace_back(m.uid(), std::move(*m.mutable_body()));
  co_return out;
}

std::unique_ptr<MessageSource> StoreClientPop3Store::OpenMessage(uint64_t user_id,
                                                                 uint64_t mailbox_id,
                                                                 uint32_t uid) {
  v1::ReadMessageRequest request;
  request.set_user_id(user_id);
  request.set_mailbox_id(mailbox_id);
  request.set_uid(uid);
  return std::make_unique<StreamSource>(client_.StartReadMessage(std::move(request)));
}

asio::awaitable<absl::Status> StoreClientPop3Store::Expunge(uint64_t user_id,
                                                            uint64_t mailbox_id,
                                                            std::vector<uint32_t> uids) {
  std::sort(uids.begin(), uids.end());
  v1::ExpungeRequest request;
  request.set_user_id(user_id);
  request.set_mailbox_id(mailbox_id);
  *request.mutable_uids() = ToUidSet(uids);
  request.set_only_deleted(false);  // POP3 DELE marks are the session's, not \Deleted flags
  absl::StatusOr<v1::ExpungeResponse> r = co_await client_.Expunge(std::move(request));
  co_return r.status();
}

}  // namespace mailroom::pop3
