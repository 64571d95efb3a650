// MailDb: mailboxes (list, create, delete, rename, subscribe, status, select) and the
// transaction helpers of mail_db_internal.h.
#include <algorithm>
#include <pqxx/binarystring>

#include "absl/strings/str_cat.h"
#include "services/shared/status/status_macros.h"
#include "services/store/db/mail_db.h"
#include "services/store/db/mail_db_internal.h"
#include "services/store/db/pool.h"
#include "services/store/db/sql_util.h"
#include "services/store/domain/mailbox_name.h"

namespace mailroom::store::db {
namespace {

constexpr char kFindMailboxSql[] =
    "SELECT mailbox_id, name, special_use, uidvalidity, uidnext, highestmodseq "
    "FROM mailboxes WHERE user_id = $1 AND name = $2";
constexpr char kLockMailboxSql[] =
    "SELECT mailbox_id, name, special_use, uidvalidity, uidnext, highestmodseq "
    "FROM mailboxes WHERE user_id = $1 AND mailbox_id = $2 FOR UPDATE";
constexpr char kBumpModseqSql[] =
    "UPDATE mailboxes SET highestmodseq = highestmodseq + 1 "
    "WHERE user_id = $1 AND mailbox_id = $2 RETURNING highestmodseq";
constexpr char kLockUserSql[] = "SELECT 1 FROM users WHERE user_id = $1 FOR NO KEY UPDATE";
constexpr char kReleaseContentsSql[] =
    "WITH dec AS (SELECT s, count(*) AS n FROM unnest($1::bytea[]) AS s GROUP BY s) "
    "UPDATE contents c SET refcount = c.refcount - dec.n FROM dec WHERE c.sha256 = dec.s";
constexpr char kDeleteUnusedContentsSql[] =
    "DELETE FROM contents WHERE sha256 = ANY($1::bytea[]) AND refcount <= 0";
constexpr char kUserShasSql[] = "SELECT sha256 FROM messages WHERE user_id = $1";
constexpr char kDeleteUserSql[] = "DELETE FROM users WHERE user_id = $1";
constexpr char kRecordExpungedSql[] =
    "INSERT INTO expunged (user_id, mailbox_id, uid, modseq) "
    "SELECT $1, $2, u, $4 FROM unnest($3::bigint[]) AS u "
    "ON CONFLICT (user_id, mailbox_id, uid) DO UPDATE SET modseq = EXCLUDED.modseq";
constexpr char kUnquotaSql[] =
    "UPDATE users SET used_bytes = greatest(used_bytes - $2, 0), "
    "used_messages = greatest(used_messages - $3, 0) WHERE user_id = $1";

constexpr char kListMailboxesSql[] =
    "SELECT m.mailbox_id, m.name, m.special_use, m.uidvalidity, "
    "(s.name IS NOT NULL) FROM mailboxes m LEFT JOIN subscriptions s "
    "ON s.user_id = m.user_id AND s.name = m.name WHERE m.user_id = $1 ORDER BY m.name";
constexpr char kOrphanSubscriptionsSql[] =
    "SELECT s.name FROM subscriptions s WHERE s.user_id = $1 AND NOT EXISTS "
    "(SELECT 1 FROM mailboxes m WHERE m.user_id = s.user_id AND m.name = s.name) "
    "ORDER BY s.name";
constexpr char kInsertMailboxSql[] =
    "INSERT INTO mailboxes (user_id, name, special_use, uidvalidity) "
    "VALUES ($1, $2, $3, nextval('uidvalidity_seq')) "
    "RETURNING mailbox_id, name, special_use, uidvalidity";
constexpr char kHasChildrenSql[] =
    "SELECT 1 FROM mailboxes WHERE user_id = $1 AND starts_with(name, $2) LIMIT 1";
constexpr char kMailboxShasSql[] =
    "SELECT sha256, size FROM messages WHERE user_id = $1 AND mailbox_id = $2";
constexpr char kDeleteMailboxSql[] =
    "DELETE FROM mailboxes WHERE user_id = $1 AND mailbox_id = $2";
constexpr char kFamilySql[] =
    "SELECT mailbox_id, name FROM mailboxes WHERE user_id = $1 AND "
    "(name = $2 OR starts_with(name, $2 || '/')) ORDER BY name";
constexpr char kRenameSql[] =
    "UPDATE mailboxes SET name = $3 WHERE user_id = $1 AND mailbox_id = $2";
constexpr char kMoveAllMessagesSql[] =
    "WITH moved AS (DELETE FROM messages WHERE user_id = $1 AND mailbox_id = $2 "
    "RETURNING uid, sha256, size, internal_date, flags, keywords) "
    "INSERT INTO messages (user_id, mailbox_id, uid, sha256, size, internal_date, flags, "
    "keywords, modseq) SELECT $1, $3, row_number() OVER (ORDER BY uid), sha256, size, "
    "internal_date, flags, keywords, 1 FROM moved RETURNING uid";
constexpr char kSetUidnextSql[] =
    "UPDATE mailboxes SET uidnext = $3 + 1, highestmodseq = highestmodseq + 1 "
    "WHERE user_id = $1 AND mailbox_id = $2";
constexpr char kSubscribeSql[] =
    "INSERT INTO subscriptions (user_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING";
constexpr char kUnsubscribeSql[] = "DELETE FROM subscriptions WHERE user_id = $1 AND name = $2";
constexpr char kStatusCountsSql[] =
    "SELECT count(*), count(*) FILTER (WHERE flags & 1 = 0), coalesce(sum(size), 0), "
    "count(*) FILTER (WHERE flags & 8 <> 0) FROM messages "
    "WHERE user_id = $1 AND mailbox_id = $2";
constexpr char kSelectMessagesSql[] =
    "SELECT uid, flags, keywords, modseq FROM messages "
    "WHERE user_id = $1 AND mailbox_id = $2 AND modseq > $3 ORDER BY uid";
constexpr char kKeywordsInUseSql[] =
    "SELECT DISTINCT unnest(keywords) FROM messages WHERE user_id = $1 AND mailbox_id = $2";
constexpr char kVanishedSql[] =
    "SELECT uid FROM expunged WHERE user_id = $1 AND mailbox_id = $2 AND modseq > $3 "
    "ORDER BY uid";

MailboxRow MailboxFromRow(const pqxx::row& r) {
  MailboxRow m;
  m.mailbox_id = r[0].as<uint64_t>();
  m.name = r[1].as<std::string>();
  m.special_use = r[2].as<int>();
  m.uidvalidity = r[3].as<uint32_t>();
  m.uidnext = r[4].as<uint32_t>();
  m.highestmodseq = r[5].as<uint64_t>();
  return m;
}

// Creates `name` and any missing parents (RFC 9051 §6.3.4); returns the last one created.
absl::StatusOr<v1::MailboxInfo> CreateWithParents(pqxx::transaction_base& txn, uint64_t user_id,
                                                  const std::string& name,
                                                  v1::SpecialUse use) {
  for (size_t pos = name.find('/'); pos != std::string::npos; pos = name.find('/', pos + 1)) {
    std::string parent = name.substr(0, pos);
    if (FindMailbox(txn, user_id, parent).ok()) continue;
    ExecFixed(txn, kInsertMailboxSql, user_id, parent, 0);
  }
  if (FindMailbox(txn, user_id, name).ok()) {
    return absl::AlreadyExistsError(absl::StrCat("mailbox already exists: ", name));
  }
  pqxx::result r = ExecFixed(txn, kInsertMailboxSql, user_id, name, static_cast<int>(use));
  v1::MailboxInfo info;
  info.set_mailbox_id(r[0][0].as<uint64_t>());
  info.set_name(r[0][1].as<std::string>());
  info.set_special_use(static_cast<v1::SpecialUse>(r[0][2].as<int>()));
  info.set_uidvalidity(r[0][3].as<uint32_t>());
  return info;
}

v1::ChangeEvent MailboxEvent(v1::ChangeEvent::Kind kind, uint64_t user_id, uint64_t mailbox_id,
                             const std::string& name) {
  v1::ChangeEvent e;
  e.set_kind(kind);
  e.set_user_id(user_id);
  e.set_mailbox_id(mailbox_id);
  e.set_mailbox_name(name);
  return e;
}

}  // namespace

absl::StatusOr<MailboxRow> FindMailbox(pqxx::transaction_base& txn, uint64_t user_id,
                                       const std::string& name) {
  pqxx::result r = ExecFixed(txn, kFindMailboxSql, user_id, name);
  if (r.empty()) return absl::NotFoundError(absl::StrCat("no mailbox ", name));
  return MailboxFromRow(r[0]);
}

absl::StatusOr<MailboxRow> LockMailbox(pqxx::transaction_base& txn, uint64_t user_id, uint64_t mailbox_id) {
  pqxx::result r = ExecFixed(txn, kLockMailboxSql, user_id, mailbox_id);
  if (r.empty()) return absl::NotFoundError("no such mailbox");
  return MailboxFromRow(r[0]);
}

void LockUser(pqxx::transaction_base& txn, uint64_t user_id) {
  ExecFixed(txn, kLockUserSql, user_id);
}

uint64_t BumpModseq(pqxx::transaction_base& txn, uint64_t user_id, uint64_t mailbox_id) {
  return ExecFixed(txn, kBumpModseqSql, user_id, mailbox_id)[0][0].as<uint64_t>();
}

void ReleaseContents(pqxx::transaction_base& txn, const std::vector<std::string>& sha256s) {
  if (sha256s.empty()) return;
  ExecFixed(txn, kReleaseContentsSql, ByteaArray(sha256s));
  DropUnusedContents(txn, sha256s);
}

void DropUnusedContents(pqxx::transaction_base& txn, const std::vector<std::string>& sha256s) {
  if (!sha256s.empty()) ExecFixed(txn, kDeleteUnusedContentsSql, ByteaArray(sha256s));
}

void DeleteUserData(pqxx::transaction_base& txn, uint64_t user_id) {
  std::vector<std::string> shas;
  for (const pqxx::row& row : ExecFixed(txn, kUserShasSql, user_id)) shas.push_back(Bytes(row[0]));
  ExecFixed(txn, kDeleteUserSql, user_id);  // cascades to mailboxes, messages, aliases
  ReleaseContents(txn, shas);
}

absl::StatusOr<v1::ListMailboxesResponse> MailDb::ListMailboxes(uint64_t user_id,
                                                                bool subscribed_only) {
  v1::ListMailboxesResponse out;
  RETURN_IF_ERROR(pool_->Run("list_mailboxes", [&](pqxx::work& txn) {
    out.Clear();
    for (const pqxx::row& row : ExecFixed(txn, kListMailboxesSql, user_id)) {
      if (subscribed_only && !row[4].as<bool>()) continue;
      v1::MailboxInfo* m = out.add_mailboxes();
      m->set_mailbox_id(row[0].as<uint64_t>());
      m->set_name(row[1].as<std::string>());
      m->set_special_use(static_cast<v1::SpecialUse>(row[2].as<int>()));
      m->set_uidvalidity(row[3].as<uint32_t>());
      m->set_subscribed(row[4].as<bool>());
    }
    for (const pqxx::row& row : ExecFixed(txn, kOrphanSubscriptionsSql, user_id)) {
      out.add_subscribed_nonexistent(row[0].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::MailboxInfo> MailDb::CreateMailbox(uint64_t user_id, const std::string& name,
                                                      v1::SpecialUse special_use) {
  v1::MailboxInfo out;
  RETURN_IF_ERROR(pool_->Run("create_mailbox", [&](pqxx::work& txn) {
    ASSIGN_OR_RETURN(out, CreateWithParents(txn, user_id, name, special_use));
    Notify(txn, MailboxEvent(v1::ChangeEvent::KIND_MAILBOX_CREATED, user_id, out.mailbox_id(),
                             name));
    return absl::OkStatus();
  }));
  return out;
}

absl::Status MailDb::DeleteMailbox(uint64_t user_id, const std::string& name) {
  if (name == kInbox) return absl::FailedPreconditionError("INBOX cannot be deleted");
  return pool_->Run("delete_mailbox", [&](pqxx::work& txn) {
    ASSIGN_OR_RETURN(MailboxRow mb, FindMailbox(txn, user_id, name));
    if (!ExecFixed(txn, kHasChildrenSql, user_id, name + "/").empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("mailbox ", name, " has children; delete them first"));
    }
    LockUser(txn, user_id);  // its quota changes: before the mailbox (see LockUser)
    ASSIGN_OR_RETURN(mb, LockMailbox(txn, user_id, mb.mailbox_id));
    std::vector<std::string> shas;
    int64_t bytes = 0;
    for (const pqxx::row& row : ExecFixed(txn, kMailboxShasSql, user_id, mb.mailbox_id)) {
      shas.push_back(Bytes(row[0]));
      bytes += row[1].as<int64_t>();
    }
    ExecFixed(txn, kDeleteMailboxSql, user_id, mb.mailbox_id);
    ExecFixed(txn, kUnquotaSql, user_id, bytes, static_cast<int64_t>(shas.size()));
    ReleaseContents(txn, shas);
    Notify(txn, MailboxEvent(v1::ChangeEvent::KIND_MAILBOX_DELETED, user_id, mb.mailbox_id,
                             name));
    return absl::OkStatus();
  });
}

absl::Status MailDb::RenameMailbox(uint64_t user_id, const std::string& from,
                                   const std::string& to) {
  if (IsSameOrDescendant(to, from)) {
    return absl::InvalidArgumentError("cannot rename a mailbox into itself");
  }
  return pool_->Run("rename_mailbox", [&](pqxx::work& txn) {
    ASSIGN_OR_RETURN(MailboxRow source, FindMailbox(txn, user_id, from));
    if (FindMailbox(txn, user_id, to).ok()) {
      return absl::AlreadyExistsError(absl::StrCat("mailbox already exists: ", to));
    }
    if (from == kInbox) {
      // RFC 9051 §6.3.6: move INBOX's messages to a new mailbox; INBOX stays, empty, and its
      // inferiors are not renamed.
      ASSIGN_OR_RETURN(MailboxRow inbox, LockMailbox(txn, user_id, source.mailbox_id));
      ASSIGN_OR_RETURN(v1::MailboxInfo created,
                       CreateWithParents(txn, user_id, to, v1::SPECIAL_USE_UNSPECIFIED));
      std::vector<int64_t> old_uids;
      v1::ChangeEvent expunged;
      for (const pqxx::row& row : ExecFixed(txn, kSelectMessagesSql, user_id, inbox.mailbox_id,
                                            0)) {
        old_uids.push_back(row[0].as<int64_t>());
        expunged.add_uids(row[0].as<uint32_t>());
      }
      pqxx::result moved = ExecFixed(txn, kMoveAllMessagesSql, user_id, inbox.mailbox_id,
                                     created.mailbox_id());
      ExecFixed(txn, kSetUidnextSql, user_id, created.mailbox_id(),
                static_cast<int64_t>(moved.size()));
      if (!old_uids.empty()) {
        // The moved messages are gone from INBOX: record them as expunged there.
        const uint64_t modseq = BumpModseq(txn, user_id, inbox.mailbox_id);
        ExecFixed(txn, kRecordExpungedSql, user_id, inbox.mailbox_id, IntArray(old_uids),
                  modseq);
        expunged.set_kind(v1::ChangeEvent::KIND_MESSAGES_EXPUNGED);
        expunged.set_user_id(user_id);
        expunged.set_mailbox_id(inbox.mailbox_id);
        expunged.set_modseq(modseq);
        Notify(txn, expunged);
      }
      Notify(txn, MailboxEvent(v1::ChangeEvent::KIND_MAILBOX_CREATED, user_id,
                               created.mailbox_id(), to));
      return absl::OkStatus();
    }
    for (size_t pos = to.find('/'); pos != std::string::npos; pos = to.find('/', pos + 1)) {
      std::string parent = to.substr(0, pos);
      if (!FindMailbox(txn, user_id, parent).ok()) {
        ExecFixed(txn, kInsertMailboxSql, user_id, parent, 0);
      }
    }
    for (const pqxx::row& row : ExecFixed(txn, kFamilySql, user_id, from)) {
      const std::string old_name = row[1].as<std::string>();
      const std::string new_name = to + old_name.substr(from.size());
      ExecFixed(txn, kRenameSql, user_id, row[0].as<int64_t>(), new_name);
      Notify(txn, MailboxEvent(v1::ChangeEvent::KIND_MAILBOX_RENAMED, user_id,
                               row[0].as<uint64_t>(), new_name));
    }
    return absl::OkStatus();
  });
}

absl::Status MailDb::Subscribe(uint64_t user_id, const std::string& name, bool subscribe) {
  return pool_->Run("subscribe", [&](pqxx::work& txn) {
    txn.exec_params(subscribe ? kSubscribeSql : kUnsubscribeSql, user_id, name);
    return absl::OkStatus();
  });
}

namespace {
v1::MailboxStatus StatusOf(pqxx::transaction_base& txn, uint64_t user_id, const MailboxRow& mb) {
  pqxx::result c = ExecFixed(txn, kStatusCountsSql, user_id, mb.mailbox_id);
  v1::MailboxStatus s;
  s.set_mailbox_id(mb.mailbox_id);
  s.set_name(mb.name);
  s.set_messages(c[0][0].as<uint32_t>());
  s.set_unseen(c[0][1].as<uint32_t>());
  s.set_size(c[0][2].as<uint64_t>());
  s.set_deleted(c[0][3].as<uint32_t>());
  s.set_uidnext(mb.uidnext);
  s.set_uidvalidity(mb.uidvalidity);
  s.set_highestmodseq(mb.highestmodseq);
  return s;
}
}  // namespace

absl::StatusOr<v1::MailboxStatus> MailDb::GetStatus(uint64_t user_id, const std::string& name) {
  v1::MailboxStatus out;
  RETURN_IF_ERROR(pool_->Run("mailbox_status", [&](pqxx::work& txn) {
    ASSIGN_OR_RETURN(MailboxRow mb, FindMailbox(txn, user_id, name));
    out = StatusOf(txn, user_id, mb);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::SelectMailboxResponse> MailDb::Select(const v1::SelectMailboxRequest& request,
                                                         const std::string& name) {
  v1::SelectMailboxResponse out;
  const uint64_t user_id = request.user_id();
  RETURN_IF_ERROR(pool_->Run("select_mailbox", [&](pqxx::work& txn) {
    out.Clear();
    // One snapshot for the status and the UID list, so that they agree.
    txn.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    ASSIGN_OR_RETURN(MailboxRow mb, FindMailbox(txn, user_id, name));
    *out.mutable_status() = StatusOf(txn, user_id, mb);
    v1::MailboxInfo* info = out.mutable_mailbox();
    info->set_mailbox_id(mb.mailbox_id);
    info->set_name(mb.name);
    info->set_special_use(static_cast<v1::SpecialUse>(mb.special_use));
    info->set_uidvalidity(mb.uidvalidity);
    const bool resync = request.changed_since_modseq() > 0 &&
                        request.known_uidvalidity() == mb.uidvalidity;
    const int64_t since = resync ? static_cast<int64_t>(request.changed_since_modseq()) : 0;
    for (const pqxx::row& row : ExecFixed(txn, kSelectMessagesSql, user_id, mb.mailbox_id,
                                          since)) {
      v1::MessageSummary* m = out.add_messages();
      m->set_uid(row[0].as<uint32_t>());
      *m->mutable_flags() = FlagsFromRow(row, 1, 2);
      m->set_modseq(row[3].as<uint64_t>());
    }
    for (const pqxx::row& row : ExecFixed(txn, kKeywordsInUseSql, user_id, mb.mailbox_id)) {
      out.add_keywords(row[0].as<std::string>());
    }
    if (resync) {
      std::vector<uint32_t> vanished;
      for (const pqxx::row& row :
           ExecFixed(txn, kVanishedSql, user_id, mb.mailbox_id, since)) {
        vanished.push_back(row[0].as<uint32_t>());
      }
      *out.mutable_vanished() = ToUidSet(vanished);
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace mailroom::store::db
