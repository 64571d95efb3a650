#include "services/store/db/migrate.h"

#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "absl/strings/str_cat.h"
#include "services/shared/log/log.h"
#include "services/store/db/errors.h"
#include "services/store/db/schema_files.h"

namespace mailroom::store::db {
namespace {

// Any fixed 64-bit key: "mailroom" in ASCII.
constexpr char kLockSql[] = "SELECT pg_advisory_lock(7809643458474176365)";
constexpr char kUnlockSql[] = "SELECT pg_advisory_unlock(7809643458474176365)";
constexpr char kCreateVersionsSql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())";
constexpr char kCurrentVersionSql[] = "SELECT coalesce(max(version), 0) FROM schema_migrations";
constexpr char kRecordVersionSql[] = "INSERT INTO schema_migrations (version) VALUES ($1)";

}  // namespace

absl::StatusOr<int> Migrate(const std::string& dsn) {
  try {
    pqxx::connection conn(dsn);
    pqxx::nontransaction lock(conn);
    lock.exec(kLockSql);
    lock.exec(kCreateVersionsSql);
    int current = lock.exec(kCurrentVersionSql)[0][0].as<int>();
    lock.commit();
    for (const SchemaFile& file : SchemaFiles()) {
      if (file.version <= current) continue;
      pqxx::work txn(conn, "migrate");
      txn.exec(file.sql);
      txn.exec_params(kRecordVersionSql, file.version);
      txn.commit();
      current = file.version;
      log::Info("applied schema migration", {{"version", current}, {"file", file.name}});
    }
    pqxx::nontransaction unlock(conn);
    unlock.exec(kUnlockSql);
    unlock.commit();
    return current;
  } catch (...) {
    absl::Status s = TranslateCurrentException();
    if (s.code() == absl::StatusCode::kUnavailable) return s;
    return absl::InternalError(absl::StrCat("migration failed: ", s.message()));
  }
}

}  // namespace mailroom::store::db
