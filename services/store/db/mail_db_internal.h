// Transaction-level helpers shared by the MailDb implementation files (internal to store/db).
#ifndef MAILROOM_SERVICES_STORE_DB_MAIL_DB_INTERNAL_H_
#define MAILROOM_SERVICES_STORE_DB_MAIL_DB_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mailroom/store/v1/store.pb.h"

namespace mailroom::store::db {

namespace v1 = ::mailroom::store::v1;

// Statements used by more than one MailDb file.
// Charges $2 bytes and $3 messages to user $1 unless that exceeds the quota (no row back).
inline constexpr char kChargeQuotaSql[] =
    "UPDATE users SET used_bytes = used_bytes + $2, used_messages = used_messages + $3 "
    "WHERE user_id = $1 AND (quota_bytes = 0 OR used_bytes + $2 <= quota_bytes) "
    "RETURNING user_id";
// Reserves $3 UIDs in a mailbox (locked by the caller) and raises its MODSEQ: returns the
// first UID, the new HIGHESTMODSEQ and the UIDVALIDITY.
inline constexpr char kAllocateUidsSql[] =
    "UPDATE mailboxes SET uidnext = uidnext + $3, highestmodseq = highestmodseq + 1 "
    "WHERE user_id = $1 AND mailbox_id = $2 RETURNING uidnext - $3, highestmodseq, uidvalidity";

// Stores a content with refcount 0 ahead of the transaction that references it (see
// MailDb::StageContent); its commit may be asynchronous.
inline constexpr char kStageContentSql[] =
    "INSERT INTO contents (sha256, refcount, size, header_size, raw, envelope, structure, "
    "headers, body_text, preview, sent_date, sort_subject, sort_from, sort_to, sort_cc) "
    "VALUES ($1, 0, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, to_timestamp($10::double precision),"
    " $11, $12, $13, $14) ON CONFLICT (sha256) DO NOTHING";
inline constexpr char kAsyncCommitSql[] = "SET LOCAL synchronous_commit = off";
// Takes $2 references on content $1; no row is affected when the content is gone.
inline constexpr char kAddContentRefsSql[] =
    "UPDATE contents SET refcount = refcount + $2 WHERE sha256 = $1";
inline constexpr char kInsertMessageSql[] =
    "INSERT INTO messages (user_id, mailbox_id, uid, sha256, size, internal_date, flags, "
    "keywords, modseq, delivery) VALUES ($1, $2, $3, $4, $5, "
    "CASE WHEN $6::bigint = 0 THEN now() ELSE to_timestamp($6::bigint / 1000000.0) END, "
    "$7, $8::text[], $9, $10::jsonb)";

struct MailboxRow {
  uint64_t mailbox_id = 0;
  std::string name;
  int special_use = 0;
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 0;
  uint64_t highestmodseq = 0;
};

// The mailbox `name` of the user (no lock), or NOT_FOUND.
absl::StatusOr<MailboxRow> FindMailbox(pqxx::transaction_base& txn, uint64_t user_id,
                                       const std::string& name);
// The mailbox by id, locked FOR UPDATE (serialises UID/MODSEQ allocation), or NOT_FOUND.
absl::StatusOr<MailboxRow> LockMailbox(pqxx::transaction_base& txn, uint64_t user_id, uint64_t mailbox_id);
// Locks the user row. Transactions that change a user's quota lock rows in the order
// contents, user, mailboxes (deliveries and APPEND do); one that locks a mailbox and then
// changes quota takes the user row first with this, else it deadlocks with them.
void LockUser(pqxx::transaction_base& txn, uint64_t user_id);
// Raises the mailbox's HIGHESTMODSEQ by one and returns the new value.
uint64_t BumpModseq(pqxx::transaction_base& txn, uint64_t user_id, uint64_t mailbox_id);

// Per-content reference counting: messages removed → refcount down, contents at zero deleted.
void ReleaseContents(pqxx::transaction_base& txn, const std::vector<std::string>& sha256s);
// Deletes those of `sha256s` whose refcount has come down to zero.
void DropUnusedContents(pqxx::transaction_base& txn, const std::vector<std::string>& sha256s);
// Removes a user and all their mail, releasing contents.
void DeleteUserData(pqxx::transaction_base& txn, uint64_t user_id);

// Expunges the messages of a mailbox in the UID ranges `firsts`/`lasts` (only \\Deleted ones
// with `only_deleted`): deleted, recorded as expunged at one new MODSEQ, announced after the
// commit and, with `release`, their quota given back and their contents released (MOVE keeps
// both for its copies). Locks the mailbox row. NOT_FOUND when there is no such mailbox.
struct ExpungedMessages {
  std::vector<uint32_t> uids;  // ascending
  uint64_t highestmodseq = 0;  // the mailbox's afterwards
};
absl::StatusOr<ExpungedMessages> ExpungeMessages(pqxx::transaction_base& txn, uint64_t user_id,
                                                 uint64_t mailbox_id, const std::string& firsts,
                                                 const std::string& lasts, bool only_deleted,
                                                 bool release);

}  // namespace mailroom::store::db

#endif  // MAILROOM_SERVICES_STORE_DB_MAIL_DB_INTERNAL_H_
