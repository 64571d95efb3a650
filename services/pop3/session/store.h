// Pop3Store: everything a POP3 session asks of the mailbox store, as one small interface, so
// the session runs against the real store (store_client_adapter.h) or a fake in unit tests.
// All awaitables resume on the calling coroutine's executor.
#ifndef MAILROOM_SERVICES_POP3_SESSION_STORE_H_
#define MAILROOM_SERVICES_POP3_SESSION_STORE_H_

#include <asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mailroom::pop3 {

struct Account {
  uint64_t user_id = 0;
  std::string address;
};

struct InboxMessage {
  uint32_t uid = 0;
  uint64_t size = 0;  // octets as stored
};

// The INBOX as the session opens it (RFC 1939 §4: the maildrop at the start of TRANSACTION).
struct Inbox {
  uint64_t mailbox_id = 0;
  uint32_t uidvalidity = 0;
  std::vector<InboxMessage> messages;  // ascending UID
};

// One message's raw bytes, chunk by chunk.
class MessageSource {
 public:
  virtual ~MessageSource() = default;
  // The next chunk; std::nullopt at the end. NOT_FOUND when the message has gone.
  virtual asio::awaitable<absl::StatusOr<std::optional<std::string>>> Next() = 0;
};

class Pop3Store {
 public:
  virtual ~Pop3Store() = default;

  // PERMISSION_DENIED for bad credentials or a disabled user; UNAVAILABLE when no store.
  virtual asio::awaitable<absl::StatusOr<Account>> Authenticate(std::string username,
                                                                std::string password,
                                                                std::string remote_ip) = 0;
  // The account behind a login address, without a password (APOP, whose secret the session
  // checks). NOT_FOUND for an unknown address.
  virtual asio::awaitable<absl::StatusOr<Account>> LookupAccount(std::string address) = 0;

  // The maildrop lease. AcquireLease: FAILED_PRECONDITION while another session holds it.
  // RenewLease: FAILED_PRECONDITION when it was lost.
  virtual asio::awaitable<absl::StatusOr<std::string>> AcquireLease(uint64_t user_id,
                                                                    std::string holder,
                                                                    absl::Duration ttl) = 0;
  virtual asio::awaitable<absl::Status> RenewLease(uint64_t user_id, std::string lease_id,
                                                   absl::Duration ttl) = 0;
  virtual asio::awaitable<absl::Status> ReleaseLease(uint64_t user_id, std::string lease_id) = 0;

  // The user's INBOX with every message's UID and size.
  virtual asio::awaitable<absl::StatusOr<Inbox>> OpenInbox(uint64_t user_id) = 0;

  // Whole bodies of several (small) messages in one round trip, in `uids` order; messages
  // that have gone are left out.
  virtual asio::awaitable<absl::StatusOr<std::vector<std::pair<uint32_t, std::string>>>>
  FetchBodies(uint64_t user_id, uint64_t mailbox_id, std::vector<uint32_t> uids) = 0;
  // Streams one message (for large ones).
  virtual std::unique_ptr<MessageSource> OpenMessage(uint64_t user_id, uint64_t mailbox_id,
                                                     uint32_t uid) = 0;

  // Removes `uids` from the mailbox in one store transaction (RFC 1939 §6 UPDATE); OK only
  // once committed. Messages already gone are not an error.
  virtual asio::awaitable<absl::Status> Expunge(uint64_t user_id, uint64_t mailbox_id,
                                                std::vector<uint32_t> uids) = 0;
};

}  // namespace mailroom::pop3

#endif  // MAILROOM_SERVICES_POP3_SESSION_STORE_H_
