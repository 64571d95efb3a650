// MailDb: accounts, quota and administration (domains, users, aliases).
#include <pqxx/binarystring>

#include "absl/strings/str_cat.h"
#include "services/shared/status/status_macros.h"
#include "services/store/db/mail_db.h"
#include "services/store/db/mail_db_internal.h"
#include "services/store/db/pool.h"
#include "services/store/db/sql_util.h"

namespace mailroom::store::db {
namespace {

constexpr char kUserAuthSql[] =
    "SELECT user_id, address, password_hash, disabled, quota_bytes, used_bytes "
    "FROM users WHERE address = $1";
constexpr char kDomainExistsSql[] =
    "SELECT domain_id, catch_all FROM domains WHERE name = $1";
constexpr char kUserByAddressSql[] =
    "SELECT user_id, address, quota_bytes, used_bytes FROM users "
    "WHERE address = $1 AND NOT disabled";
constexpr char kUserByAliasSql[] =
    "SELECT u.user_id, u.address, u.quota_bytes, u.used_bytes FROM aliases a "
    "JOIN users u USING (user_id) WHERE a.address = $1 AND NOT u.disabled";
constexpr char kMailboxNameSql[] =
    "SELECT name FROM mailboxes WHERE user_id = $1 AND lower(name) = lower($2)";
constexpr char kQuotaSql[] =
    "SELECT quota_bytes, used_bytes, used_messages FROM users WHERE user_id = $1";

constexpr char kAddDomainSql[] =
    "INSERT INTO domains (name, catch_all) VALUES ($1, $2) RETURNING name, catch_all";
constexpr char kListDomainsSql[] = "SELECT name, catch_all FROM domains ORDER BY name";
constexpr char kDomainUserCountSql[] =
    "SELECT d.domain_id, (SELECT count(*) FROM users u WHERE u.domain_id = d.domain_id) "
    "FROM domains d WHERE d.name = $1";
constexpr char kDomainUsersSql[] = "SELECT user_id FROM users WHERE domain_id = $1";
constexpr char kDeleteDomainAliasesSql[] = "DELETE FROM aliases WHERE domain_id = $1";
constexpr char kDeleteDomainSql[] = "DELETE FROM domains WHERE domain_id = $1";

constexpr char kAliasTakenSql[] = "SELECT 1 FROM aliases WHERE address = $1";
constexpr char kUserTakenSql[] = "SELECT 1 FROM users WHERE address = $1";
constexpr char kInsertUserSql[] =
    "INSERT INTO users (domain_id, address, password_hash, quota_bytes) "
    "VALUES ($1, $2, $3, $4) RETURNING user_id";
constexpr char kInsertMailboxSql[] =
    "INSERT INTO mailboxes (user_id, name, special_use, uidvalidity) "
    "VALUES ($1, $2, $3, nextval('uidvalidity_seq')) RETURNING mailbox_id, uidvalidity";
constexpr char kInsertSubscriptionSql[] =
    "INSERT INTO subscriptions (user_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING";
constexpr char kListUsersSql[] =
    "SELECT u.user_id, u.address, u.disabled, u.quota_bytes, u.used_bytes, u.used_messages "
    "FROM users u JOIN domains d USING (domain_id) WHERE $1 = '' OR d.name = $1 "
    "ORDER BY u.address";
constexpr char kUserIdSql[] = "SELECT user_id FROM users WHERE address = $1";
constexpr char kSetHashSql[] = "UPDATE users SET password_hash = $2 WHERE address = $1";
constexpr char kSetQuotaSql[] =
    "UPDATE users SET quota_bytes = $2 WHERE address = $1 RETURNING user_id, address, "
    "disabled, quota_bytes, used_bytes, used_messages";
constexpr char kSetDisabledSql[] = "UPDATE users SET disabled = $2 WHERE address = $1";
constexpr char kInsertAliasSql[] =
    "INSERT INTO aliases (address, domain_id, user_id) VALUES ($1, $2, $3)";
constexpr char kListAliasesSql[] =
    "SELECT a.address, u.address FROM aliases a JOIN users u USING (user_id) "
    "JOIN domains d ON d.domain_id = a.domain_id WHERE $1 = '' OR d.name = $1 "
    "ORDER BY a.address";
constexpr char kDeleteAliasSql[] = "DELETE FROM aliases WHERE address = $1";

struct DefaultMailbox {
  const char* name;
  v1::SpecialUse use;
};
constexpr DefaultMailbox kDefaultMailboxes[] = {
    {"INBOX", v1::SPECIAL_USE_UNSPECIFIED}, {"Drafts", v1::SPECIAL_USE_DRAFTS},
    {"Sent", v1::SPECIAL_USE_SENT},         {"Trash", v1::SPECIAL_USE_TRASH},
    {"Junk", v1::SPECIAL_USE_JUNK},         {"Archive", v1::SPECIAL_USE_ARCHIVE},
};

v1::Principal PrincipalFromRow(const pqxx::row& row) {
  v1::Principal p;
  p.set_user_id(row[0].as<uint64_t>());
  p.set_address(row[1].as<std::string>());
  p.set_quota_bytes(row[2].as<uint64_t>());
  p.set_used_bytes(row[3].as<uint64_t>());
  return p;
}

v1::User UserFromRow(const pqxx::row& row) {
  v1::User u;
  u.set_user_id(row[0].as<uint64_t>());
  u.set_address(row[1].as<std::string>());
  u.set_disabled(row[2].as<bool>());
  u.set_quota_bytes(row[3].as<uint64_t>());
  u.set_used_bytes(row[4].as<uint64_t>());
  u.set_messages(row[5].as<uint64_t>());
  return u;
}

// Finds the user an exact address belongs to, directly or through an alias.
std::optional<v1::Principal> LookupRecipient(pqxx::transaction_base& txn, const std::string& address) {
  pqxx::result r = ExecFixed(txn, kUserByAddressSql, address);
  if (r.empty()) r = ExecFixed(txn, kUserByAliasSql, address);
  if (r.empty()) return std::nullopt;
  return PrincipalFromRow(r[0]);
}

}  // namespace

MailDb::MailDb(ConnectionPool* pool) : pool_(pool) {}

absl::StatusOr<UserAuth> MailDb::GetUserAuth(const std::string& address) {
  UserAuth out;
  RETURN_IF_ERROR(pool_->Run("user_auth", [&](pqxx::work& txn) {
    pqxx::result r = ExecFixed(txn, kUserAuthSql, address);
    if (r.empty()) return absl::NotFoundError("no such user");
    out.principal.set_user_id(r[0][0].as<uint64_t>());
    out.principal.set_address(r[0][1].as<std::string>());
    out.password_hash = r[0][2].as<std::string>();
    out.disabled = r[0][3].as<bool>();
    out.principal.set_quota_bytes(r[0][4].as<uint64_t>());
    out.principal.set_used_bytes(r[0][5].as<uint64_t>());
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::ResolveAddressResponse> MailDb::ResolveAddress(const ParsedAddress& address) {
  v1::ResolveAddressResponse out;
  RETURN_IF_ERROR(pool_->Run("resolve_address", [&](pqxx::work& txn) {
    out.Clear();
    pqxx::result domain = ExecFixed(txn, kDomainExistsSql, address.domain);
    if (domain.empty()) return absl::OkStatus();
    out.set_is_local_domain(true);
    std::optional<v1::Principal> p = LookupRecipient(txn, address.Canonical());
    // Plus-addressing: "bob+lists@d" goes to bob, into folder "lists" when bob has it.
    if (!p && !address.tag.empty()) {
      p = LookupRecipient(txn, address.BaseAddress());
      if (p) {
        pqxx::result mb = ExecFixed(txn, kMailboxNameSql, p->user_id(), address.tag);
        if (!mb.empty()) out.set_mailbox(mb[0][0].as<std::string>());
      }
    }
    const std::string catch_all = domain[0][1].as<std::string>();
    if (!p && !catch_all.empty()) p = LookupRecipient(txn, catch_all);
    if (p) *out.mutable_principal() = *p;
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::GetQuotaResponse> MailDb::GetQuota(uint64_t user_id) {
  v1::GetQuotaResponse out;
  RETURN_IF_ERROR(pool_->Run("get_quota", [&](pqxx::work& txn) {
    pqxx::result r = ExecFixed(txn, kQuotaSql, user_id);
    if (r.empty()) return absl::NotFoundError("no such user");
    out.set_quota_bytes(r[0][0].as<uint64_t>());
    out.set_used_bytes(r[0][1].as<uint64_t>());
    out.set_used_messages(r[0][2].as<uint64_t>());
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Domain> MailDb::AddDomain(const std::string& name,
                                             const std::string& catch_all) {
  v1::Domain out;
  absl::Status s = pool_->Run("add_domain", [&](pqxx::work& txn) {
    pqxx::result r = ExecFixed(txn, kAddDomainSql, name, catch_all);
    out.set_name(r[0][0].as<std::string>());
    out.set_catch_all(r[0][1].as<std::string>());
    return absl::OkStatus();
  });
  if (s.code() == absl::StatusCode::kAlreadyExists) {
    return absl::AlreadyExistsError(absl::StrCat("domain ", name, " already exists"));
  }
  RETURN_IF_ERROR(s);
  return out;
}

absl::StatusOr<std::vector<v1::Domain>> MailDb::ListDomains() {
  std::vector<v1::Domain> out;
  RETURN_IF_ERROR(pool_->Run("list_domains", [&](pqxx::work& txn) {
    out.clear();
    for (const pqxx::row& row : txn.exec(kListDomainsSql)) {
      v1::Domain& d = out.emplace_back();
      d.set_name(row[0].as<std::string>());
      d.set_catch_all(row[1].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::Status MailDb::RemoveDomain(const std::string& name, bool force) {
  return pool_->Run("remove_domain", [&](pqxx::work& txn) {
    pqxx::result r = ExecFixed(txn, kDomainUserCountSql, name);
    if (r.empty()) return absl::NotFoundError(absl::StrCat("no domain ", name));
    const int64_t domain_id = r[0][0].as<int64_t>();
    if (r[0][1].as<int64_t>() > 0 && !force) {
      return absl::FailedPreconditionError(
          absl::StrCat("domain ", name, " still has users (use --force to remove them too)"));
    }
    for (const pqxx::row& user : ExecFixed(txn, kDomainUsersSql, domain_id)) {
      DeleteUserData(txn, user[0].as<uint64_t>());
    }
    ExecFixed(txn, kDeleteDomainAliasesSql, domain_id);
    ExecFixed(txn, kDeleteDomainSql, domain_id);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::User> MailDb::AddUser(const ParsedAddress& address, const std::string& hash,
                                         uint64_t quota_bytes) {
  v1::User out;
  RETURN_IF_ERROR(pool_->Run("add_user", [&](pqxx::work& txn) {
    const std::string canonical = address.Canonical();
    pqxx::result domain = ExecFixed(txn, kDomainExistsSql, address.domain);
    if (domain.empty()) return absl::NotFoundError(absl::StrCat("no domain ", address.domain));
    if (!ExecFixed(txn, kUserTakenSql, canonical).empty() ||
        !ExecFixed(txn, kAliasTakenSql, canonical).empty()) {
      return absl::AlreadyExistsError(absl::StrCat(canonical, " already exists"));
    }
    pqxx::result r = ExecFixed(txn, kInsertUserSql, domain[0][0].as<int64_t>(), canonical,
                               hash, quota_bytes);
    const uint64_t user_id = r[0][0].as<uint64_t>();
    for (const DefaultMailbox& mb : kDefaultMailboxes) {
      ExecFixed(txn, kInsertMailboxSql, user_id, mb.name, static_cast<int>(mb.use));
      ExecFixed(txn, kInsertSubscriptionSql, user_id, mb.name);
    }
    out.Clear();
    out.set_user_id(user_id);
    out.set_address(canonical);
    out.set_quota_bytes(quota_bytes);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<v1::User>> MailDb::ListUsers(const std::string& domain) {
  std::vector<v1::User> out;
  RETURN_IF_ERROR(pool_->Run("list_users", [&](pqxx::work& txn) {
    out.clear();
    for (const pqxx::row& row : ExecFixed(txn, kListUsersSql, domain)) {
      out.push_back(UserFromRow(row));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::Status MailDb::RemoveUser(const std::string& address) {
  return pool_->Run("remove_user", [&](pqxx::work& txn) {
    pqxx::result r = ExecFixed(txn, kUserIdSql, address);
    if (r.empty()) return absl::NotFoundError(absl::StrCat("no user ", address));
    DeleteUserData(txn, r[0][0].as<uint64_t>());
    return absl::OkStatus();
  });
}

absl::Status MailDb::SetPasswordHash(const std::string& address, const std::string& hash) {
  return pool_->Run("set_password", [&](pqxx::work& txn) {
    if (ExecFixed(txn, kSetHashSql, address, hash).affected_rows() == 0) {
      return absl::NotFoundError(absl::StrCat("no user ", address));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::User> MailDb::SetQuota(const std::string& address, uint64_t quota_bytes) {
  v1::User out;
  RETURN_IF_ERROR(pool_->Run("set_quota", [&](pqxx::work& txn) {
    pqxx::result r = ExecFixed(txn, kSetQuotaSql, address, quota_bytes);
    if (r.empty()) return absl::NotFoundError(absl::StrCat("no user ", address));
    out = UserFromRow(r[0]);
    return absl::OkStatus();
  }));
  return out;
}

absl::Status MailDb::SetDisabled(const std::string& address, bool disabled) {
  return pool_->Run("set_disabled", [&](pqxx::work& txn) {
    if (ExecFixed(txn, kSetDisabledSql, address, disabled).affected_rows() == 0) {
      return absl::NotFoundError(absl::StrCat("no user ", address));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Alias> MailDb::AddAlias(const ParsedAddress& alias,
                                           const std::string& target) {
  v1::Alias out;
  RETURN_IF_ERROR(pool_->Run("add_alias", [&](pqxx::work& txn) {
    const std::string canonical = alias.Canonical();
    pqxx::result domain = ExecFixed(txn, kDomainExistsSql, alias.domain);
    if (domain.empty()) return absl::NotFoundError(absl::StrCat("no domain ", alias.domain));
    if (!ExecFixed(txn, kUserTakenSql, canonical).empty() ||
        !ExecFixed(txn, kAliasTakenSql, canonical).empty()) {
      return absl::AlreadyExistsError(absl::StrCat(canonical, " already exists"));
    }
    pqxx::result user = ExecFixed(txn, kUserIdSql, target);
    if (user.empty()) return absl::NotFoundError(absl::StrCat("no user ", target));
    ExecFixed(txn, kInsertAliasSql, canonical, domain[0][0].as<int64_t>(),
              user[0][0].as<int64_t>());
    out.set_address(canonical);
    out.set_target(target);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<v1::Alias>> MailDb::ListAliases(const std::string& domain) {
  std::vector<v1::Alias> out;
  RETURN_IF_ERROR(pool_->Run("list_aliases", [&](pqxx::work& txn) {
    out.clear();
    for (const pqxx::row& row : ExecFixed(txn, kListAliasesSql, domain)) {
      v1::Alias& a = out.emplace_back();
      a.set_address(row[0].as<std::string>());
      a.set_target(row[1].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::Status MailDb::RemoveAlias(const std::string& address) {
  return pool_->Run("remove_alias", [&](pqxx::work& txn) {
    if (ExecFixed(txn, kDeleteAliasSql, address).affected_rows() == 0) {
      return absl::NotFoundError(absl::StrCat("no alias ", address));
    }
    return absl::OkStatus();
  });
}

}  // namespace mailroom::store::db
