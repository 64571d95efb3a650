// MailDb: every read and write of mail data, one PostgreSQL transaction per call. The only
// code of the project that knows SQL (STYLE.md). Requests and results are the contract's
// protobuf data types (no gRPC here); errors are the gRPC-mappable codes of store.proto.
#ifndef MAILROOM_SERVICES_STORE_DB_MAIL_DB_H_
#define MAILROOM_SERVICES_STORE_DB_MAIL_DB_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mailroom/store/v1/store.pb.h"
#include "services/store/domain/address.h"
#include "services/store/domain/ingest.h"

namespace mailroom::store::db {

namespace v1 = ::mailroom::store::v1;

class ConnectionPool;

// The channel on which committed changes are announced (NOTIFY payload: base64 of a
// serialized v1::ChangeEvent).
inline constexpr char kChangeChannel[] = "mailroom_changes";
// The payload on kChangeChannel that makes every watcher of every store replica resynchronise
// (not base64: older replicas ignore it). Sent by MailDb::AnnounceStart().
inline constexpr char kResyncPayload[] = "!resync";

struct UserAuth {
  v1::Principal principal;
  std::string password_hash;
  bool disabled = false;
};

// One message to add to a mailbox: content plus what is per copy.
struct NewMessage {
  uint64_t user_id = 0;
  std::string mailbox;       // canonical name; empty = INBOX
  bool fallback_to_inbox = false;  // a missing `mailbox` means INBOX instead of NOT_FOUND
  v1::Flags flags;
  int64_t internal_date_us = 0;    // Unix microseconds; 0 = now
  std::string delivery_json;       // SMTP envelope and DSN parameters (JSON); empty = none
};

// One message of a several-message APPEND (RFC 3502 MULTIAPPEND) whose content was stored
// ahead by MailDb::StageContent().
struct StagedMessage {
  std::string sha256;           // 32 raw bytes
  uint64_t size = 0;
  v1::Flags flags;
  int64_t internal_date_us = 0;  // Unix microseconds; 0 = now
};

class MailDb {
 public:
  explicit MailDb(ConnectionPool* pool);

  // --- accounts -------------------------------------------------------------------------
  // NOT_FOUND when no user has that canonical address.
  absl::StatusOr<UserAuth> GetUserAuth(const std::string& address);
  // Resolves users, aliases, plus-addressing and catch-all (see ResolveAddressResponse).
  absl::StatusOr<v1::ResolveAddressResponse> ResolveAddress(const ParsedAddress& address);
  absl::StatusOr<v1::GetQuotaResponse> GetQuota(uint64_t user_id);

  // --- admin ----------------------------------------------------------------------------
  absl::StatusOr<v1::Domain> AddDomain(const std::string& name, const std::string& catch_all);
  absl::StatusOr<std::vector<v1::Domain>> ListDomains();
  // FAILED_PRECONDITION when the domain still has users and !force.
  absl::Status RemoveDomain(const std::string& name, bool force);
  // Creates the user with INBOX, Drafts, Sent, Trash, Junk and Archive, all subscribed.
  // NOT_FOUND for an unknown domain, ALREADY_EXISTS for a taken address or alias.
  absl::StatusOr<v1::User> AddUser(const ParsedAddress& address, const std::string& hash,
                                   uint64_t quota_bytes);
  absl::StatusOr<std::vector<v1::User>> ListUsers(const std::string& domain);
  absl::Status RemoveUser(const std::string& address);
  absl::Status SetPasswordHash(const std::string& address, const std::string& hash);
  absl::StatusOr<v1::User> SetQuota(const std::string& address, uint64_t quota_bytes);
  absl::Status SetDisabled(const std::string& address, bool disabled);
  absl::StatusOr<v1::Alias> AddAlias(const ParsedAddress& alias, const std::string& target);
  absl::StatusOr<std::vector<v1::Alias>> ListAliases(const std::string& domain);
  absl::Status RemoveAlias(const std::string& address);

  // --- mailboxes ------------------------------------------------------------------------
  absl::StatusOr<v1::ListMailboxesResponse> ListMailboxes(uint64_t user_id, bool subscribed);
  // Names are canonical (domain/mailbox_name.h). Missing parents are created (RFC 9051 §6.3.4).
  absl::StatusOr<v1::MailboxInfo> CreateMailbox(uint64_t user_id, const std::string& name,
                                                v1::SpecialUse special_use);
  // FAILED_PRECONDITION for INBOX or a mailbox with children.
  absl::Status DeleteMailbox(uint64_t user_id, const std::string& name);
  absl::Status RenameMailbox(uint64_t user_id, const std::string& from, const std::string& to);
  absl::Status Subscribe(uint64_t user_id, const std::string& name, bool subscribe);
  absl::StatusOr<v1::MailboxStatus> GetStatus(uint64_t user_id, const std::string& name);
  absl::StatusOr<v1::SelectMailboxResponse> Select(const v1::SelectMailboxRequest& request,
                                                   const std::string& name);

