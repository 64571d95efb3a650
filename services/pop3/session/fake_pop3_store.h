// FakePop3Store: an in-memory Pop3Store for session tests: one INBOX per user, a lease table,
// injectable failures, and a record of what the session asked for. Test-only.
#ifndef MAILROOM_SERVICES_POP3_SESSION_FAKE_POP3_STORE_H_
#define MAILROOM_SERVICES_POP3_SESSION_FAKE_POP3_STORE_H_

#include <map>
#include <string>
#include <vector>

#include "services/pop3/session/store.h"

namespace mailroom::pop3::testing {

class FakePop3Store final : public Pop3Store {
 public:
  struct User {
    uint64_t id = 0;
    std::string password;
    std::map<uint32_t, std::string> inbox;  // UID → raw message
  };

  // Adds a user whose INBOX holds `messages` with UIDs 1..N.
  void AddUser(const std::string& address, const std::string& password,
               std::vector<std::string> messages);
  User& user(const std::string& address) { return users_.at(address); }

  uint32_t uidvalidity = 1234;
  size_t read_chunk_bytes = 7;  // OpenMessage() hands bodies out in chunks this small
  absl::Status expunge_error;   // returned by Expunge() when not OK
  absl::Status inbox_error;
  std::string lease_holder;     // non-empty: a lease held by someone else
  // What happened.
  int authenticate_calls = 0;
  int fetch_bodies_calls = 0;
  int open_message_calls = 0;
  int expunge_calls = 0;
  int releases = 0;
  std::vector<uint32_t> last_expunged;
  std::string last_remote_ip;

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
  User* ById(uint64_t id);
  std::map<std::string, User> users_;
  std::map<uint64_t, std::string> leases_;  // user id → lease id
  int next_lease_ = 1;
};

}  // namespace mailroom::pop3::testing

#endif  // MAILROOM_SERVICES_POP3_SESSION_FAKE_POP3_STORE_H_
