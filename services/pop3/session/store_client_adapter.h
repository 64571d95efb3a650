// Pop3Store over the real store client (services/shared/store_client): the INBOX listing from
// GetMailboxStatus + FetchMessages(size), bodies from FetchMessages(body) or a streaming
// ReadMessage, UPDATE as one Expunge of a UID set, the maildrop lock as a store lease.
#ifndef MAILROOM_SERVICES_POP3_SESSION_STORE_CLIENT_ADAPTER_H_
#define MAILROOM_SERVICES_POP3_SESSION_STORE_CLIENT_ADAPTER_H_

#include "services/pop3/session/store.h"
#include "services/shared/store_client/store_client.h"

namespace mailroom::pop3 {

class StoreClientPop3Store final : public Pop3Store {
 public:
  // `client` must outlive this object.
  explicit StoreClientPop3Store(store_client::StoreClient& client) : client_(client) {}

  asio::awaitable<absl::StatusOr<Account>> Authenticate(std::string username, std::string password,
                                                        std::string remote_ip) override;
  asio::awaitable<absl::StatusOr<Account>> LookupAccount(std::string address) override;
  asio::awaitable<absl::StatusOr<std::string>> AcquireLease(uint64_t user_id, std::string holder,
                                                            absl::Duration ttl) override;
  asio::awaitable<absl::Status> RenewLease(uint64_t user_id, std::string lease_id,
                                           absl::Duration ttl) override;
  asio::awaitable<absl::Status> ReleaseLease(uint64_t user_id, std::string lease_id) override;
  asio::awaitable<absl::StatusOr<Inbox>> OpenInbox(uint64_t user_id) override;
  asio::awaitable<absl::StatusOr<std::vector<std::pair<uint32_t, std::string>>>> FetchBodies(
      uint64_t user_id, uint64_t mailbox_id, std::vector<uint32_t> uids) override;
  std::unique_ptr<MessageSource> OpenMessage(uint64_t user_id, uint64_t mailbox_id,
                                             uint32_t uid) override;
  asio::awaitable<absl::Status> Expunge(uint64_t user_id, uint64_t mailbox_id,
                                        std::vector<uint32_t> uids) override;

 private:
  store_client::StoreClient& client_;
};

// `uids` (ascending) as a UidSet of maximal ranges.
store::v1::UidSet ToUidSet(const std::vector<uint32_t>& uids);

}  // namespace mailroom::pop3

#endif  // MAILROOM_SERVICES_POP3_SESSION_STORE_CLIENT_ADAPTER_H_
