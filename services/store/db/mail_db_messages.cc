// MailDb: adding messages (deliver, append), fetching, reading raw bytes, expunge, expunged
// history and POP3 leases.
#include <algorithm>
#include <limits>
#include <map>
#include <pqxx/binarystring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/shared/status/status_macros.h"
#include "services/store/db/mail_db.h"
#include "services/store/db/mail_db_internal.h"
#include "services/store/db/errors.h"
#include "services/store/db/pool.h"
#include "services/store/db/sql_util.h"
#include "services/store/domain/mailbox_name.h"

namespace mailroom::store::db {
namespace {

constexpr char kDeliveryLogSql[] =
    "SELECT results FROM delivery_log WHERE transaction_id = $1";
constexpr char kInsertDeliveryLogSql[] =
    "INSERT INTO delivery_log (transaction_id, sha256, results) VALUES ($1, $2, $3)";
constexpr char kUpsertContentSql[] =
    "INSERT INTO contents (sha256, refcount, size, header_size, raw, envelope, structure, "
    "headers, body_text, preview, sent_date, sort_subject, sort_from, sort_to, sort_cc) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, to_timestamp($11::double precision),"
    " $12, $13, $14, $15) "
    "ON CONFLICT (sha256) DO UPDATE SET refcount = contents.refcount + EXCLUDED.refcount";
// An APPEND as one statement (run in a transaction of its own): the content stored or one
// more reference taken on it, the user charged ($4 octets, unless over quota), the mailbox $2
// given its next UID and MODSEQ, the message added and its announcement returned, in that
// lock order (contents, users, mailboxes, as AddOne). No row: over quota, or no such
// user or mailbox (the caller rolls back and lets AddOne say which).
constexpr char kAppendOneSql[] =
    "WITH content AS (INSERT INTO contents (sha256, refcount, size, header_size, raw, envelope, "
    "structure, headers, body_text, preview, sent_date, sort_subject, sort_from, sort_to, "
    "sort_cc) VALUES ($3, 1, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, "
    "to_timestamp($12::double precision), $13, $14, $15, $16) ON CONFLICT (sha256) DO UPDATE "
    "SET refcount = contents.refcount + 1 RETURNING sha256), "
    "charge AS (UPDATE users SET used_bytes = used_bytes + $4, used_messages = used_messages + 1 "
    "WHERE user_id = $1 AND (quota_bytes = 0 OR used_bytes + $4 <= quota_bytes) "
    "AND EXISTS (SELECT 1 FROM content) RETURNING user_id), "
    "box AS (UPDATE mailboxes SET uidnext = uidnext + 1, highestmodseq = highestmodseq + 1 "
    "WHERE user_id = $1 AND name = $2 AND EXISTS (SELECT 1 FROM charge) "
    "RETURNING mailbox_id, uidnext - 1 AS uid, highestmodseq, uidvalidity, name), "
    "added AS (INSERT INTO messages (user_id, mailbox_id, uid, sha256, size, internal_date, "
    "flags, keywords, modseq) SELECT $1, box.mailbox_id, box.uid, $3, $4, "
    "CASE WHEN $17::bigint = 0 THEN now() ELSE to_timestamp($17::bigint / 1000000.0) END, "
    "$18, $19::text[], box.highestmodseq FROM box RETURNING uid) "
    "SELECT box.mailbox_id, box.uid, box.uidvalidity, box.highestmodseq, "
    "(SELECT count(*) FROM added), mailroom_change_payload(2, $1, box.mailbox_id, "
    "box.highestmodseq, ARRAY[box.uid]::bigint[], box.name) FROM box";
// EXPUNGE / UID EXPUNGE and the source side of MOVE in one statement: the user row (with $6,
// whose quota changes) and the mailbox row locked first, in the order deliveries and APPEND
// take them (else an EXPUNGE and an APPEND deadlock on each other), the mailbox row ordering
// the MODSEQs and every writer of its messages; then the messages of the UID
// ranges $3/$4 (only \\Deleted ones with $5) deleted and recorded as expunged at ONE new
// MODSEQ and, with $6 (not for MOVE, whose copies keep them), their quota given back and their
// contents released. Rows: (uid) per expunged message, (sha256) per content no message uses
// any more, then (modseq, announcement) the mailbox's HIGHESTMODSEQ afterwards and the
// expunge's announcement (NULL: none expunged; no such row: no mailbox).
constexpr char kExpungeSql[] =
    "WITH usr AS (SELECT 1 FROM users WHERE user_id = $1 AND $6 FOR NO KEY UPDATE), "
    "mb AS (SELECT highestmodseq FROM mailboxes WHERE user_id = $1 AND mailbox_id = $2 "
    "AND (NOT $6 OR EXISTS (SELECT 1 FROM usr)) FOR UPDATE), "
    "del AS (DELETE FROM messages m USING mb WHERE m.user_id = $1 AND m.mailbox_id = $2 "
    "AND m.uid = ANY(ARRAY(SELECT s.uid FROM unnest($3::bigint[], $4::bigint[]) AS r(lo, hi), "
    "LATERAL (SELECT uid FROM messages WHERE user_id = $1 AND mailbox_id = $2 "
    "AND uid BETWEEN r.lo AND r.hi AND ($5 = false OR flags & 8 <> 0) OFFSET 0) s)) "
    "AND ($5 = false OR m.flags & 8 <> 0) RETURNING m.uid, m.sha256, m.size), "
    "bump AS (UPDATE mailboxes SET highestmodseq = highestmodseq + 1 "
    "WHERE user_id = $1 AND mailbox_id = $2 AND EXISTS (SELECT 1 FROM del) "
    "RETURNING highestmodseq), "
    "recorded AS (INSERT INTO expunged (user_id, mailbox_id, uid, modseq) "
    "SELECT $1, $2, del.uid, bump.highestmodseq FROM del, bump "
    "ON CONFLICT (user_id, mailbox_id, uid) DO UPDATE SET modseq = EXCLUDED.modseq), "
    "unquota AS (UPDATE users SET used_bytes = greatest(used_bytes - t.bytes, 0), "
    "used_messages = greatest(used_messages - t.n, 0) "
    "FROM (SELECT sum(size)::bigint AS bytes, count(*) AS n FROM del) AS t "
    "WHERE $6 AND t.n > 0 AND users.user_id = $1), "
    "released AS (UPDATE contents c SET refcount = c.refcount - d.n "
    "FROM (SELECT sha256, count(*) AS n FROM del GROUP BY sha256) AS d "
    "WHERE $6 AND c.sha256 = d.sha256 RETURNING c.sha256, c.refcount), "
    "payload AS (SELECT mailroom_change_payload(4, $1, $2, b.highestmodseq, "
    "array_agg(del.uid ORDER BY del.uid)) AS p FROM del, bump b GROUP BY b.highestmodseq) "
    "SELECT del.uid, NULL::bytea, NULL::bigint, NULL::text FROM del UNION ALL "
    "SELECT NULL, released.sha256, NULL, NULL FROM released WHERE released.refcount <= 0 "
    "UNION ALL SELECT NULL, NULL, coalesce((SELECT highestmodseq FROM bump), mb.highestmodseq), "
    "(SELECT p FROM payload) FROM mb";
constexpr char kCollectGarbageSql[] =
    "DELETE FROM contents WHERE refcount <= 0 AND created_at < now() - make_interval(secs => $1)";
constexpr char kUserExistsSql[] = "SELECT 1 FROM users WHERE user_id = $1";
// FETCH of what the messages table alone holds (flags, MODSEQ, dates, sizes, SHA-256): no
// contents row is read. Rows are tiny, so pages are large (kSummaryPageFactor).
constexpr char kFetchSummarySql[] =
    "SELECT m.uid, m.flags, m.keywords, m.modseq, "
    "CASE WHEN $8 THEN (extract(epoch FROM m.internal_date) * 1000000)::bigint END, m.size, "
    "CASE WHEN $9 THEN m.sha256 END "
    "FROM unnest($3::bigint[], $4::bigint[]) AS r(lo, hi), LATERAL (SELECT uid, flags, "
    "keywords, modseq, internal_date, size, sha256 FROM messages WHERE user_id = $1 "
    "AND mailbox_id = $2 AND uid BETWEEN r.lo AND r.hi AND modseq > $5 AND uid > $6 "
    "ORDER BY uid LIMIT $7) m ORDER BY m.uid LIMIT $7";
// FETCH with content columns: a page of at most $12 messages, cut after the message whose
// body (bodies go only with messages of at most $13 octets) takes the page past $14 octets
// of bodies; the last column counts the page before the cut.
constexpr char kFetchContentSql[] =
    "WITH page AS (SELECT m.uid, m.flags, m.keywords, m.modseq, m.internal_date, m.size, "
    "m.sha256, $10 AND m.size <= $13 AS with_body, "
    "sum(CASE WHEN $10 AND m.size <= $13 THEN m.size ELSE 0 END) OVER (ORDER BY m.uid) "
    "AS body_bytes FROM unnest($3::bigint[], $4::bigint[]) AS r(lo, hi), LATERAL (SELECT uid, "
    "flags, keywords, modseq, internal_date, size, sha256 FROM messages WHERE user_id = $1 "
    "AND mailbox_id = $2 AND uid BETWEEN r.lo AND r.hi AND modseq > $5 AND uid > $11 "
    "ORDER BY uid LIMIT $12) m ORDER BY m.uid LIMIT $12) "
    "SELECT p.uid, p.flags, p.keywords, p.modseq, "
    "CASE WHEN $15 THEN (extract(epoch FROM p.internal_date) * 1000000)::bigint END, p.size, "
    "CASE WHEN $16 THEN p.sha256 END, "
    "CASE WHEN $6 THEN c.envelope END, CASE WHEN $7 THEN c.structure END, "
    "CASE WHEN $8 THEN substring(c.raw FROM 1 FOR c.header_size::integer) END, "
    "CASE WHEN $9 THEN c.preview END, CASE WHEN p.with_body THEN c.raw END, "
    "(SELECT count(*) FROM page) "
    "FROM page p JOIN contents c ON c.sha256 = p.sha256 "
    "WHERE p.body_bytes - CASE WHEN p.with_body THEN p.size ELSE 0 END < $14 "
    "ORDER BY p.uid";
// Pages of summary fetches hold this many times the batch of content fetches.
constexpr int kSummaryPageFactor = 10;
// Bodies per FetchMessages response (and per query) stop after the message that passes this.
constexpr int64_t kMaxBodyBytesPerPage = 4 << 20;
constexpr char kContentRefSql[] =
    "SELECT c.sha256, c.size, c.header_size, c.structure FROM messages m "
    "JOIN contents c ON c.sha256 = m.sha256 "
    "WHERE m.user_id = $1 AND m.mailbox_id = $2 AND m.uid = $3";
constexpr char kReadContentSql[] =
    "SELECT substring(raw FROM $2::integer FOR $3::integer) FROM contents WHERE sha256 = $1";
constexpr char kGetExpungedSql[] =
    "SELECT e.uid FROM expunged e JOIN unnest($4::bigint[], $5::bigint[]) AS r(lo, hi) "
    "ON e.uid BETWEEN r.lo AND r.hi "
    "WHERE e.user_id = $1 AND e.mailbox_id = $2 AND e.modseq > $3 ORDER BY e.uid";
constexpr char kAcquireLeaseSql[] =
    "INSERT INTO maildrop_leases (user_id, lease_id, holder, expires_at) "
    "VALUES ($1, gen_random_uuid()::text, $2, now() + make_interval(secs => $3)) ON CONFLICT (user_id) DO UPDATE "
    "SET lease_id = EXCLUDED.lease_id, holder = EXCLUDED.holder, "
    "expires_at = EXCLUDED.expires_at WHERE maildrop_leases.expires_at < now() "
    "RETURNING lease_id";
constexpr char kRenewLeaseSql[] =
    "UPDATE maildrop_leases SET expires_at = now() + make_interval(secs => $3) "
    "WHERE user_id = $1 AND lease_id = $2";
constexpr char kReleaseLeaseSql[] =
    "DELETE FROM maildrop_leases WHERE user_id = $1 AND lease_id = $2";

constexpr uint32_t kAllUids = 0;  // UidRange.last = 0 means "to the end"

pqxx::binarystring Bin(const std::string& s) { return pqxx::binarystring(s.data(), s.size()); }

// Targets grouped per (user, mailbox name), in a stable lock order.
struct Target {
  uint64_t user_id;
  std::string mailbox;
  std::vector<const NewMessage*> messages;
};

std::vector<Target> GroupTargets(const std::vector<NewMessage>& targets) {
  std::map<std::pair<uint64_t, std::string>, Target> grouped;
  for (const NewMessage& t : targets) {
    std::string mailbox = t.mailbox.empty() ? std::string(kInbox) : t.mailbox;
    Target& g = grouped[{t.user_id, mailbox}];
    g.user_id = t.user_id;
    g.mailbox = mailbox;
    g.messages.push_back(&t);
  }
  std::vector<Target> out;
  for (auto& [key, g] : grouped) out.push_back(std::move(g));
  return out;
}

// Charges quota for every user in `groups` (in user_id order: a fixed lock order).
absl::Status ChargeQuota(pqxx::transaction_base& txn, const std::vector<Target>& groups, uint64_t size) {
  std::map<uint64_t, int64_t> per_user;
  for (const Target& g : groups) per_user[g.user_id] += g.messages.size();
  for (const auto& [user_id, count] : per_user) {
    const int64_t bytes = static_cast<int64_t>(size) * count;
    if (ExecFixed(txn, kChargeQuotaSql, user_id, bytes, count).empty()) {
      if (ExecFixed(txn, kUserExistsSql, user_id).empty()) {
        return absl::NotFoundError(absl::StrCat("no user ", user_id));
      }
      return absl::ResourceExhaustedError(absl::StrCat("quota exceeded for user ", user_id));
    }
  }
  return absl::OkStatus();
}


// One delivery inside the batch transaction (see AddMessages).
// `staged`: the content was stored ahead (StageContent) and only needs its references.
absl::Status AddOne(pqxx::transaction_base& txn, const MailDb::PendingAdd& p,
                    v1::DeliverMessageResponse* out, bool staged) {
  const IngestedContent& content = *p.content;
  if (!p.transaction_id->empty()) {
    pqxx::result done = ExecFixed(txn, kDeliveryLogSql, *p.transaction_id);
    if (!done.empty()) {
      out->ParseFromString(Bytes(done[0][0]));
      return absl::OkStatus();
    }
  }
  const std::vector<Target> groups = GroupTargets(*p.targets);
  // The content was staged before the batch; take the references. Should it have been
  // collected meanwhile (a concurrent expunge released the same content), store it again.
  const int64_t refs = static_cast<int64_t>(p.targets->size());
  if (!staged ||
      ExecFixed(txn, kAddContentRefsSql, Bin(content.sha256), refs).affected_rows() == 0) {
    const double sent = content.sent_date ? static_cast<double>(*content.sent_date) : 0;
    ExecFixed(txn, kUpsertContentSql, Bin(content.sha256), refs, content.size,
              content.header_size, Bin(*p.raw), Bin(content.envelope),
              Bin(content.structure), content.headers_json, content.body_text,
              content.preview,
              content.sent_date ? std::optional<double>(sent) : std::nullopt,
              content.sort_subject, content.sort_from, content.sort_to, content.sort_cc);
  }
  // Then quota (user rows) and UIDs (mailbox rows), each in a fixed order.
  RETURN_IF_ERROR(ChargeQuota(txn, groups, content.size));
  std::vector<MailboxRow> boxes;
  for (const Target& g : groups) {
    absl::StatusOr<MailboxRow> mb = FindMailbox(txn, g.user_id, g.mailbox);
    if (!mb.ok() && g.messages.front()->fallback_to_inbox) {
      mb = FindMailbox(txn, g.user_id, std::string(kInbox));
    }
    if (!mb.ok()) return mb.status();
    boxes.push_back(*mb);
  }
  for (size_t i = 0; i < groups.size(); ++i) {
    const Target& g = groups[i];
    const int64_t n = static_cast<int64_t>(g.messages.size());
    pqxx::result alloc = ExecFixed(txn, kAllocateUidsSql, g.user_id, boxes[i].mailbox_id, n);
    uint32_t uid = alloc[0][0].as<uint32_t>();
    const uint64_t modseq = alloc[0][1].as<uint64_t>();
    v1::ChangeEvent event;
    event.set_kind(v1::ChangeEvent::KIND_MESSAGE_ADDED);
    event.set_user_id(g.user_id);
    event.set_mailbox_id(boxes[i].mailbox_id);
    event.set_modseq(modseq);
    event.set_mailbox_name(boxes[i].name);
    for (const NewMessage* m : g.messages) {
      std::vector<std::string> keywords(m->flags.keywords().begin(), m->flags.keywords().end());
      ExecFixed(txn, kInsertMessageSql, g.user_id, boxes[i].mailbox_id, uid,
                Bin(content.sha256), content.size, m->internal_date_us, m->flags.system(),
                TextArray(keywords), modseq,
                m->delivery_json.empty() ? std::optional<std::string>()
                                               : std::optional<std::string>(m->delivery_json));
      v1::DeliveryResult* r = out->add_results();
      r->set_user_id(g.user_id);
      r->set_mailbox_id(boxes[i].mailbox_id);
      r->set_uid(uid);
      r->set_uidvalidity(boxes[i].uidvalidity);
      r->set_modseq(modseq);
      event.add_uids(uid);
      ++uid;
    }
    Notify(txn, event);
  }
  out->set_sha256(content.sha256);
  if (!p.transaction_id->empty()) {
    ExecFixed(txn, kInsertDeliveryLogSql, *p.transaction_id, Bin(content.sha256),
              Bin(out->SerializeAsString()));
  }
  return absl::OkStatus();
}

}  // namespace

// Deliveries are committed in batches (application-level group commit): concurrent calls queue
// up, one of them leads and runs everything queued in ONE transaction, each delivery in its
// own savepoint so that one refusal (quota, missing mailbox) leaves the others alone, and one
// commit (one WAL flush) acknowledges them all. Without this, deliveries into one busy mailbox
// would each wait for the previous one's fsync while holding that mailbox's row lock.
// Batches run one at a time per store process, in arrival order, which also keeps UIDs in one
// mailbox visible in the order they were given.
absl::StatusOr<v1::DeliverMessageResponse> MailDb::AppendOne(const std::string& raw,
                                                             const IngestedContent& content,
                                                             const NewMessage& target) {
  const std::string mailbox = target.mailbox.empty() ? std::string(kInbox) : target.mailbox;
  const std::vector<std::string> keywords(target.flags.keywords().begin(),
                                          target.flags.keywords().end());
  const double sent = content.sent_date ? static_cast<double>(*content.sent_date) : 0;
  v1::DeliverMessageResponse out;
  RETURN_IF_ERROR(pool_->Run("append_one", [&](pqxx::work& txn) {
    out.Clear();
    pqxx::result r = ExecFixed(
        txn, kAppendOneSql, target.user_id, mailbox, Bin(content.sha256), content.size,
        content.header_size, Bin(raw), Bin(content.envelope), Bin(content.structure),
        content.headers_json, content.body_text, content.preview,
        content.sent_date ? std::optional<double>(sent) : std::nullopt, content.sort_subject,
        content.sort_from, content.sort_to, content.sort_cc, target.internal_date_us,
        target.flags.system(), TextArray(keywords));
    // Not ABORTED (which the pool retries): nothing of this kind comes from the database.
    if (r.empty()) return absl::OutOfRangeError("append refused");  // rolls back
    v1::DeliveryResult* d = out.add_results();
    d->set_user_id(target.user_id);
    d->set_mailbox_id(r[0][0].as<uint64_t>());
    d->set_uid(r[0][1].as<uint32_t>());
    d->set_uidvalidity(r[0][2].as<uint32_t>());
    d->set_modseq(r[0][3].as<uint64_t>());
    out.set_sha256(content.sha256);
    static_cast<PooledConnection&>(txn.conn()).QueueNotify(r[0][5].as<std::string>());
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::DeliverMessageResponse> MailDb::AddMessages(
    const std::string& raw, const IngestedContent& content,
    const std::vector<NewMessage>& targets, const std::string& transaction_id) {
  if (targets.empty()) return absl::InvalidArgumentError("no recipients");
  PendingAdd me;
  me.raw = &raw;
  me.content = &content;
  me.targets = &targets;
  me.transaction_id = &transaction_id;
  if (targets.size() == 1 && transaction_id.empty() && !targets.front().fallback_to_inbox) {
    // An APPEND (one target, no idempotency key) runs in a transaction of its own, in
    // parallel with other appends and deliveries, content included, as one statement: queued
    // behind batches it waited for their commits. The mailbox row lock keeps its UID in order.
    absl::StatusOr<v1::DeliverMessageResponse> appended = AppendOne(raw, content, targets.front());
    if (!absl::IsOutOfRange(appended.status())) return appended;
    // Refused: the general path finds out why (and rolls back all the same).
    v1::DeliverMessageResponse out;
    RETURN_IF_ERROR(pool_->Run("append_message", [&](pqxx::work& txn) {
      out.Clear();
      return AddOne(txn, me, &out, /*staged=*/false);
    }));
    return out;
  }
  // Stage the (large) content first, in parallel with other deliveries, so that the batch
  // below only runs small statements. A staged content that no message ends up using (a
  // refused delivery, a crash) has refcount 0 and is collected by CollectGarbage().
  RETURN_IF_ERROR(StageContent(raw, content));
  std::unique_lock<std::mutex> lock(batch_mu_);
  batch_queue_.push_back(&me);
  while (!me.done) {
    if (batch_leader_active_) {
      batch_cv_.wait(lock);
      continue;
    }
    batch_leader_active_ = true;
    std::vector<PendingAdd*> batch;
    uint64_t bytes = 0;
    while (!batch_queue_.empty() && batch.size() < kMaxBatchDeliveries &&
           (batch.empty() || bytes + batch_queue_.front()->raw->size() <= kMaxBatchBytes)) {
      bytes += batch_queue_.front()->raw->size();
      batch.push_back(batch_queue_.front());
      batch_queue_.pop_front();
    }
    lock.unlock();
    RunBatch(batch);
    lock.lock();
    batch_leader_active_ = false;
    for (PendingAdd* p : batch) p->done = true;
    batch_cv_.notify_all();
  }
  if (!me.status.ok()) return me.status;
  return std::move(me.response);
}

void MailDb::RunBatch(const std::vector<PendingAdd*>& batch) {
  if (batch.size() == 1) {
    // Alone in its batch, a delivery needs no savepoint (two round trips): its refusal rolls
    // back the whole transaction, which holds nothing else.
    PendingAdd* p = batch.front();
    absl::Status s = pool_->Run("add_message", [&](pqxx::work& txn) {
      p->response.Clear();
      return AddOne(txn, *p, &p->response, /*staged=*/true);
    });
    p->status = s;
    if (!s.ok()) p->response.Clear();
    return;
  }
  absl::Status s = pool_->Run("add_messages", [&](pqxx::work& txn) {
    for (PendingAdd* p : batch) {
      p->response.Clear();
      p->status = absl::OkStatus();
      v1::DeliverMessageResponse out;
      absl::Status one;
      auto& conn = static_cast<PooledConnection&>(txn.conn());
      const size_t announced = conn.queued_notifies();
      {
        pqxx::subtransaction savepoint(txn, "delivery");
        try {
          one = AddOne(savepoint, *p, &out, /*staged=*/true);
        } catch (...) {
          one = TranslateCurrentException();
          // A broken connection or a conflict fails (and, for conflicts, retries) the batch.
          if (one.code() == absl::StatusCode::kUnavailable || IsRetryable(one)) throw;
        }
        if (one.ok()) savepoint.commit();
      }  // not committed: rolled back to the savepoint
      if (!one.ok()) conn.DropNotifies(announced);
      p->status = one;
      if (one.ok()) p->response = std::move(out);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) {
    for (PendingAdd* p : batch) p->status = s;
  }
}

absl::Status MailDb::AnnounceStart() { return pool_->PublishNow({kResyncPayload}); }

absl::StatusOr<int64_t> MailDb::CollectGarbage(absl::Duration min_age) {
  int64_t removed = 0;
  RETURN_IF_ERROR(pool_->Run("collect_garbage", [&](pqxx::work& txn) {
    removed = static_cast<int64_t>(
        ExecFixed(txn, kCollectGarbageSql, absl::ToInt64Seconds(min_age)).affected_rows());
    return absl::OkStatus();
  }));
  return removed;
}

absl::Status MailDb::Fetch(const v1::FetchMessagesRequest& request, int batch,
                           const std::function<bool(v1::FetchMessagesResponse&)>& emit) {
  const UidArrays uids = ToArrays(request.uids());
  const v1::FetchAttributes& a = request.attributes();
  const bool content = a.envelope() || a.body_structure() || a.header() || a.preview() ||
                       a.body();
  const int page = content ? batch : batch * kSummaryPageFactor;
  constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();
  const int64_t body_max =
      a.body_max_size() == 0 || a.body_max_size() > static_cast<uint64_t>(kNoLimit)
          ? kNoLimit
          : static_cast<int64_t>(a.body_max_size());
  int64_t after = 0;
  while (true) {
    v1::FetchMessagesResponse out;
    bool cut = false;
    RETURN_IF_ERROR(pool_->RunRead("fetch", [&](pqxx::transaction_base& txn) {
      out.Clear();
      pqxx::result r =
          content ? ExecFixed(txn, kFetchContentSql, request.user_id(), request.mailbox_id(),
                              uids.firsts, uids.lasts, request.changed_since_modseq(),
                              a.envelope(), a.body_structure(), a.header(), a.preview(),
                              a.body(), after, page, body_max, kMaxBodyBytesPerPage,
                              a.internal_date(), a.sha256())
                  : ExecFixed(txn, kFetchSummarySql, request.user_id(), request.mailbox_id(),
                              uids.firsts, uids.lasts, request.changed_since_modseq(),
                              after, page, a.internal_date(), a.sha256());
      cut = content && !r.empty() && r[0][12].as<int64_t>() > static_cast<int64_t>(r.size());
      for (const pqxx::row& row : r) {
        v1::FetchedMessage* m = out.add_messages();
        m->set_uid(row[0].as<uint32_t>());
        if (a.flags()) *m->mutable_flags() = FlagsFromRow(row, 1, 2);
        if (a.modseq()) m->set_modseq(row[3].as<uint64_t>());
        if (a.internal_date()) {
          const int64_t us = row[4].as<int64_t>();
          m->mutable_internal_date()->set_seconds(us / 1000000);
          m->mutable_internal_date()->set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
        }
        if (a.size()) m->set_size(row[5].as<uint64_t>());
        if (a.sha256()) m->set_sha256(Bytes(row[6]));
        if (!content) continue;
        if (a.envelope()) m->mutable_envelope()->ParseFromString(Bytes(row[7]));
        if (a.body_structure()) m->mutable_body_structure()->ParseFromString(Bytes(row[8]));
        if (a.header()) m->set_header(Bytes(row[9]));
        if (a.preview()) m->set_preview(row[10].as<std::string>());
        if (a.body() && !row[11].is_null()) m->set_body(Bytes(row[11]));
      }
      return absl::OkStatus();
    }));
    if (out.messages_size() == 0) return absl::OkStatus();
    after = out.messages(out.messages_size() - 1).uid();
    const bool last = !cut && out.messages_size() < page;
    if (!emit(out)) return absl::CancelledError("fetch cancelled by the client");
    if (last) return absl::OkStatus();
  }
}

absl::StatusOr<MailDb::ContentRef> MailDb::GetContentRef(uint64_t user_id, uint64_t mailbox_id,
                                                         uint32_t uid) {
  ContentRef out;
  RETURN_IF_ERROR(pool_->RunRead("content_ref", [&](pqxx::transaction_base& txn) {
    pqxx::result r = ExecFixed(txn, kContentRefSql, user_id, mailbox_id, uid);
    if (r.empty()) return absl::NotFoundError(absl::StrCat("no message with UID ", uid));
    out.sha256 = Bytes(r[0][0]);
    out.size = r[0][1].as<uint64_t>();
    out.header_size = r[0][2].as<uint64_t>();
    out.structure.ParseFromString(Bytes(r[0][3]));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::string> MailDb::ReadContent(const std::string& sha256, uint64_t offset,
                                                uint64_t length) {
  std::string out;
  RETURN_IF_ERROR(pool_->RunRead("read_content", [&](pqxx::transaction_base& txn) {
    pqxx::result r = ExecFixed(txn, kReadContentSql, Bin(sha256),
                               static_cast<int64_t>(offset + 1),
                               static_cast<int64_t>(length));
    if (r.empty()) return absl::NotFoundError("message content is gone");
    out = Bytes(r[0][0]);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<ExpungedMessages> ExpungeMessages(pqxx::transaction_base& txn, uint64_t user_id,
                                                 uint64_t mailbox_id, const std::string& firsts,
                                                 const std::string& lasts, bool only_deleted,
                                                 bool release) {
  ExpungedMessages out;
  std::vector<std::string> unused;
  bool mailbox_found = false;
  for (const pqxx::row& row :
       ExecFixed(txn, kExpungeSql, user_id, mailbox_id, firsts, lasts, only_deleted, release)) {
    if (!row[0].is_null()) {
      out.uids.push_back(row[0].as<uint32_t>());
    } else if (!row[1].is_null()) {
      unused.push_back(Bytes(row[1]));
    } else {
      mailbox_found = true;
      out.highestmodseq = row[2].as<uint64_t>();
      if (!row[3].is_null()) {
        static_cast<PooledConnection&>(txn.conn()).QueueNotify(row[3].as<std::string>());
      }
    }
  }
  if (!mailbox_found) return absl::NotFoundError("no such mailbox");
  DropUnusedContents(txn, unused);  // in the same transaction
  std::sort(out.uids.begin(), out.uids.end());
  return out;
}

absl::StatusOr<v1::ExpungeResponse> MailDb::Expunge(const v1::ExpungeRequest& request) {
  v1::ExpungeResponse out;
  v1::UidSet all;
  all.add_ranges()->set_first(1);
  all.mutable_ranges(0)->set_last(kAllUids);
  const bool uid_expunge = request.has_uids();
  const UidArrays uids = ToArrays(uid_expunge ? request.uids() : all);
  const bool only_deleted = !uid_expunge || request.only_deleted();
  RETURN_IF_ERROR(pool_->Run("expunge", [&](pqxx::work& txn) {
    out.Clear();
    ASSIGN_OR_RETURN(ExpungedMessages e,
                     ExpungeMessages(txn, request.user_id(), request.mailbox_id(), uids.firsts,
                                     uids.lasts, only_deleted, /*release=*/true));
    out.mutable_expunged_uids()->Assign(e.uids.begin(), e.uids.end());
    out.set_highestmodseq(e.highestmodseq);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::GetExpungedResponse> MailDb::GetExpunged(
    const v1::GetExpungedRequest& request) {
  v1::GetExpungedResponse out;
  v1::UidSet all;
  all.add_ranges()->set_first(1);
  const UidArrays uids = ToArrays(request.has_uids() ? request.uids() : all);
  RETURN_IF_ERROR(pool_->RunRead("get_expunged", [&](pqxx::transaction_base& txn) {
    std::vector<uint32_t> vanished;
    for (const pqxx::row& row :
         ExecFixed(txn, kGetExpungedSql, request.user_id(), request.mailbox_id(),
                   request.since_modseq(), uids.firsts, uids.lasts)) {
      vanished.push_back(row[0].as<uint32_t>());
    }
    *out.mutable_vanished() = ToUidSet(vanished);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::string> MailDb::AcquireLease(uint64_t user_id, const std::string& holder,
                                                 uint32_t ttl_seconds) {
  std::string lease_id;
  RETURN_IF_ERROR(pool_->Run("acquire_lease", [&](pqxx::work& txn) {
    pqxx::result r = ExecFixed(txn, kAcquireLeaseSql, user_id, holder, ttl_seconds);
    if (r.empty()) return absl::FailedPreconditionError("maildrop in use by another session");
    lease_id = r[0][0].as<std::string>();
    return absl::OkStatus();
  }));
  return lease_id;
}

absl::Status MailDb::RenewLease(uint64_t user_id, const std::string& lease_id,
                                uint32_t ttl_seconds) {
  return pool_->Run("renew_lease", [&](pqxx::work& txn) {
    if (ExecFixed(txn, kRenewLeaseSql, user_id, lease_id, ttl_seconds).affected_rows() == 0) {
      return absl::FailedPreconditionError("lease lost");
    }
    return absl::OkStatus();
  });
}

absl::Status MailDb::ReleaseLease(uint64_t user_id, const std::string& lease_id) {
  return pool_->Run("release_lease", [&](pqxx::work& txn) {
    ExecFixed(txn, kReleaseLeaseSql, user_id, lease_id);
    return absl::OkStatus();
  });
}

}  // namespace mailroom::store::db
