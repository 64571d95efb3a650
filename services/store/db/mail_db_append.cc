// MailDb: staging contents ahead of their transaction, and the several-message APPEND of IMAP
// MULTIAPPEND (RFC 3502) committed all or nothing.
#include <map>
#include <optional>
#include <pqxx/binarystring>

#include "absl/strings/str_cat.h"
#include "services/shared/status/status_macros.h"
#include "services/store/db/mail_db.h"
#include "services/store/db/mail_db_internal.h"
#include "services/store/db/pool.h"
#include "services/store/db/sql_util.h"

namespace mailroom::store::db {
namespace {

constexpr char kUserExistsSql[] = "SELECT 1 FROM users WHERE user_id = $1";

pqxx::binarystring Bin(const std::string& s) { return pqxx::binarystring(s.data(), s.size()); }

}  // namespace

absl::Status MailDb::StageContent(const std::string& raw, const IngestedContent& content) {
  return pool_->Run("stage_content", [&](pqxx::work& txn) {
    txn.exec(kAsyncCommitSql);
    const double sent = content.sent_date ? static_cast<double>(*content.sent_date) : 0;
    txn.exec_params(kStageContentSql, Bin(content.sha256), content.size, content.header_size,
                    Bin(raw), Bin(content.envelope), Bin(content.structure),
                    content.headers_json, content.body_text, content.preview,
                    content.sent_date ? std::optional<double>(sent) : std::nullopt,
                    content.sort_subject, content.sort_from, content.sort_to, content.sort_cc);
    return absl::OkStatus();
  });
}

// RFC 3502 §6.3.11: "no partial appending is permitted", so one transaction takes the content
// references, charges quota for the sum, allocates the UIDs as one consecutive block and inserts
// every message. Rows are locked in the order the delivery batches use (contents, the user, the
// mailbox), so the two cannot deadlock on each other beyond what PostgreSQL's retry covers.
absl::StatusOr<v1::AppendMessageResponse> MailDb::AppendStaged(
    uint64_t user_id, const std::string& mailbox, const std::vector<StagedMessage>& messages) {
  if (messages.empty()) return absl::InvalidArgumentError("no messages");
  std::map<std::string, int64_t> refs;  // sorted by SHA-256: a fixed lock order
  int64_t bytes = 0;
  for (const StagedMessage& m : messages) {
    ++refs[m.sha256];
    bytes += static_cast<int64_t>(m.size);
  }
  const int64_t count = static_cast<int64_t>(messages.size());
  v1::AppendMessageResponse out;
  RETURN_IF_ERROR(pool_->Run("append_messages", [&](pqxx::work& txn) {
    out.Clear();
    for (const auto& [sha256, n] : refs) {
      if (txn.exec_params(kAddContentRefsSql, Bin(sha256), n).affected_rows() == 0) {
        // Staged moments ago but released since by an expunge of a message with the same
        // content; only the client still has the bytes.
        return absl::UnavailableError("a message's content was released meanwhile; retry");
      }
    }
    if (txn.exec_params(kChargeQuotaSql, user_id, bytes, count).empty()) {
      if (txn.exec_params(kUserExistsSql, user_id).empty()) {
        return absl::NotFoundError(absl::StrCat("no user ", user_id));
      }
      return absl::ResourceExhaustedError(absl::StrCat("quota exceeded for user ", user_id));
    }
    ASSIGN_OR_RETURN(MailboxRow mb, FindMailbox(txn, user_id, mailbox));
    pqxx::result alloc = txn.exec_params(kAllocateUidsSql, user_id, mb.mailbox_id, count);
    uint32_t uid = alloc[0][0].as<uint32_t>();
    const uint64_t modseq = alloc[0][1].as<uint64_t>();
    v1::ChangeEvent event;
    event.set_kind(v1::ChangeEvent::KIND_MESSAGE_ADDED);
    event.set_user_id(user_id);
    event.set_mailbox_id(mb.mailbox_id);
    event.set_modseq(modseq);
    event.set_mailbox_name(mb.name);
    out.set_mailbox_id(mb.mailbox_id);
    out.set_uidvalidity(mb.uidvalidity);
    out.set_uid(uid);
    out.set_modseq(modseq);
    for (const StagedMessage& m : messages) {
      std::vector<std::string> keywords(m.flags.keywords().begin(), m.flags.keywords().end());
      txn.exec_params(kInsertMessageSql, user_id, mb.mailbox_id, uid, Bin(m.sha256), m.size,
                      m.internal_date_us, m.flags.system(), TextArray(keywords), modseq,
                      std::optional<std::string>());
      out.add_uids(uid);
      event.add_uids(uid);
      ++uid;
    }
    Notify(txn, event);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace mailroom::store::db
