// MailDb: STORE (flags and keywords, with UNCHANGEDSINCE) and COPY / MOVE.
#include <algorithm>
#include <pqxx/binarystring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/shared/status/status_macros.h"
#include "services/store/db/mail_db.h"
#include "services/store/db/mail_db_internal.h"
#include "services/store/db/pool.h"
#include "services/store/db/sql_util.h"
#include "services/store/domain/flags.h"

namespace mailroom::store::db {
namespace {

// The messages' flags under the mailbox's row lock: every writer of a mailbox's messages holds
// that lock (LockMailbox, or the UID allocation of new messages), so their rows need none.
// Statements here and in mail_db_messages.cc read the messages of UID ranges with one index
// range scan per range, `unnest(firsts, lasts) AS r, LATERAL (... uid BETWEEN r.lo AND r.hi
// OFFSET 0)` (OFFSET 0 or LIMIT keep the planner from flattening it into a join that scans
// the whole mailbox), and update or delete the rows so found by `uid = ANY(ARRAY(...))`: their
// generic plans (pool.cc lets PostgreSQL reuse them) are as good as planning each execution.
constexpr char kSelectForStoreSql[] =
    "SELECT m.uid, m.flags, m.keywords, m.modseq FROM unnest($3::bigint[], $4::bigint[]) "
    "AS r(lo, hi), LATERAL (SELECT uid, flags, keywords, modseq FROM messages "
    "WHERE user_id = $1 AND mailbox_id = $2 AND uid BETWEEN r.lo AND r.hi OFFSET 0) m "
    "ORDER BY m.uid";
// One statement for the change: the new flags at MODSEQ $6 (the locked mailbox's
// HIGHESTMODSEQ + 1) and the mailbox raised to it.
constexpr char kUpdateFlagsSql[] =
    "WITH bump AS (UPDATE mailboxes SET highestmodseq = $6 "
    "WHERE user_id = $1 AND mailbox_id = $2), "
    "changed AS (UPDATE messages m SET flags = v.f, modseq = $6, keywords = CASE WHEN v.k = '' "
    "THEN '{}'::text[] ELSE string_to_array(v.k, ' ') END "
    "FROM unnest($3::bigint[], $4::integer[], $5::text[]) AS v(uid, f, k) "
    "WHERE m.user_id = $1 AND m.mailbox_id = $2 AND m.uid = v.uid) "
    "SELECT 1";
// STORE of system flags alone (no keywords asked for, no UNCHANGEDSINCE) as ONE statement,
// committed on its own: the messages of the UID ranges $3/$4 whose flags the change alters
// ($5: 1 replace, 2 add, 3 remove system flags $6; replace also clears keywords) get them at
// the mailbox's next MODSEQ, which is raised only when something changes. READ COMMITTED
// keeps it right under concurrency: the mailbox row lock of the MODSEQ update serialises
// changers, and a message row changed meanwhile is re-read before it is written. Rows: one per
// changed message (uid, flags, keywords), then one with a NULL uid, the mailbox's
// HIGHESTMODSEQ after the change and the change's announcement (NULL: no change; no such row:
// no mailbox).
constexpr char kStoreSystemFlagsSql[] =
    "WITH target AS (SELECT m.uid FROM unnest($3::bigint[], $4::bigint[]) AS r(lo, hi), "
    "LATERAL (SELECT uid, flags, keywords FROM messages WHERE user_id = $1 AND mailbox_id = $2 "
    "AND uid BETWEEN r.lo AND r.hi OFFSET 0) m WHERE (CASE $5::integer WHEN 2 THEN m.flags | "
    "$6::integer WHEN 3 THEN m.flags & ~$6::integer ELSE $6::integer END <> m.flags "
    "OR ($5::integer = 1 AND m.keywords <> '{}'))), "
    "bump AS (UPDATE mailboxes SET highestmodseq = highestmodseq + 1 "
    "WHERE user_id = $1 AND mailbox_id = $2 AND EXISTS (SELECT 1 FROM target) "
    "RETURNING highestmodseq), "
    "changed AS (UPDATE messages m SET flags = CASE $5::integer WHEN 2 THEN m.flags | "
    "$6::integer WHEN 3 THEN m.flags & ~$6::integer ELSE $6::integer END, "
    "keywords = CASE WHEN $5::integer = 1 THEN '{}'::text[] ELSE m.keywords END, "
    "modseq = bump.highestmodseq FROM bump "
    "WHERE m.user_id = $1 AND m.mailbox_id = $2 AND m.uid = ANY(ARRAY(SELECT uid FROM target)) "
    "AND (CASE $5::integer "
    "WHEN 2 THEN m.flags | $6::integer WHEN 3 THEN m.flags & ~$6::integer ELSE $6::integer END "
    "<> m.flags OR ($5::integer = 1 AND m.keywords <> '{}')) "
    "RETURNING m.uid, m.flags, m.keywords), "
    "payload AS (SELECT mailroom_change_payload(3, $1, $2, b.highestmodseq, "
    "array_agg(c.uid ORDER BY c.uid)) AS p FROM changed c, bump b GROUP BY b.highestmodseq) "
    "SELECT uid, flags, keywords, NULL::bigint, NULL::text FROM changed UNION ALL "
    "SELECT NULL, NULL, NULL, coalesce((SELECT highestmodseq FROM bump), mb.highestmodseq), "
    "(SELECT p FROM payload) "
    "FROM mailboxes mb WHERE mb.user_id = $1 AND mb.mailbox_id = $2";
constexpr char kSelectForCopySql[] =
    "SELECT m.uid, m.size FROM unnest($3::bigint[], $4::bigint[]) AS r(lo, hi), "
    "LATERAL (SELECT uid, size FROM messages WHERE user_id = $1 AND mailbox_id = $2 "
    "AND uid BETWEEN r.lo AND r.hi OFFSET 0) m ORDER BY m.uid";
constexpr char kCopyRowsSql[] =
    "INSERT INTO messages (user_id, mailbox_id, uid, sha256, size, internal_date, flags, "
    "keywords, modseq) SELECT $1, $3, v.d, m.sha256, m.size, m.internal_date, m.flags, "
    "m.keywords, $6 FROM messages m JOIN unnest($4::bigint[], $5::bigint[]) AS v(s, d) "
    "ON m.uid = v.s WHERE m.user_id = $1 AND m.mailbox_id = $2";
constexpr char kAddRefsSql[] =
    "UPDATE contents c SET refcount = c.refcount + x.n FROM (SELECT sha256, count(*) AS n "
    "FROM messages WHERE user_id = $1 AND mailbox_id = $2 AND uid = ANY($3::bigint[]) "
    "GROUP BY sha256) AS x WHERE c.sha256 = x.sha256";

}  // namespace

absl::StatusOr<v1::StoreFlagsResponse> MailDb::StoreSystemFlags(
    const v1::StoreFlagsRequest& request) {
  v1::StoreFlagsResponse out;
  const UidArrays uids = ToArrays(request.uids());
  // One statement in autocommit: its commit is as synchronous as any (the session's
  // synchronous_commit), so the answer still follows a durable commit.
  RETURN_IF_ERROR(pool_->RunRead("store_system_flags", [&](pqxx::transaction_base& txn) {
    out.Clear();
    bool mailbox_found = false;
    for (const pqxx::row& row :
         ExecFixed(txn, kStoreSystemFlagsSql, request.user_id(), request.mailbox_id(),
                   uids.firsts, uids.lasts, static_cast<int>(request.mode()),
                   static_cast<int>(request.flags().system()))) {
      if (row[0].is_null()) {
        mailbox_found = true;
        out.set_highestmodseq(row[3].as<uint64_t>());
        if (!row[4].is_null()) {
          static_cast<PooledConnection&>(txn.conn()).QueueNotify(row[4].as<std::string>());
        }
        continue;
      }
      v1::MessageSummary* m = out.add_updated();
      m->set_uid(row[0].as<uint32_t>());
      *m->mutable_flags() = FlagsFromRow(row, 1, 2);
    }
    if (!mailbox_found) return absl::NotFoundError("no such mailbox");
    return absl::OkStatus();
  }));
  std::sort(out.mutable_updated()->begin(), out.mutable_updated()->end(),
            [](const v1::MessageSummary& a, const v1::MessageSummary& b) {
              return a.uid() < b.uid();
            });
  for (v1::MessageSummary& m : *out.mutable_updated()) m.set_modseq(out.highestmodseq());
  return out;
}

absl::StatusOr<v1::StoreFlagsResponse> MailDb::StoreFlags(const v1::StoreFlagsRequest& request) {
  if (request.flags().keywords_size() == 0 && request.unchanged_since() == 0 &&
      (request.mode() == v1::StoreFlagsRequest::MODE_ADD ||
       request.mode() == v1::StoreFlagsRequest::MODE_REMOVE ||
       request.mode() == v1::StoreFlagsRequest::MODE_REPLACE)) {
    return StoreSystemFlags(request);
  }
  v1::StoreFlagsResponse out;
  const UidArrays uids = ToArrays(request.uids());
  RETURN_IF_ERROR(pool_->Run("store_flags", [&](pqxx::work& txn) {
    out.Clear();
    ASSIGN_OR_RETURN(MailboxRow mb, LockMailbox(txn, request.user_id(), request.mailbox_id()));
    std::vector<int64_t> changed_uids;
    std::vector<int64_t> changed_flags;
    std::vector<std::string> changed_keywords;
    std::vector<uint32_t> modified;
    for (const pqxx::row& row : ExecFixed(txn, kSelectForStoreSql, request.user_id(),
                                          request.mailbox_id(), uids.firsts, uids.lasts)) {
      const uint32_t uid = row[0].as<uint32_t>();
      // RFC 7162 §3.1.3: a message changed after UNCHANGEDSINCE is left alone and reported.
      if (request.unchanged_since() > 0 && row[3].as<uint64_t>() > request.unchanged_since()) {
        modified.push_back(uid);
        continue;
      }
      const v1::Flags current = FlagsFromRow(row, 1, 2);
      v1::Flags next = ApplyFlags(current, request.mode(), request.flags());
      if (SameFlags(current, next)) continue;
      changed_uids.push_back(uid);
      changed_flags.push_back(next.system());
      changed_keywords.push_back(absl::StrJoin(next.keywords(), " "));
      v1::MessageSummary* s = out.add_updated();
      s->set_uid(uid);
      *s->mutable_flags() = std::move(next);
    }
    uint64_t modseq = mb.highestmodseq;
    if (!changed_uids.empty()) {
      modseq = mb.highestmodseq + 1;  // the row is locked: nobody else raises it meanwhile
      v1::ChangeEvent e;
      e.set_kind(v1::ChangeEvent::KIND_FLAGS_CHANGED);
      e.set_user_id(request.user_id());
      e.set_mailbox_id(request.mailbox_id());
      e.set_modseq(modseq);
      for (int64_t uid : changed_uids) e.add_uids(static_cast<uint32_t>(uid));
      ExecFixed(txn, kUpdateFlagsSql, request.user_id(), request.mailbox_id(),
                IntArray(changed_uids), IntArray(changed_flags),
                TextArray(changed_keywords), modseq);
      Notify(txn, e);
    }
    for (v1::MessageSummary& s : *out.mutable_updated()) s.set_modseq(modseq);
    *out.mutable_modified() = ToUidSet(modified);
    out.set_highestmodseq(modseq);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::CopyMessagesResponse> MailDb::Copy(const v1::CopyMessagesRequest& request,
                                                      const std::string& destination) {
  v1::CopyMessagesResponse out;
  const uint64_t user_id = request.user_id();
  const UidArrays uids = ToArrays(request.uids());
  RETURN_IF_ERROR(pool_->Run("copy_messages", [&](pqxx::work& txn) {
    out.Clear();
    ASSIGN_OR_RETURN(MailboxRow dst, FindMailbox(txn, user_id, destination));
    // A COPY charges the user's quota: the user row is locked before the mailboxes, in the
    // order deliveries and APPEND take them. Then both mailboxes in id order, so that
    // crossing moves cannot deadlock.
    if (!request.move()) LockUser(txn, user_id);
    const uint64_t src_id = request.mailbox_id();
    const uint64_t first = std::min(src_id, dst.mailbox_id);
    const uint64_t second = std::max(src_id, dst.mailbox_id);
    RETURN_IF_ERROR(LockMailbox(txn, user_id, first).status());
    if (second != first) RETURN_IF_ERROR(LockMailbox(txn, user_id, second).status());
    std::vector<int64_t> src_uids;
    int64_t bytes = 0;
    for (const pqxx::row& row :
         ExecFixed(txn, kSelectForCopySql, user_id, src_id, uids.firsts, uids.lasts)) {
      src_uids.push_back(row[0].as<int64_t>());
      bytes += row[1].as<int64_t>();
    }
    out.set_destination_uidvalidity(dst.uidvalidity);
    if (src_uids.empty()) return absl::OkStatus();
    const int64_t n = static_cast<int64_t>(src_uids.size());
    if (!request.move() && ExecFixed(txn, kChargeQuotaSql, user_id, bytes, n).empty()) {
      return absl::ResourceExhaustedError("quota exceeded");
    }
    pqxx::result alloc = ExecFixed(txn, kAllocateUidsSql, user_id, dst.mailbox_id, n);
    const int64_t start = alloc[0][0].as<int64_t>();
    const uint64_t modseq = alloc[0][1].as<uint64_t>();
    std::vector<int64_t> dst_uids;
    for (int64_t i = 0; i < n; ++i) dst_uids.push_back(start + i);
    const std::string src_array = IntArray(src_uids);
    ExecFixed(txn, kCopyRowsSql, user_id, src_id, dst.mailbox_id, src_array,
              IntArray(dst_uids), modseq);
    for (size_t i = 0; i < src_uids.size(); ++i) {
      out.add_source_uids(static_cast<uint32_t>(src_uids[i]));
      out.add_destination_uids(static_cast<uint32_t>(dst_uids[i]));
    }
    v1::ChangeEvent added;
    added.set_kind(v1::ChangeEvent::KIND_MESSAGE_ADDED);
    added.set_user_id(user_id);
    added.set_mailbox_id(dst.mailbox_id);
    added.set_modseq(modseq);
    added.set_mailbox_name(dst.name);
    for (int64_t uid : dst_uids) added.add_uids(static_cast<uint32_t>(uid));
    Notify(txn, added);
    if (request.move()) {
      // RFC 6851 §3.3: the source messages are expunged in the same transaction; their
      // contents and quota stay with the destination copies.
      ASSIGN_OR_RETURN(ExpungedMessages moved,
                       ExpungeMessages(txn, user_id, src_id, src_array, src_array,
                                       /*only_deleted=*/false, /*release=*/false));
      out.set_source_highestmodseq(moved.highestmodseq);
    } else {
      ExecFixed(txn, kAddRefsSql, user_id, src_id, src_array);
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace mailroom::store::db
