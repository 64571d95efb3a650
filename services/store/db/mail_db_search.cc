// MailDb: SEARCH and SORT evaluated in PostgreSQL (RFC 9051 §6.4.4, RFC 5256). The SQL text is
// assembled from the key tree; every value travels as a $n parameter.
#include <pqxx/binarystring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "services/shared/status/status_macros.h"
#include "services/store/db/mail_db.h"
#include "services/store/db/mail_db_internal.h"
#include "services/store/db/pool.h"
#include "services/store/db/sql_util.h"

namespace mailroom::store::db {
namespace {

constexpr int kMaxSearchDepth = 32;
constexpr size_t kMaxSearchParams = 2000;

constexpr char kKeywordPresentSql[] =
    "EXISTS (SELECT 1 FROM unnest(m.keywords) AS k WHERE lower(k) = lower(%s))";

class SqlBuilder {
 public:
  explicit SqlBuilder(std::vector<std::string>* params) : params_(params) {}

  // A "$n" placeholder for `value` (typed by the caller's cast).
  std::string Param(std::string value) {
    params_->push_back(std::move(value));
    return absl::StrCat("$", params_->size());
  }

  absl::StatusOr<std::string> Condition(const v1::SearchKey& key, int depth);
  absl::StatusOr<std::string> All(const google::protobuf::RepeatedPtrField<v1::SearchKey>& keys,
                                  const char* op, const char* empty, int depth);
  bool needs_content() const { return needs_content_; }

 private:
  std::string Flags(const v1::Flags& flags, bool present);
  std::string Timestamp(const google::protobuf::Timestamp& t) {
    return absl::StrCat("to_timestamp(", Param(absl::StrCat(t.seconds())), "::bigint)");
  }
  // `column` holds text folded with lower() when the content was stored (schema 0003): only
  // the needle is folded here. LIKE on the folded text is a plain byte match, the cheapest
  // substring test PostgreSQL has.
  std::string Contains(const std::string& column, const std::string& needle) {
    needs_content_ = true;
    return absl::StrCat(column, " LIKE ('%' || lower(", Param(LikeEscape(needle)),
                        "::text) || '%')");
  }
  // True when jsonb's text output writes `s` unchanged inside a string (no quote, backslash
  // or control character to escape).
  static bool WrittenAsItselfInJson(const std::string& s) {
    for (char ch : s) {
      if (ch == '"' || ch == '\\' || static_cast<unsigned char>(ch) < 0x20) return false;
    }
    return true;
  }
  // The needle as a LIKE pattern matching itself: \, % and _ escaped with \.
  static std::string LikeEscape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
      if (ch == '\\' || ch == '%' || ch == '_') out.push_back('\\');
      out.push_back(ch);
    }
    return out;
  }

  std::vector<std::string>* params_;
  bool needs_content_ = false;
};

std::string SqlBuilder::Flags(const v1::Flags& flags, bool present) {
  std::vector<std::string> parts;
  if (flags.system() != 0) {
    std::string bits = Param(absl::StrCat(flags.system()));
    parts.push_back(present ? absl::StrCat("(m.flags & ", bits, "::integer) = ", bits, "::integer")
                            : absl::StrCat("(m.flags & ", bits, "::integer) = 0"));
  }
  for (const std::string& k : flags.keywords()) {
    std::string exists = absl::StrFormat(kKeywordPresentSql, Param(k) + "::text");
    parts.push_back(present ? exists : absl::StrCat("NOT ", exists));
  }
  if (parts.empty()) return "TRUE";
  return absl::StrCat("(", absl::StrJoin(parts, " AND "), ")");
}

absl::StatusOr<std::string> SqlBuilder::All(
    const google::protobuf::RepeatedPtrField<v1::SearchKey>& keys, const char* op,
    const char* empty, int depth) {
  if (keys.empty()) return std::string(empty);
  std::vector<std::string> parts;
  for (const v1::SearchKey& k : keys) {
    ASSIGN_OR_RETURN(std::string c, Condition(k, depth + 1));
    parts.push_back(std::move(c));
  }
  return absl::StrCat("(", absl::StrJoin(parts, op), ")");
}