  // --- messages -------------------------------------------------------------------------
  // Stores `raw` once (by SHA-256) and adds one message per target, all in one transaction.
  // RESOURCE_EXHAUSTED when a user would go over quota; NOT_FOUND for a missing mailbox
  // (unless fallback_to_inbox). With a non-empty transaction_id, a repeated call returns the
  // first call's results without delivering again.
  absl::StatusOr<v1::DeliverMessageResponse> AddMessages(const std::string& raw,
                                                         const IngestedContent& content,
                                                         const std::vector<NewMessage>& targets,
                                                         const std::string& transaction_id);
  // Stores a content ahead of the transaction that will reference it: refcount 0, committed
  // asynchronously (the referencing transaction's synchronous commit flushes it too). A content
  // no message ends up using is removed by CollectGarbage().
  absl::Status StageContent(const std::string& raw, const IngestedContent& content);
  // Adds the staged `messages` to mailbox `mailbox` (canonical name) of `user_id` in ONE
  // transaction, with consecutive UIDs in their order, or adds none (RFC 3502 §6.3.11). Quota is
  // charged for their sum. Returns the UIDs (AppendMessageResponse.uids) and the MODSEQ.
  // NOT_FOUND for a missing user or mailbox; RESOURCE_EXHAUSTED over quota; UNAVAILABLE when a
  // staged content was released meanwhile (a concurrent expunge of the same content: the
  // caller no longer has the bytes, the client may retry); INVALID_ARGUMENT for no messages.
  absl::StatusOr<v1::AppendMessageResponse> AppendStaged(
      uint64_t user_id, const std::string& mailbox, const std::vector<StagedMessage>& messages);
  // Announces (kResyncPayload) that this store replica starts: one that stopped between a
  // commit and its announcement (they are sent after the commit, pool.cc) left watchers on
  // other replicas without it, so all of them resynchronise. UNAVAILABLE without a database.
  absl::Status AnnounceStart();
  // Deletes contents no message uses that are older than `min_age` (staged for deliveries that
  // were refused or never committed). Returns how many it removed.
  absl::StatusOr<int64_t> CollectGarbage(absl::Duration min_age);
  // Streams the requested attributes in batches of at most `batch` messages, UID order.
  absl::Status Fetch(const v1::FetchMessagesRequest& request, int batch,
                     const std::function<bool(v1::FetchMessagesResponse&)>& emit);
  // Returns the raw message's SHA-256 key, size and serialized BodyPart, for ReadMessage.
  struct ContentRef {
    std::string sha256;
    uint64_t size = 0;
    uint64_t header_size = 0;
    v1::BodyPart structure;
  };
  absl::StatusOr<ContentRef> GetContentRef(uint64_t user_id, uint64_t mailbox_id, uint32_t uid);
  // Bytes [offset, offset+length) of a content (clipped to its size).
  absl::StatusOr<std::string> ReadContent(const std::string& sha256, uint64_t offset,
                                          uint64_t length);
  absl::StatusOr<v1::StoreFlagsResponse> StoreFlags(const v1::StoreFlagsRequest& request);
  absl::StatusOr<v1::CopyMessagesResponse> Copy(const v1::CopyMessagesRequest& request,
                                                const std::string& destination);
  absl::StatusOr<v1::ExpungeResponse> Expunge(const v1::ExpungeRequest& request);
  absl::StatusOr<v1::SearchMessagesResponse> Search(const v1::SearchMessagesRequest& request);
  absl::StatusOr<v1::GetExpungedResponse> GetExpunged(const v1::GetExpungedRequest& request);

  // One AddMessages call waiting to be committed in a batch (mail_db_messages.cc).
  struct PendingAdd {
    const std::string* raw = nullptr;
    const IngestedContent* content = nullptr;
    const std::vector<NewMessage>* targets = nullptr;
    const std::string* transaction_id = nullptr;
    bool done = false;
    absl::Status status;
    v1::DeliverMessageResponse response;
  };

  // --- POP3 leases ----------------------------------------------------------------------
  // FAILED_PRECONDITION ("in use") when another live lease exists.
  absl::StatusOr<std::string> AcquireLease(uint64_t user_id, const std::string& holder,
                                           uint32_t ttl_seconds);
  absl::Status RenewLease(uint64_t user_id, const std::string& lease_id, uint32_t ttl_seconds);
  absl::Status ReleaseLease(uint64_t user_id, const std::string& lease_id);

 private:
  void RunBatch(const std::vector<PendingAdd*>& batch);
  // An APPEND (one target, no idempotency key) in one statement; OUT_OF_RANGE (nothing
  // changed) when refused, for AddOne to tell why (mail_db_messages.cc).
  absl::StatusOr<v1::DeliverMessageResponse> AppendOne(const std::string& raw,
                                                       const IngestedContent& content,
                                                       const NewMessage& target);
  // StoreFlags of system flags alone, in one statement (mail_db_flags.cc).
  absl::StatusOr<v1::StoreFlagsResponse> StoreSystemFlags(const v1::StoreFlagsRequest& request);

  static constexpr size_t kMaxBatchDeliveries = 64;
  static constexpr uint64_t kMaxBatchBytes = 32ull << 20;

  ConnectionPool* pool_;
  std::mutex batch_mu_;
  std::condition_variable batch_cv_;
  std::deque<PendingAdd*> batch_queue_;
  bool batch_leader_active_ = false;
};

}  // namespace mailroom::store::db

#endif  // MAILROOM_SERVICES_STORE_DB_MAIL_DB_H_