absl::StatusOr<std::string> SqlBuilder::Condition(const v1::SearchKey& key, int depth) {
  if (depth > kMaxSearchDepth) return absl::InvalidArgumentError("search keys nested too deep");
  if (params_->size() > kMaxSearchParams) return absl::InvalidArgumentError("too many keys");
  switch (key.key_case()) {
    case v1::SearchKey::kAll:
      return std::string("TRUE");
    case v1::SearchKey::kHasFlags:
      return Flags(key.has_flags(), true);
    case v1::SearchKey::kLacksFlags:
      return Flags(key.lacks_flags(), false);
    case v1::SearchKey::kUids: {
      UidArrays a = ToArrays(key.uids());
      return absl::StrCat("EXISTS (SELECT 1 FROM unnest(", Param(a.firsts), "::bigint[], ",
                          Param(a.lasts), "::bigint[]) AS r(lo, hi) WHERE m.uid BETWEEN r.lo "
                          "AND r.hi)");
    }
    case v1::SearchKey::kBefore:
      return absl::StrCat("m.internal_date < ", Timestamp(key.before()));
    case v1::SearchKey::kSince:
      return absl::StrCat("m.internal_date >= ", Timestamp(key.since()));
    case v1::SearchKey::kSentBefore:
      needs_content_ = true;
      return absl::StrCat("c.sent_date < ", Timestamp(key.sent_before()));
    case v1::SearchKey::kSentSince:
      needs_content_ = true;
      return absl::StrCat("c.sent_date >= ", Timestamp(key.sent_since()));
    case v1::SearchKey::kLarger:
      return absl::StrCat("m.size > ", Param(absl::StrCat(key.larger())), "::bigint");
    case v1::SearchKey::kSmaller:
      return absl::StrCat("m.size < ", Param(absl::StrCat(key.smaller())), "::bigint");
    case v1::SearchKey::kHeader: {
      needs_content_ = true;
      const std::string field = Param(key.header().field());
      const std::string& value = key.header().value();
      if (value.empty()) {
        return absl::StrCat("(c.headers ? lower(", field, "::text))");
      }
      std::string exact = absl::StrCat(
          "EXISTS (SELECT 1 FROM jsonb_array_elements_text(c.headers -> lower(", field,
          "::text)) AS v WHERE strpos(lower(v), lower(", Param(value), "::text)) > 0)");
      // Unpacking each message's header values costs most of a header search. A value that
      // JSON writes as itself must also appear in the folded text of all headers (schema
      // 0003), a cheap test that leaves few messages to unpack.
      if (!WrittenAsItselfInJson(value)) return exact;
      return absl::StrCat("(", Contains("c.search_headers", value), " AND ", exact, ")");
    }
    case v1::SearchKey::kBody:
      return Contains("c.search_body", key.body());
    case v1::SearchKey::kText:
      return absl::StrCat("(", Contains("c.search_body", key.text()), " OR ",
                          Contains("c.search_headers", key.text()), ")");
    case v1::SearchKey::kAnd:
      return All(key.and_().keys(), " AND ", "TRUE", depth);
    case v1::SearchKey::kOr:
      return All(key.or_().keys(), " OR ", "FALSE", depth);
    case v1::SearchKey::kNot: {
      ASSIGN_OR_RETURN(std::string c, Condition(key.not_(), depth + 1));
      return absl::StrCat("NOT ", c);
    }
    case v1::SearchKey::kModseq:
      return absl::StrCat("m.modseq >= ", Param(absl::StrCat(key.modseq())), "::bigint");
    case v1::SearchKey::KEY_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("empty search key");
}

// ORDER BY for RFC 5256 sort criteria; UID breaks ties (and is the default order).
std::string OrderBy(const v1::SearchMessagesRequest& request, bool* needs_content) {
  std::vector<std::string> parts;
  for (const auto& s : request.sort()) {
    std::string column;
    switch (s.key()) {
      case v1::SearchMessagesRequest::SORT_KEY_ARRIVAL: column = "m.internal_date"; break;
      case v1::SearchMessagesRequest::SORT_KEY_DATE:
        column = "coalesce(c.sent_date, m.internal_date)";
        break;
      case v1::SearchMessagesRequest::SORT_KEY_SIZE: column = "m.size"; break;
      case v1::SearchMessagesRequest::SORT_KEY_SUBJECT: column = "c.sort_subject"; break;
      case v1::SearchMessagesRequest::SORT_KEY_FROM: column = "c.sort_from"; break;
      case v1::SearchMessagesRequest::SORT_KEY_TO: column = "c.sort_to"; break;
      case v1::SearchMessagesRequest::SORT_KEY_CC: column = "c.sort_cc"; break;
      default: continue;
    }
    if (column.rfind("c.", 0) == 0 || column.find("c.sent_date") != std::string::npos) {
      *needs_content = true;
    }
    parts.push_back(absl::StrCat(column, s.reverse() ? " DESC" : " ASC"));
  }
  parts.push_back("m.uid");
  return absl::StrJoin(parts, ", ");
}

}  // namespace

absl::StatusOr<v1::SearchMessagesResponse> MailDb::Search(
    const v1::SearchMessagesRequest& request) {
  std::vector<std::string> params = {absl::StrCat(request.user_id()),
                                     absl::StrCat(request.mailbox_id())};
  SqlBuilder builder(&params);
  ASSIGN_OR_RETURN(std::string where, builder.All(request.keys(), " AND ", "TRUE", 0));
  bool needs_content = builder.needs_content();
  const std::string order = OrderBy(request, &needs_content);
  const std::string sql = absl::StrCat(
      "SELECT m.uid, m.modseq FROM messages m ",
      needs_content ? "JOIN contents c ON c.sha256 = m.sha256 " : "",
      "WHERE m.user_id = $1::bigint AND m.mailbox_id = $2::bigint AND ", where, " ORDER BY ",
      order);
  v1::SearchMessagesResponse out;
  RETURN_IF_ERROR(pool_->RunRead("search", [&](pqxx::transaction_base& txn) {
    out.Clear();
    uint64_t highest = 0;
    for (const pqxx::row& row :
         txn.exec_params(sql, pqxx::prepare::make_dynamic_params(params))) {
      out.add_uids(row[0].as<uint32_t>());
      highest = std::max(highest, row[1].as<uint64_t>());
    }
    out.set_highestmodseq(highest);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace mailroom::store::db
